"""``fact-tracker schedule``: unattended checking, and ``schedule status``."""

from __future__ import annotations

import click

from tracker.cli._common import (
    AppContext,
    emit_json,
    json_option,
    pass_app,
    plural,
    print_table,
    reviewer_option,
    say,
)
from tracker.schedule.views import SchedulerStatus

BACKLOG_ROWS = 20


@click.group(invoke_without_command=True)
@click.option(
    "--check-every",
    metavar="DURATION",
    help="How often to look for due links, e.g. 90s, 15m, 1h (default: the stored plan, "
    "else FACT_TRACKER_SCHEDULE_EVERY_MINUTES).",
)
@click.option("--once", is_flag=True, help="Check what is due now, then exit (for cron).")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    help="Most links of one host claimed ahead of its checks "
    "(default FACT_TRACKER_SCHEDULE_BATCH_SIZE).",
)
@click.option(
    "--worker-id",
    metavar="ID",
    help="This worker's name; each running worker needs its own (default: the host name).",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    metavar="PORT",
    help="Serve Prometheus metrics on this port (/metrics; 0 picks a free one).",
)
@click.option(
    "--metrics-address",
    default="127.0.0.1",
    show_default=True,
    metavar="ADDRESS",
    help="Address the metrics are served on (0.0.0.0 for a Prometheus on another machine).",
)
@click.pass_context
def schedule(
    ctx: click.Context,
    *,
    check_every: str | None,
    once: bool,
    batch_size: int | None,
    worker_id: str | None,
    metrics_port: int | None,
    metrics_address: str,
) -> None:
    """Check links on a schedule, unattended, in the foreground.

    A worker holds hosts under a lease and checks their due links continuously, claiming more
    as slots free up, so each host gets at most its concurrency and rate from all workers
    together (FACT_TRACKER_PER_HOST_CONCURRENCY, FACT_TRACKER_PER_HOST_RATE,
    FACT_TRACKER_PER_DOMAIN_LIMITS); a 429, 503 or Retry-After pauses the host for every
    worker. Any number of `fact-tracker schedule` processes on any number of machines pointed
    at one PostgreSQL share the work; a worker that dies leaves leases that expire and are
    taken over. On SQLite one scheduler at a time is the limit (a second is refused).

    The plan (check due links every DURATION, look up archives for newly at-risk links, a
    daily summary at 00:00 UTC) is stored in the database, so a restart resumes it. Logs are
    one `key=value` line per event on stderr. SIGINT/SIGTERM stop cleanly: the checks in
    flight finish and every lease is released; a second signal abandons them (uncommitted
    checks are rolled back, leases released).

    \b
    Examples:
      fact-tracker schedule                         run the stored plan (default every 5 min)
      fact-tracker schedule --check-every 15m --worker-id web-1
      fact-tracker schedule --once                  one round, then exit (cron)
      fact-tracker schedule --metrics-port 9464     with Prometheus metrics on /metrics
      fact-tracker schedule status --json           jobs, next runs, due links, leases
    """
    if ctx.invoked_subcommand is not None:
        return
    from tracker.actors import SCHEDULER
    from tracker.schedule.services import ScheduleRequest, run_schedule

    app = ctx.ensure_object(AppContext)
    request = ScheduleRequest(
        worker_id=worker_id,
        batch_size=batch_size,
        check_every=check_every,
        once=once,
        debug=app.debug,
        metrics_port=metrics_port,
        metrics_address=metrics_address,
    )
    run_schedule(app.database(), SCHEDULER, app.settings, request)


@schedule.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Jobs and next runs of every worker, due links by domain, paused hosts, leases held.

    \b
    Example:
      fact-tracker schedule status --json
    """
    from tracker.schedule.services import scheduler_status

    status = scheduler_status(app.database(), app.reader)
    if as_json:
        emit_json(status)
        return
    _print_status(status)


def _print_status(status: SchedulerStatus) -> None:
    running = {row.worker: row.running for row in status.workers}
    print_table(
        ["worker", "running", "job", "trigger", "next run (UTC)"],
        [
            (job.worker, running.get(job.worker, False), job.name, job.trigger, job.next_run_time)
            for job in status.jobs
        ],
        title="Scheduled jobs",
    )
    say(f"due now: {status.due}  (overdue by more than an hour: {status.overdue})")
    print_table(
        ["domain", "due links", "hosts"],
        [(row.domain, row.due, row.hosts) for row in status.backlog_by_domain[:BACKLOG_ROWS]],
        title="Backlog by domain",
    )
    if len(status.backlog_by_domain) > BACKLOG_ROWS:
        say(f"... and {len(status.backlog_by_domain) - BACKLOG_ROWS} more domains (--json: all)")
    print_table(
        ["host", "domain", "paused until (UTC)", "why"],
        [(row.host, row.domain, row.paused_until, row.reason) for row in status.paused_hosts],
        title="Paused hosts",
    )
    print_table(
        ["owner", "links", "expired", "first expiry (UTC)", "last expiry (UTC)"],
        [
            (row.owner, row.links, row.expired, row.first_expiry, row.last_expiry)
            for row in status.leases
        ],
        title="Leases held",
    )
    if status.paused_channels:
        print_table(
            ["channel", "kind", "target", "failures in a row", "paused (UTC)", "why"],
            [
                (row.id, row.kind, row.target, row.consecutive_failures, row.paused_at, row.reason)
                for row in status.paused_channels
            ],
            title="Paused alert channels (`alerts test` resumes one)",
        )


@schedule.command()
@click.argument("worker")
@reviewer_option
@pass_app
def forget(app: AppContext, worker: str, reviewer: str | None) -> None:
    """Delete the stored plan of WORKER, a worker id that will not run again.

    Refused while that worker runs. Its leases, if any, simply expire.

    \b
    Example:
      fact-tracker schedule forget old-host
    """
    from tracker.schedule.services import forget_worker

    removed = forget_worker(app.database(), app.actor(reviewer), worker)
    say(f"Removed {plural(removed, 'job')} of worker {worker}")


COMMANDS = [schedule]
