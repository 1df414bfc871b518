"""Setting up: ``init``, ``db upgrade|downgrade|current`` and ``config``."""

from __future__ import annotations

import click

from tracker.cli._common import (
    AppContext,
    emit_json,
    json_option,
    pass_app,
    plural,
    print_table,
    progress_bar,
    reviewer_option,
    say,
)
from tracker.errors import InvalidInput
from tracker.settings import redact_url, settings_file


@click.command()
@pass_app
def init(app: AppContext) -> None:
    """Create the database (or bring it to the latest schema). Safe to run again."""
    from tracker import migrate

    database = app.database(create=True, require_schema=False)
    before = migrate.current_revision(database.engine)
    migrate.upgrade(database.engine)
    head = migrate.head_revision()
    where = redact_url(database.url)
    if before == head:
        say(f"Database already initialised at {head}: {where}")
    else:
        say(f"Initialised database at {head}: {where}")


@click.group()
def db() -> None:
    """Inspect and migrate the database schema."""


@db.command()
@click.argument("revision", default="head")
@pass_app
def upgrade(app: AppContext, revision: str) -> None:
    """Upgrade the schema to REVISION (default: the latest)."""
    from tracker import migrate

    database = app.database(create=True, require_schema=False)
    migrate.upgrade(database.engine, revision)
    say(f"Database at {migrate.current_revision(database.engine)}")


@db.command()
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def downgrade(app: AppContext, revision: str, yes: bool) -> None:
    """Downgrade the schema to REVISION (`base` drops every table: data is lost)."""
    if not yes and not click.confirm(f"Downgrade to {revision}? Data in dropped tables is lost"):
        raise InvalidInput("downgrade cancelled")
    from tracker import migrate

    database = app.database(require_schema=False)
    migrate.downgrade(database.engine, revision)
    say(f"Database at {migrate.current_revision(database.engine) or 'base'}")


@db.command("prune-checks")
@click.option(
    "--keep-days",
    type=click.FloatRange(min=0),
    required=True,
    metavar="N",
    help="Keep every check of the last N days.",
)
@click.option(
    "--keep-latest",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="Also keep each link's newest checks, however old.",
)
@reviewer_option
@json_option
@pass_app
def prune_checks(
    app: AppContext, keep_days: float, keep_latest: int, reviewer: str | None, as_json: bool
) -> None:
    """Delete routine link checks older than N days; needs an admin.

    Every link keeps its first check, each check where its state changed (alive, at_risk,
    dead...) and its newest checks, so timelines, rot rates and reports read the same. Claim
    history and every other record are never touched. One transaction: all or nothing.

    \b
    Example:
      fact-tracker db prune-checks --keep-days 90 --reviewer ana
    """
    from tracker.linkcheck.services import prune_checks as prune

    with progress_bar(not as_json, "pruning") as progress:
        report = prune(
            app.database(),
            app.actor(reviewer),
            keep_days=keep_days,
            keep_latest=keep_latest,
            progress=progress,
        )
    if as_json:
        emit_json(report)
        return
    say(
        f"Deleted {plural(report.deleted, 'check')} of {report.checks_before:,} "
        f"(kept {report.kept:,}; routine checks before {report.cutoff:%Y-%m-%d %H:%M} UTC)"
    )


@db.command()
@json_option
@pass_app
def current(app: AppContext, as_json: bool) -> None:
    """Show the schema revision of the database and the one this version needs."""
    from tracker import migrate

    database = app.database(require_schema=False)
    data = {
        "database": redact_url(database.url),
        "current": migrate.current_revision(database.engine),
        "head": migrate.head_revision(),
    }
    if as_json:
        emit_json(data)
        return
    say(f"database: {data['database']}")
    say(f"current:  {data['current'] or 'none (run fact-tracker init)'}")
    say(f"head:     {data['head']}")


@click.command()
@json_option
@pass_app
def config(app: AppContext, as_json: bool) -> None:
    """Print the effective settings and the environment variable behind each one.

    Precedence: --db option > FACT_TRACKER_* environment > settings file > defaults.
    """
    rows = app.settings.describe()
    if as_json:
        emit_json(
            {
                "settings_file": str(settings_file()),
                "settings": {name: value for name, _env, value, _help in rows},
            }
        )
        return
    say(f"settings file: {settings_file()}")
    print_table(["setting", "environment variable", "value", "meaning"], rows)


COMMANDS = [init, db, config]
