"""What reporting services return, and the formats each report comes in."""

from __future__ import annotations

from dataclasses import dataclass

from reports.formats import ARTICLE_FORMATS, LINKS_FORMATS, SOURCES_FORMATS

MEDIA_TYPES = {
    "html": "text/html",
    "md": "text/markdown",
    "json": "application/json",
    "csv": "text/csv",
    "claimreview": "application/ld+json",
}


@dataclass(frozen=True)
class RenderedReport:
    """A report's text and media type, and what its reader should be warned about."""

    text: str
    format: str
    media_type: str
    warnings: tuple[str, ...] = ()


__all__ = ["ARTICLE_FORMATS", "LINKS_FORMATS", "MEDIA_TYPES", "SOURCES_FORMATS", "RenderedReport"]
