"""Continuous checking of due links, polite to each host across every worker.

A worker holds hosts (:mod:`tracker.politeness.hosts`) and keeps its slots full: as checks end
it starts the next link of a held host that its limits allow, claims more of a host's due
links before they run out, claims more hosts when its slots would otherwise idle, and lets a
host go once it has nothing due. There is no batch: one slow link delays nobody else. Leases
(hosts and links) are renewed every third of their length; results are written in short
transactions on the engine's database thread (:func:`store.write_results`, which also clears
each checked link's lease); a 429/503/``Retry-After`` pauses the host here at once and, through
the database, for every other worker.

Stopping (``stop`` set) finishes the checks in flight, writes them and hands back everything
else; an exception or a second signal releases every lease of the worker before it is raised.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Protocol

from tracker.db import Database
from tracker.enums import CheckOutcome
from tracker.linkcheck.checker import Checker, CheckResult, LinkJob
from tracker.linkcheck.retry import RetryPolicy
from tracker.linkcheck.running import WRITE_INTERVAL, ResultWriter, Tally, Timed, check_one
from tracker.linkcheck.store import Written, load_jobs, write_results
from tracker.linkcheck.views import CheckReport
from tracker.models import utcnow
from tracker.politeness import hosts
from tracker.politeness.gate import HostGate, PoliteFetcher
from tracker.politeness.limits import Politeness
from tracker.settings import Settings

log = logging.getLogger(__name__)
IDLE_CLAIM_BACKOFF = (0.2, 2.0)
"""Seconds between claims of hosts while none is available (doubling up to the second)."""
MAX_HOSTS_PER_CLAIM = 16
READ_AHEAD_SECONDS = 4.0
"""A held host keeps about this many seconds of work (at its rate) claimed ahead."""

Progress = Callable[[int, int], None]
Clock = Callable[[], datetime]


class EngineObserver(Protocol):
    """What the metrics endpoint hears from the engine (see :mod:`tracker.schedule.metrics`)."""

    def checked(self, outcome: CheckOutcome) -> None: ...

    def in_flight(self, count: int) -> None: ...

    def renewal_lag(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class EngineReport:
    """What a run did: links and hosts claimed, what the checks found, whether it was stopped."""

    claimed: int
    hosts: int
    found: CheckReport
    stopped: bool


@dataclass
class _Held:
    """A host this worker holds, its claimed links waiting, and its checks in flight."""

    id: int
    key: str
    pending: deque[LinkJob] = field(default_factory=deque)
    active: int = 0
    exhausted: bool = False
    refilling: bool = False
    leaving: bool = False  # lease lost, or paused for longer than a check may wait
    next_start: float = 0.0  # monotonic: the engine spaces check starts by the host's rate


class Engine:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        *,
        worker: str,
        stop: threading.Event,
        read_ahead: int = 200,
        progress: Progress | None = None,
        observer: EngineObserver | None = None,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.worker = worker
        self.stop = stop
        self.max_read_ahead = read_ahead
        self.progress = progress
        self.observer = observer
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self.politeness = Politeness.from_settings(settings)
        self.deadline = RetryPolicy.from_settings(settings).budget(settings.timeout)
        self.lease = float(settings.lease_seconds)
        self.held: dict[int, _Held] = {}
        self.claimed: set[int] = set()  # links leased to us, not yet written
        self.tally = Tally()
        self.claimed_total = 0
        self.hosts_total = 0
        self.total = 0
        self._done = 0
        self.results = ResultWriter(self._write, self._record, self._in_db, self._wake_up)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-db")
        self._wake: asyncio.Event | None = None
        self._pauses: list[tuple[str, float, str]] = []
        self._jobs: set[asyncio.Future[Any]] = set()
        self._running: dict[asyncio.Task[CheckResult], tuple[_Held, float]] = {}
        self._mean_check = 1.0  # seconds a check takes (moving average): slots a host fills
        self._finished: deque[asyncio.Task[CheckResult]] = deque()
        self._claiming: asyncio.Future[list[hosts.HeldHost]] | None = None
        self._renewing: asyncio.Future[set[int]] | None = None
        self._renewing_hosts: set[int] = set()
        self._next_claim = 0.0
        self._next_renewal = 0.0
        self._idle_backoff = IDLE_CLAIM_BACKOFF[0]
        self._nothing_left = False
        self._refills: list[tuple[_Held, int, asyncio.Future[tuple[list[int], list[LinkJob]]]]] = []

    # The run ---------------------------------------------------------------------------------

    def run(self) -> EngineReport:
        """Check due links until none is left (or ``stop``); every lease released at the end."""
        try:
            asyncio.run(self._run())
        except BaseException:
            self._db.shutdown(wait=True)  # no statement of ours may still be running
            self._release_everything()
            raise
        finally:
            self._db.shutdown(wait=True)
        return EngineReport(
            self.claimed_total,
            self.hosts_total,
            CheckReport.of(self.tally.outcomes, self.tally.states, self.tally.flagged_claims, 0.0),
            self.stop.is_set(),
        )

    async def _run(self) -> None:
        self._wake = asyncio.Event()
        self.gate = HostGate(self.politeness, on_pause=self._on_pause)
        if self.progress is not None:
            self.total = await self._in_db(self._count_due)
        async with PoliteFetcher(self.settings, self.gate) as fetcher:
            checker = Checker(fetcher, self.settings, paused_for=self.gate.paused_for)
            await self._loop(checker)
            # On an error, nothing more is written: run() releases every lease instead.
            await self.results.flush(final=True)
            await self._in_db(self._hand_back, list(self.held.values()))

    async def _loop(self, checker: Checker) -> None:
        """Until nothing is held, running, claimable or unwritten: take in what finished,
        tend the held hosts, start what their limits allow, claim hosts when slots idle."""
        assert self._wake is not None
        self._next_renewal = time.monotonic() + self.lease / 3
        while True:
            self._raise_failures()
            self._refilled()
            while self._finished:
                task = self._finished.popleft()
                held, began = self._running.pop(task)
                held.active -= 1
                self._mean_check += (time.monotonic() - began - self._mean_check) / 20
                self.results.add(task.result(), self.clock())
            await self.results.flush()
            if self._pauses:
                pauses, self._pauses = self._pauses, []
                self._background(self._record_pauses, pauses)
            self._renewals()
            self._take_hosts()
            stopping = self.stop.is_set()
            self._tend_hosts(stopping)
            wait_for = None if stopping else self._start_checks(checker)
            if self.observer is not None:
                self.observer.in_flight(len(self._running))
            if not stopping:
                self._claim_more()
            busy = self._running or self.held or self._claiming or self._refills
            if not busy and (stopping or self._nothing_left) and self.results.idle:
                await asyncio.gather(*self._jobs)
                self._raise_failures()
                return
            next_claim = self._next_claim if self._nothing_left else None
            timeout = self._timeout(wait_for, next_claim, self._next_renewal)
            self._wake.clear()
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                pass

    def _on_done(self, task: asyncio.Task[CheckResult]) -> None:
        self._finished.append(task)
        if self._wake is not None:
            self._wake.set()

    def _renewals(self) -> None:
        """Renew leases every third of their length, in the background; notice lost hosts."""
        now = time.monotonic()
        if self._renewing is not None and self._renewing.done():
            self._lost(self._renewing_hosts, self._renewing.result())
            self._renewing = None
        if self._renewing is None and now >= self._next_renewal and self.held:
            if self.observer is not None:
                self.observer.renewal_lag(now - self._next_renewal)
            self._next_renewal = now + self.lease / 3
            self._renewing_hosts = set(self.held)
            self._renewing = self._background(
                self._renew, self._renewing_hosts, sorted(self.claimed)
            )

    def _take_hosts(self) -> None:
        """Hold the hosts a claim returned; back off while claims find none."""
        if self._claiming is None or not self._claiming.done():
            return
        claimed: list[hosts.HeldHost] = self._claiming.result()
        self._claiming = None
        for got in claimed:
            self.held[got.id] = _Held(got.id, got.key)
            self.gate.hold_back(got.key, got.wait)
        self.hosts_total += len(claimed)
        log.debug("%s claimed %d hosts, holds %d", self.worker, len(claimed), len(self.held))
        self._nothing_left = not claimed
        if claimed:
            self._idle_backoff = IDLE_CLAIM_BACKOFF[0]
        else:
            self._next_claim = time.monotonic() + self._idle_backoff
            self._idle_backoff = min(self._idle_backoff * 2, IDLE_CLAIM_BACKOFF[1])

    def _tend_hosts(self, stopping: bool) -> None:
        """Keep each held host's read-ahead topped up; let go of hosts with nothing left."""
        for held in list(self.held.values()):
            if stopping or held.leaving:
                self._drop_pending(held)
            if held.active or held.refilling or held.pending:
                continue
            if held.exhausted or stopping or held.leaving:
                del self.held[held.id]
                self._nothing_left = False  # look again before calling the round done
                self._background(self._let_go, held, self.gate.next_allowed_in(held.key))
        for held in self.held.values():
            if stopping or held.leaving or held.exhausted or held.refilling:
                continue
            want = self._read_ahead(held.key)
            if len(held.pending) <= want // 2:
                held.refilling = True
                count = want - len(held.pending)
                future = self._background(self._claim_links, held.id, count)
                self._refills.append((held, count, future))

    def _start_checks(self, checker: Checker) -> float | None:
        """Start every check the limits allow, round-robin over held hosts; seconds until a
        host held back by its rate may start one (None: none is)."""
        slots = self.settings.concurrency
        wait_for: float | None = None
        started = True
        while started and len(self._running) < slots:
            started = False
            now = time.monotonic()
            for held in self.held.values():
                if len(self._running) >= slots:
                    break
                limits = self.gate.limits(held.key)
                if not held.pending or held.leaving or held.active >= limits.concurrency:
                    continue
                ready = max(self.gate.ready_in(held.key), held.next_start - now)
                if ready > 0:
                    wait_for = ready if wait_for is None else min(wait_for, ready)
                    continue
                held.active += 1
                task = asyncio.create_task(
                    check_one(checker, held.pending.popleft(), self.deadline)
                )
                task.add_done_callback(self._on_done)
                self._running[task] = (held, now)
                # Check starts are spaced here too, so a host held back by its rate does not
                # take slots only to wait at the gate.
                held.next_start = now + limits.interval
                started = True
        return wait_for

    def _claim_more(self) -> None:
        """Claim hosts while the held ones cannot fill the slots.

        A host fills at most its concurrency, and fewer when its rate binds (rate times the
        time a check takes): a worker holds what it can serve, and leaves the rest to others.
        """
        slots = self.settings.concurrency
        fills = sum(
            self._fills(held.key)
            for held in self.held.values()
            if not held.leaving and (held.pending or not held.exhausted)
        )
        if (
            self._claiming is None
            and fills < slots
            and len(self.held) < slots
            and time.monotonic() >= self._next_claim
        ):
            per_host = self._fills("")
            count = max(1, min(MAX_HOSTS_PER_CLAIM, int((slots - fills) // per_host)))
            self._claiming = self._background(self._claim_hosts, count)

    def _fills(self, key: str) -> float:
        limits = self.gate.limits(key) if key else self.politeness.default
        return max(0.1, min(float(limits.concurrency), limits.rate * self._mean_check))

    def _timeout(self, wait_for: float | None, next_claim: float | None, renewal: float) -> float:
        now = time.monotonic()
        candidates = [WRITE_INTERVAL, max(0.0, renewal - now)]
        if wait_for is not None:
            candidates.append(wait_for)
        if next_claim is not None:
            candidates.append(max(0.0, next_claim - now))
        return max(0.001, min(candidates))

    def _read_ahead(self, key: str) -> int:
        limits = self.gate.limits(key)
        by_rate = math.ceil(limits.rate * READ_AHEAD_SECONDS)
        return max(2 * limits.concurrency, min(self.max_read_ahead, by_rate))

    def _drop_pending(self, held: _Held) -> None:
        if held.pending:
            ids = [job.id for job in held.pending]
            held.pending.clear()
            self.claimed.difference_update(ids)
            self._background(self._release_links, ids)

    def _lost(self, asked: set[int], still_held: set[int]) -> None:
        """Hosts a renewal found held by someone else (our lease ran out): let them go.

        Only hosts the renewal asked about: one claimed since is ours whatever it said.
        """
        for host_id in asked - still_held:
            held = self.held.get(host_id)
            if held is not None and not held.leaving:
                held.leaving = True
                log.warning("host lease lost: %s", held.key)

    def _refilled(self) -> None:
        """Take in the links claimed for held hosts (on the loop's thread, like all state)."""
        waiting = []
        for held, count, future in self._refills:
            if not future.done():
                waiting.append((held, count, future))
                continue
            held.refilling = False
            ids, jobs = future.result()
            self.claimed.update(ids)
            self.claimed_total += len(ids)
            held.exhausted = len(ids) < count
            held.pending.extend(jobs)
        self._refills = waiting

    def _raise_failures(self) -> None:
        """A failed background statement (renewal, release, pause) fails the run."""
        for future in [future for future in self._jobs if future.done()]:
            self._jobs.discard(future)
            future.result()

    def _on_pause(self, key: str, seconds: float, reason: str) -> None:
        """A host asked for rest: record it for every worker; hand back what waits for it
        when the rest is longer than a check may wait."""
        self._pauses.append((key, seconds, reason))
        if seconds > RetryPolicy.from_settings(self.settings).max_retry_after:
            for held in self.held.values():
                if held.key == key:
                    held.leaving = True  # let go: whoever holds it after the pause goes on
        if self._wake is not None:
            self._wake.set()

    def _write(self, batch: list[Timed]) -> list[Written]:
        with self.database.transaction() as session:
            return write_results(
                session, batch, self.settings, worker=self.worker, rng=self.rng, release=True
            )

    def _record(self, written: list[Written]) -> None:
        self.claimed.difference_update(item.link_id for item in written)
        for item in written:
            self.tally.add(item)
            self._done += 1
            if self.observer is not None:
                self.observer.checked(item.outcome)
            if self.progress is not None:
                self.total = max(self.total, self._done)
                self.progress(self._done, self.total)

    # The database thread ---------------------------------------------------------------------

    async def _in_db(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run ``func`` on the engine's one database thread, leaving the event loop free."""
        return await asyncio.get_running_loop().run_in_executor(self._db, partial(func, *args))

    def _wake_up(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _background(self, func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        """Run ``func`` on the database thread; the loop wakes when it is done."""
        future = asyncio.ensure_future(self._in_db(func, *args))
        future.add_done_callback(lambda _: self._wake_up())
        self._jobs.add(future)
        return future

    def _count_due(self) -> int:
        from tracker.schedule.leases import count_due

        return count_due(self.database)

    def _claim_hosts(self, count: int) -> list[hosts.HeldHost]:
        with self.database.transaction() as session:
            hosts.adopt_links(session)
        with self.database.transaction() as session:
            return hosts.claim_hosts(session, self.worker, count, self.lease)

    def _claim_links(self, host_id: int, count: int) -> tuple[list[int], list[LinkJob]]:
        """Claim up to ``count`` more due links of a held host; what their checks need."""
        with self.database.transaction() as session:
            ids = hosts.claim_links(session, self.worker, host_id, count, self.lease)
        if not ids:
            return ids, []
        with self.database.reading() as session:
            return ids, load_jobs(session, ids, self.settings, self.clock())

    def _renew(self, host_ids: set[int], link_ids: list[int]) -> set[int]:
        with self.database.transaction() as session:
            return hosts.renew(session, self.worker, host_ids, link_ids, self.lease)

    def _let_go(self, held: _Held, wait: float) -> None:
        with self.database.transaction() as session:
            hosts.release_hosts(session, self.worker, {held.id: wait})

    def _release_links(self, ids: list[int]) -> None:
        with self.database.transaction() as session:
            hosts.release_links(session, self.worker, ids)

    def _record_pauses(self, pauses: list[tuple[str, float, str]]) -> None:
        with self.database.transaction() as session:
            for key, seconds, reason in pauses:
                hosts.pause(session, key, seconds, reason)
        for key, seconds, reason in pauses:
            log.info("host %s paused for %.0f s (%s)", key, seconds, reason)

    def _hand_back(self, held: list[_Held]) -> None:
        """At the end: links claimed but never checked, then the hosts, back to the pool."""
        leftover = [job.id for item in held for job in item.pending]
        with self.database.transaction() as session:
            if leftover:
                hosts.release_links(session, self.worker, leftover)
            waits = {item.id: self.gate.next_allowed_in(item.key) for item in held}
            hosts.release_hosts(session, self.worker, waits)

    def _release_everything(self) -> None:
        try:
            with self.database.transaction() as session:
                released = hosts.release_all(session, self.worker)
        except Exception:  # the original error is the one to raise
            log.exception("releasing the leases of %s failed", self.worker)
            return
        log.info("released %d hosts and %d links of %s", *released, self.worker)


def check_due_continuously(
    database: Database,
    settings: Settings,
    *,
    worker: str,
    read_ahead: int = 200,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    observer: EngineObserver | None = None,
    clock: Clock = utcnow,
    rng: random.Random | None = None,
) -> EngineReport:
    """Check the due links, host by host, until none is due or ``stop`` is set; at most
    ``read_ahead`` links of a host are claimed ahead of its checks."""
    started = time.perf_counter()
    report = Engine(
        database,
        settings,
        worker=worker,
        stop=stop or threading.Event(),
        read_ahead=read_ahead,
        progress=progress,
        observer=observer,
        clock=clock,
        rng=rng,
    ).run()
    found = report.found.plus(CheckReport.empty(), seconds=time.perf_counter() - started)
    return EngineReport(report.claimed, report.hosts, found, report.stopped)
