"""Pruning check history: what a link's record needs forever, and what may go after N days.

Kept for ever, per link: its first check, every check whose state differs from the check
before it (whose outcome differs, for checks recorded before states were), and its latest
``keep_latest`` checks; everything newer than the cut-off. The rest are routine repeats ("ok"
again and again) that no timeline, rot rate or report needs. Only ``link_checks`` is touched:
claim history, verdicts and every other event stay.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from tracker.linkcheck.views import PruneReport
from tracker.models import LinkCheck

LINKS_PER_STEP = 2000

# Portable SQL (window functions: SQLite 3.25+, PostgreSQL): the checks of a range of links
# that no rule keeps.
_PRUNABLE = text(
    """
    SELECT id FROM (
        SELECT id, checked_at, state, outcome,
               LAG(state) OVER by_time AS previous_state,
               LAG(outcome) OVER by_time AS previous_outcome,
               ROW_NUMBER() OVER (PARTITION BY link_id ORDER BY checked_at DESC, id DESC)
                   AS newest
        FROM link_checks
        WHERE link_id >= :first AND link_id < :after
        WINDOW by_time AS (PARTITION BY link_id ORDER BY checked_at, id)
    ) AS ranked
    WHERE checked_at < :cutoff
      AND newest > :keep_latest
      AND previous_outcome IS NOT NULL
      AND CASE
            WHEN state IS NOT NULL AND previous_state IS NOT NULL
                THEN state = previous_state
            ELSE outcome = previous_outcome
          END
    """
)

Progress = Callable[[int, int], None]


def prune_checks(
    session: Session,
    cutoff: datetime,
    keep_latest: int,
    progress: Progress | None = None,
) -> PruneReport:
    """Delete the checks no rule keeps, link range by link range, in the caller's transaction."""
    before = session.scalar(select(func.count()).select_from(LinkCheck)) or 0
    low, high = session.execute(
        select(func.min(LinkCheck.link_id), func.max(LinkCheck.link_id))
    ).one()
    deleted = 0
    if low is not None and high is not None:
        span = int(high) - int(low) + 1
        for first in range(int(low), int(high) + 1, LINKS_PER_STEP):
            after = first + LINKS_PER_STEP
            ids = list(
                session.scalars(
                    _PRUNABLE,
                    {"first": first, "after": after, "cutoff": cutoff, "keep_latest": keep_latest},
                )
            )
            for start in range(0, len(ids), 1000):
                chunk = ids[start : start + 1000]
                session.execute(delete(LinkCheck).where(LinkCheck.id.in_(chunk)))
            deleted += len(ids)
            if progress is not None:
                progress(min(after, int(high) + 1) - int(low), span)
    return PruneReport(int(before), deleted, cutoff)
