"""``fact-tracker schedule``: run the plan in the foreground until told to stop.

The main thread does the work (claim-and-check rounds, archive look-ups, summaries);
APScheduler's thread only decides when, from the plan persisted in the database. SIGINT and
SIGTERM ask for a clean stop: the batch in flight is finished, its leases released, the
process exits 0. A second signal abandons the batch: the checker is interrupted, whatever it
had not committed is rolled back, and the leases are still released before exit.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import TYPE_CHECKING

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from tracker.db import Database
from tracker.errors import Interrupted, InvalidInput
from tracker.politeness import hosts
from tracker.schedule import jobs
from tracker.schedule.events import log
from tracker.schedule.locks import worker_lock
from tracker.schedule.store import WorkerJobStore, ensure_job_table, job_id
from tracker.schedule.worker import RoundReport
from tracker.settings import Settings

if TYPE_CHECKING:
    from tracker.linkcheck.engine import EngineObserver

POLL_SECONDS = 0.5
WORKER_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@")


class StopForced(Interrupted):
    """A second SIGINT/SIGTERM abandoned the batch in flight (its leases were released)."""


@dataclass(frozen=True)
class ScheduleOptions:
    worker: str
    batch_size: int
    check_every: timedelta | None = None
    once: bool = False


def default_worker_id(settings: Settings) -> str:
    return settings.schedule_worker_id or socket.gethostname().split(".")[0] or "worker"


def validate_worker_id(worker: str) -> str:
    if not worker or len(worker) > 100 or not set(worker) <= WORKER_ID_CHARS:
        raise InvalidInput(
            f"invalid worker id {worker!r}: use 1 to 100 letters, digits, '.', '_', '-', '@'"
        )
    return worker


def run(
    database: Database,
    settings: Settings,
    options: ScheduleOptions,
    observer: EngineObserver | None = None,
) -> RoundReport | None:
    """Run one round (``once``) or the scheduler until a signal; the round's report if once."""
    worker = validate_worker_id(options.worker)
    runtime = jobs.Runtime(database, settings, worker, options.batch_size, observer)
    try:
        with worker_lock(database, worker), stop_on_signals(runtime.stop):
            return _run_locked(runtime, options)
    except KeyboardInterrupt:
        raise StopForced(
            "stopped by a second signal: the batch in flight was abandoned and its leases "
            "released; checks already written are kept"
        ) from None


def _run_locked(runtime: jobs.Runtime, options: ScheduleOptions) -> RoundReport | None:
    # No other live process has our id (the lock says so): leases under it are stale.
    with runtime.database.transaction() as session:
        stale_hosts, stale = hosts.release_all(session, runtime.worker)
    if stale or stale_hosts:
        log.info("stale_leases_released", worker=runtime.worker, links=stale, hosts=stale_hosts)
    if options.once:
        before, after = jobs.once_order()
        for name in before:
            if not runtime.stop.is_set():
                _run_job(runtime, name)
        report = jobs.run_check_round(runtime, quiet_if_empty=False)
        if not runtime.stop.is_set():
            jobs.run_archive_lookup(runtime)
        for name in after:
            if not runtime.stop.is_set():
                _run_job(runtime, name)
        return report
    _run_scheduler(runtime, options.check_every)
    return None


def _run_scheduler(runtime: jobs.Runtime, check_every: timedelta | None) -> None:
    database = runtime.database
    ensure_job_table(database)
    scheduler = BackgroundScheduler(
        jobstores={"default": WorkerJobStore(database.engine, runtime.worker)},
        executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        timezone=UTC,
    )
    with jobs.bound(runtime):
        scheduler.start(paused=True)
        try:
            _install_plan(scheduler, runtime, check_every)
            scheduler.resume()
            log.info("scheduler_started", worker=runtime.worker, batch_size=runtime.batch_size)
            while not runtime.stop.is_set():
                name = runtime.next_fired(POLL_SECONDS)
                if name is not None and not runtime.stop.is_set():
                    _run_job(runtime, name)
        finally:
            scheduler.shutdown(wait=True)
            log.info("scheduler_stopped", worker=runtime.worker)


def _install_plan(
    scheduler: BackgroundScheduler, runtime: jobs.Runtime, check_every: timedelta | None
) -> None:
    """Resume the stored plan; add what is missing, change what the options changed."""
    stored = {job.id: job for job in scheduler.get_jobs()}
    interval = check_every or timedelta(minutes=runtime.settings.schedule_every_minutes)
    wanted = set()
    for spec in jobs.plan(interval, runtime.settings):
        identifier = job_id(runtime.worker, spec.name)
        wanted.add(identifier)
        job = stored.get(identifier)
        keep_stored_interval = check_every is None and spec.name in (
            jobs.CHECK_DUE,
            jobs.ARCHIVE_LOOKUP,
        )
        if job is not None and (keep_stored_interval or str(job.trigger) == str(spec.trigger)):
            log.info(
                "job_resumed",
                worker=runtime.worker,
                job=identifier,
                trigger=str(job.trigger),
                next_run=job.next_run_time,
            )
            continue
        if job is not None:
            job = scheduler.reschedule_job(identifier, trigger=spec.trigger)
            event = "job_rescheduled"
        else:
            first_run = datetime.now(UTC) if spec.run_at_start else None
            job = scheduler.add_job(
                spec.func,
                trigger=spec.trigger,
                id=identifier,
                name=spec.name,
                **({"next_run_time": first_run} if first_run else {}),
            )
            event = "job_added"
        log.info(
            event,
            worker=runtime.worker,
            job=identifier,
            trigger=str(spec.trigger),
            next_run=job.next_run_time,
        )
    for identifier in set(stored) - wanted:
        scheduler.remove_job(identifier)
        log.info("job_removed", worker=runtime.worker, job=identifier)


def _run_job(runtime: jobs.Runtime, name: str) -> None:
    try:
        jobs.run(runtime, name)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - an unattended loop logs a failed job and goes on
        log.error("job_failed", worker=runtime.worker, job=name, exc=exc)


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[threading.Event]:
    """SIGINT/SIGTERM set ``stop``; a second one raises KeyboardInterrupt to abandon the batch.

    Only the main thread may install handlers; elsewhere (tests driving the service from a
    thread) ``stop`` is the only way to stop.
    """
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handle(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            log.warning("stop_forced", signal=name)
            raise KeyboardInterrupt
        stop.set()
        log.info("stop_requested", signal=name)

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
