"""When a link is next due (issue 6's policy; the scheduler only asks which links are due).

* healthy links: the normal interval, stretched by half each time a check finds the link
  healthy again after a healthy gap, up to ``max_check_interval_hours``;
* failing links (blocked and rate-limited ones aside): sooner, with backoff: one hour,
  doubling, capped so that the checks that confirm rot fit in the dead-after window;
* dead links: rarely (``dead_recheck_hours``), to notice resurrection;
* always with +-10% jitter so checks made together spread out.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tracker.enums import LinkState
from tracker.linkcheck.outcomes import SUCCESS
from tracker.linkcheck.state import Health
from tracker.settings import Settings

JITTER = 0.1
FIRST_RETRY_HOURS = 1.0
STRETCH = 1.5


def next_check_at(
    before: Health,
    after: Health,
    *,
    state: LinkState,
    now: datetime,
    settings: Settings,
    rng: random.Random,
) -> datetime:
    hours = interval_hours(before, after, state=state, now=now, settings=settings)
    return now + timedelta(hours=hours) * (1 + rng.uniform(-JITTER, JITTER))


def interval_hours(
    before: Health, after: Health, *, state: LinkState, now: datetime, settings: Settings
) -> float:
    """The gap before the next check, without jitter."""
    normal = settings.check_interval_hours
    if state is LinkState.DEAD:
        return settings.dead_recheck_hours
    if after.last_outcome in SUCCESS:
        healthy_gap = (
            before.last_outcome in SUCCESS
            and before.last_checked_at is not None
            and (now - before.last_checked_at) >= timedelta(hours=normal * (1 - JITTER))
        )
        if not healthy_gap or before.last_checked_at is None:
            return normal
        previous = (now - before.last_checked_at).total_seconds() / 3600
        return max(normal, min(previous * STRETCH, settings.max_check_interval_hours))
    if after.consecutive_failures == 0:
        return normal  # only inconclusive failures (blocked, rate limited): no hurry
    failures = after.consecutive_failures
    window = settings.dead_after_hours / max(settings.dead_after_checks - 1, 1)
    cap = max(min(window, normal), FIRST_RETRY_HOURS)
    return float(min(FIRST_RETRY_HOURS * 2 ** (failures - 1), cap))
