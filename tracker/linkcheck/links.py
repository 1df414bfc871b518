"""Link rows: one per normalized URL, shared by every article that cites it.

A link is checked while something cites it (a citation or a claim's source). When the last
one lets go (a citation resolved elsewhere, an article deleted) the link is *retired*: it is no
longer scheduled (``next_check_at`` empty) and ``check --all`` passes it by; its history stays.
Citing it again schedules it at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.orm import Session

from tracker.credibility.sources import get_or_create_source
from tracker.db import insert_ignore
from tracker.errors import NotFound
from tracker.models import Citation, ClaimSource, Link, utcnow
from tracker.urls import normalize_url, registrable_domain


def get_or_create_link(session: Session, url: str) -> Link:
    """The Link row of ``url`` (normalized here); new links are due for a check at once, and a
    retired link cited again is scheduled again."""
    normalized = normalize_url(url)
    link = session.scalar(select(Link).where(Link.url == normalized))
    if link is None:
        source = get_or_create_source(session, registrable_domain(normalized))
        now = utcnow()
        insert_ignore(
            session,
            Link,
            [{"url": normalized, "source_id": source.id, "next_check_at": now, "created_at": now}],
        )
        link = session.scalars(select(Link).where(Link.url == normalized)).one()
    elif link.next_check_at is None:
        link.next_check_at = utcnow()
    return link


def find_link(session: Session, url_or_id: str) -> Link:
    """A link named by its id or by any spelling of its URL; NotFound otherwise."""
    key = url_or_id.strip()
    if key.isdigit():
        link = session.get(Link, int(key))
    else:
        link = session.scalar(select(Link).where(Link.url == normalize_url(key)))
    if link is None:
        raise NotFound("link", key)
    return link


def is_cited() -> ColumnElement[bool]:
    """SQL: something cites the link (a citation, or a claim relying on it)."""
    return or_(
        exists().where(Citation.link_id == Link.id),
        exists().where(ClaimSource.link_id == Link.id),
    )


def retire_uncited(session: Session, link_ids: Iterable[int]) -> list[int]:
    """Stop scheduling those of ``link_ids`` that nothing cites any more; their ids."""
    wanted = sorted(set(link_ids))
    if not wanted:
        return []
    session.flush()
    retired = list(
        session.scalars(select(Link.id).where(Link.id.in_(wanted), ~is_cited()).order_by(Link.id))
    )
    if retired:
        session.execute(
            update(Link)
            .where(Link.id.in_(retired))
            .values(next_check_at=None)
            .execution_options(synchronize_session="fetch")
        )
    return retired
