"""Article metadata from the head of a page: JSON-LD, then OpenGraph and <meta>, then <time>."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml.html import HtmlElement

_ARTICLE_TYPES = {"article", "newsarticle", "blogposting", "reportagenewsarticle", "report"}


@dataclass
class Metadata:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str | None = None
    published_at: datetime | None = None


def extract_metadata(tree: HtmlElement) -> Metadata:
    found = Metadata()
    for item in _json_ld_items(tree):
        _from_json_ld(found, item)
    meta = _meta_values(tree)
    found.title = found.title or _first(meta, "og:title", "twitter:title", "dc.title")
    if found.title is None:
        titles = tree.xpath("//title/text()")
        found.title = " ".join(titles[0].split()) if titles else None
    found.site_name = found.site_name or _first(meta, "og:site_name", "application-name")
    if not found.authors:
        author = _first(meta, "author", "article:author", "dc.creator", "parsely-author")
        if author and not author.startswith("http"):
            found.authors = [author]
    if found.published_at is None:
        published = _first(
            meta, "article:published_time", "og:published_time", "date", "dc.date", "pubdate"
        )
        times = tree.xpath("//time/@datetime")
        found.published_at = parse_date(published) or (parse_date(times[0]) if times else None)
    return found


def _json_ld_items(tree: HtmlElement) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content() or "null")
        except ValueError:
            continue  # malformed JSON-LD is common; the other sources still apply
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
                items.append(item)
    return items


def _from_json_ld(found: Metadata, item: dict[str, Any]) -> None:
    kinds = item.get("@type")
    names = {str(kind).lower() for kind in (kinds if isinstance(kinds, list) else [kinds])}
    if not names & _ARTICLE_TYPES:
        return
    headline = item.get("headline") or item.get("name")
    if isinstance(headline, str) and not found.title:
        found.title = " ".join(headline.split())
    if not found.authors:
        found.authors = _names(item.get("author"))
    publisher = _names(item.get("publisher"))
    if publisher and not found.site_name:
        found.site_name = publisher[0]
    if found.published_at is None:
        found.published_at = parse_date(item.get("datePublished"))


def _names(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    names = []
    for entry in values:
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, str) and name.strip():
            names.append(" ".join(name.split()))
    return names


def _meta_values(tree: HtmlElement) -> dict[str, str]:
    values: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = (meta.get("content") or "").strip()
        if key and content:
            values.setdefault(key, " ".join(content.split()))
    return values


def _first(values: dict[str, str], *keys: str) -> str | None:
    for key in keys:
        if values.get(key):
            return values[key]
    return None


def parse_date(value: Any) -> datetime | None:
    """An aware UTC datetime from an ISO-8601 string (date-only means midnight UTC)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(text[:10])
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
