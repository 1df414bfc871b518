"""What every scraper returns: one plain data object per article."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


@dataclass
class ScrapedCitation:
    """A link (or, in plain text, an underlined anchor whose URL was lost) inside the body.

    ``offset`` is the anchor's character offset in :attr:`ScrapedArticle.text`; ``url`` is
    normalized, or None for an unresolved citation (``raw_url`` keeps what the page said).
    """

    anchor_text: str
    sentence: str
    offset: int
    url: str | None = None
    raw_url: str | None = None


@dataclass
class ScrapedArticle:
    text: str
    scraper: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str | None = None
    published_at: datetime | None = None
    url: str | None = None
    citations: list[ScrapedCitation] = field(default_factory=list)


class Scraper(Protocol):
    """Turns a document into a :class:`ScrapedArticle`; ``name`` is stored on the article."""

    @property
    def name(self) -> str: ...

    def parse(self, document: str, url: str | None) -> ScrapedArticle: ...
