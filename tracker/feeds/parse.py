"""Reading what a publication offers: an RSS/Atom feed (feedparser), a sitemap (lxml), or a
home page naming its feed in ``<link rel="alternate">``."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tracker.urls import InvalidURL, normalize_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+xml")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass(frozen=True)
class Entry:
    """An article a feed or sitemap lists: its URL and when it was published or changed."""

    url: str
    when: datetime | None


@dataclass(frozen=True)
class Listing:
    kind: str  # feed | sitemap | sitemapindex
    title: str | None
    entries: tuple[Entry, ...]


def read_listing(body: bytes, base: str) -> Listing | None:
    """The entries of a feed or sitemap in ``body`` (newest first); None if it is neither."""
    sitemap = _sitemap(body, base)
    if sitemap is not None:
        return sitemap
    import feedparser

    parsed: Any = feedparser.parse(body)
    if not parsed.get("version"):
        return None
    entries = []
    for item in parsed.entries:
        link = item.get("link") or next(
            (each.get("href") for each in item.get("links", []) if each.get("href")), None
        )
        url = _url(link, base)
        if url is not None:
            stamp = item.get("published_parsed") or item.get("updated_parsed")
            when = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
            entries.append(Entry(url, when))
    return Listing("feed", parsed.feed.get("title") or None, _newest_first(entries))


def _sitemap(body: bytes, base: str) -> Listing | None:
    head = body[:2048].lstrip()
    if not head.startswith(b"<") or (b"urlset" not in head and b"sitemapindex" not in head):
        return None
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return None
    tag = etree.QName(root).localname
    if tag not in ("urlset", "sitemapindex"):
        return None
    child = "url" if tag == "urlset" else "sitemap"
    entries = []
    for node in root.iter(f"{SITEMAP_NS}{child}", child):
        loc = node.findtext(f"{SITEMAP_NS}loc") or node.findtext("loc")
        url = _url(loc, base)
        if url is not None:
            lastmod = node.findtext(f"{SITEMAP_NS}lastmod") or node.findtext("lastmod")
            entries.append(Entry(url, _date(lastmod)))
    kind = "sitemap" if tag == "urlset" else "sitemapindex"
    return Listing(kind, None, _newest_first(entries))


def alternate_feed(html: str, base: str) -> str | None:
    """The first RSS/Atom feed a page names in ``<link rel="alternate" type=...>``."""
    from lxml import html as lxml_html

    try:
        document = lxml_html.document_fromstring(html)
    except Exception:  # noqa: BLE001 - lxml refuses empty or odd documents in many ways
        return None
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES:
            url = _url(link.get("href"), base)
            if url is not None:
                return url
    return None


def _url(value: str | None, base: str) -> str | None:
    if not value or not value.strip():
        return None
    try:
        url = normalize_url(value.strip(), base)
    except InvalidURL:
        return None
    return url if url.startswith(("http://", "https://")) else None


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _newest_first(entries: list[Entry]) -> tuple[Entry, ...]:
    """Dated entries newest first, then undated ones in the order listed; each URL once."""
    unique = list({entry.url: entry for entry in reversed(entries)}.values())[::-1]
    floor = datetime.min.replace(tzinfo=UTC)
    dated = sorted(
        (entry for entry in unique if entry.when), key=lambda e: e.when or floor, reverse=True
    )
    return (*dated, *(entry for entry in unique if not entry.when))
