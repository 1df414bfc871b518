"""Articles keep a history and can be deleted without losing their claims' history.

``article_events`` is append-only, like ``claim_events`` (the database refuses UPDATE and
DELETE). ``articles.deleted_at`` marks a deleted article: its claims keep their append-only
history, so the row stays (without its URL, which a new article may take). Articles gain
``document_hash`` (the document as handed over) and an index on ``content_hash`` (its
extracted text): an article without a URL is found by its content.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = ("ingested", "reingested", "edited", "deleted", "citation_resolved")


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("document_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_articles_content_hash"), ["content_hash"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_articles_document_hash"), ["document_hash"], unique=False
        )

    op.create_table(
        "article_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column(
            "action",
            sa.Enum(*ACTIONS, name="articleeventaction", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name=op.f("fk_article_events_article_id_articles")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["reviewers.id"], name=op.f("fk_article_events_reviewer_id_reviewers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_events")),
    )
    with op.batch_alter_table("article_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_events_article_id"), ["article_id"], unique=False
        )

    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER article_events_no_{verb.lower()} BEFORE {verb} ON article_events "
                "BEGIN SELECT RAISE(ABORT, 'article_events is append-only'); END"
            )
        return
    # fact_tracker_append_only() is migration 0002's.
    op.execute(
        "CREATE TRIGGER article_events_append_only BEFORE UPDATE OR DELETE ON article_events "
        "FOR EACH ROW EXECUTE FUNCTION fact_tracker_append_only()"
    )
    op.execute(
        "CREATE TRIGGER article_events_no_truncate BEFORE TRUNCATE ON article_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION fact_tracker_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS article_events_no_{verb}")
    else:
        op.execute("DROP TRIGGER IF EXISTS article_events_append_only ON article_events")
        op.execute("DROP TRIGGER IF EXISTS article_events_no_truncate ON article_events")
    with op.batch_alter_table("article_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_events_article_id"))
    op.drop_table("article_events")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_articles_document_hash"))
        batch_op.drop_index(batch_op.f("ix_articles_content_hash"))
        batch_op.drop_column("document_hash")
        batch_op.drop_column("deleted_at")
