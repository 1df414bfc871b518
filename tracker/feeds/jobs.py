"""The scheduled job of followed publications, registered beside the feature: poll the due
feeds. Each feed has its own next poll time (``feeds_poll_minutes`` after the last, or later
when the host asked for it); the job looks for due ones every few minutes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apscheduler.triggers.interval import IntervalTrigger

from tracker.actors import SCHEDULER
from tracker.feeds.views import PollView
from tracker.schedule.events import log

if TYPE_CHECKING:
    from tracker.schedule.jobs import JobSpec, Runtime
    from tracker.settings import Settings

POLL_FEEDS = "poll-feeds"
LOOK_EVERY_MINUTES = 5.0


def poll_feeds() -> None:
    """The function APScheduler stores a reference to (``tracker.feeds.jobs:poll_feeds``)."""
    from tracker.schedule.jobs import fire

    fire(POLL_FEEDS)


def plan(settings: Settings) -> list[JobSpec]:
    from tracker.schedule.jobs import JobSpec

    minutes = min(LOOK_EVERY_MINUTES, settings.feeds_poll_minutes)
    return [
        JobSpec(POLL_FEEDS, poll_feeds, IntervalTrigger(seconds=max(1, round(minutes * 60))), True)
    ]


def run_poll(runtime: Runtime) -> PollView:
    from tracker.feeds.services import poll_feeds as poll

    report = poll(runtime.database, SCHEDULER, runtime.settings, worker=runtime.worker)
    (log.info if report.feeds else log.debug)(
        "feeds_polled",
        worker=runtime.worker,
        feeds=report.feeds,
        not_modified=report.not_modified,
        ingested=report.ingested,
        skipped=report.skipped,
        failed=report.failed,
    )
    if report.ingested:
        # The new articles' links are due now: check them in this cycle.
        from tracker.schedule.jobs import CHECK_DUE

        runtime.fire(CHECK_DUE)
    return report


WORK = {POLL_FEEDS: run_poll}
BEFORE_CHECK = True
"""With ``schedule --once``, poll before the check round so new articles' links are checked."""
