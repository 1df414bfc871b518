"""Human corrections: pin a link's state, and mark a domain's failures as inconclusive.

Checkers are wrong sometimes (bot walls, paywalls). An override pins the *effective* state
until a reviewer clears it; the checks go on underneath and keep the checker's own state
(``Link.state``), so every report can show both. (Clearing still derives the checker's state
once more: links pinned before it was kept had it overwritten.) Both kinds of correction are
recorded as SourceEvents on the link's domain (who, when, why).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.credibility.domains import domain_of
from tracker.credibility.sources import record_source_event
from tracker.enums import LinkState, SourceEventAction
from tracker.errors import InvalidInput, NotFound
from tracker.linkcheck.rereview import Trigger, flag_claims
from tracker.linkcheck.state import DeathRule, Health, derive_state
from tracker.models import Link, Source
from tracker.review.reviewers import Acting
from tracker.settings import Settings

OVERRIDE_STATES = (LinkState.ALIVE, LinkState.DEAD)


def required_note(note: str | None) -> str:
    if not note or not note.strip():
        raise InvalidInput("a note saying why is required")
    return note.strip()


def natural_state(link: Link, settings: Settings) -> LinkState:
    """The state the link's checks support, ignoring any override."""
    health = Health(
        last_outcome=link.last_outcome,
        consecutive_failures=link.consecutive_failures,
        failing_since=link.failing_since,
        first_checked_at=link.first_checked_at,
        last_checked_at=link.last_checked_at,
        last_ok_at=link.last_ok_at,
    )
    ignore = bool(link.source and link.source.ignore_failures)
    return derive_state(health, DeathRule.from_settings(settings), ignore_failures=ignore)


def _event(session: Session, link: Link, acting: Acting, *, old: str, new: str, note: str) -> None:
    if link.source_id is not None:
        record_source_event(
            session,
            link.source_id,
            acting,
            action=SourceEventAction.NOTE,
            old_value=old,
            new_value=new,
            note=f"{note} ({link.url})",
        )


def set_override(
    session: Session, acting: Acting, link: Link, *, state: LinkState, note: str, now: datetime
) -> LinkState:
    """Pin ``state`` on ``link``; a pinned ``dead`` sends verdicts resting on it to re-review.

    Returns the effective state before.
    """
    if state not in OVERRIDE_STATES:
        raise InvalidInput("an override state is alive or dead")
    before = link.effective_state
    link.override_state = state
    link.override_note = note
    link.override_by_id = acting.reviewer_id
    link.override_at = now
    _event(session, link, acting, old=before.value, new=f"override:{state.value}", note=note)
    if state is LinkState.DEAD and before is not LinkState.DEAD:
        flag_claims(
            session,
            [Trigger(link.id, link.url, "dead", f"reviewer {acting.name} marked the source dead")],
        )
    session.flush()
    return before


def clear_override(
    session: Session, acting: Acting, link: Link, *, note: str | None, settings: Settings
) -> LinkState:
    """Remove a pinned state; the link shows the state its checks support. Returns the pin."""
    if link.override_state is None:
        raise InvalidInput(f"link {link.id} has no override to clear")
    old = link.override_state
    link.override_state = None
    link.override_note = None
    link.override_by_id = None
    link.override_at = None
    link.state = natural_state(link, settings)
    _event(
        session,
        link,
        acting,
        old=f"override:{old.value}",
        new=link.state.value,
        note=note or "override cleared",
    )
    session.flush()
    return old


def ignore_domain(
    session: Session,
    acting: Acting,
    domain: str,
    *,
    undo: bool,
    note: str | None,
    settings: Settings,
) -> tuple[Source, bool, int]:
    """Mark (or unmark) a domain's check failures as inconclusive; re-derive its links' states.

    Returns the source, whether it was ignored before, and how many links it has.
    """
    name = domain_of(domain)
    source = session.scalar(select(Source).where(Source.domain == name))
    if source is None:
        raise NotFound("domain", name)
    old = source.ignore_failures
    source.ignore_failures = not undo
    record_source_event(
        session,
        source.id,
        acting,
        action=SourceEventAction.IGNORE_FAILURES,
        old_value=str(old).lower(),
        new_value=str(not undo).lower(),
        note=note,
    )
    session.flush()
    links = list(session.scalars(select(Link).where(Link.source_id == source.id)))
    for link in links:
        link.state = natural_state(link, settings)
    session.flush()
    return source, old, len(links)
