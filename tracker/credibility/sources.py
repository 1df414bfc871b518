"""Source rows (one per registrable domain) and their history: finding, creating, recording.

Every change to a source (a rating, an ignored domain, a link override on one of its links) is
appended through :func:`record_source_event`, the one writer of ``source_events``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.credibility.domains import domain_of
from tracker.db import insert_ignore
from tracker.enums import SourceEventAction
from tracker.errors import NotFound
from tracker.models import Source, SourceEvent, utcnow
from tracker.review.reviewers import Acting

T = TypeVar("T")
CHUNK = 500


def ensure_sources(session: Session, domains: Iterable[str]) -> dict[str, int]:
    """Source ids of registrable ``domains``, creating the missing ones in bulk.

    Missing ones are inserted with ON CONFLICT DO NOTHING, so two ingests or an import racing
    on one domain never fail.
    """
    wanted = sorted(set(domains))
    ids: dict[str, int] = {}
    for chunk in chunks(wanted):
        ids.update(_source_ids(session, chunk))
        missing = [domain for domain in chunk if domain not in ids]
        if missing:
            now = utcnow()
            insert_ignore(session, Source, [{"domain": d, "created_at": now} for d in missing])
            ids.update(_source_ids(session, missing))
    return ids


def get_or_create_source(session: Session, domain: str) -> Source:
    """The Source row of the registrable ``domain`` (created when new)."""
    source = session.get(Source, ensure_sources(session, [domain])[domain])
    assert source is not None  # ensure_sources just read or created it
    return source


def get_source(session: Session, domain: str) -> Source:
    """The source row of ``domain`` (any URL or host of it); NotFound when never seen."""
    registrable = domain_of(domain)
    source = session.scalar(select(Source).where(Source.domain == registrable))
    if source is None:
        raise NotFound("source", registrable)
    return source


def record_source_event(
    session: Session,
    source_id: int,
    acting: Acting,
    *,
    action: SourceEventAction,
    old_value: str | None = None,
    new_value: str | None = None,
    note: str | None = None,
) -> SourceEvent:
    """Append one history row for the source ``source_id``, in the caller's transaction."""
    event = SourceEvent(
        source_id=source_id,
        reviewer_id=acting.reviewer_id,
        actor=acting.name,
        action=action,
        old_value=old_value,
        new_value=new_value,
        note=note,
        created_at=utcnow(),
    )
    session.add(event)
    return event


def _source_ids(session: Session, domains: list[str]) -> dict[str, int]:
    rows = session.execute(select(Source.domain, Source.id).where(Source.domain.in_(domains)))
    return dict(rows.tuples().all())


def chunks(items: list[T]) -> Iterator[list[T]]:
    """``items`` in lists of at most :data:`CHUNK` (bounded IN lists and bulk inserts)."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
