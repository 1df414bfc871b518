"""Engines and units of work.

SQLite is the embedded default: WAL journal, foreign keys on, a busy timeout, and writes that
take the write lock up front (``BEGIN IMMEDIATE``) so two writers queue instead of failing
half-way. PostgreSQL is reached through the same URL setting.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from tracker.errors import DatabaseError, DatabaseMissing, InvalidInput

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_database_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(url: str, *, create: bool = True, **kwargs: Any) -> Engine:
    """An engine for ``url``. A SQLite file (and its folder) is created on first use only
    with ``create``; without it a missing file is :class:`DatabaseMissing`, so reading never
    leaves an empty database behind."""
    url = normalize_database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidInput(f"malformed database URL: {url!r}") from exc
    if parsed.get_backend_name() == "sqlite":
        return _make_sqlite_engine(url, parsed.database, create=create, **kwargs)
    if parsed.get_backend_name() != "postgresql":
        raise InvalidInput(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    kwargs.setdefault("pool_pre_ping", True)
    try:
        return create_engine(url, **kwargs)
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            "PostgreSQL needs the psycopg driver: pip install 'fact-tracker[postgres]'"
        ) from exc


def _make_sqlite_engine(url: str, database: str | None, *, create: bool, **kwargs: Any) -> Engine:
    if database and database != ":memory:":
        path = Path(database).expanduser()
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.is_file():
            raise DatabaseMissing(f"no database at {path}")
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("sqlite_immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def insert_ignore(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING: get-or-create that two writers can race safely."""
    from sqlalchemy.dialects import postgresql, sqlite  # only writers need them

    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model).on_conflict_do_nothing(), rows)


class Database:
    """An engine plus the session factory bound to it; one per process.

    ``create=False`` refuses a SQLite file that does not exist yet (only ``init`` creates).
    """

    def __init__(self, url: str, *, create: bool = True, **engine_kwargs: Any) -> None:
        self.url = normalize_database_url(url)
        self.engine = make_engine(self.url, create=create, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back everything on any error."""
        with self._sessions() as session:
            if self.is_sqlite:
                session.connection(execution_options={"sqlite_immediate": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work; never takes the SQLite write lock."""
        with self._sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
