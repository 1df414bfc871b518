"""The scheduler's services: run it, see what every worker is doing, forget a retired worker.

Every function takes ``(database, actor, ...)``. Running is the tracker's own unattended work
(``system:scheduler``) or a reviewer's; reading needs any role; forgetting a worker's plan
needs the reviewer role.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tracker.actors import Actor
from tracker.db import Database
from tracker.enums import Role
from tracker.review.reviewers import authorize, may_change, may_read
from tracker.schedule.views import RoundReport, SchedulerStatus
from tracker.settings import Settings


@dataclass(frozen=True)
class ScheduleRequest:
    """How to run the scheduler; None means the settings' (or the stored plan's) value."""

    worker_id: str | None = None
    batch_size: int | None = None
    check_every: str | None = None
    once: bool = False
    debug: bool = False
    metrics_port: int | None = None
    metrics_address: str = "127.0.0.1"


def run_schedule(
    database: Database, actor: Actor, settings: Settings, request: ScheduleRequest
) -> RoundReport | None:
    """Run the plan in the foreground until a signal (or one round with ``once``).

    Logs go to stderr as one ``key=value`` line per event; returns the round's report with
    ``once``. A second scheduler with a running worker id is refused.
    """
    from tracker.schedule import runner
    from tracker.schedule.duration import parse_duration
    from tracker.schedule.events import log, structured_logging

    with database.reading() as session:
        authorize(session, actor, Role.REVIEWER, system=True, action="run the scheduler")
    every: timedelta | None = None
    if request.check_every is not None:
        every = parse_duration(request.check_every)
    options = runner.ScheduleOptions(
        worker=runner.validate_worker_id(request.worker_id or runner.default_worker_id(settings)),
        batch_size=request.batch_size or settings.schedule_batch_size,
        check_every=every,
        once=request.once,
    )
    with structured_logging(debug=request.debug):
        metrics = server = None
        if request.metrics_port is not None:
            from tracker.schedule.metrics import SchedulerMetrics

            metrics = SchedulerMetrics(database)
            server = metrics.serve(request.metrics_port, request.metrics_address)
            log.info("metrics_served", address=request.metrics_address, port=server.server_port)
        try:
            report = runner.run(database, settings, options, metrics)
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()
        if report is not None and report.stopped:
            log.info("stopped", worker=options.worker)
    return report


def scheduler_status(database: Database, actor: Actor) -> SchedulerStatus:
    """Jobs and next runs of every worker, whether each runs, due links, leases held."""
    from tracker.schedule.status import scheduler_status as status

    with database.reading() as session:
        may_read(session, actor, "the schedule")
    return status(database)


def forget_worker(database: Database, actor: Actor, worker: str) -> int:
    """Delete the stored plan of ``worker`` (not running); how many jobs it had."""
    from tracker.schedule.store import forget_worker as forget

    with database.reading() as session:
        may_change(session, actor, "forget scheduler workers")
    return forget(database, worker)
