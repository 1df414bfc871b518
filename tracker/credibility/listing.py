"""Explained scores sorted for a listing, or one source in detail (services call these)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tracker.credibility.manual import HistoryEntry, source_history
from tracker.credibility.score import ScoreExplanation, score_domain, score_domains
from tracker.credibility.sources import get_source
from tracker.errors import InvalidInput
from tracker.settings import Settings


def _by_score(item: ScoreExplanation) -> tuple[object, ...]:
    score = item.score
    return (score is None, -(score or 0.0), item.domain)


def _by_citations(item: ScoreExplanation) -> tuple[object, ...]:
    return (-item.record.citations, -item.record.articles, item.domain)


def _by_rot(item: ScoreExplanation) -> tuple[object, ...]:
    rot = item.record.rot_rate
    return (rot is None, -(rot or 0.0), -item.record.checked_links, item.domain)


SORTS: dict[str, Callable[[ScoreExplanation], tuple[object, ...]]] = {
    "score": _by_score,
    "citations": _by_citations,
    "rot": _by_rot,
}
"""Sort orders: highest first; domains without the figure last; ties by domain name."""


def sorted_sources(
    session: Session, settings: Settings, *, sort: str = "score", limit: int | None = None
) -> list[ScoreExplanation]:
    """Every known source with its explained score, in the ``sort`` order."""
    if sort not in SORTS:
        raise InvalidInput(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    items = sorted(score_domains(session, settings).values(), key=SORTS[sort])
    return items if limit is None else items[:limit]


@dataclass(frozen=True)
class SourceDetail:
    domain: str
    display_name: str | None
    explanation: ScoreExplanation
    history: list[HistoryEntry]

    def to_dict(self) -> dict[str, object]:
        explanation = self.explanation
        manual = explanation.manual
        return {
            "domain": self.domain,
            "display_name": self.display_name,
            "score": explanation.to_dict(),
            "track_record": explanation.record.to_dict(),
            "manual_rating": None
            if manual is None
            else {
                "score": manual.score,
                "note": manual.note,
                "rated_by": manual.rated_by,
                "rated_at": manual.rated_at,
            },
            "external_ratings": [
                {
                    "rating_set": item.rating_set,
                    "score": item.score,
                    "raw_score": item.raw_score,
                    "scale": [item.scale_min, item.scale_max],
                }
                for item in explanation.external
            ],
            "history": [entry.to_dict() for entry in self.history],
        }


def source_detail(session: Session, domain: str, settings: Settings) -> SourceDetail:
    """One source in full: score with explanation, track record, ratings, history."""
    source = get_source(session, domain)
    return SourceDetail(
        source.domain,
        source.display_name,
        score_domain(session, source.domain, settings),
        source_history(session, source.domain),
    )
