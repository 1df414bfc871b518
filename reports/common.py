"""Small presentation rules shared by every renderer: labels, dates, which URLs may be links."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from tracker.enums import CheckOutcome, ClaimStatus, LinkState
from tracker.ratings import rating_for

STATE_LABELS = {
    LinkState.UNCHECKED: "Unchecked",
    LinkState.ALIVE: "Alive",
    LinkState.AT_RISK: "At risk",
    LinkState.DEAD: "Dead",
}

WORKFLOW_LABELS = {
    ClaimStatus.UNVERIFIED: "Unverified",
    ClaimStatus.IN_REVIEW: "In review",
    ClaimStatus.REJECTED: "Rejected (not a claim)",
}


def status_label(status: ClaimStatus | str) -> str:
    """A verdict's rating name (the one ClaimReview publishes), or the workflow state."""
    status = ClaimStatus(status)
    rating = rating_for(status)
    if rating is not None:
        return rating.name
    return WORKFLOW_LABELS[status]


def state_label(state: LinkState | str) -> str:
    return STATE_LABELS[LinkState(state)]


def outcome_label(outcome: CheckOutcome | None) -> str:
    return outcome.value.replace("_", " ") if outcome else "-"


def fmt_datetime(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def fmt_date(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "-"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def linkable(url: str | None) -> str | None:
    """``url`` when it is safe to make clickable (http or https), else None.

    Raw citation URLs come from scraped pages and may hold ``javascript:`` or ``data:``.
    """
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https"} else None
