"""SQLite history refuses INSERT OR REPLACE over an existing event.

REPLACE deletes the conflicting row without firing DELETE triggers (unless the connection
turned recursive triggers on), so 0002's triggers let ``INSERT OR REPLACE`` rewrite an event.
A BEFORE INSERT trigger that refuses an id already present closes that door on every
connection. PostgreSQL has no REPLACE; its ``ON CONFLICT DO UPDATE`` fires 0002's UPDATE trigger.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("claim_events", "source_events", "article_events")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in APPEND_ONLY_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
