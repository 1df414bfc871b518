"""What every command shares: the application context, output helpers, option decorators."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracker.db import Database
from tracker.errors import DatabaseError
from tracker.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    """Built once per invocation by the root command; settings and database are lazy."""

    db_url: str | None = None
    debug: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _database: Database | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(database_url=self.db_url)
        return self._settings

    def database(self, *, require_schema: bool = True) -> Database:
        """The database, checked to be at the schema this code expects."""
        if self._database is None:
            self._database = Database(self.settings.database_url)
        if require_schema:
            ensure_schema_current(self._database)
        return self._database

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()


def ensure_schema_current(database: Database) -> None:
    from tracker.schema_check import surely_current

    if surely_current(database.engine):
        return
    from tracker import migrate

    current = migrate.current_revision(database.engine)
    head = migrate.head_revision()
    if current is None:
        raise DatabaseError("the database has no fact-tracker schema: run `fact-tracker init`")
    if current != head:
        raise DatabaseError(
            f"the database schema is at {current}, this version needs {head}: "
            "run `fact-tracker db upgrade`"
        )


pass_app = click.make_pass_decorator(AppContext)


def json_option(func: F) -> F:
    """``--json``: machine-readable output for every listing."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(
        func
    )


def to_jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(item) for item in value]
    return value


def emit_json(data: Any) -> None:
    click.echo(json.dumps(to_jsonable(data), indent=2, ensure_ascii=False))


def stdout_console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def print_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> None:
    """A rich table on a terminal; plain tab-separated lines when piped."""
    rows = list(rows)
    if not sys.stdout.isatty():
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(_cell(value) for value in row))
        return
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        # Text, not str: rich would read "[...]" in titles or notes as markup.
        table.add_row(*(Text(_cell(value)) for value in row))
    stdout_console().print(table)


def printable(value: object, replacement: str = " ") -> str:
    """One line with no control characters: user and page text must not drive the terminal."""
    return "".join(char if char.isprintable() else replacement for char in str(value))


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, Enum):
        return str(value.value)
    return str(value).replace("\t", " ").replace("\n", " ")
