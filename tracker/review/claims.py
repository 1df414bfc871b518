"""Claims as review sees them: finding one, and appending to its history (the one place that
writes a :class:`~tracker.models.ClaimEvent`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tracker.enums import ClaimEventAction, ClaimStatus
from tracker.errors import NotFound
from tracker.models import Article, Claim, ClaimEvent, utcnow
from tracker.review.reviewers import Acting


def get_claim(session: Session, claim_id: int) -> Claim:
    """The claim ``claim_id``; NotFound when it does not exist or its article was deleted."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.article.deleted_at is not None:
        raise NotFound("claim", claim_id)
    return claim


def live_claims() -> Select[tuple[Claim]]:
    """``SELECT claims`` of articles that are not deleted: every listing of claims starts here."""
    return (
        select(Claim)
        .join(Article, Article.id == Claim.article_id)
        .where(Article.deleted_at.is_(None))
    )


def record_claim_event(
    session: Session,
    claim: Claim,
    *,
    actor: Acting,
    action: ClaimEventAction,
    old_status: ClaimStatus | None = None,
    new_status: ClaimStatus | None = None,
    note: str | None = None,
    changes: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ClaimEvent:
    """Append one history row for ``claim`` by ``actor``, in the caller's transaction."""
    event = ClaimEvent(
        claim_id=claim.id,
        reviewer_id=actor.reviewer_id,
        actor=actor.name,
        action=action,
        old_status=old_status,
        new_status=new_status,
        note=note,
        changes=changes or {},
        version=claim.version,
        created_at=at or utcnow(),
    )
    session.add(event)
    return event
