"""The batch engine behind ``check_links``: check many links at once, politely, record all.

The batch streams: link snapshots are read a chunk at a time (slowest-last-time first), checks
are dispatched fairly across hosts (at most ``concurrency`` in all and ``per_host_concurrency``
per host, without one busy host holding global slots), and results are written in short
transactions on a database thread while the network part goes on. Every link gets an outcome:
a check has a hard deadline, and an unexpected error inside one check is recorded as that
link's failure.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import update

from tracker.archives.lookup import archives_configured, find_copy
from tracker.db import Database
from tracker.http import Fetcher
from tracker.linkcheck.archive import ArchiveUnavailable, Snapshot
from tracker.linkcheck.checker import Checker, CheckResult, LinkJob
from tracker.linkcheck.retry import RetryPolicy
from tracker.linkcheck.running import ResultWriter, Tally, Timed, check_one
from tracker.linkcheck.store import Written, load_jobs, slowest_first, write_results
from tracker.linkcheck.views import CheckReport
from tracker.models import Link, utcnow
from tracker.settings import Settings

log = logging.getLogger(__name__)
CHUNK = 500

Clock = Callable[[], datetime]
Progress = Callable[[int, int], None]


def run_checks(
    database: Database,
    settings: Settings,
    link_ids: Sequence[int],
    *,
    worker: str,
    progress: Progress | None = None,
    clock: Clock = utcnow,
    rng: random.Random | None = None,
) -> CheckReport:
    """Check ``link_ids`` now; one LinkCheck per link, Links and evidence updated.

    ``clock`` stamps each check (tests pass a fake one to walk through days of checks);
    ``rng`` drives the jitter of the next check times.
    """
    started = time.perf_counter()
    batch = _Batch(
        database,
        settings,
        list(dict.fromkeys(link_ids)),
        worker=worker,
        progress=progress,
        clock=clock,
        rng=rng or random.Random(),  # noqa: S311 - jitter, not secrets
    )
    tally = asyncio.run(batch.run())
    return CheckReport.of(
        tally.outcomes, tally.states, tally.flagged_claims, time.perf_counter() - started
    )


class _HostQueue:
    """Pending jobs per host, handed out round-robin to hosts below their limit."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self.pending: dict[str, deque[LinkJob]] = {}
        self.active: Counter[str] = Counter()
        self.size = 0
        self._order: deque[str] = deque()

    def add(self, job: LinkJob) -> None:
        queue = self.pending.get(job.host)
        if queue is None:
            queue = self.pending[job.host] = deque()
            self._order.append(job.host)
        queue.append(job)
        self.size += 1

    def pop(self) -> LinkJob | None:
        for _ in range(len(self._order)):
            host = self._order[0]
            self._order.rotate(-1)
            if self.active[host] < self.per_host:
                queue = self.pending[host]
                job = queue.popleft()
                if not queue:
                    del self.pending[host]
                    self._order.remove(host)
                self.active[host] += 1
                self.size -= 1
                return job
        return None

    def done(self, job: LinkJob) -> None:
        self.active[job.host] -= 1
        if not self.active[job.host]:
            del self.active[job.host]


class _Batch:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        ids: list[int],
        *,
        worker: str,
        progress: Progress | None,
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.database = database
        self.settings = settings
        self.ids = ids
        self.worker = worker
        self.progress = progress
        self.clock = clock
        self.rng = rng
        self.tally = Tally()
        self.deadline = RetryPolicy.from_settings(settings).budget(settings.timeout)
        self.results = ResultWriter(self._write, self._record, self._in_db)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linkcheck-db")
        self._done = 0

    async def run(self) -> Tally:
        try:
            self.ids = await self._in_db(self._order)
            async with Fetcher(self.settings) as fetcher:
                await self._dispatch(Checker(fetcher, self.settings))
            await self.results.flush(final=True)
        finally:
            self._db.shutdown(wait=True)
        return self.tally

    async def _dispatch(self, checker: Checker) -> None:
        """Keep every slot busy: start a check the moment one ends, read links ahead of need.

        Finished checks are collected by a done-callback each (not by ``asyncio.wait`` over
        all running checks, whose cost grows with the concurrency at every completion), and
        the next chunk of links is read on the database thread while the current one is still
        being checked, so no slot waits for a read.
        """
        queue = _HostQueue(self.settings.per_host_concurrency)
        chunks: Iterator[list[int]] = (
            self.ids[i : i + CHUNK] for i in range(0, len(self.ids), CHUNK)
        )
        loading: asyncio.Future[list[LinkJob]] | None = None
        exhausted = False
        running: dict[asyncio.Task[CheckResult], LinkJob] = {}
        finished: deque[asyncio.Task[CheckResult]] = deque()
        wake = asyncio.Event()
        limit = self.settings.concurrency

        def on_done(task: asyncio.Task[CheckResult]) -> None:
            finished.append(task)
            wake.set()

        while True:
            if loading is not None and loading.done():
                for loaded in loading.result():
                    queue.add(loaded)
                loading = None
            # Read ahead while fewer links are pending than a few rounds of slots need, up to
            # a bound that keeps memory flat on huge batches.
            if loading is None and not exhausted and queue.size < max(2 * limit, CHUNK // 2):
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                else:
                    loading = asyncio.ensure_future(self._in_db(self._load, chunk, self.clock()))
                    loading.add_done_callback(lambda _: wake.set())
            while len(running) < limit and (job := queue.pop()) is not None:
                task = asyncio.create_task(check_one(checker, job, self.deadline))
                task.add_done_callback(on_done)
                running[task] = job
            if not running and loading is None and (exhausted or not queue.size):
                if exhausted:
                    return
                continue
            if not finished and not (loading is not None and loading.done()):
                wake.clear()
                await wake.wait()
            while finished:
                task = finished.popleft()
                job = running.pop(task)
                queue.done(job)
                self.results.add(task.result(), self.clock())
            await self.results.flush()

    def _write(self, batch: list[Timed]) -> list[Written]:
        with self.database.transaction() as session:
            return write_results(session, batch, self.settings, worker=self.worker, rng=self.rng)

    def _record(self, written: list[Written]) -> None:
        for item in written:
            self.tally.add(item)
            self._done += 1
            if self.progress is not None:
                self.progress(self._done, len(self.ids))

    async def _in_db(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run ``func`` on the batch's one database thread, leaving the event loop free."""
        return await asyncio.get_running_loop().run_in_executor(self._db, partial(func, *args))

    def _order(self) -> list[int]:
        with self.database.reading() as session:
            return slowest_first(session, self.ids)

    def _load(self, ids: list[int], now: datetime) -> list[LinkJob]:
        with self.database.reading() as session:
            return load_jobs(session, ids, self.settings, now)


def lookup_archives(
    database: Database,
    settings: Settings,
    link_ids: Sequence[int],
    *,
    clock: Clock = utcnow,
) -> int:
    """Look up archived copies of ``link_ids`` now (the scheduler's job for at-risk links).

    Each link's snapshot is the one closest to the earliest citing article's date. Returns
    how many links got an archive URL. Does nothing when no archive is configured.
    """
    if not archives_configured(settings) or not link_ids:
        return 0
    with database.reading() as session:
        jobs = load_jobs(session, list(link_ids), settings, clock())

    async def run() -> list[tuple[int, Snapshot | None]]:
        limit = asyncio.Semaphore(settings.per_host_concurrency)
        async with Fetcher(settings) as fetcher:

            async def one(job: LinkJob) -> tuple[int, Snapshot | None] | None:
                async with limit:
                    try:
                        snapshot = await find_copy(fetcher, settings, job.url, job.published_at)
                    except ArchiveUnavailable as exc:
                        log.info("%s", exc)
                        return None
                    return job.id, snapshot

            answers = await asyncio.gather(*(one(job) for job in jobs))
            return [answer for answer in answers if answer is not None]

    found = asyncio.run(run())
    now = clock()
    with database.transaction() as session:
        for link_id, snapshot in found:
            values: dict[str, Any] = {"archive_checked_at": now}
            if snapshot is not None:
                values |= {
                    "archive_url": snapshot.url,
                    "archive_timestamp": snapshot.timestamp,
                    "archive_name": snapshot.archive,
                }
            session.execute(update(Link).where(Link.id == link_id).values(**values))
    return sum(snapshot is not None for _, snapshot in found)
