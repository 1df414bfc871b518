"""What the feed services return: followed publications, their entries, a poll's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FeedView:
    id: int
    url: str
    feed_url: str
    kind: str  # feed | sitemap
    title: str | None
    created_by: str
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    last_status: str | None
    ingested: int
    skipped: int
    failed: int


@dataclass(frozen=True)
class EntryView:
    url: str
    status: str  # ingested | skipped | failed
    reason: str | None
    article_id: int | None
    attempts: int
    seen_at: datetime


@dataclass(frozen=True)
class FeedDetail:
    feed: FeedView
    entries: tuple[EntryView, ...]


@dataclass(frozen=True)
class PollView:
    feeds: int
    not_modified: int
    ingested: int
    skipped: int
    failed: int
