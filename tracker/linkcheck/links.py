"""Link rows: one per normalized URL, shared by every article that cites it.

A link is checked while something cites it (a citation or a claim's source). When the last
one lets go (a citation resolved elsewhere, an article deleted) the link is *retired*: it is no
longer scheduled (``next_check_at`` empty) and ``check --all`` passes it by; its history stays.
Citing it again schedules it at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, exists, or_, select, update
from sqlalchemy.orm import Session

from tracker.credibility.sources import chunks, ensure_sources
from tracker.db import insert_ignore
from tracker.errors import NotFound
from tracker.models import Citation, ClaimSource, Link, utcnow
from tracker.urls import InvalidURL, normalize_url, registrable_domain


def get_or_create_link(session: Session, url: str) -> Link:
    """The Link row of ``url`` (normalized here); new links are due for a check at once, and a
    retired link cited again is scheduled again."""
    normalized = normalize_url(url)
    link = session.get(Link, ensure_links(session, [normalized])[normalized])
    assert link is not None  # ensure_links just read or created it
    return link


def ensure_links(session: Session, urls: Iterable[str]) -> dict[str, int]:
    """The Link id of every (normalized) URL, creating the missing links and sources in bulk.

    Per chunk of URLs: one SELECT, one INSERT ... ON CONFLICT DO NOTHING and one SELECT for the
    new ones, so a page citing thousands of links costs a handful of statements and concurrent
    ingests citing one URL never collide. Retired links cited again are scheduled again.
    """
    wanted = list(dict.fromkeys(urls))
    domains: dict[str, str | None] = {}
    for url in wanted:
        try:
            domains[url] = registrable_domain(url)
        except InvalidURL:
            domains[url] = None
    source_ids = ensure_sources(session, {domain for domain in domains.values() if domain})
    ids: dict[str, int] = {}
    with session.no_autoflush:
        for chunk in chunks(wanted):
            rows = session.execute(
                select(Link.url, Link.id, Link.next_check_at).where(Link.url.in_(chunk))
            ).all()
            known = {row.url: row.id for row in rows}
            now = utcnow()
            retired = [row.id for row in rows if row.next_check_at is None]
            set_next_check(session, retired, now)  # cited again: checked again
            missing = [url for url in chunk if url not in known]
            if missing:
                insert_ignore(
                    session,
                    Link,
                    [
                        {
                            "url": url,
                            "source_id": source_ids.get(domains[url] or ""),
                            "next_check_at": now,
                            "created_at": now,
                        }
                        for url in missing
                    ],
                )
                new = session.execute(select(Link.url, Link.id).where(Link.url.in_(missing)))
                known.update(new.tuples().all())
            ids.update(known)
    return ids


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
    set_next_check(session, retired, None)
    return retired


def set_next_check(session: Session, link_ids: list[int], when: datetime | None) -> None:
    """Set the next check of ``link_ids`` (None: retired, never scheduled)."""
    if link_ids:
        session.execute(
            update(Link)
            .where(Link.id.in_(link_ids))
            .values(next_check_at=when)
            .execution_options(synchronize_session="fetch")
        )
