"""The formats each report comes in: names only, cheap to import for the CLI's choices."""

from __future__ import annotations

ARTICLE_FORMATS = ("html", "md", "json", "csv", "claimreview")
LINKS_FORMATS = ("html", "md", "json", "csv")
SOURCES_FORMATS = ("html", "md", "json", "csv")
