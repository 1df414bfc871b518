"""Leases on due links: how several workers share the checking without doing any link twice.

A worker claims a batch of due links in one transaction by writing its name and an expiry
into ``Link.lease_owner`` / ``Link.lease_expires_at``; while the lease runs no other worker
claims them. When the batch is checked the worker releases the leases (the checker has moved
``next_check_at`` forward, so the links are no longer due). A worker that dies leaves leases
that simply expire, and the links are claimed again.

On PostgreSQL the claim is ``SELECT ... FOR UPDATE SKIP LOCKED`` inside an ``UPDATE``, so
concurrent claimers never wait for each other nor take the same row, and lease times come
from the database's clock, so workers on machines whose clocks disagree still agree on when a
lease ends. On SQLite the claim runs under ``BEGIN IMMEDIATE`` (one writer at a time) and one
scheduler process per database is the documented limit (see :mod:`tracker.schedule.locks`).

Due means ``next_check_at <= now`` and no live lease. A link whose ``next_check_at`` is NULL is
not scheduled (it was retired: nothing cites it). A link pinned by a human override is still
claimed and checked: its history keeps growing and the checker keeps its own state up to date
underneath the pinned one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Update, and_, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tracker.db import Database
from tracker.models import Link, utcnow


def database_now(session: Session) -> datetime:
    """The clock leases are measured with: the server's on PostgreSQL, ours on SQLite.

    ``statement_timestamp()``, not ``now()``: the time of this statement, even inside a long
    transaction (``now()`` is when the transaction began).
    """
    if session.get_bind().dialect.name == "postgresql":
        now: datetime = session.execute(select(func.statement_timestamp())).scalar_one()
        return now
    return utcnow()


def is_due(now: datetime) -> ColumnElement[bool]:
    """Due now: written so that ``ix_links_due (next_check_at, lease_expires_at)`` serves it."""
    return and_(
        Link.next_check_at <= now,
        or_(Link.lease_expires_at.is_(None), Link.lease_expires_at <= now),
    )


def claim_statement(owner: str, limit: int, now: datetime, lease: timedelta) -> Update:
    """One statement that picks up to ``limit`` due links, oldest due first, and leases them."""
    due = (
        select(Link.id)
        .where(is_due(now))
        .order_by(Link.next_check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)  # rendered on PostgreSQL, ignored by SQLite
        .scalar_subquery()
    )
    return (
        update(Link)
        .where(Link.id.in_(due))
        .values(lease_owner=owner, lease_expires_at=now + lease)
        .returning(Link.id)
        .execution_options(synchronize_session=False)
    )


def claim_due(
    database: Database,
    owner: str,
    limit: int,
    lease_seconds: float,
    *,
    now: datetime | None = None,
) -> list[int]:
    """Lease up to ``limit`` due links to ``owner`` (the most overdue ones); their ids, in
    ascending order (the checker orders its work itself, slowest link first)."""
    with database.transaction() as session:
        clock = now or database_now(session)
        statement = claim_statement(owner, limit, clock, timedelta(seconds=lease_seconds))
        ids = list(session.scalars(statement))
    return sorted(ids)


def renew(database: Database, owner: str, link_ids: Sequence[int], lease_seconds: float) -> int:
    """Push the expiry of ``owner``'s leases on ``link_ids`` forward; how many it still held."""
    if not link_ids:
        return 0
    with database.transaction() as session:
        expires = database_now(session) + timedelta(seconds=lease_seconds)
        result = session.execute(
            update(Link)
            .where(Link.id.in_(list(link_ids)), Link.lease_owner == owner)
            .values(lease_expires_at=expires)
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount)  # type: ignore[attr-defined]


def release(database: Database, owner: str, link_ids: Sequence[int] | None = None) -> int:
    """Drop ``owner``'s leases (on ``link_ids``, or all of them); how many were released.

    Only leases still held by ``owner`` are touched: if one expired and another worker took
    the link meanwhile, that worker's lease stands.
    """
    if link_ids is not None and not link_ids:
        return 0
    conditions = [Link.lease_owner == owner]
    if link_ids is not None:
        conditions.append(Link.id.in_(list(link_ids)))
    with database.transaction() as session:
        result = session.execute(
            update(Link)
            .where(*conditions)
            .values(lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount)  # type: ignore[attr-defined]


def count_due(database: Database) -> int:
    with database.reading() as session:
        now = database_now(session)
        return session.execute(select(func.count()).where(is_due(now))).scalar_one()


@dataclass(frozen=True)
class LeaseHolding:
    """The leases one owner holds: how many, when the first and last end, how many ran out."""

    owner: str
    links: int
    expired: int
    first_expiry: datetime | None
    last_expiry: datetime | None


def leases_by_owner(database: Database) -> list[LeaseHolding]:
    with database.reading() as session:
        now = database_now(session)
        rows = session.execute(
            select(
                Link.lease_owner,
                func.count(),
                func.count().filter(Link.lease_expires_at <= now),
                func.min(Link.lease_expires_at),
                func.max(Link.lease_expires_at),
            )
            .where(Link.lease_owner.is_not(None))
            .group_by(Link.lease_owner)
            .order_by(Link.lease_owner)
        ).all()
    return [
        LeaseHolding(str(owner), int(links), int(expired), first, last)
        for owner, links, expired, first, last in rows
    ]
