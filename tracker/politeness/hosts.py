"""Hosts and their due links under leases in the shared database.

A worker *holds* a host (``hosts.lease_owner``) while it checks the host's due links, so one
worker at a time talks to a host and applies its concurrency and rate; the next holder starts
from the host's ``next_allowed_at``. A 429, 503 or ``Retry-After`` sets ``paused_until``: no
worker claims the host before then. Links of a held host are still claimed under their own
lease (``links.lease_owner``), which the write of their result clears, so a worker that dies
leaves leases that expire and nothing is lost or checked twice.

On PostgreSQL the claims are ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)``:
claimers never wait for each other nor take the same row. On SQLite they run under
``BEGIN IMMEDIATE`` (:meth:`Database.transaction`). Times are the database's clock
(:func:`database_now`), so machines whose clocks disagree still agree on leases and pauses.

Lease columns are in no index (migration 0008), so taking and renewing leases are HOT updates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tracker.db import insert_ignore
from tracker.models import Host, Link
from tracker.schedule.leases import database_now

ADOPT_CHUNK = 2000
IN_CHUNK = 1000
REASON_CHARS = 200


def host_key(url: str) -> str:
    """The host a URL is polite to: its origin (scheme, host, port), as the checker groups."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class HeldHost:
    """A host just claimed: its id, key, and seconds before it may be asked (rate, pause)."""

    id: int
    key: str
    wait: float


def adopt_links(session: Session) -> int:
    """Give scheduled links that have none their host row; how many were given one.

    Links are created by ingest, citations and claims, which know nothing of hosts; the
    claimers adopt them here, each link once (a second claimer waits for the first, then
    finds the links adopted, so no claimer sees due links without their host).
    """
    adopted = 0
    while True:
        rows = session.execute(
            select(Link.id, Link.url)
            .where(Link.host_id.is_(None), Link.next_check_at.is_not(None))
            .order_by(Link.id)
            .limit(ADOPT_CHUNK)
            .with_for_update()  # wait for another adopter: its links are then adopted
        ).all()
        if not rows:
            return adopted
        keys = {int(row.id): host_key(row.url) for row in rows}
        wanted = sorted(set(keys.values()))
        insert_ignore(session, Host, [{"key": key} for key in wanted])
        found = session.execute(select(Host.key, Host.id).where(Host.key.in_(wanted)))
        ids = {str(key): int(host_id) for key, host_id in found}
        session.execute(
            update(Link).execution_options(synchronize_session=False),
            [{"id": link_id, "host_id": ids[key]} for link_id, key in keys.items()],
        )
        adopted += len(rows)
        if len(rows) < ADOPT_CHUNK:
            return adopted


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(Host.lease_expires_at.is_(None), Host.lease_expires_at <= now)


def _link_free(now: datetime) -> ColumnElement[bool]:
    return or_(Link.lease_expires_at.is_(None), Link.lease_expires_at <= now)


def claim_hosts(session: Session, owner: str, limit: int, lease_seconds: float) -> list[HeldHost]:
    """Hold up to ``limit`` hosts that have due links, are free and not paused (the host whose
    link is most overdue first)."""
    now = database_now(session)
    has_due = (
        select(Link.id)
        .where(Link.host_id == Host.id, Link.next_check_at <= now, _link_free(now))
        .exists()
    )
    oldest = (
        select(func.min(Link.next_check_at))
        .where(Link.host_id == Host.id, Link.next_check_at.is_not(None))
        .scalar_subquery()
    )
    picked = (
        select(Host.id)
        .where(_free(now), or_(Host.paused_until.is_(None), Host.paused_until <= now), has_due)
        .order_by(oldest)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Host)
        .scalar_subquery()
    )
    rows = session.execute(
        update(Host)
        .where(Host.id.in_(picked))
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(Host.id, Host.key, Host.next_allowed_at, Host.paused_until)
        .execution_options(synchronize_session=False)
    ).all()
    held = []
    for host_id, key, allowed, paused in rows:
        starts = max([now, *(when for when in (allowed, paused) if when is not None)])
        held.append(HeldHost(int(host_id), str(key), (starts - now).total_seconds()))
    return sorted(held, key=lambda host: host.id)


def claim_links(
    session: Session, owner: str, host_id: int, limit: int, lease_seconds: float
) -> list[int]:
    """Lease up to ``limit`` due links of a host ``owner`` holds (most overdue first)."""
    now = database_now(session)
    holds = (
        select(Host.id)
        .where(Host.id == host_id, Host.lease_owner == owner, Host.lease_expires_at > now)
        .exists()
    )
    picked = (
        select(Link.id)
        .where(Link.host_id == host_id, Link.next_check_at <= now, _link_free(now), holds)
        .order_by(Link.next_check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    ids = session.scalars(
        update(Link)
        .where(Link.id.in_(picked))
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(Link.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(int(link_id) for link_id in ids)


def renew(
    session: Session,
    owner: str,
    host_ids: Iterable[int],
    link_ids: Sequence[int],
    lease_seconds: float,
) -> set[int]:
    """Push ``owner``'s leases on these hosts and links forward; the hosts it still holds."""
    expires = database_now(session) + timedelta(seconds=lease_seconds)
    wanted = list(host_ids)
    held: set[int] = set()
    if wanted:
        held = {
            int(host_id)
            for host_id in session.scalars(
                update(Host)
                .where(Host.id.in_(wanted), Host.lease_owner == owner)
                .values(lease_expires_at=expires)
                .returning(Host.id)
                .execution_options(synchronize_session=False)
            )
        }
    for start in range(0, len(link_ids), IN_CHUNK):
        session.execute(
            update(Link)
            .where(Link.id.in_(list(link_ids[start : start + IN_CHUNK])), Link.lease_owner == owner)
            .values(lease_expires_at=expires)
            .execution_options(synchronize_session=False)
        )
    return held


def release_hosts(session: Session, owner: str, waits: Mapping[int, float]) -> None:
    """Let go of hosts; each may be asked again ``waits[id]`` seconds from now (its rate)."""
    if not waits:
        return
    now = database_now(session)
    statement = (
        update(Host)
        .where(Host.id == bindparam("host_id"), Host.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None, next_allowed_at=bindparam("next_allowed"))
        .execution_options(synchronize_session=False)
    )
    session.connection().execute(
        statement,
        [
            {"host_id": host_id, "next_allowed": now + timedelta(seconds=max(0.0, wait))}
            for host_id, wait in sorted(waits.items())
        ],
    )


def release_links(session: Session, owner: str, link_ids: Sequence[int]) -> int:
    """Drop ``owner``'s leases on links it claimed but will not check (stopping, a pause)."""
    released = 0
    for start in range(0, len(link_ids), IN_CHUNK):
        result = session.execute(
            update(Link)
            .where(Link.id.in_(list(link_ids[start : start + IN_CHUNK])), Link.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
        released += int(result.rowcount)  # type: ignore[attr-defined]
    return released


def release_all(session: Session, owner: str) -> tuple[int, int]:
    """Drop every lease ``owner`` holds (hosts, links): a restarted or interrupted worker."""
    hosts = session.execute(
        update(Host)
        .where(Host.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    links = session.execute(
        update(Link)
        .where(Link.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(hosts.rowcount), int(links.rowcount)  # type: ignore[attr-defined]


def pause(session: Session, key: str, seconds: float, reason: str) -> datetime:
    """Pause host ``key`` for every worker for ``seconds`` (never shortening a longer pause);
    when it may be asked again."""
    now = database_now(session)
    until = now + timedelta(seconds=seconds)
    insert_ignore(session, Host, [{"key": key}])
    session.execute(
        update(Host)
        .where(Host.key == key, or_(Host.paused_until.is_(None), Host.paused_until < until))
        .values(paused_until=until, pause_reason=reason[:REASON_CHARS])
        .execution_options(synchronize_session=False)
    )
    return until


@dataclass(frozen=True)
class PausedHost:
    key: str
    paused_until: datetime
    reason: str | None


def paused_hosts(session: Session) -> list[PausedHost]:
    """Hosts paused now, the longest pause first."""
    now = database_now(session)
    rows = session.execute(
        select(Host.key, Host.paused_until, Host.pause_reason)
        .where(Host.paused_until > now)
        .order_by(Host.paused_until.desc(), Host.key)
    ).all()
    return [PausedHost(str(key), until, reason) for key, until, reason in rows]


def due_by_host(session: Session) -> dict[str | None, int]:
    """Due links per host key (None: links not adopted by a claimer yet)."""
    now = database_now(session)
    rows = session.execute(
        select(Host.key, func.count())
        .select_from(Link)
        .outerjoin(Host, Host.id == Link.host_id)
        .where(and_(Link.next_check_at <= now, _link_free(now)))
        .group_by(Host.key)
    ).all()
    return {key: int(count) for key, count in rows}
