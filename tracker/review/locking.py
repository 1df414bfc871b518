"""Optimistic locking on ``Claim.version``: a compare-and-swap UPDATE, and who won the race.

Every write to a claim goes through :func:`swap`: ``UPDATE claims SET ..., version = v + 1
WHERE id = :id AND version = :v``. Two writers holding the same ``v`` cannot both match, on
SQLite (writers queue on the write lock) or PostgreSQL (the loser re-checks the WHERE clause
after the winner commits), so exactly one wins and the other gets :class:`ClaimChanged`.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from tracker.errors import StaleVersion
from tracker.models import Claim, ClaimEvent, utcnow


class ClaimChanged(StaleVersion):
    """The claim moved on since the caller's version; says who changed it."""

    def __init__(self, message: str, *, claim_id: int, expected: int, changed_by: list[str]):
        super().__init__(message)
        self.claim_id = claim_id
        self.expected = expected
        self.changed_by = changed_by


def expected_version(session: Session, claim: Claim, given: int | None) -> int:
    """The version the caller's write is based on; refuses a stale one before any work."""
    if given is None:
        return claim.version
    if given != claim.version:
        raise stale(session, claim.id, given)
    return given


def swap(session: Session, claim: Claim, expected: int, values: dict[str, Any]) -> int:
    """Write ``values`` iff the claim is still at ``expected``; returns the new version."""
    new_version = expected + 1
    result = cast(
        CursorResult[Any],
        session.execute(
            update(Claim)
            .where(Claim.id == claim.id, Claim.version == expected)
            .values(version=new_version, updated_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise stale(session, claim.id, expected)
    session.expire(claim)
    return new_version


def stale(session: Session, claim_id: int, expected: int) -> ClaimChanged:
    """The conflict error for a write based on ``expected``, naming who changed the claim since."""
    current = session.scalar(select(Claim.version).where(Claim.id == claim_id))
    events = session.scalars(
        select(ClaimEvent)
        .where(ClaimEvent.claim_id == claim_id, ClaimEvent.version > expected)
        .order_by(ClaimEvent.id)
    ).all()
    actors = list(dict.fromkeys(event.actor for event in events))
    if not actors:
        return ClaimChanged(
            f"claim {claim_id} is at version {current}, not {expected}: reload it and retry",
            claim_id=claim_id,
            expected=expected,
            changed_by=[],
        )
    last = events[-1]
    what = last.action.value
    if last.new_status is not None and last.new_status != last.old_status:
        what = f"{what} {last.new_status.value}"
    return ClaimChanged(
        f"claim {claim_id} was changed since version {expected} by {', '.join(actors)} "
        f"(last: {what} at {last.created_at:%Y-%m-%d %H:%M:%S} UTC); it is now at version "
        f"{current}: reload it and retry",
        claim_id=claim_id,
        expected=expected,
        changed_by=actors,
    )
