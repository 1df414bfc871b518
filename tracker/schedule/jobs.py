"""The scheduled jobs of link checking, registered here beside the feature that runs them.

APScheduler persists *when* each job runs; the work itself is done on the scheduler's main
thread (see :mod:`tracker.schedule.runner`): a job firing only queues its name. That keeps
one place where signals are handled and checks are interrupted, and it means a job never
runs twice at once in one worker.

Jobs are referenced by their textual name (``tracker.schedule.jobs:check_due_links``) in the
job store, so these module-level functions are part of the stored plan: rename them only with
care (a job whose function is gone is dropped and re-added with its default schedule).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import or_, select

from tracker.actors import SCHEDULER
from tracker.db import Database
from tracker.enums import LinkState
from tracker.models import Link
from tracker.schedule import status
from tracker.schedule.events import log
from tracker.schedule.locks import job_lock
from tracker.schedule.worker import RoundReport, check_due
from tracker.settings import Settings

if TYPE_CHECKING:
    from tracker.linkcheck.engine import EngineObserver

CHECK_DUE = "check-due"
ARCHIVE_LOOKUP = "archive-lookup"
DAILY_SUMMARY = "daily-summary"
ARCHIVE_BATCH = 500


@dataclass
class Runtime:
    """What the jobs of one running scheduler work with, and the queue of fired jobs."""

    database: Database
    settings: Settings
    worker: str
    batch_size: int
    observer: EngineObserver | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    _fired: queue.Queue[str] = field(default_factory=queue.Queue)
    _pending: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fire(self, name: str) -> None:
        """Queue job ``name`` unless it is already waiting (runs coalesce)."""
        with self._lock:
            if name in self._pending:
                return
            self._pending.add(name)
        self._fired.put(name)

    def next_fired(self, timeout: float) -> str | None:
        try:
            name = self._fired.get(timeout=timeout)
        except queue.Empty:
            return None
        with self._lock:
            self._pending.discard(name)
        return name


_runtime: Runtime | None = None


@contextmanager
def bound(runtime: Runtime) -> Iterator[Runtime]:
    """Make ``runtime`` the one the job functions below fire into, for this process."""
    global _runtime  # noqa: PLW0603 - APScheduler calls plain functions; this is their context
    _runtime = runtime
    try:
        yield runtime
    finally:
        _runtime = None


def fire(name: str) -> None:
    """Queue job ``name`` in this process's running scheduler (what every job function does)."""
    if _runtime is None:
        raise RuntimeError(f"job {name} fired outside a running scheduler")
    _runtime.fire(name)


_fire = fire


# The functions APScheduler stores references to (features keep theirs beside them: see
# feature_jobs()).
def check_due_links() -> None:
    _fire(CHECK_DUE)


def lookup_archives() -> None:
    _fire(ARCHIVE_LOOKUP)


def daily_summary() -> None:
    _fire(DAILY_SUMMARY)


Work = Callable[["Runtime"], object]


def feature_jobs(settings: Settings) -> tuple[list[JobSpec], dict[str, Work]]:
    """The jobs features register beside themselves (alerts, followed feeds): specs and work."""
    specs: list[JobSpec] = []
    work: dict[str, Work] = {}
    for module in _feature_modules():
        specs += module.plan(settings)
        work.update(module.WORK)
    return specs, work


def once_order() -> tuple[list[str], list[str]]:
    """``schedule --once``: the feature jobs run before the check round, and those after."""
    before: list[str] = []
    after: list[str] = []
    for module in _feature_modules():
        (before if getattr(module, "BEFORE_CHECK", False) else after).extend(module.WORK)
    return before, after


def _feature_modules() -> list[Any]:
    from tracker.alerts import jobs as alert_jobs
    from tracker.feeds import jobs as feed_jobs

    return [feed_jobs, alert_jobs]


@dataclass(frozen=True)
class JobSpec:
    """One job of the plan: what fires, on which trigger, and whether it runs at first start."""

    name: str
    func: Callable[[], None]
    trigger: BaseTrigger
    run_at_start: bool


def plan(check_every: timedelta, settings: Settings | None = None) -> list[JobSpec]:
    every = IntervalTrigger(seconds=_secs(check_every))
    features = feature_jobs(settings)[0] if settings is not None else []
    return [
        JobSpec(CHECK_DUE, check_due_links, every, True),
        JobSpec(ARCHIVE_LOOKUP, lookup_archives, every, False),
        JobSpec(DAILY_SUMMARY, daily_summary, CronTrigger(hour=0, minute=0, timezone=UTC), False),
        *features,
    ]


def _secs(delta: timedelta) -> int:
    return max(1, round(delta.total_seconds()))


def run(runtime: Runtime, name: str) -> None:
    """Do the work of job ``name`` on the calling thread."""
    work: dict[str, Callable[[Runtime], object]] = {
        CHECK_DUE: run_check_round,
        ARCHIVE_LOOKUP: run_archive_lookup,
        DAILY_SUMMARY: log_daily_summary,
        **feature_jobs(runtime.settings)[1],
    }
    work[name](runtime)
    if name == CHECK_DUE:
        # What the round found is told within the same cycle, not a delivery interval later.
        from tracker.alerts.jobs import DELIVER_ALERTS

        runtime.fire(DELIVER_ALERTS)


def run_check_round(runtime: Runtime, *, quiet_if_empty: bool = True) -> RoundReport:
    log.debug("round_started", worker=runtime.worker)
    report = check_due(
        runtime.database,
        SCHEDULER,
        runtime.settings,
        worker=runtime.worker,
        read_ahead=runtime.batch_size,
        stop=runtime.stop,
        observer=runtime.observer,
    )
    # An empty round every few minutes for months is noise: it is logged only with --debug.
    (log.debug if quiet_if_empty and not report.claimed else log.info)(
        "round_done",
        worker=runtime.worker,
        hosts=report.hosts,
        claimed=report.claimed,
        checked=report.checked,
        stopped=report.stopped,
        seconds=report.seconds,
        outcomes=dict(sorted(report.outcomes.items())),
    )
    return report


def links_needing_archive(database: Database, limit: int = ARCHIVE_BATCH) -> list[int]:
    """At-risk or dead links not looked up in an archive since they started failing."""
    with database.reading() as session:
        return list(
            session.scalars(
                select(Link.id)
                .where(
                    Link.state.in_([LinkState.AT_RISK, LinkState.DEAD]),
                    or_(
                        Link.archive_checked_at.is_(None),
                        Link.archive_checked_at < Link.failing_since,
                    ),
                )
                .order_by(Link.failing_since, Link.id)
                .limit(limit)
            )
        )


def run_archive_lookup(runtime: Runtime) -> int:
    """Ask the archive about newly at-risk links; how many were looked up."""
    if not (runtime.settings.archive_url or runtime.settings.memento_archives):
        log.debug("archive_lookup_skipped", worker=runtime.worker, reason="no archive configured")
        return 0
    from tracker.linkcheck.services import lookup_archives

    with job_lock(runtime.database, ARCHIVE_LOOKUP) as mine:
        if not mine:
            log.debug("archive_lookup_skipped", worker=runtime.worker, reason="another worker")
            return 0
        link_ids = links_needing_archive(runtime.database)
        if link_ids:
            lookup_archives(runtime.database, SCHEDULER, runtime.settings, link_ids)
        log.info("archive_lookup_done", worker=runtime.worker, links=len(link_ids))
        return len(link_ids)


def log_daily_summary(runtime: Runtime) -> None:
    summary = status.daily_summary(runtime.database)
    log.info("daily_summary", worker=runtime.worker, **summary)
