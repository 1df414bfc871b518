"""The ``fact-tracker`` command line: thin commands over the services in ``tracker``.

Exit codes: 0 success; 1 operational failure (database, network, conflict); 2 bad usage or
bad input (unknown id, malformed URL, invalid status). Commands that check links may use
further documented codes. Errors are one line on stderr; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Sequence
from typing import Any

import click
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from tracker import __version__
from tracker.cli._common import AppContext
from tracker.errors import EXIT_FAILURE, TrackerError

EXIT_INTERRUPTED = 130
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
COMMAND_MODULES = {
    "articles": "ingest",
    "check": "links",
    "citations": "ingest",
    "config": "admin",
    "db": "admin",
    "demo": "demo",
    "ingest": "ingest",
    "init": "admin",
    "links": "links",
    "model": "model",
    "note": "review",
    "report": "report",
    "review": "review_queue",
    "reviewers": "reviewers",
    "schedule": "schedule",
    "sources": "sources",
    "verdict": "review",
}
"""Which module defines each top-level command, so running one imports only its module.

Start-up is most of a short command's time (the ingest and report modules pull in HTML
extraction and templating). A command missing here still works: it is found by importing
every module (as ``--help`` does); ``claims`` is always found that way, since several modules
add subcommands to it. ``tests/test_cli_lazy.py`` keeps this table true.
"""


class TrackerGroup(click.Group):
    """Loads commands on demand; turns domain errors into one line and the documented exit code."""

    freeze_imports = False
    """Set by :func:`main`: once the command is imported, move what the imports made out of the
    garbage collector's sight (``gc.freeze``). Those objects live until exit anyway; unfrozen,
    every full collection and the interpreter's exit walk them again (~0.1 s per run). Left
    off inside test runs, where one process invokes many commands."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            module = COMMAND_MODULES.get(cmd_name)
            if module is not None:
                _register(module)
            if cmd_name not in self.commands:
                _register_all()
        if self.freeze_imports:
            gc.freeze()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        _register_all()
        return super().list_commands(ctx)

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
        except TrackerError as exc:
            _fail(ctx, str(exc), exc.exit_code, exc)
        except OperationalError as exc:
            _fail(ctx, f"database error: {_first_line(exc.orig or exc)}", EXIT_FAILURE, exc)
        except SQLAlchemyError as exc:
            _fail(ctx, f"database error: {_first_line(exc)}", EXIT_FAILURE, exc)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _fail(ctx: click.Context, message: str, code: int, exc: BaseException) -> None:
    app = ctx.find_object(AppContext)
    if app is not None and app.debug:
        raise exc
    click.echo(f"error: {message}", err=True)
    ctx.exit(code)


@click.group(cls=TrackerGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="fact-tracker")
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL (overrides FACT_TRACKER_DATABASE_URL), e.g. sqlite:///ft.db or "
    "postgresql://postgres@127.0.0.1/facts.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, debug: bool) -> None:
    """Track the claims in news articles, the sources they cite, and whether those hold up.

    \b
    Typical session:
      fact-tracker init                      create the database
      fact-tracker ingest article.html       record claims and citations
      fact-tracker check --all               check every cited link now
      fact-tracker verdict 3 accurate --reviewer ana --note "matches the poll"
      fact-tracker report 1 -f html -o report.html

    Settings come from FACT_TRACKER_* environment variables (see `fact-tracker config`).
    """
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    app = AppContext(db_url=db_url, debug=debug)
    ctx.obj = app
    ctx.call_on_close(app.close)


def _register(name: str) -> None:
    """Add the commands module ``name`` of this package lists in ``COMMANDS``."""
    import importlib

    module = importlib.import_module(f"{__name__}.{name}")
    for command in getattr(module, "COMMANDS", ()):
        cli.add_command(command)


def _register_all() -> None:
    """Add the commands of every module in this package that lists some in ``COMMANDS``."""
    import pkgutil

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda module: module.name):
        _register(info.name)


def main() -> None:
    """Console-script entry point."""
    TrackerGroup.freeze_imports = True
    try:
        cli.main(prog_name="fact-tracker")
    except KeyboardInterrupt:  # outside click's own handling (start-up, clean-up)
        click.echo("error: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
