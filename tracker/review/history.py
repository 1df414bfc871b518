"""A claim's full history: its current state, its sources and every event, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.db import Database
from tracker.enums import CheckOutcome, ClaimEventAction, ClaimKind, ClaimStatus, LinkState
from tracker.models import Claim, ClaimEvent, ClaimSource
from tracker.ratings import Rating, rating_for
from tracker.records import get_claim


@dataclass(frozen=True)
class SourceView:
    """A source as a reviewer needs it: where it points, whether it still holds, what it says."""

    url: str | None
    state: LinkState | None
    overridden: bool
    last_outcome: CheckOutcome | None
    http_status: int | None
    archive_url: str | None
    evidence: str | None
    evidence_found: bool | None

    @classmethod
    def of(cls, source: ClaimSource) -> SourceView:
        link = source.link
        url = link.url if link else (source.citation.raw_url if source.citation else None)
        if link is None:
            return cls(url, None, False, None, None, None, source.evidence, source.evidence_found)
        return cls(
            url=url,
            state=link.effective_state,
            overridden=link.override_state is not None,
            last_outcome=link.last_outcome,
            http_status=link.http_status,
            archive_url=link.archive_url,
            evidence=source.evidence,
            evidence_found=source.evidence_found,
        )


@dataclass(frozen=True)
class ClaimView:
    id: int
    article_id: int
    article_title: str | None
    article_url: str | None
    text: str
    kind: ClaimKind
    score: float
    status: ClaimStatus
    rating: Rating | None
    needs_rereview: bool
    version: int
    created_by: str
    created_at: datetime
    sources: list[SourceView]

    @classmethod
    def of(cls, claim: Claim) -> ClaimView:
        return cls(
            id=claim.id,
            article_id=claim.article_id,
            article_title=claim.article.title,
            article_url=claim.article.url,
            text=claim.text,
            kind=claim.kind,
            score=claim.score,
            status=claim.status,
            rating=rating_for(claim.status),
            needs_rereview=claim.needs_rereview,
            version=claim.version,
            created_by=claim.created_by,
            created_at=claim.created_at,
            sources=[SourceView.of(source) for source in claim.sources],
        )


@dataclass(frozen=True)
class EventView:
    id: int
    version: int
    created_at: datetime
    actor: str
    reviewer_id: int | None
    action: ClaimEventAction
    old_status: ClaimStatus | None
    new_status: ClaimStatus | None
    note: str | None
    changes: dict[str, Any]

    @classmethod
    def of(cls, event: ClaimEvent) -> EventView:
        return cls(
            id=event.id,
            version=event.version,
            created_at=event.created_at,
            actor=event.actor,
            reviewer_id=event.reviewer_id,
            action=event.action,
            old_status=event.old_status,
            new_status=event.new_status,
            note=event.note,
            changes=dict(event.changes or {}),
        )


@dataclass(frozen=True)
class ClaimHistory:
    claim: ClaimView
    events: list[EventView]


def load_claim(database: Database, claim_id: int) -> ClaimView:
    """The claim as it is now, with its sources' link state and evidence."""
    with database.reading() as session:
        return ClaimView.of(get_claim(session, claim_id))


def claim_history(database: Database, claim_id: int) -> ClaimHistory:
    """Who decided what, when and why: every event of the claim in the order it happened."""
    with database.reading() as session:
        claim = get_claim(session, claim_id)
        events = session.scalars(
            select(ClaimEvent)
            .where(ClaimEvent.claim_id == claim.id)
            .order_by(ClaimEvent.id)
            .options(selectinload(ClaimEvent.reviewer))
        ).all()
        return ClaimHistory(ClaimView.of(claim), [EventView.of(event) for event in events])
