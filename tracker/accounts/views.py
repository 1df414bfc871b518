"""What the accounts services return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.enums import Role


@dataclass(frozen=True)
class Account:
    """Who a session or token belongs to, and what their role lets them do."""

    reviewer_id: int
    name: str
    role: Role

    @property
    def may_review(self) -> bool:
        """Record verdicts, notes and fixes (the reviewer role or higher)."""
        return self.role in (Role.REVIEWER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


@dataclass(frozen=True)
class LoginResult:
    """A new web session: its token goes into the browser's cookie and nowhere else."""

    account: Account
    session_token: str
    expires_at: datetime


@dataclass(frozen=True)
class PasswordSet:
    name: str
    revoked_sessions: int


@dataclass(frozen=True)
class IssuedToken:
    """A new API token; ``token`` is shown once (only its hash is stored)."""

    id: int
    name: str
    label: str | None
    token: str
    created_at: datetime


@dataclass(frozen=True)
class TokenView:
    id: int
    name: str
    label: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
