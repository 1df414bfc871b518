"""Polling followed publications: conditional requests, the host's pace, new articles ingested
through the ingest service, and a record of every entry skipped and why.

Feeds are claimed under leases (``FOR UPDATE SKIP LOCKED``, the database's clock) like due
links, so several schedulers never poll one feed at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import or_, select, update

from tracker.actors import FOLLOWER
from tracker.db import Database
from tracker.errors import FetchError, InvalidInput, TrackerError
from tracker.feeds.models import FeedEntry, FollowedFeed
from tracker.feeds.parse import Entry, Listing, read_listing
from tracker.models import Article, utcnow
from tracker.schedule.leases import database_now
from tracker.settings import Settings

MAX_ENTRY_ATTEMPTS = 3
"""A page that failed to load is tried again on this many polls, then skipped for good."""
MAX_CHILD_SITEMAPS = 3
STATUS_CHARS = 200
FEED_BYTES = 10 * 1024 * 1024


@dataclass
class PollReport:
    feeds: int = 0
    not_modified: int = 0
    ingested: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Fetched:
    status: int
    body: bytes
    url: str
    etag: str | None
    last_modified: str | None
    retry_after: float | None


def fetch(settings: Settings, url: str, etag: str | None, last_modified: str | None) -> Fetched:
    """One conditional GET through the SSRF-guarded HTTP layer; FetchError if no answer."""
    from tracker.http import FetchFailure, fetch_sync

    headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml, */*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        result = fetch_sync(settings, url, headers=headers, max_bytes=FEED_BYTES)
    except FetchFailure as failure:
        raise FetchError(f"{url}: {failure}") from None
    return Fetched(
        status=result.status,
        body=result.body,
        url=result.final_url,
        etag=result.headers.get("etag"),
        last_modified=result.headers.get("last-modified"),
        retry_after=_seconds(result.headers.get("retry-after")),
    )


def _seconds(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - utcnow()).total_seconds()) if when.tzinfo else None


def claim_due(database: Database, owner: str, settings: Settings, limit: int = 20) -> list[int]:
    with database.transaction() as session:
        now = database_now(session)
        expiry = FollowedFeed.lease_expires_at
        due = (
            select(FollowedFeed.id)
            .where(
                FollowedFeed.next_poll_at <= now,
                or_(expiry.is_(None), expiry <= now),
            )
            .order_by(FollowedFeed.next_poll_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        lease = now + timedelta(minutes=max(10.0, settings.feeds_poll_minutes))
        return sorted(
            session.scalars(
                update(FollowedFeed)
                .where(FollowedFeed.id.in_(due))
                .values(lease_owner=owner, lease_expires_at=lease)
                .returning(FollowedFeed.id)
                .execution_options(synchronize_session=False)
            )
        )


Ingest = Callable[[str], int]
"""Ingest one article URL; its article id (raises a TrackerError when it cannot)."""


def poll_feed(
    database: Database,
    settings: Settings,
    feed_id: int,
    owner: str,
    report: PollReport,
    *,
    ingest: Ingest | None = None,
) -> None:
    """Poll one claimed feed: fetch (conditionally), ingest new entries, record, release."""
    with database.reading() as session:
        feed = session.get(FollowedFeed, feed_id)
        if feed is None:
            return
        url, etag, modified = feed.feed_url, feed.etag, feed.last_modified
    ingest = ingest or _ingest_with(database, settings)
    report.feeds += 1
    values: dict[str, object] = {}
    delay = timedelta(minutes=settings.feeds_poll_minutes)
    try:
        fetched = fetch(settings, url, etag, modified)
        if fetched.status == 304:
            report.not_modified += 1
            retried = _ingest_new(
                database,
                settings,
                feed_id,
                _failed(database, feed_id),
                ingest=ingest,
                report=report,
            )
            values["last_status"] = "not modified" + (
                f"; retried: {retried}" if retried != "nothing new" else ""
            )
        elif fetched.status in (429, 503):
            wait = fetched.retry_after or delay.total_seconds()
            delay = max(delay, timedelta(seconds=min(wait, 7 * 86400)))
            values["last_status"] = f"HTTP {fetched.status}: polled again later, as asked"
        elif not 200 <= fetched.status < 300:
            values["last_status"] = f"HTTP {fetched.status}"
        else:
            listing = read_listing(fetched.body, fetched.url)
            if listing is None:
                values["last_status"] = "not a feed or sitemap any more"
            else:
                if listing.kind == "sitemapindex":
                    listing = _children(settings, listing)
                done = _ingest_new(
                    database, settings, feed_id, listing.entries, ingest=ingest, report=report
                )
                values.update(
                    etag=_cut(fetched.etag, 500), last_modified=_cut(fetched.last_modified, 100)
                )
                values["last_status"] = done
                if listing.title:
                    values["title"] = listing.title
    except FetchError as exc:
        values["last_status"] = str(exc)
        report.errors.append(str(exc))
    with database.transaction() as session:
        now = database_now(session)
        values["last_status"] = _cut(str(values["last_status"]), STATUS_CHARS)
        session.execute(
            update(FollowedFeed)
            .where(FollowedFeed.id == feed_id, FollowedFeed.lease_owner == owner)
            .values(
                **values,
                last_polled_at=now,
                next_poll_at=now + delay,
                lease_owner=None,
                lease_expires_at=None,
            )
            .execution_options(synchronize_session=False)
        )


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _children(settings: Settings, index: Listing) -> Listing:
    """The entries of a sitemap index's newest child sitemaps."""
    entries: list[Entry] = []
    for child in index.entries[:MAX_CHILD_SITEMAPS]:
        try:
            fetched = fetch(settings, child.url, None, None)
        except FetchError:
            continue
        listing = read_listing(fetched.body, fetched.url) if fetched.status == 200 else None
        if listing is not None and listing.kind == "sitemap":
            entries += listing.entries
    return Listing("sitemap", None, tuple(entries))


def _ingest_new(
    database: Database,
    settings: Settings,
    feed_id: int,
    entries: Sequence[Entry],
    *,
    ingest: Ingest,
    report: PollReport,
) -> str:
    """Ingest the entries not seen before (or that failed, a few times); a one-line status."""
    with database.reading() as session:
        known = {
            row.url: row
            for row in session.execute(
                select(FeedEntry.url, FeedEntry.status, FeedEntry.attempts).where(
                    FeedEntry.feed_id == feed_id
                )
            )
        }
    fresh = [
        entry
        for entry in entries
        if entry.url not in known
        or (known[entry.url].status == "failed" and known[entry.url].attempts < MAX_ENTRY_ATTEMPTS)
    ][: settings.feeds_max_entries]
    counts = {"ingested": 0, "skipped": 0, "failed": 0}
    last_host: str | None = None
    for entry in fresh:
        host = entry.url.split("/")[2]
        if host == last_host and settings.feeds_host_delay_seconds:
            time.sleep(settings.feeds_host_delay_seconds)  # the host's pace, one page at a time
        last_host = host
        status, reason, article_id = _one(database, entry.url, ingest)
        counts[status] += 1
        _record(
            database,
            feed_id,
            entry.url,
            status=status,
            reason=reason,
            article_id=article_id,
            retry=entry.url in known,
        )
    report.ingested += counts["ingested"]
    report.skipped += counts["skipped"]
    report.failed += counts["failed"]
    waiting = max(0, len([e for e in entries if e.url not in known]) - len(fresh))
    parts = [f"{count} {name}" for name, count in counts.items() if count]
    if waiting:
        parts.append(f"{waiting} waiting for the next poll")
    return ", ".join(parts) or "nothing new"


def _failed(database: Database, feed_id: int) -> list[Entry]:
    """Entries whose page failed to load: tried again even when the feed has not changed."""
    with database.reading() as session:
        return [
            Entry(url, None)
            for url in session.scalars(
                select(FeedEntry.url).where(
                    FeedEntry.feed_id == feed_id,
                    FeedEntry.status == "failed",
                    FeedEntry.attempts < MAX_ENTRY_ATTEMPTS,
                )
            )
        ]


def _one(database: Database, url: str, ingest: Ingest) -> tuple[str, str | None, int | None]:
    with database.reading() as session:
        existing = session.scalar(
            select(Article.id).where(Article.url == url, Article.deleted_at.is_(None))
        )
    if existing is not None:
        return "skipped", f"already in the tracker as article {existing}", existing
    try:
        return "ingested", None, ingest(url)
    except FetchError as exc:
        return "failed", str(exc)[:500], None
    except (InvalidInput, TrackerError) as exc:
        return "skipped", str(exc)[:500], None


def _record(
    database: Database,
    feed_id: int,
    url: str,
    *,
    status: str,
    reason: str | None,
    article_id: int | None,
    retry: bool,
) -> None:
    with database.transaction() as session:
        if retry:
            session.execute(
                update(FeedEntry)
                .where(FeedEntry.feed_id == feed_id, FeedEntry.url == url)
                .values(
                    status=status,
                    reason=reason,
                    article_id=article_id,
                    attempts=FeedEntry.attempts + 1,
                    seen_at=utcnow(),
                )
                .execution_options(synchronize_session=False)
            )
            return
        session.add(
            FeedEntry(feed_id=feed_id, url=url, status=status, reason=reason, article_id=article_id)
        )


def _ingest_with(database: Database, settings: Settings) -> Ingest:
    def ingest(url: str) -> int:
        from tracker.articles.services import ingest as ingest_article

        return ingest_article(database, FOLLOWER, settings, url).article.id

    return ingest


def record_current(
    database: Database, feed_id: int, entries: Sequence[Entry], now: datetime
) -> int:
    """`follow --only-new`: what the feed lists today is skipped, as published before."""
    with database.transaction() as session:
        for entry in entries:
            session.add(
                FeedEntry(
                    feed_id=feed_id,
                    url=entry.url,
                    status="skipped",
                    reason="published before the publication was followed",
                    seen_at=now,
                )
            )
    return len(entries)
