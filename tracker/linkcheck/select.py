"""Which links a command means: every link, the due ones, one URL, one article's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tracker.errors import NotFound
from tracker.models import Article, Citation, Link
from tracker.records import find_link


def all_links(session: Session) -> list[int]:
    return list(session.scalars(select(Link.id).order_by(Link.id)))


def due_links(session: Session, now: datetime, *, limit: int | None = None) -> list[int]:
    """Links whose next check time has come, skipping those a scheduler worker holds."""
    query = (
        select(Link.id)
        .where(or_(Link.next_check_at.is_(None), Link.next_check_at <= now))
        .where(or_(Link.lease_expires_at.is_(None), Link.lease_expires_at <= now))
        .order_by(Link.next_check_at, Link.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def one_link(session: Session, url_or_id: str) -> list[int]:
    return [find_link(session, url_or_id).id]


def article_links(session: Session, article_id: int) -> list[int]:
    if session.get(Article, article_id) is None:
        raise NotFound("article", article_id)
    query = (
        select(Citation.link_id)
        .where(Citation.article_id == article_id, Citation.link_id.is_not(None))
        .distinct()
    )
    return sorted(link_id for link_id in session.scalars(query) if link_id is not None)


def select_links(
    session: Session,
    *,
    every: bool = False,
    due: bool = False,
    link: str | None = None,
    article_id: int | None = None,
    now: datetime,
) -> list[int]:
    """The ids one of ``--all``, ``--due``, ``--link``, ``--article`` names (exactly one)."""
    if link is not None:
        return one_link(session, link)
    if article_id is not None:
        return article_links(session, article_id)
    if due:
        return due_links(session, now)
    if every:
        return all_links(session)
    return []
