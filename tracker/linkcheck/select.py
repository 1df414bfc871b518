"""Which links a command means: every link, one URL, one article's.

The due ones are claimed under a lease instead: :mod:`tracker.linkcheck.due`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.errors import NotFound
from tracker.models import Article, Citation, Link
from tracker.records import find_link


def all_links(session: Session) -> list[int]:
    return list(session.scalars(select(Link.id).order_by(Link.id)))


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
    link: str | None = None,
    article_id: int | None = None,
) -> list[int]:
    """The ids one of ``--all``, ``--link``, ``--article`` names (exactly one)."""
    if link is not None:
        return one_link(session, link)
    if article_id is not None:
        return article_links(session, article_id)
    if every:
        return all_links(session)
    return []
