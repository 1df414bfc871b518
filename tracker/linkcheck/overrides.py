"""Human corrections: pin a link's state, and mark a domain's failures as inconclusive.

Checkers are wrong sometimes (bot walls, paywalls). An override pins the state until a
reviewer clears it; the checks go on underneath, so clearing restores the state they support.
Both kinds of correction are recorded as SourceEvents on the link's domain (who, when, why).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.enums import LinkState, Role, SourceEventAction
from tracker.errors import InvalidInput, NotFound
from tracker.linkcheck.rereview import Trigger, flag_claims
from tracker.linkcheck.state import DeathRule, Health, derive_state
from tracker.models import Link, Reviewer, Source, SourceEvent
from tracker.records import find_link, get_reviewer
from tracker.settings import Settings
from tracker.urls import InvalidURL, registrable_domain

OVERRIDE_STATES = (LinkState.ALIVE, LinkState.DEAD)


def _required_note(note: str | None) -> str:
    if not note or not note.strip():
        raise InvalidInput("a note saying why is required (--note TEXT)")
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


def _event(
    session: Session,
    link: Link,
    reviewer: Reviewer | None,
    *,
    old: str | None,
    new: str | None,
    note: str,
) -> None:
    if link.source_id is None:
        return
    session.add(
        SourceEvent(
            source_id=link.source_id,
            reviewer_id=reviewer.id if reviewer else None,
            actor=reviewer.name if reviewer else "cli",
            action=SourceEventAction.NOTE,
            old_value=old,
            new_value=new,
            note=f"{note} ({link.url})",
        )
    )


def set_override(
    session: Session,
    url_or_id: str,
    *,
    state: LinkState,
    reviewer: str,
    note: str | None,
    now: datetime,
) -> Link:
    """Pin ``state`` on a link; a pinned ``dead`` sends verdicts resting on it to re-review."""
    if state not in OVERRIDE_STATES:
        raise InvalidInput("an override state is alive or dead")
    text = _required_note(note)
    who = get_reviewer(session, reviewer, may=Role.REVIEWER)
    link = find_link(session, url_or_id)
    before = link.state
    link.override_state = state
    link.override_note = text
    link.override_by_id = who.id
    link.override_at = now
    link.state = state
    _event(session, link, who, old=before.value, new=f"override:{state.value}", note=text)
    if state is LinkState.DEAD and before is not LinkState.DEAD:
        flag_claims(
            session,
            [Trigger(link.id, link.url, "dead", f"reviewer {who.name} marked the source dead")],
        )
    session.flush()
    return link


def clear_override(
    session: Session, url_or_id: str, *, reviewer: str, note: str | None, settings: Settings
) -> Link:
    """Remove a pinned state; the link takes the state its checks support again."""
    who = get_reviewer(session, reviewer, may=Role.REVIEWER)
    link = find_link(session, url_or_id)
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
        who,
        old=f"override:{old.value}",
        new=link.state.value,
        note=(note or "").strip() or "override cleared",
    )
    session.flush()
    return link


def ignore_domain(
    session: Session,
    domain: str,
    *,
    undo: bool,
    reviewer: str | None,
    note: str | None,
    settings: Settings,
) -> Source:
    """Mark (or unmark) a domain's check failures as inconclusive; re-derive its links' states."""
    try:
        name = registrable_domain(domain.strip())
    except InvalidURL as exc:
        raise InvalidInput(f"invalid domain {domain!r}: {exc}") from None
    source = session.scalar(select(Source).where(Source.domain == name))
    if source is None:
        raise NotFound("domain", name)
    who = get_reviewer(session, reviewer, may=Role.REVIEWER) if reviewer else None
    old = source.ignore_failures
    source.ignore_failures = not undo
    session.add(
        SourceEvent(
            source_id=source.id,
            reviewer_id=who.id if who else None,
            actor=who.name if who else "cli",
            action=SourceEventAction.IGNORE_FAILURES,
            old_value=str(old).lower(),
            new_value=str(not undo).lower(),
            note=(note or "").strip() or None,
        )
    )
    session.flush()
    for link in session.scalars(select(Link).where(Link.source_id == source.id)):
        if link.override_state is None:
            link.state = natural_state(link, settings)
    session.flush()
    return source
