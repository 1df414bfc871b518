"""Our own captures of sources (WARC records), found passages with their capture, archives.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("payload_digest", sa.String(length=64), nullable=False),
        sa.Column("payload_length", sa.BigInteger(), nullable=False),
        sa.Column("fingerprint", sa.String(length=128), nullable=True),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("revisit_of", sa.String(length=100), nullable=True),
        sa.Column("warc_file", sa.String(length=255), nullable=False),
        sa.Column("warc_offset", sa.BigInteger(), nullable=False),
        sa.Column("warc_length", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"], ["links.id"], name=op.f("fk_captures_link_id_links"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["link_checks.id"],
            name=op.f("fk_captures_check_id_link_checks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captures")),
    )
    op.create_index(op.f("ix_captures_check_id"), "captures", ["check_id"], unique=False)
    op.create_index(
        op.f("ix_captures_payload_digest"), "captures", ["payload_digest"], unique=False
    )
    op.create_index(
        "ix_captures_link_captured", "captures", ["link_id", "captured_at"], unique=False
    )
    with op.batch_alter_table("claim_sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("found_passage", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("found_capture_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("found_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_claim_sources_found_capture_id"), ["found_capture_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_claim_sources_found_capture_id_captures"),
            "captures",
            ["found_capture_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archive_name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_column("archive_name")
    with op.batch_alter_table("claim_sources", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_claim_sources_found_capture_id_captures"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_claim_sources_found_capture_id"))
        batch_op.drop_column("found_at")
        batch_op.drop_column("found_capture_id")
        batch_op.drop_column("found_passage")
    op.drop_index("ix_captures_link_captured", table_name="captures")
    op.drop_index(op.f("ix_captures_payload_digest"), table_name="captures")
    op.drop_index(op.f("ix_captures_check_id"), table_name="captures")
    op.drop_table("captures")
