"""Shared fixtures: real databases (SQLite always, PostgreSQL when configured) and the CLI.

Tests parametrized over ``backend`` run on both. Migrations run once per session per backend.

Two kinds of test database, both real and at the head schema:

* **The fast path (the default for ``database`` and ``run_cli``).** One migrated database per
  session and backend; each test runs inside a transaction on one connection that is rolled
  back at the end (SQLAlchemy's "join an external transaction" recipe: the services' commits
  become savepoints). PostgreSQL sequences are reset per test, so ids start at 1 as on a
  fresh database. ``run_cli`` invokes the CLI in-process on that same connection.
* **A fresh database of the test's own** (a copy of a migrated SQLite file, or a PostgreSQL
  database cloned from a migrated template, ~0.4 s each): for anything another connection or
  process must see - subprocesses, several workers, lease expiry by the database clock,
  code that opens ``database.engine`` itself. Ask for it by requesting ``db_url`` (then
  ``database`` and ``run_cli`` use that database too) or with
  ``@pytest.mark.real_database``. ``fresh_db_url`` is an empty database without a schema.

``make test`` runs the suite in two processes (pytest-xdist); session fixtures, the shared
databases among them, are per process, and every database name is unique.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text

from tests.support.db import JoinedDatabase, restart_sequences
from tests.support.server import LocalServer
from tracker import migrate
from tracker.actors import Actor
from tracker.cli import cli
from tracker.cli._common import AppContext
from tracker.db import Database, make_engine
from tracker.enums import Role
from tracker.models import Reviewer
from tracker.settings import Settings, load_settings

POSTGRES_ENV = "FACT_TRACKER_TEST_POSTGRES_URL"
POSTGRES_SKIP_REASON = (
    f"{POSTGRES_ENV} is not set; set it to a PostgreSQL server URL "
    "(e.g. postgresql://postgres@127.0.0.1:5432/postgres) to run the PostgreSQL tests"
)
BACKENDS = ["sqlite", "postgresql"]


def postgres_server_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def _pg_url_for(database: str) -> str:
    server = postgres_server_url()
    assert server is not None
    from sqlalchemy.engine import make_url

    from tracker.db import normalize_database_url

    return (
        make_url(normalize_database_url(server))
        .set(database=database)
        .render_as_string(hide_password=False)
    )


class PostgresAdmin:
    """Creates and drops throw-away databases on the test server."""

    def __init__(self) -> None:
        self.engine = make_engine(_pg_url_for("postgres"), isolation_level="AUTOCOMMIT")

    def create(self, name: str, template: str | None = None) -> str:
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return _pg_url_for(name)

    def drop(self, name: str) -> None:
        with self.engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's settings file or stray FACT_TRACKER_* variables."""
    for name in list(os.environ):
        if name.startswith("FACT_TRACKER_") and name != POSTGRES_ENV:
            monkeypatch.delenv(name)
    monkeypatch.setenv("FACT_TRACKER_CONFIG", str(tmp_path / "no-such-config.toml"))
    monkeypatch.setenv("FACT_TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'default.sqlite3'}")
    monkeypatch.setenv("FACT_TRACKER_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("FACT_TRACKER_ARCHIVE_URL", "")
    monkeypatch.setenv("FACT_TRACKER_MEMENTO_ARCHIVES", "[]")
    # Every test server is one host on 127.0.0.1: the public web's 1 request a second would
    # make each scheduled test crawl. Tests of the rate set their own.
    monkeypatch.setenv("FACT_TRACKER_PER_HOST_RATE", "1000")
    monkeypatch.setenv("FACT_TRACKER_CLAIMS_MODEL_PATH", str(tmp_path / "claims-model.json"))
    monkeypatch.setenv("FACT_TRACKER_CAPTURE_DIR", str(tmp_path / "captures"))


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[PostgresAdmin]:
    if postgres_server_url() is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    admin = PostgresAdmin()
    yield admin
    admin.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_admin: PostgresAdmin) -> Iterator[str]:
    name = f"ft_tpl_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    url = postgres_admin.create(name)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield name
    postgres_admin.drop(name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and postgres_server_url() is None:
        pytest.skip(POSTGRES_SKIP_REASON)
    return str(request.param)


@pytest.fixture
def fresh_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a new, empty database (no schema) on the backend under test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    admin: PostgresAdmin = request.getfixturevalue("postgres_admin")
    name = f"ft_t_{uuid.uuid4().hex[:12]}"
    url = admin.create(name)
    yield url
    admin.drop(name)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a new database at the head schema on the backend under test."""
    if backend == "sqlite":
        path = tmp_path / "tracker.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin: PostgresAdmin = request.getfixturevalue("postgres_admin")
    template: str = request.getfixturevalue("postgres_template")
    name = f"ft_t_{uuid.uuid4().hex[:12]}"
    url = admin.create(name, template=template)
    yield url
    admin.drop(name)


def wants_real_database(request: pytest.FixtureRequest) -> bool:
    """The test asked for a database of its own (``db_url`` or the ``real_database`` mark)."""
    return "db_url" in request.fixturenames or request.node.get_closest_marker("real_database")


@pytest.fixture(scope="session")
def sqlite_shared(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The session's migrated SQLite database that fast-path tests roll back in."""
    path = tmp_path_factory.mktemp("shared") / "shared.sqlite3"
    shutil.copyfile(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def postgresql_shared(postgres_admin: PostgresAdmin, postgres_template: str) -> Iterator[Database]:
    """The session's migrated PostgreSQL database that fast-path tests roll back in."""
    name = f"ft_s_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    db = Database(postgres_admin.create(name, template=postgres_template))
    yield db
    db.dispose()
    postgres_admin.drop(name)


@pytest.fixture
def database(backend: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """The test's database: a rolled-back transaction on the shared one (see the module doc)."""
    if wants_real_database(request):
        db = Database(request.getfixturevalue("db_url"))
        yield db
        db.dispose()
        return
    shared: Database = request.getfixturevalue(f"{backend}_shared")
    with shared.engine.connect() as connection:
        if backend == "postgresql":
            restart_sequences(connection)
        outer = connection.begin()
        try:
            yield JoinedDatabase(shared, connection)
        finally:
            outer.rollback()


@pytest.fixture
def acting_as_ana(database: Database, monkeypatch: pytest.MonkeyPatch) -> Actor:
    """Reviewer ana exists, and commands that record who acted act as her
    (``FACT_TRACKER_REVIEWER``). A module opts in with ``usefixtures("acting_as_ana")``."""
    with database.transaction() as session:
        session.add(Reviewer(name="ana", role=Role.REVIEWER))
    monkeypatch.setenv("FACT_TRACKER_REVIEWER", "ana")
    return Actor.reviewer("ana")


CliInvoker = Callable[..., Result]


@pytest.fixture
def run_cli(request: pytest.FixtureRequest, database: Database) -> CliInvoker:
    """Run the CLI in-process against the test database; asserts the exit code (default 0).

    On the fast path the CLI works on the test's own connection (no ``--db``); with a real
    database it gets ``--db URL`` like a user would.
    """
    if wants_real_database(request):
        return make_cli_invoker(request.getfixturevalue("db_url"))
    return make_cli_invoker(None, database=database)


def make_cli_invoker(db_url: str | None, *, database: Database | None = None) -> CliInvoker:
    def invoke(*args: str, exit_code: int = 0, input: str | None = None) -> Result:
        argv = (["--db", db_url] if db_url else []) + list(args)
        result = CliRunner().invoke(
            cli,
            argv,
            input=input,
            catch_exceptions=False,
            prog_name="fact-tracker",
            obj=AppContext(database=database) if database is not None else None,
        )
        assert result.exit_code == exit_code, (
            f"fact-tracker {' '.join(args)} exited {result.exit_code}, expected {exit_code}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}"
        )
        return result

    return invoke


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A started local HTTP server; add routes with ``http_server.route(path, Reply(...))``."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def settings() -> Settings:
    """Settings as the test environment sets them (private networks allowed, short timeout)."""
    return load_settings(timeout=2.0, max_retries=0)
