"""What every command shares: the application context, output helpers, option decorators.

Every line a command prints goes through :func:`say`, :func:`print_table` or
:func:`emit_json`, and each makes user and page text printable first: a title, note or URL
holding ESC/OSC sequences never reaches the terminal raw. Heavy libraries (rich, SQLAlchemy,
pydantic) are imported only when a command needs them, so ``--version`` and ``--help`` start
fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tracker.actors import LOCAL_READER, Actor

if TYPE_CHECKING:
    from rich.console import Console

    from tracker.db import Database
    from tracker.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


class AppContext:
    """Built once per invocation by the root command; settings and database are lazy.

    Tests may hand one in with a ``database`` of their own (``CliRunner.invoke(obj=...)``): it
    is used as it is and never disposed here.
    """

    def __init__(self, *, database: Database | None = None) -> None:
        self.db_url: str | None = None
        self.debug = False
        self._settings: Settings | None = None
        self._database = database
        self._owns_database = database is None

    def use_database_url(self, url: str) -> None:
        """``--db URL``, given before or after the command name."""
        self.db_url = url
        self._settings = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from tracker.settings import load_settings

            self._settings = load_settings(database_url=self.db_url)
        return self._settings

    @property
    def database_url(self) -> str:
        """``--db``, else the settings' URL; read without the full settings when it can be."""
        if self.db_url is not None:
            return self.db_url
        if self._settings is None:
            from tracker.setting_sources import quick_database_url

            quick = quick_database_url()
            if quick is not None:
                return quick
        return self.settings.database_url

    def database(self, *, create: bool = False, require_schema: bool = True) -> Database:
        """The database, checked to be at the schema this code expects.

        Only ``create`` (``init``, ``db upgrade``) may create a SQLite file that is not there.
        """
        if self._database is None:
            from tracker.db import Database
            from tracker.errors import DatabaseError, DatabaseMissing

            try:
                self._database = Database(self.database_url, create=create)
            except DatabaseMissing as exc:
                raise DatabaseError(f"{exc}: run `fact-tracker init` to create it") from None
        if require_schema:
            from tracker.schema_check import ensure_current

            ensure_current(self._database)
        return self._database

    def actor(self, reviewer: str | None) -> Actor:
        """Who acts for a command that records it: ``--reviewer``, else the ``reviewer``
        setting (``FACT_TRACKER_REVIEWER``)."""
        name = (reviewer or self.settings.reviewer).strip()
        if not name:
            raise click.UsageError(
                "this command records who acted: give --reviewer NAME "
                "(or set FACT_TRACKER_REVIEWER)"
            )
        return Actor.reviewer(name)

    @property
    def reader(self) -> Actor:
        """Reading commands act as the local terminal (nothing is recorded)."""
        return LOCAL_READER

    def close(self) -> None:
        if self._database is not None and self._owns_database:
            self._database.dispose()


pass_app = click.make_pass_decorator(AppContext)


def json_option(func: F) -> F:
    """``--json``: machine-readable output for every listing."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        func
    )


def reviewer_option(func: F) -> F:
    """``--reviewer NAME`` on every command that records who acted."""
    return click.option(
        "--reviewer",
        metavar="NAME",
        help="Who is acting, recorded in the history (default: FACT_TRACKER_REVIEWER). "
        "See `fact-tracker reviewers list`.",
    )(func)


def db_option(command: click.Command) -> click.Command:
    """Give ``command`` a ``--db URL`` option (as the root group has), so it may come after the
    command name too: ``fact-tracker demo --db URL``."""
    if any(param.name == "db_url" for param in command.params):
        return command
    command.params.append(
        click.Option(
            ["--db", "db_url"],
            metavar="URL",
            expose_value=False,
            callback=_set_db_url,
            help="Database URL (overrides FACT_TRACKER_DATABASE_URL).",
        )
    )
    return command


def _set_db_url(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    app = ctx.find_object(AppContext)
    if value is not None and app is not None:
        app.use_database_url(value)


def printable(value: object) -> str:
    """One line with no control characters: user and page text must not drive the terminal.

    Line breaks and tabs become spaces; any other control character (ESC, BEL, C1 CSI...)
    shows as ``?``, so a stripped escape sequence is visible rather than silently mangled.
    """
    return "".join(
        char if char.isprintable() else (" " if char.isspace() else "?") for char in str(value)
    )


def say(text: str = "", *, err: bool = False) -> None:
    """Print ``text``, each of its lines made printable."""
    click.echo("\n".join(printable(line) for line in text.split("\n")), err=err)


def emit_json(data: Any) -> None:
    """``data`` as JSON; characters a terminal could act on are escaped (``\\u009b``)."""
    import json

    from tracker.jsonable import dumps

    text = dumps(data)
    click.echo(
        "".join(
            char if char.isprintable() or char == "\n" else json.dumps(char)[1:-1] for char in text
        )
    )


def stdout_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """A rich table on a terminal; plain tab-separated lines when piped."""
    rows = list(rows)
    if not stdout_is_terminal():
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(cell(value) for value in row))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(printable(title)) if title else None, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        # Text, not str: rich would read "[...]" in titles or notes as markup.
        table.add_row(*(Text(cell(value)) for value in row))
    stdout_console().print(table)


def cell(value: Any) -> str:
    """A value as one printable table cell (``-`` for nothing)."""
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return printable(value)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``1 link``, ``2 links``."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


@contextmanager
def progress_bar(
    enabled: bool, label: str = "checking"
) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal's stderr; nothing when piped or printing JSON."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        label,
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
