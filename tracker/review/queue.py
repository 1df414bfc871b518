"""The review queue: the unverified claims a reviewer walks through, in article order."""

from __future__ import annotations

from sqlalchemy import select

from tracker.db import Database
from tracker.enums import ClaimStatus
from tracker.errors import NotFound
from tracker.models import Article, Claim


def review_queue(database: Database, article_id: int | None = None) -> list[int]:
    """Ids of the unverified claims (of one article, or all), in reading order.

    Only ids: the queue loads each claim when its turn comes, so it shows what is current.
    """
    with database.reading() as session:
        if article_id is not None and session.get(Article, article_id) is None:
            raise NotFound("article", article_id)
        query = select(Claim.id).where(Claim.status == ClaimStatus.UNVERIFIED)
        if article_id is not None:
            query = query.where(Claim.article_id == article_id)
        query = query.order_by(Claim.article_id, Claim.position.nulls_last(), Claim.id)
        return list(session.scalars(query))
