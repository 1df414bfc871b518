"""Finding articles and appending to their history (the one writer of ``article_events``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tracker.enums import ArticleEventAction
from tracker.errors import NotFound
from tracker.models import Article, ArticleEvent, utcnow
from tracker.review.reviewers import Acting


def get_article(session: Session, article_id: int) -> Article:
    """The article ``article_id``; NotFound when it does not exist or was deleted."""
    article = session.get(Article, article_id)
    if article is None or article.deleted_at is not None:
        raise NotFound("article", article_id)
    return article


def record_article_event(
    session: Session,
    article: Article,
    *,
    actor: Acting,
    action: ArticleEventAction,
    note: str | None = None,
    changes: dict[str, Any] | None = None,
) -> ArticleEvent:
    """Append one history row for ``article`` by ``actor``, in the caller's transaction."""
    event = ArticleEvent(
        article_id=article.id,
        reviewer_id=actor.reviewer_id,
        actor=actor.name,
        action=action,
        note=note,
        changes=changes or {},
        created_at=utcnow(),
    )
    session.add(event)
    return event
