"""Evidence per claim source: what to look for (spec), the state found, and the passage.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("claim_sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evidence_spec", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("evidence_state", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("evidence_passage", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim_sources", schema=None) as batch_op:
        batch_op.drop_column("evidence_passage")
        batch_op.drop_column("evidence_state")
        batch_op.drop_column("evidence_spec")
