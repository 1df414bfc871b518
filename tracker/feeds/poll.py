"""Polling followed publications: conditional requests, the host's politeness, new articles
ingested through the ingest service, and a record of every entry skipped and why.

Politeness is the checker's (:mod:`tracker.politeness`): a host paused in the database (a
checker's 429, a previous poll's) is not asked; a 429, 503 or ``Retry-After`` answered to a poll
pauses the host for every worker with :func:`tracker.politeness.hosts.pause`; requests to one
host are spaced by its rate (``per_host_rate``, ``per_domain_limits``).

Feeds are claimed under leases (``FOR UPDATE SKIP LOCKED``, the database's clock) like due
links, so several schedulers never poll one feed at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from tracker.actors import FOLLOWER
from tracker.db import Database
from tracker.errors import FetchError, InvalidInput, TrackerError
from tracker.feeds.models import FeedEntry, FollowedFeed
from tracker.feeds.parse import Entry, Listing, read_listing
from tracker.models import Article, utcnow
from tracker.politeness import hosts
from tracker.politeness.gate import RATE_MARGIN, pause_asked
from tracker.politeness.hosts import host_key
from tracker.politeness.limits import Politeness
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
    headers: Mapping[str, str]


class Pace:
    """Starts of requests to one host spaced by its rate, across the feeds of one poll round."""

    def __init__(self, politeness: Politeness, clock: Callable[[], float] = time.monotonic):
        self.politeness = politeness
        self.clock = clock
        self._next: dict[str, float] = {}

    def wait(self, key: str) -> None:
        now = self.clock()
        start = max(now, self._next.get(key, now))
        if start > now:
            time.sleep(start - now)
        self._next[key] = start + self.politeness.limits_for(key).interval * RATE_MARGIN


@dataclass
class Polite:
    """One poll's politeness: the pace, and the latest end of a pause met (None: none met)."""

    politeness: Politeness
    pace: Pace
    resume_at: datetime | None = None
    held: list[str] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: Settings) -> Polite:
        politeness = Politeness.from_settings(settings)
        return cls(politeness, Pace(politeness))

    def paused(self, database: Database, key: str) -> bool:
        """Whether ``key`` is paused in the database now (noted, with when it resumes)."""
        with database.reading() as session:
            found = [host for host in hosts.paused_hosts(session) if host.key == key]
        if found:
            self._met(key, found[0].paused_until, found[0].reason)
        return bool(found)

    def answered(
        self, database: Database, url: str, status: int | None, headers: Mapping[str, str]
    ) -> bool:
        """Pause the host for every worker if this answer asks for it; whether it did."""
        asked = pause_asked(status, headers, self.politeness) if status else None
        if asked is None:
            return False
        key = host_key(url)
        with database.transaction() as session:
            until = hosts.pause(session, key, *asked)
        self._met(key, until, asked[1])
        return True

    def _met(self, key: str, until: datetime, reason: str | None) -> None:
        if self.resume_at is None or until > self.resume_at:
            self.resume_at = until
        note = f"{key} paused until {until:%Y-%m-%d %H:%M:%S}" + (f" ({reason})" if reason else "")
        if note not in self.held:
            self.held.append(note)

    def fetch(
        self,
        database: Database,
        settings: Settings,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Fetched | None:
        """A paced conditional GET, None when the host is paused (before, or by this answer)."""
        key = host_key(url)
        if self.paused(database, key):
            return None
        self.pace.wait(key)
        fetched = fetch(settings, url, etag, last_modified)
        if self.answered(database, fetched.url, fetched.status, fetched.headers):
            return None
        return fetched


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
        headers=result.headers,
    )


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
    polite: Polite | None = None,
) -> None:
    """Poll one claimed feed: fetch (conditionally, politely), ingest new entries, record,
    release. A paused host defers the feed, or leaves its entries for the next poll."""
    with database.reading() as session:
        feed = session.get(FollowedFeed, feed_id)
        if feed is None:
            return
        url, etag, modified = feed.feed_url, feed.etag, feed.last_modified
    ingest = ingest or _ingest_with(database, settings)
    polite = polite or Polite.from_settings(settings)
    polite.resume_at, polite.held = None, []
    report.feeds += 1
    values: dict[str, object] = {}
    try:
        fetched = polite.fetch(database, settings, url, etag=etag, last_modified=modified)
        if fetched is None:
            values["last_status"] = "deferred: " + "; ".join(polite.held)
        elif fetched.status == 304:
            report.not_modified += 1
            retried, _ = _ingest_new(
                database,
                feed_id,
                _failed(database, feed_id),
                settings=settings,
                ingest=ingest,
                report=report,
                polite=polite,
            )
            values["last_status"] = "not modified" + (
                f"; retried: {retried}" if retried != "nothing new" else ""
            )
        elif not 200 <= fetched.status < 300:
            values["last_status"] = f"HTTP {fetched.status}"
        else:
            listing = read_listing(fetched.body, fetched.url)
            if listing is None:
                values["last_status"] = "not a feed or sitemap any more"
            else:
                if listing.kind == "sitemapindex":
                    listing = _children(database, settings, listing, polite)
                done, complete = _ingest_new(
                    database,
                    feed_id,
                    listing.entries,
                    settings=settings,
                    ingest=ingest,
                    report=report,
                    polite=polite,
                )
                if complete:  # else no validators: the next poll must see the waiting entries
                    values.update(
                        etag=_cut(fetched.etag, 500),
                        last_modified=_cut(fetched.last_modified, 100),
                    )
                values["last_status"] = done
                if listing.title:
                    values["title"] = listing.title
    except FetchError as exc:
        values["last_status"] = str(exc)
        report.errors.append(str(exc))
    with database.transaction() as session:
        _release(session, feed_id, owner, values, settings=settings, resume_at=polite.resume_at)


def _release(
    session: Session,
    feed_id: int,
    owner: str,
    values: dict[str, object],
    *,
    settings: Settings,
    resume_at: datetime | None,
) -> None:
    now = database_now(session)
    next_poll = now + timedelta(minutes=settings.feeds_poll_minutes)
    if resume_at is not None and resume_at > next_poll:
        next_poll = resume_at  # a paused host: not before its pause ends
    values["last_status"] = _cut(str(values["last_status"]), STATUS_CHARS)
    session.execute(
        update(FollowedFeed)
        .where(FollowedFeed.id == feed_id, FollowedFeed.lease_owner == owner)
        .values(
            **values,
            last_polled_at=now,
            next_poll_at=next_poll,
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )


def _cut(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _children(database: Database, settings: Settings, index: Listing, polite: Polite) -> Listing:
    """The entries of a sitemap index's newest child sitemaps."""
    entries: list[Entry] = []
    for child in index.entries[:MAX_CHILD_SITEMAPS]:
        try:
            fetched = polite.fetch(database, settings, child.url)
        except FetchError:
            continue
        if fetched is None:
            continue
        listing = read_listing(fetched.body, fetched.url) if fetched.status == 200 else None
        if listing is not None and listing.kind == "sitemap":
            entries += listing.entries
    return Listing("sitemap", None, tuple(entries))


def _ingest_new(
    database: Database,
    feed_id: int,
    entries: Sequence[Entry],
    *,
    settings: Settings,
    ingest: Ingest,
    report: PollReport,
    polite: Polite,
) -> tuple[str, bool]:
    """Ingest the entries not seen before (or that failed, a few times): a one-line status,
    and whether every new entry was looked at (none left waiting for the next poll)."""
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
    held = 0
    for entry in fresh:
        key = host_key(entry.url)
        if polite.paused(database, key):
            held += 1  # not recorded: the entry is new again on the next poll
            continue
        polite.pace.wait(key)
        status, reason, article_id = _one(database, entry.url, ingest, polite)
        if status == "held":
            held += 1
            continue
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
    waiting = held + max(0, len([e for e in entries if e.url not in known]) - len(fresh))
    parts = [f"{count} {name}" for name, count in counts.items() if count]
    if waiting:
        parts.append(f"{waiting} waiting for the next poll")
    if held:
        parts.append("; ".join(polite.held))
    return ", ".join(parts) or "nothing new", not waiting


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


def _one(
    database: Database, url: str, ingest: Ingest, polite: Polite
) -> tuple[str, str | None, int | None]:
    """Ingest one entry: its status (``held`` when its host just asked to be left alone),
    the reason when not ingested, its article."""
    with database.reading() as session:
        existing = session.scalar(
            select(Article.id).where(Article.url == url, Article.deleted_at.is_(None))
        )
    if existing is not None:
        return "skipped", f"already in the tracker as article {existing}", existing
    try:
        return "ingested", None, ingest(url)
    except FetchError as exc:
        if polite.answered(database, url, exc.status, exc.headers):
            return "held", None, None
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
