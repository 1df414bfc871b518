"""What outcomes mean, and the one definition of link rot every report and score uses.

A check's outcome is a *success* (the page is there), *inconclusive* (blocked, rate limited:
the site refused us, it did not say the page is gone) or *broken* (counts toward rot).

**A link is rotten when its effective state is dead (confirmed, or pinned by a reviewer), or,
unpinned, its last check was broken (at risk counts: a 404 is rot before it is confirmed); it
is healthy when its effective state is alive.** Otherwise (never checked, or only blocked or
rate limited lately) it counts neither way. The *rot rate* is rotten links over links that
count. The weekly rot rate applies the same rule to each link's last check of the week (an
alive link's last check succeeded; overrides are not historical, so there only outcomes
count).

:func:`rot_verdict` is the rule in Python; :func:`rotten_sql` and :func:`counted_sql` are the
same rule as SQL, for aggregates over many links (``tests/test_rot.py`` keeps them equal).
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import ColumnElement, and_, or_

from tracker.enums import CheckOutcome, LinkState
from tracker.models import Link

SUCCESS = frozenset({CheckOutcome.OK, CheckOutcome.REDIRECTED})
"""Outcomes that mean the page is there."""

INCONCLUSIVE = frozenset({CheckOutcome.BLOCKED, CheckOutcome.RATE_LIMITED})
"""Failures that say more about us than about the page: they never confirm rot on their own."""

BROKEN = frozenset(CheckOutcome) - SUCCESS - INCONCLUSIVE
"""Failures that count toward rot."""

NEEDS_ATTENTION = frozenset({LinkState.DEAD, LinkState.AT_RISK})
"""Effective states the link-rot report lists."""

OutcomeClass = Literal["ok", "inconclusive", "failed", "none"]


def outcome_class(outcome: CheckOutcome | None) -> OutcomeClass:
    """``ok``, ``inconclusive``, ``failed`` or ``none``: how a check reads in charts."""
    if outcome is None:
        return "none"
    if outcome in SUCCESS:
        return "ok"
    if outcome in INCONCLUSIVE:
        return "inconclusive"
    return "failed"


def outcome_verdict(outcome: CheckOutcome | None) -> bool | None:
    """Rotten (True), healthy (False) or neither (None) by one check's outcome alone."""
    if outcome in BROKEN:
        return True
    if outcome in SUCCESS:
        return False
    return None


def rot_verdict(
    state: LinkState, override: LinkState | None, last_outcome: CheckOutcome | None
) -> bool | None:
    """Rotten (True), healthy (False), or not counted (None): the rule above."""
    effective = override or state
    if effective is LinkState.DEAD:
        return True
    if effective is LinkState.ALIVE:
        return False
    if override is None and last_outcome in BROKEN:
        return True
    return None


def _failing_unpinned() -> ColumnElement[bool]:
    return and_(
        Link.override_state.is_(None),
        Link.last_outcome.is_not(None),
        Link.last_outcome.in_(sorted(BROKEN)),
    )


def rotten_sql() -> ColumnElement[bool]:
    """SQL: the link is rotten (:func:`rot_verdict` is True)."""
    return or_(Link.effective_state == LinkState.DEAD, _failing_unpinned())


def counted_sql() -> ColumnElement[bool]:
    """SQL: the link counts toward the rot rate (:func:`rot_verdict` is not None)."""
    return or_(Link.effective_state.in_([LinkState.DEAD, LinkState.ALIVE]), _failing_unpinned())


def rate(rotten: int, counted: int) -> float | None:
    """The rot rate, None when no link counts."""
    return rotten / counted if counted else None
