"""How each verdict reads as a ClaimReview rating: defined here once, used by every report."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.enums import ClaimStatus

WORST_RATING = 1
BEST_RATING = 5


@dataclass(frozen=True)
class Rating:
    value: int | None  # None: a named rating with no place on the scale (unverifiable)
    name: str


RATINGS: dict[ClaimStatus, Rating] = {
    ClaimStatus.ACCURATE: Rating(5, "Accurate"),
    ClaimStatus.MOSTLY_ACCURATE: Rating(4, "Mostly accurate"),
    ClaimStatus.MIXED: Rating(3, "Mixed"),
    ClaimStatus.MISLEADING: Rating(2, "Misleading"),
    ClaimStatus.MOSTLY_FALSE: Rating(2, "Mostly false"),
    ClaimStatus.FALSE: Rating(1, "False"),
    ClaimStatus.UNVERIFIABLE: Rating(None, "Unverifiable"),
}


def rating_for(status: ClaimStatus) -> Rating | None:
    """The rating of a final verdict; None for workflow states and rejected candidates."""
    return RATINGS.get(status)
