"""``fact-tracker serve``: the web workspace."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli._common import AppContext, pass_app, say

if TYPE_CHECKING:
    from tracker.db import Database


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Requests served at once.",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Run the demo into demo-output/demo.sqlite3 (anew) and serve that database, with a "
    "demo admin whose password is printed.",
)
@pass_app
def serve(app: AppContext, host: str, port: int, threads: int, demo: bool) -> None:
    """Serve the web workspace (waitress, a production WSGI server).

    Open http://127.0.0.1:8000/ and log in as a reviewer whose password was set with
    `fact-tracker reviewers passwd NAME`. Roles apply as on the command line: viewers read,
    reviewers record verdicts, notes and fixes, admins manage reviewers. The JSON API is under
    /api/ (bearer tokens: `fact-tracker reviewers token NAME`), described at /openapi.json.

    "Check now" in the workspace makes links due: run `fact-tracker schedule` beside the server
    for them to be checked.

    \b
    Examples:
      fact-tracker serve
      fact-tracker serve --host 0.0.0.0 --port 8080   # behind a TLS proxy
      fact-tracker serve --demo
    """
    from tracker.web import create_app
    from tracker.web.server import serve as run

    settings = app.settings
    if demo:
        database = _demo_database(app)
        settings = settings.with_overrides(database_url=database.url)
    else:
        database = app.database()
    web = create_app(settings, database)
    say(f"fact-tracker workspace on http://{host}:{port}/ (Ctrl-C stops)")
    run(web, database, host=host, port=port, threads=threads)


def _demo_database(app: AppContext) -> Database:
    from tracker.accounts.services import set_password
    from tracker.actors import LOCAL_READER, Actor
    from tracker.demo.services import run_demo
    from tracker.review.services import add_reviewer

    output = Path("demo-output")
    path = output / "demo.sqlite3"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{path.resolve()}"
    say("Running the demo (a local site, ingest, two checks, verdicts)...")
    run_demo(app.settings, output_dir=output, database_url=url, step=lambda _message: None)
    from tracker.db import Database

    database = Database(url)
    add_reviewer(database, LOCAL_READER, "demo-admin", role="admin")
    password = secrets.token_urlsafe(12)
    admin = Actor.reviewer("demo-admin")
    set_password(database, admin, "demo-admin", password)
    set_password(database, admin, "demo-reviewer", password)
    say(f"Demo database: {path}")
    say(f"Log in as demo-admin (or demo-reviewer) with the password {password}")
    return database


COMMANDS = [serve]
