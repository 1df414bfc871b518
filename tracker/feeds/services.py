"""The services of followed publications: follow, list, remove, status, poll.

Every function takes ``(database, actor, ...)``. Following and removing need the reviewer role;
reading any role; polling is the scheduler's work (new articles are ingested as
``system:follower``).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.actors import Actor
from tracker.db import Database
from tracker.enums import Role
from tracker.errors import InvalidInput, NotFound
from tracker.feeds.models import FeedEntry, FollowedFeed
from tracker.feeds.views import EntryView, FeedDetail, FeedView, PollView
from tracker.review.reviewers import authorize, may_change, may_read
from tracker.settings import Settings


def follow(
    database: Database, actor: Actor, settings: Settings, url: str, *, only_new: bool = False
) -> FeedView:
    """Follow a publication by its feed, its sitemap, or a page naming its feed.

    The scheduler polls it from now on and ingests what it lists; ``only_new`` leaves the
    articles listed today out (recorded as skipped).
    """
    from tracker.feeds.parse import alternate_feed, read_listing
    from tracker.feeds.poll import fetch, record_current
    from tracker.urls import InvalidURL, normalize_url

    with database.reading() as session:
        acting = may_change(session, actor, "follow publications")
    try:
        url = normalize_url(url.strip())
    except InvalidURL as exc:
        raise InvalidInput(f"invalid URL {url!r}: {exc}") from None
    fetched = fetch(settings, url, None, None)
    if not 200 <= fetched.status < 300:
        raise InvalidInput(f"{url} answered HTTP {fetched.status}")
    listing = read_listing(fetched.body, fetched.url)
    feed_url = fetched.url
    if listing is None:
        from tracker.http.charset import decode_body

        named = alternate_feed(decode_body(fetched.body, None, html=True), fetched.url)
        if named is None:
            raise InvalidInput(
                f"no RSS or Atom feed or sitemap at {url}, and the page names no feed "
                '(<link rel="alternate" type="application/rss+xml">)'
            )
        found = fetch(settings, named, None, None)
        listing = read_listing(found.body, found.url) if 200 <= found.status < 300 else None
        if listing is None:
            raise InvalidInput(f"{url} names {named} as its feed, but that is no RSS or Atom")
        feed_url = found.url
    with database.transaction() as session:
        if session.scalar(select(FollowedFeed.id).where(FollowedFeed.feed_url == feed_url)):
            raise InvalidInput(f"{feed_url} is followed already")
        from tracker.schedule.leases import database_now

        now = database_now(session)
        feed = FollowedFeed(
            url=url,
            feed_url=feed_url,
            kind="feed" if listing.kind == "feed" else "sitemap",
            title=listing.title,
            next_poll_at=now,
            created_by=acting.name,
        )
        session.add(feed)
        session.flush()
        feed_id = feed.id
    if only_new:
        record_current(database, feed_id, listing.entries, now)
    return _feeds(database, feed_id)[0]


def list_feeds(database: Database, actor: Actor) -> list[FeedView]:
    with database.reading() as session:
        may_read(session, actor, "followed publications")
    return _feeds(database)


def feed_status(database: Database, actor: Actor, feed_id: int, *, limit: int = 50) -> FeedDetail:
    """A followed publication and its latest entries: ingested, skipped (why), failed (why)."""
    with database.reading() as session:
        may_read(session, actor, "followed publications")
        _feed(session, feed_id)
        entries = tuple(
            EntryView(
                url=entry.url,
                status=entry.status,
                reason=entry.reason,
                article_id=entry.article_id,
                attempts=entry.attempts,
                seen_at=entry.seen_at,
            )
            for entry in session.scalars(
                select(FeedEntry)
                .where(FeedEntry.feed_id == feed_id)
                .order_by(FeedEntry.seen_at.desc(), FeedEntry.id.desc())
                .limit(limit)
            )
        )
    return FeedDetail(_feeds(database, feed_id)[0], entries)


def remove_feed(database: Database, actor: Actor, feed_id: int) -> FeedView:
    """Stop following; the articles ingested from it stay."""
    view = _feeds(database, feed_id)
    with database.transaction() as session:
        may_change(session, actor, "stop following publications")
        session.delete(_feed(session, feed_id))
    return view[0]


def poll_feeds(database: Database, actor: Actor, settings: Settings, *, worker: str) -> PollView:
    """Poll the followed publications that are due (the scheduler's job)."""
    from tracker.feeds.poll import Polite, PollReport, claim_due, poll_feed

    with database.reading() as session:
        authorize(session, actor, Role.REVIEWER, system=True, action="poll followed publications")
    owner = f"feeds-{worker}"
    report = PollReport()
    polite = Polite.from_settings(settings)  # one pace per host across the round's feeds
    for feed_id in claim_due(database, owner, settings):
        poll_feed(database, settings, feed_id, owner, report, polite=polite)
    return PollView(
        report.feeds, report.not_modified, report.ingested, report.skipped, report.failed
    )


def _feed(session: Session, feed_id: int) -> FollowedFeed:
    feed = session.get(FollowedFeed, feed_id)
    if feed is None:
        raise NotFound("followed publication", feed_id)
    return feed


def _feeds(database: Database, feed_id: int | None = None) -> list[FeedView]:
    with database.reading() as session:
        query = select(FollowedFeed).order_by(FollowedFeed.id)
        if feed_id is not None:
            _feed(session, feed_id)
            query = query.where(FollowedFeed.id == feed_id)
        counts: dict[tuple[int, str], int] = {
            (int(row[0]), str(row[1])): int(row[2])
            for row in session.execute(
                select(FeedEntry.feed_id, FeedEntry.status, func.count()).group_by(
                    FeedEntry.feed_id, FeedEntry.status
                )
            )
        }
        return [
            FeedView(
                id=feed.id,
                url=feed.url,
                feed_url=feed.feed_url,
                kind=feed.kind,
                title=feed.title,
                created_by=feed.created_by,
                last_polled_at=feed.last_polled_at,
                next_poll_at=feed.next_poll_at,
                last_status=feed.last_status,
                ingested=counts.get((feed.id, "ingested"), 0),
                skipped=counts.get((feed.id, "skipped"), 0),
                failed=counts.get((feed.id, "failed"), 0),
            )
            for feed in session.scalars(query)
        ]
