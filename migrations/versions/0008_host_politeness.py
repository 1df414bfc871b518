"""Politeness shared by every worker: hosts under leases, pauses, and claims that stay steady.

- ``hosts``: one row per origin, held by one worker at a time (lease), with the time it may
  next be asked (rate) and a pause a 429/503/``Retry-After`` put on it for every worker.
- ``links.host_id``; the due indexes become partial (retired links are never due) and lose
  ``lease_expires_at``, so taking, renewing and dropping a lease changes no indexed column:
  those updates are HOT (no new index entries, no index bloat from claiming).
- PostgreSQL: ``links`` gets fillfactor 85 (room on each page for the new version of a row,
  which HOT needs) and autovacuum at 2% of the table instead of 20%, so dead row versions
  left by checks are reclaimed every few rounds instead of piling up in the due index.
- ``link_checks.state``: the link's state after the check (what ``db prune-checks`` keeps).

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEDULED = sa.text("next_check_at IS NOT NULL")
LINKS_STORAGE = (
    "fillfactor = 85, autovacuum_vacuum_scale_factor = 0.02, "
    "autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.05"
)
LINKS_STORAGE_NAMES = (
    "fillfactor, autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor, "
    "autovacuum_vacuum_insert_scale_factor"
)


def upgrade() -> None:
    op.create_table(
        "hosts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=2048), nullable=False),
        sa.Column("lease_owner", sa.String(length=200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_allowed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pause_reason", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hosts")),
        sa.UniqueConstraint("key", name=op.f("uq_hosts_key")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_links_host_id_hosts"), "hosts", ["host_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.drop_index("ix_links_due")
        batch_op.create_index(
            "ix_links_due", ["next_check_at"], postgresql_where=SCHEDULED, sqlite_where=SCHEDULED
        )
        batch_op.create_index(
            "ix_links_host_due",
            ["host_id", "next_check_at"],
            postgresql_where=SCHEDULED,
            sqlite_where=SCHEDULED,
        )
    with op.batch_alter_table("link_checks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.String(length=32), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE links SET ({LINKS_STORAGE})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE links RESET ({LINKS_STORAGE_NAMES})")
    with op.batch_alter_table("link_checks", schema=None) as batch_op:
        batch_op.drop_column("state")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_host_due")
        batch_op.drop_index("ix_links_due")
        batch_op.create_index("ix_links_due", ["next_check_at", "lease_expires_at"], unique=False)
        batch_op.drop_constraint(batch_op.f("fk_links_host_id_hosts"), type_="foreignkey")
        batch_op.drop_column("host_id")
    op.drop_table("hosts")
