"""Small shared lookups and writers used by several services (one definition each).

``get_or_create_*`` are safe under concurrent writers: they insert with ON CONFLICT DO
NOTHING and then read the row, so two ingests citing one URL never collide.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.enums import ClaimEventAction, ClaimStatus, Role
from tracker.errors import InvalidInput, NotFound, PermissionDenied
from tracker.models import Claim, ClaimEvent, Link, Reviewer, Source, utcnow
from tracker.urls import normalize_url, registrable_domain

SYSTEM_ACTORS = ("system:extractor", "system:checker", "system:scheduler")


def _insert_ignore(session: Session, model: type[Any], values: dict[str, Any]) -> None:
    insert: Any
    if session.get_bind().dialect.name == "postgresql":  # each dialect imported when used
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())


def get_or_create_source(session: Session, domain: str) -> Source:
    source = session.scalar(select(Source).where(Source.domain == domain))
    if source is None:
        _insert_ignore(session, Source, {"domain": domain, "created_at": utcnow()})
        source = session.scalars(select(Source).where(Source.domain == domain)).one()
    return source


def get_or_create_link(session: Session, url: str) -> Link:
    """The Link row of ``url`` (normalized here); new links are due for a check at once."""
    normalized = normalize_url(url)
    link = session.scalar(select(Link).where(Link.url == normalized))
    if link is None:
        source = get_or_create_source(session, registrable_domain(normalized))
        now = utcnow()
        _insert_ignore(
            session,
            Link,
            {"url": normalized, "source_id": source.id, "next_check_at": now, "created_at": now},
        )
        link = session.scalars(select(Link).where(Link.url == normalized)).one()
    return link


def find_link(session: Session, url_or_id: str) -> Link:
    """A link named by its id or by any spelling of its URL; NotFound otherwise."""
    if url_or_id.isdigit():
        link = session.get(Link, int(url_or_id))
    else:
        link = session.scalar(select(Link).where(Link.url == normalize_url(url_or_id)))
    if link is None:
        raise NotFound("link", url_or_id)
    return link


def get_claim(session: Session, claim_id: int) -> Claim:
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFound("claim", claim_id)
    return claim


def get_reviewer(session: Session, name: str, *, may: Role | None = None) -> Reviewer:
    """The reviewer called ``name``; with ``may``, refuse roles below it."""
    if not name or not name.strip():
        raise InvalidInput("a reviewer name is required (--reviewer NAME)")
    reviewer = session.scalar(select(Reviewer).where(Reviewer.name == name.strip()))
    if reviewer is None:
        raise NotFound("reviewer", name)
    if may is not None and not role_allows(reviewer.role, may):
        raise PermissionDenied(
            f"reviewer {reviewer.name} has role {reviewer.role.value}; "
            f"this needs {may.value} or higher"
        )
    return reviewer


_ROLE_RANK = {Role.VIEWER: 0, Role.REVIEWER: 1, Role.ADMIN: 2}


def role_allows(role: Role, needed: Role) -> bool:
    return _ROLE_RANK[role] >= _ROLE_RANK[needed]


class EventFields(TypedDict, total=False):
    """What a claim event says besides its claim (``actor`` and ``action`` are required)."""

    actor: Required[str]
    action: Required[ClaimEventAction]
    reviewer: Reviewer | None
    old_status: ClaimStatus | None
    new_status: ClaimStatus | None
    note: str | None
    changes: dict[str, Any] | None
    at: datetime | None


def record_claim_event(session: Session, claim: Claim, **fields: Unpack[EventFields]) -> ClaimEvent:
    """Append one history row for ``claim``, in the caller's transaction (``at``: now)."""
    event = ClaimEvent(**claim_event_values(claim.id, claim.version, **fields))
    session.add(event)
    return event


def claim_event_values(
    claim_id: int, version: int, **fields: Unpack[EventFields]
) -> dict[str, Any]:
    """The columns of one history row (for :func:`record_claim_event` and bulk inserts)."""
    reviewer = fields.get("reviewer")
    return {
        "claim_id": claim_id,
        "reviewer_id": reviewer.id if reviewer else None,
        "actor": reviewer.name if reviewer else fields["actor"],
        "action": fields["action"],
        "old_status": fields.get("old_status"),
        "new_status": fields.get("new_status"),
        "note": fields.get("note"),
        "changes": fields.get("changes") or {},
        "version": version,
        "created_at": fields.get("at") or utcnow(),
    }
