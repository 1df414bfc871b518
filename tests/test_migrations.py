"""Migrations: round trip on both backends, and no drift between models and migrations."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from tracker import migrate
from tracker.db import Database, make_engine
from tracker.models import Base, ClaimEvent, utcnow

EXPECTED_TABLES = {
    "articles",
    "citations",
    "claim_events",
    "claim_sources",
    "claims",
    "external_ratings",
    "link_checks",
    "links",
    "rating_sets",
    "reviewers",
    "source_events",
    "sources",
}


def test_upgrade_downgrade_round_trip(fresh_db_url: str) -> None:
    engine = make_engine(fresh_db_url)
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert set(inspect(engine).get_table_names()) >= EXPECTED_TABLES

        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()


def test_models_and_migrations_do_not_drift(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_name": migrate.include_name,
                },
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def _one_claim_event(database: Database) -> None:
    with database.transaction() as session:
        session.execute(
            text(
                "INSERT INTO articles (text, authors, created_at, updated_at) "
                "VALUES ('', '[]', :now, :now)"
            ),
            {"now": utcnow()},
        )
        article_id = session.execute(text("SELECT max(id) FROM articles")).scalar_one()
        session.execute(
            text(
                "INSERT INTO claims (article_id, text, kind, figures, score, status, "
                "needs_rereview, version, created_by, created_at, updated_at) VALUES "
                "(:a, 'x', 'other', '[]', 0, 'unverified', false, 1, 'test', :now, :now)"
            ),
            {"a": article_id, "now": utcnow()},
        )
        claim_id = session.execute(text("SELECT max(id) FROM claims")).scalar_one()
        session.add(
            ClaimEvent(claim_id=claim_id, actor="test", action="created", version=1, changes={})
        )


def test_history_rows_cannot_be_altered(database: Database) -> None:
    _one_claim_event(database)
    for statement in ("UPDATE claim_events SET note = 'rewritten'", "DELETE FROM claim_events"):
        with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
            session.execute(text(statement))

    with database.reading() as session:
        assert session.execute(text("SELECT count(*), max(note) FROM claim_events")).one() == (
            1,
            None,
        )


def test_history_rows_cannot_be_replaced(database: Database) -> None:
    """An insert that reuses an event's id must fail: SQLite's REPLACE deletes the old row
    without firing DELETE triggers, PostgreSQL's ON CONFLICT DO UPDATE is an update."""
    _one_claim_event(database)
    with database.reading() as session:
        event_id, claim_id = session.execute(text("SELECT id, claim_id FROM claim_events")).one()
    columns = "(id, claim_id, actor, action, version, changes, created_at)"
    values = "(:id, :claim, 'mallory', 'created', 1, '{}', :now)"
    statement = (
        f"INSERT OR REPLACE INTO claim_events {columns} VALUES {values}"
        if database.is_sqlite
        else f"INSERT INTO claim_events {columns} VALUES {values} "
        "ON CONFLICT (id) DO UPDATE SET actor = 'mallory'"
    )
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text(statement), {"id": event_id, "claim": claim_id, "now": utcnow()})
    with database.reading() as session:
        assert session.execute(text("SELECT actor FROM claim_events")).scalars().all() == ["test"]
    with database.transaction() as session:  # a new id is still an ordinary append
        session.execute(
            text(f"INSERT INTO claim_events {columns} VALUES {values}"),
            {"id": event_id + 1, "claim": claim_id, "now": utcnow()},
        )
