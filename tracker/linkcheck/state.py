"""A link's state across checks: unchecked -> alive | at_risk -> dead, and back on recovery.

The state is derived from counters kept on the Link, never stored as an independent fact, so
clearing an override or ignoring a domain recomputes it with the same rule:

* the last check succeeded: ``alive``;
* ``dead_after_checks`` conclusive failures in a row spanning ``dead_after_hours``: ``dead``;
* any other failure: ``at_risk``.

Inconclusive failures (``blocked``, ``rate_limited``, or any failure on a domain whose failures
are ignored) neither count toward nor reset the run of failures, so they never confirm rot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tracker.enums import CheckOutcome, LinkState
from tracker.linkcheck.outcomes import INCONCLUSIVE, SUCCESS
from tracker.settings import Settings


@dataclass(frozen=True)
class DeathRule:
    checks: int
    hours: float

    @classmethod
    def from_settings(cls, settings: Settings) -> DeathRule:
        return cls(settings.dead_after_checks, settings.dead_after_hours)


@dataclass(frozen=True)
class Health:
    """The counters of a Link that the state is derived from."""

    last_outcome: CheckOutcome | None = None
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    first_checked_at: datetime | None = None
    last_checked_at: datetime | None = None
    last_ok_at: datetime | None = None


def is_conclusive(outcome: CheckOutcome, *, ignore_failures: bool) -> bool:
    return outcome not in SUCCESS and outcome not in INCONCLUSIVE and not ignore_failures


def advance(
    health: Health, outcome: CheckOutcome, now: datetime, *, ignore_failures: bool
) -> Health:
    """The counters after one more check with ``outcome`` at ``now``."""
    health = replace(
        health,
        last_outcome=outcome,
        last_checked_at=now,
        first_checked_at=health.first_checked_at or now,
    )
    if outcome in SUCCESS:
        return replace(health, consecutive_failures=0, failing_since=None, last_ok_at=now)
    if is_conclusive(outcome, ignore_failures=ignore_failures):
        return replace(
            health,
            consecutive_failures=health.consecutive_failures + 1,
            failing_since=health.failing_since or now,
        )
    return health


def derive_state(
    health: Health,
    rule: DeathRule,
    *,
    ignore_failures: bool,
    override: LinkState | None = None,
) -> LinkState:
    """The state the counters mean; a human override wins until cleared."""
    if override is not None:
        return override
    if health.last_outcome is None:
        return LinkState.UNCHECKED
    if health.last_outcome in SUCCESS:
        return LinkState.ALIVE
    if (
        not ignore_failures
        and health.consecutive_failures >= rule.checks
        and health.failing_since is not None
        and health.last_checked_at is not None
        and health.last_checked_at - health.failing_since >= timedelta(hours=rule.hours)
    ):
        return LinkState.DEAD
    return LinkState.AT_RISK
