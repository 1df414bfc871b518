"""The accounts tables: a reviewer's password, web sessions, API tokens, login attempts.

Secrets are never stored: passwords as argon2 hashes, session and API tokens as the SHA-256 of
a random ``secrets.token_urlsafe`` (a 256-bit random token needs no slow hash). They register
on the one :data:`tracker.models.Base` metadata, so the migration drift check covers them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models import Base, Reviewer, created_at, intpk, timestamp

TOKEN_HASH_LENGTH = 64  # hex SHA-256


class ReviewerPassword(Base):
    """A reviewer's argon2 password hash (one row per reviewer who may log in)."""

    __tablename__ = "reviewer_passwords"

    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("reviewers.id", ondelete="CASCADE"), primary_key=True
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[created_at]

    reviewer: Mapped[Reviewer] = relationship()


class WebSession(Base):
    """A logged-in browser: the cookie carries the token, the database its hash.

    A new row (a new token) at every login, so a session id planted before login is worthless;
    logout and a password change revoke rows, which a signed cookie alone could not do.
    """

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_reviewer_id", "reviewer_id"),)

    id: Mapped[intpk]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[timestamp]

    reviewer: Mapped[Reviewer] = relationship()


class ApiToken(Base):
    """A bearer token for the JSON API (``fact-tracker reviewers token NAME``), revocable."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_reviewer_id", "reviewer_id"),)

    id: Mapped[intpk]
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(TOKEN_HASH_LENGTH), unique=True)
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[created_at]
    last_used_at: Mapped[timestamp]
    revoked_at: Mapped[timestamp]

    reviewer: Mapped[Reviewer] = relationship()


class LoginAttempt(Base):
    """One login attempt, kept for the rate limit (counted per name and per address)."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_name_at", "name", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[created_at]
    succeeded: Mapped[bool] = mapped_column(Boolean)
