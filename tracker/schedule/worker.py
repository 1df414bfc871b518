"""One round of checking due links: the continuous engine, until nothing is due.

The work is :mod:`tracker.linkcheck.engine`'s: hosts held under leases shared by every worker,
their due links claimed as slots free up, results written as they come. This module only
names the round and reports on it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.actors import Actor
from tracker.db import Database
from tracker.linkcheck.views import CheckReport
from tracker.schedule.events import log
from tracker.settings import Settings

if TYPE_CHECKING:
    from tracker.linkcheck.engine import EngineObserver

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RoundReport:
    """What one round did: hosts held, links claimed, what the checks found, if it was stopped."""

    worker: str
    hosts: int
    claimed: int
    found: CheckReport
    stopped: bool
    seconds: float

    @property
    def checked(self) -> int:
        return self.found.checked

    @property
    def outcomes(self) -> dict[str, int]:
        return self.found.outcomes


def check_due(
    database: Database,
    actor: Actor,
    settings: Settings,
    *,
    worker: str,
    read_ahead: int,
    stop: threading.Event | None = None,
    progress: Progress | None = None,
    observer: EngineObserver | None = None,
) -> RoundReport:
    """Check due links until none is left or ``stop`` is set (checks in flight finish).

    ``actor`` must have been authorized by the caller (a service). Leases are released even
    when the run fails (and the error is re-raised), so nothing stays claimed. ``progress``
    hears (links done, links due).
    """
    from tracker.linkcheck.engine import check_due_continuously

    del actor  # authorized by the calling service; checks are recorded under ``worker``
    started = time.perf_counter()
    try:
        report = check_due_continuously(
            database,
            settings,
            worker=worker,
            read_ahead=read_ahead,
            stop=stop,
            progress=progress,
            observer=observer,
        )
    except BaseException:
        # Interrupted or failed: what was written stays, every lease was released.
        log.warning("round_abandoned", worker=worker)
        raise
    seconds = time.perf_counter() - started
    return RoundReport(
        worker=worker,
        hosts=report.hosts,
        claimed=report.claimed,
        found=report.found,
        stopped=report.stopped,
        seconds=seconds,
    )
