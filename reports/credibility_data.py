"""Source credibility as reports show it: a domain's explained score beside its display name.

Scores come from :func:`tracker.credibility.score_domains`, which loads any number of domains
in a fixed handful of aggregate queries; reports never score a domain one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.common import state_label, status_label
from tracker.credibility.listing import SORTS
from tracker.credibility.record import TrackRecord, verdict_balance
from tracker.credibility.score import ScoreExplanation, score_domains
from tracker.enums import ClaimStatus, LinkState
from tracker.errors import InvalidInput
from tracker.models import Source, utcnow
from tracker.settings import Settings

SOURCES_SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class DomainCredibility:
    """One registrable domain: its combined score with the explanation, and its track record."""

    domain: str
    display_name: str | None
    explanation: ScoreExplanation

    @property
    def score(self) -> float | None:
        return self.explanation.score

    @property
    def basis(self) -> str:
        return self.explanation.basis

    @property
    def record(self) -> TrackRecord:
        return self.explanation.record

    @property
    def label(self) -> str:
        """``Display Name (domain)``, or the domain alone."""
        if self.display_name and self.display_name != self.domain:
            return f"{self.display_name} ({self.domain})"
        return self.domain

    def lines(self) -> list[str]:
        """The explanation as plain text lines; each renderer escapes them for its medium."""
        return self.explanation.lines()

    def facts(self) -> list[tuple[str, str]]:
        """The track record as (label, plain text) pairs, the same in every format."""
        record = self.record
        states = ", ".join(
            f"{state_label(state).lower()} {record.links.get(state, 0)}" for state in LinkState
        )
        rot = record.rot_rate
        share = record.evidence_share
        return [
            ("Articles published", str(record.articles)),
            ("Citations", str(record.citations)),
            ("Links", f"{record.link_count} ({states})"),
            (
                "Link rot",
                "-"
                if rot is None
                else f"{rot:.0%} ({record.dead_links} dead of {record.checked_links} checked)"
                + ("; failures ignored" if record.ignore_failures else ""),
            ),
            (
                "Evidence found",
                "-"
                if share is None
                else f"{share:.0%} ({record.evidence_found} of {record.evidence_checked} checked)",
            ),
            ("Verdicts of claims citing it", _verdicts(record.verdicts_cited)),
            ("Verdicts of claims it published", _verdicts(record.verdicts_published)),
        ]

    def share(self, weight: float) -> float:
        """An input's share of the total weight."""
        total = self.explanation.total_weight
        return weight / total if total else 0.0


def _verdicts(counts: dict[ClaimStatus, int]) -> str:
    balance, rated = verdict_balance(counts)
    listed = ", ".join(
        f"{status_label(status)} {counts[status]}" for status in ClaimStatus if counts.get(status)
    )
    if not listed:
        return "none"
    if balance is None:
        return listed
    return f"{listed} (balance {balance:.2f} of {rated} rated)"


def credibility_of(
    session: Session, settings: Settings, display_names: Mapping[str, str | None]
) -> dict[str, DomainCredibility]:
    """Explained scores of the given domains (keys of ``display_names``), by domain."""
    if not display_names:
        return {}
    scored = score_domains(session, settings, list(display_names))
    return {
        domain: DomainCredibility(domain, display_names[domain], scored[domain])
        for domain in sorted(scored)
    }


@dataclass(frozen=True)
class SourcesReport:
    schema_version: str
    generated_at: datetime
    sort: str
    domains: tuple[DomainCredibility, ...]


def build_sources_report(
    session: Session,
    settings: Settings,
    *,
    sort: str = "score",
    now: datetime | None = None,
) -> SourcesReport:
    """Every known domain with its explained score and track record, in the ``sort`` order."""
    if sort not in SORTS:
        raise InvalidInput(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
    scored = score_domains(session, settings)
    names = _display_names(session) if scored else {}
    key = SORTS[sort]
    ordered = sorted(scored.values(), key=key)
    return SourcesReport(
        schema_version=SOURCES_SCHEMA_VERSION,
        generated_at=now or utcnow(),
        sort=sort,
        domains=tuple(
            DomainCredibility(item.domain, names.get(item.domain), item) for item in ordered
        ),
    )


def _display_names(session: Session) -> dict[str, str | None]:
    """Every named source in one query (no IN list of thousands of domains)."""
    rows = session.execute(
        select(Source.domain, Source.display_name).where(Source.display_name.is_not(None))
    )
    return {row.domain: row.display_name for row in rows}
