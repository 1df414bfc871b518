"""Tables of followed publications: the feeds and every entry seen in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models import URL_MAX_LENGTH, Base, UTCDateTime, created_at, intpk, timestamp, utcnow


class FollowedFeed(Base):
    """A publication followed through its RSS/Atom feed or sitemap, with what polling needs."""

    __tablename__ = "followed_feeds"

    id: Mapped[intpk]
    url: Mapped[str] = mapped_column(String(URL_MAX_LENGTH))
    """What the user followed (a home page, a feed or a sitemap)."""
    feed_url: Mapped[str] = mapped_column(String(URL_MAX_LENGTH), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # feed | sitemap
    title: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[timestamp]
    next_poll_at: Mapped[timestamp] = mapped_column(index=True)
    last_status: Mapped[str | None] = mapped_column(String(200))
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[timestamp]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[created_at]


class FeedEntry(Base):
    """An article URL seen in a feed: ingested (its article), or skipped and why."""

    __tablename__ = "feed_entries"
    __table_args__ = (UniqueConstraint("feed_id", "url"),)

    id: Mapped[intpk]
    feed_id: Mapped[int] = mapped_column(ForeignKey("followed_feeds.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(URL_MAX_LENGTH))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16))  # ingested | skipped | failed
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
