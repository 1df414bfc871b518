"""Article fetching and parsing: a registry of scrapers by domain, with a generic fallback.

``scraper_for(url, kind)`` picks the scraper; every scraper returns one
:class:`~scrapers.base.ScrapedArticle` (metadata, main text, citations with anchor text,
sentence and position).
"""

from __future__ import annotations

from typing import Literal

from scrapers.base import ScrapedArticle, ScrapedCitation, Scraper
from scrapers.generic import GenericScraper
from scrapers.sites import GLOBALRESEARCH, SUBSTACK, SiteScraper
from scrapers.text import TextScraper
from tracker.urls import InvalidURL, registrable_domain

DocumentKind = Literal["html", "text", "markdown"]

SITE_SCRAPERS: dict[str, SiteScraper] = {
    "globalresearch.ca": GLOBALRESEARCH,
    "substack.com": SUBSTACK,
}
# Substack publications on their own domains are recognised by their markup.
_SUBSTACK_MARKERS = ("substackcdn.com", 'content="Substack"')


def scraper_for(url: str | None, kind: DocumentKind, document: str = "") -> Scraper:
    """The scraper for a document of ``kind`` published at ``url`` (generic when unknown)."""
    if kind != "html":
        return TextScraper(kind)
    if url:
        try:
            domain = registrable_domain(url)
        except InvalidURL:
            domain = ""
        if domain in SITE_SCRAPERS:
            return SITE_SCRAPERS[domain]
    if any(marker in document[:200_000] for marker in _SUBSTACK_MARKERS):
        return SUBSTACK
    return GenericScraper()


def parse_document(document: str, url: str | None, kind: DocumentKind) -> ScrapedArticle:
    return scraper_for(url, kind, document).parse(document, url)


__all__ = [
    "SITE_SCRAPERS",
    "DocumentKind",
    "GenericScraper",
    "ScrapedArticle",
    "ScrapedCitation",
    "Scraper",
    "SiteScraper",
    "TextScraper",
    "parse_document",
    "scraper_for",
]
