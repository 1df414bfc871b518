"""What credibility services return (frozen views), and how a domain is shown to people."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.credibility.domains import display_domain
from tracker.credibility.imports import ImportResult
from tracker.credibility.listing import SORTS, SourceDetail
from tracker.credibility.manual import HistoryEntry
from tracker.credibility.record import TrackRecord
from tracker.credibility.score import ScoreExplanation

SORT_ORDERS = tuple(SORTS)
"""How source listings may be sorted: highest first, domains without the figure last."""


@dataclass(frozen=True)
class RatingChange:
    """A reviewer's rating recorded: the 1..5 values before and after, and the new score."""

    domain: str
    old_value: str | None
    new_value: str | None
    actor: str
    explanation: ScoreExplanation


@dataclass(frozen=True)
class RatingsImport:
    """A rating set imported from a file."""

    file_name: str
    scale: str
    result: ImportResult


__all__ = [
    "SORT_ORDERS",
    "HistoryEntry",
    "ImportResult",
    "RatingChange",
    "RatingsImport",
    "ScoreExplanation",
    "SourceDetail",
    "TrackRecord",
    "display_domain",
]
