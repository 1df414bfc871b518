"""What the batch runner and the continuous engine share: one check under its deadline, and
results written behind the checks (batched, one write in flight, on the runner's database
thread), so a slow transaction never stalls the event loop that keeps the slots full."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker.enums import CheckOutcome
from tracker.linkcheck.checker import Checker, CheckResult, LinkJob
from tracker.linkcheck.store import Written

log = logging.getLogger(__name__)

WRITE_BATCH = 200
WRITE_INTERVAL = 0.5
"""Results are written once this many wait, or this many seconds after the last write."""

Timed = tuple[CheckResult, datetime]


@dataclass
class Tally:
    """Counts of a run in progress (the frozen :class:`CheckReport` is made at the end)."""

    outcomes: Counter[str] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    flagged_claims: int = 0

    def add(self, written: Written) -> None:
        self.outcomes[written.outcome.value] += 1
        self.states[written.state.value] += 1
        self.flagged_claims += written.flagged_claims


async def check_one(checker: Checker, job: LinkJob, deadline: float) -> CheckResult:
    """The outcome of one link, whatever happens: a bug in one check is recorded and logged,
    never allowed to sink the run; an archive follow-up never replaces a known outcome."""
    try:
        async with asyncio.timeout(deadline):
            result = await checker.check(job)
    except TimeoutError:
        return CheckResult(job.id, CheckOutcome.TIMEOUT, error=f"no outcome within {deadline:g} s")
    except Exception as exc:
        log.exception("checking %s failed unexpectedly", job.url)
        return CheckResult(
            job.id, CheckOutcome.UNREACHABLE, error=f"internal error: {type(exc).__name__}"
        )
    try:
        await checker.follow_up(job, result)
    except Exception:
        log.exception("archive follow-up of %s failed unexpectedly", job.url)
    return result


class ResultWriter:
    """Buffers results and writes them in the background, at most one write in flight.

    ``write`` runs on the database thread (through ``in_db``) and returns what it wrote;
    ``record`` then runs on the event loop; ``written`` (if given) is called as each write
    ends, so a loop waiting on an event can wake.
    """

    def __init__(
        self,
        write: Callable[[list[Timed]], list[Written]],
        record: Callable[[list[Written]], None],
        in_db: Callable[..., Awaitable[Any]],
        written: Callable[[], None] | None = None,
    ) -> None:
        self._write = write
        self._record = record
        self._in_db = in_db
        self._written = written
        self.buffer: list[Timed] = []
        self.writing: asyncio.Future[list[Written]] | None = None
        self._last_write = time.monotonic()

    @property
    def idle(self) -> bool:
        """Nothing waits to be written and no write is in flight."""
        return not self.buffer and self.writing is None

    def add(self, result: CheckResult, at: datetime) -> None:
        self.buffer.append((result, at))

    async def flush(self, *, final: bool = False) -> None:
        """Take in a finished write; start the next when enough waits (or ``final``)."""
        if self.writing is not None and (final or self.writing.done()):
            self._record(await self.writing)
            self.writing = None
        due = len(self.buffer) >= WRITE_BATCH or (
            time.monotonic() - self._last_write >= WRITE_INTERVAL
        )
        if not self.buffer or not (due or final) or self.writing is not None:
            return
        batch, self.buffer = self.buffer, []
        self._last_write = time.monotonic()
        self.writing = asyncio.ensure_future(self._in_db(self._write, batch))
        if self._written is not None:
            wake = self._written
            self.writing.add_done_callback(lambda _: wake())
        if final:
            self._record(await self.writing)
            self.writing = None
