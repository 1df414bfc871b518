"""Run Alembic programmatically against the tracker's database."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).parent

# Tables that live in the tracker's database but whose schema belongs to a library, not to our
# models and migrations: APScheduler creates and owns its job store table
# (tracker.schedule.store.JOB_TABLE). Comparisons (the drift test, autogenerate) skip them.
UNMANAGED_TABLES = frozenset({"scheduler_jobs"})


def include_name(
    name: str | None,
    type_: str,
    parent_names: Mapping[str, str | None],  # noqa: ARG001 - the hook's signature
) -> bool:
    """Alembic ``include_name`` hook: leave :data:`UNMANAGED_TABLES` out of comparisons."""
    return not (type_ == "table" and name in UNMANAGED_TABLES)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    _run(engine, command.downgrade, revision)


def _run(engine: Engine, action: Callable[[Config, str], None], revision: str) -> None:
    config = alembic_config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            # Batch mode rebuilds tables; with foreign keys enforced, dropping the old copy
            # would cascade. The pragma is a no-op inside a transaction, so set it first.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                action(config, revision)
            if sqlite:
                violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.rollback()
                if violations:
                    raise RuntimeError(f"migration left foreign-key violations: {violations[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
