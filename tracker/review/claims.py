"""Claims as review sees them: finding one, and appending to its history (the one place that
writes a :class:`~tracker.models.ClaimEvent`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

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


class EventFields(TypedDict, total=False):
    """What a claim event says besides its claim (``actor`` and ``action`` are required)."""

    actor: Required[Acting]
    action: Required[ClaimEventAction]
    old_status: ClaimStatus | None
    new_status: ClaimStatus | None
    note: str | None
    changes: dict[str, Any] | None
    at: datetime | None


def record_claim_event(session: Session, claim: Claim, **fields: Unpack[EventFields]) -> ClaimEvent:
    """Append one history row for ``claim`` by ``actor``, in the caller's transaction, and the
    alert it raises (a verdict, a re-review flag) in the same transaction."""
    from tracker.alerts.outbox import emit_claim_event

    event = ClaimEvent(**claim_event_values(claim.id, claim.version, **fields))
    session.add(event)
    emit_claim_event(session, claim, event)
    return event


def claim_event_values(
    claim_id: int, version: int, **fields: Unpack[EventFields]
) -> dict[str, Any]:
    """The columns of one history row (for :func:`record_claim_event` and bulk inserts)."""
    actor = fields["actor"]
    return {
        "claim_id": claim_id,
        "reviewer_id": actor.reviewer_id,
        "actor": actor.name,
        "action": fields["action"],
        "old_status": fields.get("old_status"),
        "new_status": fields.get("new_status"),
        "note": fields.get("note"),
        "changes": fields.get("changes") or {},
        "version": version,
        "created_at": fields.get("at") or utcnow(),
    }
