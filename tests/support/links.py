"""Bulk test data for scheduling: many links at once, in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from tracker.db import Database
from tracker.models import Link, utcnow


def add_links(
    database: Database,
    urls: Sequence[str],
    *,
    next_check_at: datetime | str | None = "now",
    spread: timedelta = timedelta(0),
) -> list[int]:
    """Insert links (due now by default, the n-th ``spread`` later); their ids in url order."""
    now = utcnow()
    start = now if next_check_at == "now" else next_check_at
    rows = [
        {
            "url": url,
            "next_check_at": None if start is None else start + index * spread,  # type: ignore[operator]
            "created_at": now,
        }
        for index, url in enumerate(urls)
    ]
    with database.transaction() as session:
        session.execute(insert(Link), rows)
        ids = dict(session.execute(select(Link.url, Link.id).where(Link.url.in_(urls))).all())
    return [ids[url] for url in urls]
