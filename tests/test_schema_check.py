"""The fast schema check agrees with Alembic, and never calls a stale database current."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tracker import migrate
from tracker.db import Database
from tracker.schema_check import script_head, stored_revision, surely_current


def test_script_head_is_alembics_head() -> None:
    assert script_head() == migrate.head_revision()


def test_a_migrated_database_is_current(database: Database) -> None:
    assert stored_revision(database.engine) == migrate.head_revision()
    assert surely_current(database.engine)


@pytest.mark.real_database  # rewrites alembic_version on connections of its own
def test_an_older_or_empty_database_is_not_called_current(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert not surely_current(database.engine)
    with database.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    assert stored_revision(database.engine) is None
    assert not surely_current(database.engine)


def test_a_fresh_sqlite_file_has_no_revision(tmp_path: Path) -> None:
    empty = Database(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    try:
        assert stored_revision(empty.engine) is None
    finally:
        empty.dispose()
