"""A reviewer's rating of a source, kept with its history like a claim's verdicts.

Reviewers rate on the 1..5 scale of ClaimReview (1 unreliable ... 5 highly reliable, halves
allowed). The source stores it normalized to 0..1, as external ratings are, so every input of
the combined score shares one scale; each change appends a ``source_events`` row that keeps
the old and new rating as typed (1..5), who made it and why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.credibility.domains import domain_of
from tracker.credibility.sources import get_or_create_source, get_source, record_source_event
from tracker.enums import SourceEventAction
from tracker.errors import InvalidInput
from tracker.models import SourceEvent
from tracker.review.reviewers import Acting

MANUAL_MIN = 1.0
MANUAL_MAX = 5.0


def normalize_manual(rating: float) -> float:
    """1..5 -> 0..1; InvalidInput outside the scale."""
    if not math.isfinite(rating) or not MANUAL_MIN <= rating <= MANUAL_MAX:
        raise InvalidInput(
            f"rating {rating:g} is outside the manual scale {MANUAL_MIN:g}..{MANUAL_MAX:g}"
        )
    return (rating - MANUAL_MIN) / (MANUAL_MAX - MANUAL_MIN)


def manual_scale_value(normalized: float) -> float:
    """0..1 -> the 1..5 value a reviewer typed."""
    return MANUAL_MIN + normalized * (MANUAL_MAX - MANUAL_MIN)


def _shown(normalized: float | None) -> str | None:
    return None if normalized is None else f"{manual_scale_value(normalized):g}"


def apply_rating(
    session: Session, acting: Acting, domain: str, rating: float, note: str
) -> SourceEvent:
    """Set the manual rating of ``domain`` (any URL or host of it) and record who and why."""
    if not note or not note.strip():
        raise InvalidInput("a rating needs a note saying why")
    normalized = normalize_manual(rating)
    source = get_or_create_source(session, domain_of(domain))
    # Two reviewers rating at once on PostgreSQL: the second waits, so its event's old value is
    # the first one's rating (SQLite's write lock already serializes the transactions).
    session.refresh(source, with_for_update=True)
    event = record_source_event(
        session,
        source.id,
        acting,
        action=SourceEventAction.RATED,
        old_value=_shown(source.manual_rating),
        new_value=_shown(normalized),
        note=note.strip(),
    )
    source.manual_rating = normalized
    source.manual_note = note.strip()
    source.rated_by_id = acting.reviewer_id
    source.rated_at = event.created_at
    session.flush()
    return event


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    actor: str
    action: str
    old_value: str | None
    new_value: str | None
    note: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "old_value": self.old_value,
            "new_value": self.new_value,
            "note": self.note,
        }


def source_history(session: Session, domain: str) -> list[HistoryEntry]:
    """Every recorded change of ``domain``'s rating and flags, oldest first."""
    source = get_source(session, domain)
    events = session.scalars(
        select(SourceEvent).where(SourceEvent.source_id == source.id).order_by(SourceEvent.id)
    )
    return [
        HistoryEntry(e.created_at, e.actor, e.action.value, e.old_value, e.new_value, e.note)
        for e in events
    ]
