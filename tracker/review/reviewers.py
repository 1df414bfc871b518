"""Who may do what: the reviewer behind an actor, its role, and the one role check every service
makes before it writes (or reads).

Roles rank viewer < reviewer < admin. System actors (``system:checker`` ...) have no row; a
service says which of its actions they may take.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.actors import SYSTEM_PREFIX, Actor
from tracker.enums import Role
from tracker.errors import InvalidInput, NotFound, PermissionDenied
from tracker.models import Reviewer

NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 320
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ROLE_RANK = {Role.VIEWER: 0, Role.REVIEWER: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Acting:
    """An actor cleared for an action: the name history rows record, and its reviewer row."""

    name: str
    reviewer_id: int | None
    role: Role | None

    @property
    def is_system(self) -> bool:
        return self.reviewer_id is None

    @classmethod
    def system(cls, actor: Actor) -> Acting:
        """A system actor, for the tracker's own records (extraction, re-review flags)."""
        return cls(actor.name, None, None)


def role_allows(role: Role, needed: Role) -> bool:
    return _ROLE_RANK[role] >= _ROLE_RANK[needed]


def parse_role(value: str | Role) -> Role:
    if isinstance(value, Role):
        return value
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise InvalidInput(f"invalid role {value!r}: choose one of {choices}") from None


def find_reviewer(session: Session, name: str) -> Reviewer:
    reviewer = session.scalar(select(Reviewer).where(Reviewer.name == name.strip()))
    if reviewer is None:
        raise NotFound("reviewer", name.strip())
    return reviewer


def authorize(
    session: Session, actor: Actor, needed: Role, *, system: bool = False, action: str = ""
) -> Acting:
    """Clear ``actor`` for an action needing ``needed``; ``system``: system actors may take it.

    A reviewer actor must name a reviewer whose role is ``needed`` or higher. ``action`` (``"record
    verdicts"``) makes a refusal say what was refused.
    """
    what = f" {action}" if action else " do this"
    if actor.is_system:
        if not system:
            raise PermissionDenied(f"{actor.name} may not{what}: a reviewer must")
        return Acting.system(actor)
    if not actor.name:
        raise InvalidInput("who is acting? a reviewer's name is required")
    reviewer = find_reviewer(session, actor.name)
    if not role_allows(reviewer.role, needed):
        raise PermissionDenied(
            f"reviewer {reviewer.name} has role {reviewer.role.value} and may not{what}: "
            f"this needs {needed.value} or higher"
        )
    return Acting(reviewer.name, reviewer.id, reviewer.role)


def may_read(session: Session, actor: Actor, what: str) -> Acting:
    """Reading: any role may, and the tracker itself (``what``: "claims", "links"...)."""
    return authorize(session, actor, Role.VIEWER, system=True, action=f"read {what}")


def may_change(session: Session, actor: Actor, action: str) -> Acting:
    """What people decide (verdicts, edits, corrections): the reviewer role, never a system."""
    return authorize(session, actor, Role.REVIEWER, action=action)


def check_new_reviewer(name: str, email: str | None) -> tuple[str, str | None]:
    """A new reviewer's name and e-mail, cleaned; InvalidInput for what cannot be stored."""
    name = name.strip()
    if not name:
        raise InvalidInput("a reviewer needs a name")
    if len(name) > NAME_MAX_LENGTH or any(not char.isprintable() for char in name):
        raise InvalidInput(f"invalid reviewer name {name!r}: printable, at most 200 characters")
    if name.startswith(SYSTEM_PREFIX):
        raise InvalidInput("names starting with 'system:' are reserved for the tracker itself")
    if email is not None:
        email = email.strip()
        if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.match(email):
            raise InvalidInput(f"invalid email address {email!r}")
    return name, email
