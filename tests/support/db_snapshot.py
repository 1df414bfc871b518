"""Row counts and versions of the tables people change: "nothing was written"."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.db import Database
from tracker.models import (
    Article,
    ArticleEvent,
    Citation,
    Claim,
    ClaimEvent,
    ClaimSource,
    Link,
    Reviewer,
    SourceEvent,
)


def snapshot(database: Database) -> dict[str, object]:
    with database.reading() as session:
        counts: dict[str, object] = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (
                ArticleEvent,
                Citation,
                ClaimEvent,
                ClaimSource,
                Link,
                Reviewer,
                SourceEvent,
                Claim,
            )
        }
        counts["versions"] = sorted(session.execute(select(Claim.id, Claim.version)).all())
        counts["titles"] = sorted(session.scalars(select(Article.title)).all(), key=str)
        counts["due"] = sorted(session.execute(select(Link.id, Link.next_check_at)).all())
        counts["overrides"] = sorted(session.execute(select(Link.id, Link.override_state)).all())
        counts["urls"] = sorted(session.execute(select(Citation.id, Citation.link_id)).all())
        return counts
