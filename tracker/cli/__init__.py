"""The ``fact-tracker`` command line: thin commands over the services in ``tracker``.

Commands parse arguments, call one service, and format what it returns. Exit codes
(:data:`EXIT_CODES`, the one place errors become codes): 0 success; 1 operational failure
(database, network, edit conflict); 2 bad usage or input (unknown id, malformed URL, invalid
status, a role that may not act); 130 interrupted. ``check`` exits 3 when a checked link is
broken. Errors are one line on stderr; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from typing import Any

import click

from tracker import __version__
from tracker.cli._common import AppContext, db_option
from tracker.errors import (
    DatabaseError,
    FetchError,
    Interrupted,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TrackerError,
    lookup,
)

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_CODES: dict[type[TrackerError], int] = {
    InvalidInput: EXIT_USAGE,
    NotFound: EXIT_USAGE,
    PermissionDenied: EXIT_USAGE,
    StaleVersion: EXIT_FAILURE,
    FetchError: EXIT_FAILURE,
    DatabaseError: EXIT_FAILURE,
    Interrupted: EXIT_INTERRUPTED,
    TrackerError: EXIT_FAILURE,
}
"""The exit code of each domain error (looked up along the error's class hierarchy)."""

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
COMMAND_MODULES = {
    "alerts": "alerts",
    "articles": "articles",
    "captures": "captures",
    "check": "links",
    "citations": "articles",
    "claims": "claims",
    "config": "admin",
    "db": "admin",
    "demo": "demo",
    "follow": "follow",
    "ingest": "articles",
    "init": "admin",
    "links": "links",
    "model": "model",
    "note": "review",
    "report": "report",
    "review": "review_queue",
    "reviewers": "reviewers",
    "schedule": "schedule",
    "serve": "serve",
    "sources": "sources",
    "verdict": "review",
}
"""Which module defines each top-level command, so running one imports only its module.

Start-up is most of a short command's time (the ingest and report modules pull in HTML
extraction and templating). ``tests/test_cli_lazy.py`` keeps this table true.
"""


class TrackerGroup(click.Group):
    """Loads commands on demand; turns domain errors into one line and the documented exit code."""

    freeze_imports = False
    """Set by :func:`main`: the garbage collector is off while the command's modules are
    imported (they create many objects and no garbage: collecting then is wasted start-up
    time), and once the command is imported what the imports made is moved out of its sight
    (``gc.freeze``): those objects live until exit anyway; unfrozen, every full collection and
    the interpreter's exit walk them again (~0.1 s per run). Left off inside test runs, where
    one process invokes many commands."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            module = COMMAND_MODULES.get(cmd_name)
            if module is not None:
                _register(module)
        if self.freeze_imports:
            gc.freeze()
            gc.enable()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMAND_MODULES)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's standalone mode, but every error (usage errors too) as one stderr line."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx else "fact-tracker"
            click.echo(f"error: {exc.format_message()} (see '{where} --help')", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):
                click.echo("error: interrupted", err=True)
                sys.exit(EXIT_INTERRUPTED)
            click.echo("error: aborted", err=True)
            sys.exit(EXIT_FAILURE)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            failure = describe_failure(exc)
            if failure is None:
                raise
            app = ctx.find_object(AppContext)
            if app is not None and app.debug:
                raise
            from tracker.cli._common import printable

            click.echo(f"error: {printable(failure[1])}", err=True)
            ctx.exit(failure[0])


def describe_failure(exc: BaseException) -> tuple[int, str] | None:
    """(exit code, one-line message) for an error the CLI reports; None for a bug."""
    if isinstance(exc, TrackerError):
        return lookup(EXIT_CODES, exc), str(exc)
    from sqlalchemy.exc import OperationalError, SQLAlchemyError  # only on the error path

    if isinstance(exc, OperationalError):
        return EXIT_FAILURE, f"database error: {_first_line(exc.orig or exc)}"
    if isinstance(exc, SQLAlchemyError):
        return EXIT_FAILURE, f"database error: {_first_line(exc)}"
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@click.group(cls=TrackerGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="fact-tracker")
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL (overrides FACT_TRACKER_DATABASE_URL), e.g. sqlite:///ft.db or "
    "postgresql://postgres@127.0.0.1/facts. Also accepted after the command name.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, debug: bool) -> None:
    """Track the claims in news articles, the sources they cite, and whether those hold up.

    \b
    Typical session:
      fact-tracker init                      create the database
      fact-tracker reviewers add ana         who records verdicts
      export FACT_TRACKER_REVIEWER=ana       act as ana (or --reviewer ana on each command)
      fact-tracker ingest article.html       record claims and citations
      fact-tracker check --all               check every cited link now
      fact-tracker verdict 3 accurate --note "matches the poll"
      fact-tracker report 1 -f html -o report.html

    Settings come from FACT_TRACKER_* environment variables (see `fact-tracker config`).
    """
    import logging

    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    app = ctx.ensure_object(AppContext)
    app.debug = debug
    if db_url is not None:
        app.use_database_url(db_url)
    ctx.call_on_close(app.close)


def _register(name: str) -> None:
    """Add the commands module ``name`` of this package lists in ``COMMANDS``, each (and each of
    its subcommands) accepting ``--db`` after its name too."""
    import importlib

    module = importlib.import_module(f"{__name__}.{name}")
    for command in getattr(module, "COMMANDS", ()):
        _with_db_option(command)
        cli.add_command(command)


def _with_db_option(command: click.Command) -> None:
    db_option(command)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_db_option(sub)


def main() -> None:
    """Console-script entry point."""
    gc.disable()  # until the command is imported (TrackerGroup.freeze_imports)
    TrackerGroup.freeze_imports = True
    try:
        cli.main(prog_name="fact-tracker")
    except KeyboardInterrupt:  # outside click's own handling (start-up, clean-up)
        click.echo("error: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
