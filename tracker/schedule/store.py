"""The plan, persisted: APScheduler's SQLAlchemy job store in the tracker's own database.

One table (``scheduler_jobs``, created and owned by APScheduler, so Alembic leaves it alone:
see :func:`tracker.migrate.include_name`) holds the jobs of every worker. Job ids are
``<worker id>:<job>``, and each scheduler loads only its own: sharing one plan between
APScheduler 3 schedulers is unsupported (two of them would race to run the same job), while
each worker does need its own claim-and-check job for the work to scale out.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.util import utc_timestamp_to_datetime
from sqlalchemy import Engine, inspect, select, text

from tracker.db import Database
from tracker.errors import InvalidInput, NotFound
from tracker.schedule.locks import ADVISORY_NAMESPACE

JOB_TABLE = "scheduler_jobs"  # listed in tracker.migrate.UNMANAGED_TABLES
SEPARATOR = ":"


def job_id(worker: str, name: str) -> str:
    return f"{worker}{SEPARATOR}{name}"


class WorkerJobStore(SQLAlchemyJobStore):  # type: ignore[misc]
    """A SQLAlchemy job store that sees only the jobs whose id starts with ``<worker>:``."""

    def __init__(self, engine: Engine, worker: str) -> None:
        super().__init__(engine=engine, tablename=JOB_TABLE)
        self.worker = worker
        self._mine = self.jobs_t.c.id.startswith(worker + SEPARATOR, autoescape=True)

    def get_due_jobs(self, now: datetime) -> list[Job]:
        jobs: list[Job] = self._get_jobs(self.jobs_t.c.next_run_time <= now.timestamp(), self._mine)
        return jobs

    def get_next_run_time(self) -> datetime | None:
        statement = (
            select(self.jobs_t.c.next_run_time)
            .where(self.jobs_t.c.next_run_time.is_not(None), self._mine)
            .order_by(self.jobs_t.c.next_run_time)
            .limit(1)
        )
        with self.engine.begin() as connection:
            value = connection.execute(statement).scalar()
        result: datetime | None = utc_timestamp_to_datetime(value)
        return result

    def get_all_jobs(self) -> list[Job]:
        jobs: list[Job] = self._get_jobs(self._mine)
        self._fix_paused_jobs_sorting(jobs)
        return jobs

    def remove_all_jobs(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(self.jobs_t.delete().where(self._mine))

    def shutdown(self) -> None:
        """Leave the engine to its owner (the base class would dispose of it)."""


def ensure_job_table(database: Database) -> None:
    """Create the job table once, even when several workers start at the same moment."""
    table = SQLAlchemyJobStore(engine=database.engine, tablename=JOB_TABLE).jobs_t
    with database.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:namespace, 0)"),
                {"namespace": ADVISORY_NAMESPACE},
            )
        table.create(connection, checkfirst=True)


@dataclass(frozen=True)
class StoredJob:
    """A job as the store holds it, for ``schedule status`` (no scheduler needed)."""

    id: str
    worker: str
    name: str
    trigger: str
    next_run_time: datetime | None


def stored_jobs(database: Database) -> list[StoredJob]:
    """Every worker's jobs, read straight from the table (empty if no scheduler ever ran)."""
    if not inspect(database.engine).has_table(JOB_TABLE):
        return []
    table = SQLAlchemyJobStore(engine=database.engine, tablename=JOB_TABLE).jobs_t
    with database.engine.connect() as connection:
        rows = connection.execute(
            select(table.c.id, table.c.next_run_time, table.c.job_state).order_by(table.c.id)
        ).all()
    jobs = []
    for identifier, next_run, state in rows:
        worker, _, name = str(identifier).partition(SEPARATOR)
        jobs.append(
            StoredJob(
                id=str(identifier),
                worker=worker,
                name=name,
                trigger=_trigger_of(state),
                next_run_time=utc_timestamp_to_datetime(next_run),
            )
        )
    return jobs


def forget_worker(database: Database, worker: str) -> int:
    """Delete the jobs of ``worker`` (not running); how many there were."""
    from tracker.schedule.locks import running_workers

    if running_workers(database, {worker}):
        raise InvalidInput(f"worker {worker} is running: stop it first")
    if not inspect(database.engine).has_table(JOB_TABLE):
        raise NotFound("worker", worker)
    table = SQLAlchemyJobStore(engine=database.engine, tablename=JOB_TABLE).jobs_t
    with database.engine.begin() as connection:
        removed = connection.execute(
            table.delete().where(table.c.id.startswith(worker + SEPARATOR, autoescape=True))
        ).rowcount
    if not removed:
        raise NotFound("worker", worker)
    return int(removed)


def _trigger_of(state: bytes) -> str:
    # The state is APScheduler's own pickle, written by our schedulers into our database.
    job_state: dict[str, Any] = pickle.loads(state)  # noqa: S301
    return str(job_state.get("trigger", "?"))
