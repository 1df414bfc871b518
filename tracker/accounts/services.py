"""The accounts services: passwords, logging in and out, web sessions, API tokens.

Every function takes ``(database, ...)``; those that change an account take the acting
``actor`` too. Setting a password or issuing a token for a reviewer may be done by that
reviewer or by an admin (or by anyone while the database has no admin, as for adding
reviewers). Logging in is rate-limited in the database: failed attempts are counted per name
and per address over :data:`LOGIN_WINDOW`, so every server thread and process agrees.

No hand-written crypto: argon2-cffi hashes passwords (its defaults, RFC 9106's low-memory
profile); session and API tokens are ``secrets.token_urlsafe(32)``, stored as their SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tracker.accounts.models import ApiToken, LoginAttempt, ReviewerPassword, WebSession
from tracker.accounts.views import Account, IssuedToken, LoginResult, PasswordSet, TokenView
from tracker.actors import Actor
from tracker.db import Database
from tracker.enums import Role
from tracker.errors import InvalidInput, NotAuthenticated, NotFound, TooManyAttempts
from tracker.models import Reviewer, utcnow
from tracker.review.reviewers import authorize, find_reviewer

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024
SESSION_LIFETIME = timedelta(hours=12)
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_PER_ADDRESS = 30
TOKEN_USE_RECORDED_EVERY = timedelta(minutes=5)
ADDRESS_MAX_LENGTH = 64
LOGIN_FAILED = "wrong name or password"


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the name has no password, so both cases take as long."""
    return _hasher().hash(secrets.token_urlsafe(16))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _account(reviewer: Reviewer) -> Account:
    return Account(reviewer.id, reviewer.name, reviewer.role)


def _may_manage(session: Session, actor: Actor, reviewer: Reviewer, what: str) -> None:
    """The reviewer themselves, an admin, or anyone while no admin exists."""
    if not actor.is_system and actor.name == reviewer.name:
        return
    has_admin = session.scalar(select(Reviewer.id).where(Reviewer.role == Role.ADMIN).limit(1))
    if has_admin is None:
        return
    authorize(session, actor, Role.ADMIN, action=f"{what} for {reviewer.name}")


def check_password(password: str) -> str:
    """``password`` if it may be set; InvalidInput saying why not."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidInput(f"a password needs at least {PASSWORD_MIN_LENGTH} characters")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidInput(f"a password has at most {PASSWORD_MAX_LENGTH} characters")
    if not password.strip():
        raise InvalidInput("a password cannot be only spaces")
    return password


# Passwords and logging in -------------------------------------------------------------------


def set_password(database: Database, actor: Actor, name: str, password: str) -> PasswordSet:
    """Set (or change) ``name``'s password; every web session they had is revoked."""
    check_password(password)
    hashed = _hasher().hash(password)
    with database.transaction() as session:
        reviewer = find_reviewer(session, name)
        _may_manage(session, actor, reviewer, "set the password")
        row = session.get(ReviewerPassword, reviewer.id)
        if row is None:
            session.add(ReviewerPassword(reviewer_id=reviewer.id, password_hash=hashed))
        else:
            row.password_hash = hashed
            row.changed_at = utcnow()
        revoked = _revoke_sessions(session, reviewer.id)
        return PasswordSet(reviewer.name, revoked)


def login(database: Database, name: str, password: str, *, address: str) -> LoginResult:
    """A new web session for ``name`` if ``password`` is theirs.

    Refused with :class:`TooManyAttempts` (before the password is even checked) after
    :data:`MAX_FAILURES_PER_NAME` failures for the name, or :data:`MAX_FAILURES_PER_ADDRESS`
    from the address, within :data:`LOGIN_WINDOW`; with :class:`NotAuthenticated` for a wrong
    name or password (the same message for both). Every attempt is recorded.
    """
    # NUL cannot be stored in PostgreSQL text; no name or address holds one.
    name = name.replace("\x00", "").strip()[:200]
    address = address.replace("\x00", "")[:ADDRESS_MAX_LENGTH]
    # The attempt is recorded, as failed, and committed before anything is counted: of N
    # guesses racing in parallel, the k-th to commit counts at least k, so no more than the
    # limit get their password checked (counting first let every racer through).
    with database.transaction() as session:
        attempt = LoginAttempt(name=name, address=address, succeeded=False, at=utcnow())
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id
    with database.reading() as session:
        _check_rate(session, name, address)
        reviewer = session.scalar(select(Reviewer).where(Reviewer.name == name))
        stored = session.get(ReviewerPassword, reviewer.id) if reviewer is not None else None
        hashed = stored.password_hash if stored is not None else _dummy_hash()
        account = _account(reviewer) if reviewer is not None else None
    try:
        verified = _hasher().verify(hashed, password) and stored is not None
    except (VerificationError, InvalidHashError):
        verified = False
    if not verified or account is None:
        raise NotAuthenticated(LOGIN_FAILED)
    with database.transaction() as session:
        session.execute(
            update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=True)
        )
        token = secrets.token_urlsafe(32)
        expires = utcnow() + SESSION_LIFETIME
        session.add(
            WebSession(
                reviewer_id=account.reviewer_id, token_hash=token_hash(token), expires_at=expires
            )
        )
    return LoginResult(account, token, expires)


def _check_rate(session: Session, name: str, address: str) -> None:
    since = utcnow() - LOGIN_WINDOW
    failed = select(func.count(LoginAttempt.id)).where(
        LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
    )
    # The attempt being made is among those counted (recorded as failed until it succeeds).
    by_name = session.scalar(failed.where(LoginAttempt.name == name)) or 0
    by_address = session.scalar(failed.where(LoginAttempt.address == address)) or 0
    if by_name > MAX_FAILURES_PER_NAME or by_address > MAX_FAILURES_PER_ADDRESS:
        minutes = int(LOGIN_WINDOW.total_seconds() // 60)
        raise TooManyAttempts(
            f"too many failed logins in the last {minutes} minutes: wait and try again"
        )


def session_account(database: Database, token: str | None) -> Account | None:
    """Whose web session ``token`` is, or None (unknown, expired, revoked)."""
    if not token:
        return None
    with database.reading() as session:
        row = session.execute(
            select(WebSession, Reviewer)
            .join(Reviewer, Reviewer.id == WebSession.reviewer_id)
            .where(WebSession.token_hash == token_hash(token))
        ).first()
        if row is None:
            return None
        web_session, reviewer = row
        if web_session.revoked_at is not None or web_session.expires_at <= utcnow():
            return None
        return _account(reviewer)


def logout(database: Database, token: str | None) -> bool:
    """End the web session ``token`` (True when there was one to end)."""
    if not token:
        return False
    with database.transaction() as session:
        result = session.execute(
            update(WebSession)
            .where(WebSession.token_hash == token_hash(token), WebSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))


def _revoke_sessions(session: Session, reviewer_id: int) -> int:
    result = session.execute(
        update(WebSession)
        .where(WebSession.reviewer_id == reviewer_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0))


# API tokens ---------------------------------------------------------------------------------


def issue_token(
    database: Database, actor: Actor, name: str, *, label: str | None = None
) -> IssuedToken:
    """A new bearer token acting as ``name`` (shown once; only its hash is kept)."""
    label = (label or "").strip()[:200] or None
    token = secrets.token_urlsafe(32)
    with database.transaction() as session:
        reviewer = find_reviewer(session, name)
        _may_manage(session, actor, reviewer, "issue API tokens")
        row = ApiToken(
            reviewer_id=reviewer.id, token_hash=token_hash(token), label=label, created_at=utcnow()
        )
        session.add(row)
        session.flush()
        return IssuedToken(row.id, reviewer.name, label, token, row.created_at)


def list_tokens(database: Database, actor: Actor, name: str | None = None) -> list[TokenView]:
    """API tokens (of one reviewer, or all), revoked ones included; never the tokens."""
    with database.reading() as session:
        query = (
            select(ApiToken, Reviewer.name)
            .join(Reviewer, Reviewer.id == ApiToken.reviewer_id)
            .order_by(ApiToken.id)
        )
        if name is not None:
            reviewer = find_reviewer(session, name)
            _may_manage(session, actor, reviewer, "list API tokens")
            query = query.where(ApiToken.reviewer_id == reviewer.id)
        else:
            authorize(session, actor, Role.ADMIN, action="list every API token")
        return [
            TokenView(row.id, owner, row.label, row.created_at, row.last_used_at, row.revoked_at)
            for row, owner in session.execute(query)
        ]


def revoke_token(database: Database, actor: Actor, token_id: int) -> TokenView:
    """Revoke an API token: from now on it answers 401."""
    with database.transaction() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound("API token", token_id)
        _may_manage(session, actor, row.reviewer, "revoke API tokens")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        return TokenView(
            row.id, row.reviewer.name, row.label, row.created_at, row.last_used_at, row.revoked_at
        )


def token_account(database: Database, token: str | None) -> Account | None:
    """Whose API token ``token`` is, or None (unknown or revoked).

    Its last use is recorded at most every :data:`TOKEN_USE_RECORDED_EVERY`, so a busy client
    does not turn every read into a write.
    """
    if not token:
        return None
    digest = token_hash(token)
    with database.reading() as session:
        row = session.execute(
            select(ApiToken, Reviewer)
            .join(Reviewer, Reviewer.id == ApiToken.reviewer_id)
            .where(ApiToken.token_hash == digest)
        ).first()
        if row is None or row[0].revoked_at is not None:
            return None
        api_token, reviewer = row
        account = _account(reviewer)
        token_id = api_token.id
        last_used: datetime | None = api_token.last_used_at
    now = utcnow()
    if last_used is None or now - last_used >= TOKEN_USE_RECORDED_EVERY:
        with database.transaction() as session:
            session.execute(
                update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
            )
    return account


def forget_login_attempts(database: Database, *, older_than: timedelta = LOGIN_WINDOW) -> int:
    """Delete login attempts the rate limit no longer looks at (the server does it hourly)."""
    from sqlalchemy import delete

    with database.transaction() as session:
        result = session.execute(
            delete(LoginAttempt).where(LoginAttempt.at < utcnow() - older_than)
        )
        return int(getattr(result, "rowcount", 0))
