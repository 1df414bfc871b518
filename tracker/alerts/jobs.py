"""The scheduled job of alerts, registered beside the feature: deliver what is due.

Like every job (:mod:`tracker.schedule.jobs`), firing only queues the name; the scheduler's
main thread runs the delivery, after the check round that raised the events, never inside it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from apscheduler.triggers.interval import IntervalTrigger

from tracker.actors import SCHEDULER
from tracker.alerts.views import DeliveryReport
from tracker.schedule.events import log

if TYPE_CHECKING:
    from tracker.schedule.jobs import JobSpec, Runtime
    from tracker.settings import Settings

DELIVER_ALERTS = "deliver-alerts"


def deliver_alerts() -> None:
    """The function APScheduler stores a reference to (``tracker.alerts.jobs:deliver_alerts``)."""
    from tracker.schedule.jobs import fire

    fire(DELIVER_ALERTS)


def plan(settings: Settings) -> list[JobSpec]:
    from tracker.schedule.jobs import JobSpec

    every = timedelta(seconds=settings.alerts_every_seconds)
    return [
        JobSpec(
            DELIVER_ALERTS,
            deliver_alerts,
            IntervalTrigger(seconds=max(1, round(every.total_seconds()))),
            True,
        )
    ]


def run_delivery(runtime: Runtime) -> DeliveryReport:
    from tracker.alerts.services import deliver_alerts as deliver

    report = deliver(runtime.database, SCHEDULER, runtime.settings, worker=runtime.worker)
    quiet = not (report.dispatched or report.sends)
    (log.debug if quiet else log.info)(
        "alerts_delivered",
        worker=runtime.worker,
        events=report.dispatched,
        sends=report.sends,
        delivered=report.delivered,
        failed=report.failed,
    )
    return report


WORK = {DELIVER_ALERTS: run_delivery}
