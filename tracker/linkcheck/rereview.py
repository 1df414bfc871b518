"""Sending verdicts back for review when a source they rest on rots, changes or loses evidence.

The verdict is kept; the claim gets ``needs_rereview`` and a ClaimEvent that says which source
and what happened, so ``claims list --needs-rereview`` finds it with its reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actors import CHECKER
from tracker.enums import VERDICTS, ClaimEventAction
from tracker.models import Claim, ClaimSource
from tracker.review.claims import record_claim_event
from tracker.review.reviewers import Acting

ACTOR = Acting.system(CHECKER)
"""Re-review flags are the checker's finding, whoever started the check."""


@dataclass(frozen=True)
class Trigger:
    """Something that happened to a link that verdicts resting on it should be re-read for."""

    link_id: int
    url: str
    reason: str  # "dead", "content_changed", "evidence_missing"
    note: str
    claim_ids: tuple[int, ...] | None = None  # None: every claim relying on the link


def flag_claims(session: Session, triggers: Sequence[Trigger]) -> Counter[int]:
    """Flag the claims with a verdict behind each trigger; flagged claims per link."""
    flagged: Counter[int] = Counter()
    for trigger in triggers:
        relying = select(ClaimSource.claim_id).where(ClaimSource.link_id == trigger.link_id)
        query = (
            select(Claim)
            .where(Claim.id.in_(relying), Claim.status.in_(VERDICTS))
            .order_by(Claim.id)
        )
        if trigger.claim_ids is not None:
            query = query.where(Claim.id.in_(trigger.claim_ids))
        for claim in session.scalars(query):
            was_flagged = claim.needs_rereview
            claim.needs_rereview = True
            record_claim_event(
                session,
                claim,
                actor=ACTOR,
                action=ClaimEventAction.REREVIEW,
                note=f"{trigger.note}: {trigger.url}",
                changes={
                    "needs_rereview": [was_flagged, True],
                    "reason": trigger.reason,
                    "link_id": trigger.link_id,
                    "url": trigger.url,
                },
            )
            flagged[trigger.link_id] += 1
    session.flush()
    return flagged
