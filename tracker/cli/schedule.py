"""``fact-tracker schedule``: unattended checking, and ``schedule status``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import click

from tracker.cli._common import AppContext, emit_json, json_option, pass_app, print_table
from tracker.errors import InvalidInput


def _duration(_ctx: click.Context, _param: click.Parameter, value: str | None) -> timedelta | None:
    from tracker.schedule.duration import parse_duration

    if value is None:
        return None
    try:
        return parse_duration(value)
    except InvalidInput as exc:
        raise click.BadParameter(str(exc).removeprefix("invalid duration ")) from None


@click.group(invoke_without_command=True)
@click.option(
    "--check-every",
    metavar="DURATION",
    callback=_duration,
    help="How often to look for due links, e.g. 90s, 15m, 1h (default: the stored plan, "
    "else FACT_TRACKER_SCHEDULE_EVERY_MINUTES).",
)
@click.option("--once", is_flag=True, help="Check what is due now, then exit (for cron).")
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    help="Links claimed and checked at a time (default FACT_TRACKER_SCHEDULE_BATCH_SIZE).",
)
@click.option(
    "--worker-id",
    metavar="ID",
    help="This worker's name; each running worker needs its own (default: the host name).",
)
@click.pass_context
def schedule(
    ctx: click.Context,
    check_every: timedelta | None,
    once: bool,
    batch_size: int | None,
    worker_id: str | None,
) -> None:
    """Check links on a schedule, unattended, in the foreground.

    Due links (whose next check time has come) are claimed in batches under a lease, checked,
    and released. Any number of `fact-tracker schedule` processes on any number of machines
    pointed at one PostgreSQL share the work; a worker that dies leaves leases that expire
    and are taken over. On SQLite one scheduler at a time is the limit (a second is refused).

    The plan (check due links every DURATION, look up archives for newly at-risk links, a
    daily summary at 00:00 UTC) is stored in the database, so a restart resumes it. Logs are
    one `key=value` line per event on stderr. SIGINT/SIGTERM stop cleanly: the batch in
    flight finishes and its leases are released; a second signal abandons it (uncommitted
    checks are rolled back, leases released).

    \b
    Examples:
      fact-tracker schedule                         run the stored plan (default every 5 min)
      fact-tracker schedule --check-every 15m --worker-id web-1
      fact-tracker schedule --once                  one round, then exit (cron)
      fact-tracker schedule status --json           jobs, next runs, due links, leases
    """
    if ctx.invoked_subcommand is not None:
        return
    from tracker.schedule import runner
    from tracker.schedule.events import log, structured_logging
    from tracker.schedule.worker import load_checker

    app = ctx.ensure_object(AppContext)
    settings = app.settings
    options = runner.ScheduleOptions(
        worker=runner.validate_worker_id(worker_id or runner.default_worker_id(settings)),
        batch_size=batch_size or settings.schedule_batch_size,
        check_every=check_every,
        once=once,
    )
    database = app.database()
    checker = load_checker()
    with structured_logging(debug=app.debug):
        report = runner.run(database, settings, checker, options)
        if report is not None and report.stopped:
            log.info("stopped", worker=options.worker)


@schedule.command()
@json_option
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Jobs and next runs of every worker, due links, leases held.

    \b
    Example:
      fact-tracker schedule status --json
    """
    from tracker.schedule.status import scheduler_status

    data = scheduler_status(app.database())
    if as_json:
        emit_json(data)
        return
    _print_status(data)


def _print_status(data: dict[str, Any]) -> None:
    running = {row["worker"]: row["running"] for row in data["workers"]}
    print_table(
        ["worker", "running", "job", "trigger", "next run (UTC)"],
        [
            (
                job["worker"],
                "yes" if running.get(job["worker"]) else "no",
                job["job"],
                job["trigger"],
                job["next_run_time"],
            )
            for job in data["jobs"]
        ],
        title="Scheduled jobs",
    )
    click.echo(f"due now: {data['due']}  (overdue by more than an hour: {data['overdue']})")
    print_table(
        ["owner", "links", "expired", "first expiry (UTC)", "last expiry (UTC)"],
        [
            (row["owner"], row["links"], row["expired"], row["first_expiry"], row["last_expiry"])
            for row in data["leases"]
        ],
        title="Leases held",
    )


@schedule.command()
@click.argument("worker")
@pass_app
def forget(app: AppContext, worker: str) -> None:
    """Delete the stored plan of WORKER, a worker id that will not run again.

    Refused while that worker runs. Its leases, if any, simply expire.

    \b
    Example:
      fact-tracker schedule forget old-host
    """
    from tracker.schedule.store import forget_worker

    removed = forget_worker(app.database(), worker)
    click.echo(f"Removed {removed} job(s) of worker {worker}")


COMMANDS = [schedule]
