"""Who may run: one live scheduler per worker id, and one per database on SQLite.

PostgreSQL: a session advisory lock keyed on the worker id, held on a dedicated connection for
the life of the scheduler. A second process with the same id is refused; the lock vanishes
with the process (even after SIGKILL), so a restarted worker can safely free the leases its
previous life left behind.

SQLite: an exclusive lock on a file beside the database. SQLite has one writer at a time, so
one scheduler per database is the documented limit, and a second one is refused with a clear
message instead of fighting for the write lock.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import make_url

from tracker.db import Database
from tracker.errors import TrackerError

# First key of the two-int advisory lock: this application's namespace ("ft").
ADVISORY_NAMESPACE = 0x6674


class SchedulerAlreadyRunning(TrackerError):
    """Another scheduler holds the lock this one needs."""


def advisory_key(name: str) -> int:
    """A stable signed 32-bit key for ``name`` (PostgreSQL's advisory locks take int4 pairs)."""
    key = zlib.crc32(name.encode("utf-8"))
    return key - 2**32 if key >= 2**31 else key


@contextmanager
def worker_lock(database: Database, worker_id: str) -> Iterator[None]:
    """Hold the right to run as ``worker_id`` on ``database``; refuse if someone else has it."""
    if database.is_sqlite:
        with _sqlite_file_lock(database, worker_id):
            yield
        return
    with database.engine.connect() as connection:
        acquired = connection.execute(
            text("SELECT pg_try_advisory_lock(:namespace, :key)"),
            {"namespace": ADVISORY_NAMESPACE, "key": advisory_key(f"worker:{worker_id}")},
        ).scalar_one()
        connection.commit()
        if not acquired:
            raise SchedulerAlreadyRunning(
                f"a scheduler with worker id {worker_id!r} is already running on this database: "
                "give each worker its own worker id"
            )
        try:
            yield
        finally:
            connection.execute(
                text("SELECT pg_advisory_unlock(:namespace, :key)"),
                {"namespace": ADVISORY_NAMESPACE, "key": advisory_key(f"worker:{worker_id}")},
            )
            connection.commit()


@contextmanager
def job_lock(database: Database, name: str) -> Iterator[bool]:
    """Try to become the one worker running the cluster-wide job ``name``; yields whether we are.

    Used for jobs that must not run twice at once across workers (archive look-ups). On SQLite
    the scheduler is alone, so the answer is always yes.
    """
    if database.is_sqlite:
        yield True
        return
    key = {"namespace": ADVISORY_NAMESPACE, "key": advisory_key(f"job:{name}")}
    with database.engine.connect() as connection:
        acquired = bool(
            connection.execute(
                text("SELECT pg_try_advisory_lock(:namespace, :key)"), key
            ).scalar_one()
        )
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                connection.execute(text("SELECT pg_advisory_unlock(:namespace, :key)"), key)
                connection.commit()


def sqlite_lock_path(database: Database) -> Path | None:
    """The lock file of a file-backed SQLite database (None for an in-memory one)."""
    name = make_url(database.url).database
    if not name or name == ":memory:":
        return None
    return Path(name).expanduser().with_name(Path(name).name + ".scheduler.lock")


@contextmanager
def _sqlite_file_lock(database: Database, worker_id: str) -> Iterator[None]:
    path = sqlite_lock_path(database)
    if path is None:
        yield
        return
    with path.open("a+", encoding="utf-8") as handle:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise SchedulerAlreadyRunning(
                f"a scheduler is already running on this SQLite database ({holder}); SQLite "
                "allows one scheduler at a time: use PostgreSQL to run several workers"
            )
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}, worker {worker_id}\n")
            handle.flush()
            yield
        finally:
            _unlock(handle)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(handle: IO[str]) -> bool:
        handle.seek(0)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(handle: IO[str]) -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def running_workers(database: Database, candidates: set[str]) -> set[str]:
    """Which of ``candidates`` hold their worker lock now, i.e. have a scheduler running."""
    if database.is_sqlite:
        path = sqlite_lock_path(database)
        if path is None or not path.exists():
            return set()
        with path.open("a+", encoding="utf-8") as handle:
            if _try_lock(handle):
                _unlock(handle)
                return set()
            handle.seek(0)
            holder = handle.read()
        return {worker for worker in candidates if f", worker {worker}\n" in holder}
    with database.engine.connect() as connection:
        held = set(
            connection.execute(
                text(
                    "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' "
                    "AND classid = :namespace AND objsubid = 2 AND granted "
                    # Advisory locks are server-wide: only this database's workers count.
                    "AND database = "
                    "(SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"namespace": ADVISORY_NAMESPACE},
            ).scalars()
        )
    return {worker for worker in candidates if advisory_key(f"worker:{worker}") % 2**32 in held}
