"""What link services return: frozen views of links, their checks, evidence and corrections.

``state`` is always the effective state (a reviewer's override wins, ``overridden`` says so);
``checker_state`` is what the checks themselves support.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tracker.enums import CheckOutcome, LinkState
from tracker.linkcheck.rot import BROKEN
from tracker.models import Link, LinkCheck


@dataclass(frozen=True)
class EvidenceView:
    """One claim relying on a link: what it expects there, the state found (found, partly
    found, missing, nothing to match) and the passage of the page where it was found."""

    claim_id: int
    expected: str | None
    found: bool | None
    state: str | None
    passage: str | None
    checked_at: datetime | None


@dataclass(frozen=True)
class LinkSummary:
    id: int
    url: str
    domain: str | None
    state: LinkState
    checker_state: LinkState
    overridden: bool
    last_outcome: CheckOutcome | None
    http_status: int | None
    final_url: str | None
    last_checked_at: datetime | None
    next_check_at: datetime | None
    consecutive_failures: int
    archive_url: str | None
    content_changed: bool
    evidence: tuple[EvidenceView, ...]

    @property
    def retired(self) -> bool:
        """Nothing cites the link any more: it is not scheduled."""
        return self.next_check_at is None

    @classmethod
    def of(cls, link: Link, evidence: Iterable[EvidenceView] = ()) -> LinkSummary:
        return cls(
            id=link.id,
            url=link.url,
            domain=link.source.domain if link.source else None,
            state=link.effective_state,
            checker_state=link.state,
            overridden=link.override_state is not None,
            last_outcome=link.last_outcome,
            http_status=link.http_status,
            final_url=link.final_url,
            last_checked_at=link.last_checked_at,
            next_check_at=link.next_check_at,
            consecutive_failures=link.consecutive_failures,
            archive_url=link.archive_url,
            content_changed=link.content_changed,
            evidence=tuple(evidence),
        )


@dataclass(frozen=True)
class OverrideView:
    state: LinkState
    note: str | None
    reviewer_id: int | None
    at: datetime | None


@dataclass(frozen=True)
class CheckView:
    checked_at: datetime
    outcome: CheckOutcome
    http_status: int | None
    final_url: str | None
    redirect_chain: tuple[Any, ...]
    elapsed_ms: int | None
    error: str | None
    soft_404: bool
    not_modified: bool
    fingerprint: str | None
    worker: str | None

    @classmethod
    def of(cls, check: LinkCheck) -> CheckView:
        return cls(
            checked_at=check.checked_at,
            outcome=check.outcome,
            http_status=check.http_status,
            final_url=check.final_url,
            redirect_chain=tuple(check.redirect_chain or ()),
            elapsed_ms=check.elapsed_ms,
            error=check.error,
            soft_404=check.soft_404,
            not_modified=check.not_modified,
            fingerprint=check.fingerprint,
            worker=check.worker,
        )


@dataclass(frozen=True)
class LinkDetail:
    """Everything about a link: summary, override, evidence per claim, recent checks."""

    link: LinkSummary
    first_checked_at: datetime | None
    last_ok_at: datetime | None
    failing_since: datetime | None
    archive_timestamp: datetime | None
    override: OverrideView | None
    checks: tuple[CheckView, ...]


@dataclass(frozen=True)
class OverrideChange:
    """A pinned (or unpinned) link: its effective state before, and the link now."""

    link: LinkSummary
    before: LinkState
    note: str | None


@dataclass(frozen=True)
class DomainFlag:
    """A domain whose check failures are (or are again not) ignored."""

    domain: str
    ignore_failures: bool
    was_ignored: bool
    links: int


@dataclass(frozen=True)
class CheckReport:
    """What a run of checks found: counts per outcome and per resulting state."""

    checked: int
    broken: int
    outcomes: dict[str, int]
    states: dict[str, int]
    flagged_claims: int
    seconds: float

    @classmethod
    def of(
        cls, outcomes: Counter[str], states: Counter[str], flagged_claims: int, seconds: float
    ) -> CheckReport:
        return cls(
            checked=sum(outcomes.values()),
            broken=sum(outcomes[outcome.value] for outcome in BROKEN),
            outcomes=dict(sorted(outcomes.items())),
            states=dict(sorted(states.items())),
            flagged_claims=flagged_claims,
            seconds=round(seconds, 3),
        )

    @classmethod
    def empty(cls) -> CheckReport:
        return cls.of(Counter(), Counter(), 0, 0.0)

    def plus(self, other: CheckReport, *, seconds: float | None = None) -> CheckReport:
        """The counts of both runs (one batch of a longer run added to the rest)."""
        return CheckReport.of(
            Counter(self.outcomes) + Counter(other.outcomes),
            Counter(self.states) + Counter(other.states),
            self.flagged_claims + other.flagged_claims,
            self.seconds + other.seconds if seconds is None else seconds,
        )


@dataclass(frozen=True)
class PruneReport:
    """What ``db prune-checks`` did: checks before, deleted, and the cut-off it used."""

    checks_before: int
    deleted: int
    cutoff: datetime

    @property
    def kept(self) -> int:
        return self.checks_before - self.deleted
