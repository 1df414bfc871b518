"""What review services return: frozen views of claims, their sources, history and reviewers.

One read model for a claim (:class:`ClaimView`, with :class:`ClaimDetail` adding its history):
``claims show``, ``claims history``, the review queue and the web app all show this shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.enums import CheckOutcome, ClaimEventAction, ClaimKind, ClaimStatus, LinkState, Role
from tracker.models import Claim, ClaimEvent, ClaimSource, Reviewer
from tracker.ratings import BEST_RATING, Rating, rating_for


def status_label(status: ClaimStatus | None) -> str:
    """``accurate (Accurate, 5/5)``: the status with its ClaimReview rating, if it has one."""
    if status is None:
        return "-"
    rating = rating_for(status)
    if rating is None:
        return status.value
    if rating.value is None:
        return f"{status.value} ({rating.name})"
    return f"{status.value} ({rating.name}, {rating.value}/{BEST_RATING})"


@dataclass(frozen=True)
class SourceView:
    """A claim's source as a reviewer needs it: where it points, whether it holds, what it says.

    ``url`` is None for a citation whose link was lost (only its anchor text survived);
    ``state`` is the effective state (a reviewer's override wins), ``checker_state`` the
    checker's own.
    """

    id: int
    citation_id: int | None
    anchor_text: str | None
    raw_url: str | None
    link_id: int | None
    url: str | None
    state: LinkState | None
    checker_state: LinkState | None
    overridden: bool
    last_outcome: CheckOutcome | None
    http_status: int | None
    archive_url: str | None
    evidence: str | None
    evidence_found: bool | None
    evidence_state: str | None
    """found, partly_found, missing or nothing_to_match (:class:`~tracker.enums.EvidenceState`);
    None until checked."""
    evidence_passage: str | None
    """The stretch of the source where the evidence was found."""
    evidence_checked_at: datetime | None

    @classmethod
    def of(cls, source: ClaimSource) -> SourceView:
        link = source.link
        citation = source.citation
        return cls(
            id=source.id,
            citation_id=source.citation_id,
            anchor_text=citation.anchor_text if citation else None,
            raw_url=citation.raw_url if citation else None,
            link_id=source.link_id,
            url=link.url if link else None,
            state=link.effective_state if link else None,
            checker_state=link.state if link else None,
            overridden=bool(link and link.override_state is not None),
            last_outcome=link.last_outcome if link else None,
            http_status=link.http_status if link else None,
            archive_url=link.archive_url if link else None,
            evidence=source.evidence,
            evidence_found=source.evidence_found,
            evidence_state=source.evidence_state,
            evidence_passage=source.evidence_passage,
            evidence_checked_at=source.evidence_checked_at,
        )


@dataclass(frozen=True)
class ClaimSummary:
    """A claim in a listing (no sources, no history: one query for any number of claims)."""

    id: int
    article_id: int
    text: str
    kind: ClaimKind
    status: ClaimStatus
    score: float
    position: int | None
    needs_rereview: bool
    version: int

    @classmethod
    def of(cls, claim: Claim) -> ClaimSummary:
        return cls(
            claim.id,
            claim.article_id,
            claim.text,
            claim.kind,
            claim.status,
            claim.score,
            claim.position,
            claim.needs_rereview,
            claim.version,
        )


@dataclass(frozen=True)
class ClaimView:
    id: int
    article_id: int
    article_title: str | None
    article_url: str | None
    text: str
    kind: ClaimKind
    figures: tuple[dict[str, Any], ...]
    score: float
    position: int | None
    status: ClaimStatus
    rating: Rating | None
    needs_rereview: bool
    version: int
    created_by: str
    created_at: datetime
    sources: tuple[SourceView, ...]

    @classmethod
    def of(cls, claim: Claim) -> ClaimView:
        return cls(
            id=claim.id,
            article_id=claim.article_id,
            article_title=claim.article.title,
            article_url=claim.article.url,
            text=claim.text,
            kind=claim.kind,
            figures=tuple(claim.figures or ()),
            score=claim.score,
            position=claim.position,
            status=claim.status,
            rating=rating_for(claim.status),
            needs_rereview=claim.needs_rereview,
            version=claim.version,
            created_by=claim.created_by,
            created_at=claim.created_at,
            sources=tuple(SourceView.of(source) for source in claim.sources),
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
class ClaimDetail:
    """A claim as it is now, and every event of its history, oldest first."""

    claim: ClaimView
    events: tuple[EventView, ...]


@dataclass(frozen=True)
class Change:
    """What one action did: the claim's new version and the event that records it."""

    claim_id: int
    version: int
    event_id: int
    action: ClaimEventAction
    old_status: ClaimStatus
    new_status: ClaimStatus
    changes: dict[str, Any]


@dataclass(frozen=True)
class ReviewerView:
    id: int
    name: str
    email: str | None
    role: Role
    created_at: datetime

    @classmethod
    def of(cls, reviewer: Reviewer) -> ReviewerView:
        return cls(reviewer.id, reviewer.name, reviewer.email, reviewer.role, reviewer.created_at)
