"""The SQLite engine is configured the way the embedded default promises."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tracker.db import Database, normalize_database_url
from tracker.errors import InvalidInput


def test_sqlite_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'nested' / 'x.sqlite3'}")
    try:
        with database.reading() as session:
            assert session.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        database.dispose()
    assert (tmp_path / "nested" / "x.sqlite3").exists()


def test_transaction_rolls_back_everything_on_error(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with database.transaction() as session:
            session.execute(text("CREATE TABLE t (v INTEGER)"))

        def failing_unit_of_work() -> None:
            with database.transaction() as session:
                session.execute(text("INSERT INTO t VALUES (1)"))
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            failing_unit_of_work()
        with database.reading() as session:
            assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_are_normalized(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


@pytest.mark.parametrize("url", ["mysql://u@h/db", "not a url"])
def test_unsupported_database_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidInput):
        Database(url)
