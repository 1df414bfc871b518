"""The people who review: adding them with a role, listing them, checking what they may do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.db import Database
from tracker.enums import Role
from tracker.errors import InvalidInput
from tracker.models import Reviewer, utcnow
from tracker.records import get_reviewer

NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 320
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ReviewerView:
    id: int
    name: str
    email: str | None
    role: Role
    created_at: datetime

    @classmethod
    def of(cls, reviewer: Reviewer) -> ReviewerView:
        return cls(reviewer.id, reviewer.name, reviewer.email, reviewer.role, reviewer.created_at)


def parse_role(value: str | Role) -> Role:
    if isinstance(value, Role):
        return value
    try:
        return Role(value.strip().lower())
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise InvalidInput(f"invalid role {value!r}: choose one of {choices}") from None


def add_reviewer(
    database: Database, name: str, *, email: str | None = None, role: str | Role = Role.REVIEWER
) -> ReviewerView:
    """Register a reviewer; names are unique because events name their actor by it."""
    name = name.strip()
    if not name:
        raise InvalidInput("a reviewer needs a name")
    if len(name) > NAME_MAX_LENGTH or any(not char.isprintable() for char in name):
        raise InvalidInput(f"invalid reviewer name {name!r}: printable, at most 200 characters")
    if name.startswith("system:"):
        raise InvalidInput("names starting with 'system:' are reserved for the tracker itself")
    if email is not None:
        email = email.strip()
        if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.match(email):
            raise InvalidInput(f"invalid email address {email!r}")
    parsed_role = parse_role(role)
    try:
        with database.transaction() as session:
            if session.scalar(select(Reviewer.id).where(Reviewer.name == name)) is not None:
                raise InvalidInput(f"reviewer {name} already exists")
            reviewer = Reviewer(name=name, email=email, role=parsed_role, created_at=utcnow())
            session.add(reviewer)
            session.flush()
            return ReviewerView.of(reviewer)
    except IntegrityError as exc:  # another process added the same name meanwhile
        raise InvalidInput(f"reviewer {name} already exists") from exc


def list_reviewers(database: Database) -> list[ReviewerView]:
    with database.reading() as session:
        reviewers = session.scalars(select(Reviewer).order_by(Reviewer.name)).all()
        return [ReviewerView.of(reviewer) for reviewer in reviewers]


def require_reviewer(database: Database, name: str, *, may: Role = Role.REVIEWER) -> ReviewerView:
    """Refuse early (before an interactive session starts) a reviewer who may not act."""
    with database.reading() as session:
        return ReviewerView.of(get_reviewer(session, name, may=may))
