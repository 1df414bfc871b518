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


__all__ = [
    "ARTICLE_FORMATS",
    "LINKS_FORMATS",
    "MEDIA_TYPES",
    "SOURCES_FORMATS",
    "RenderedReport",
    "stylesheet",
    "template_helpers",
]


def template_helpers() -> dict[str, object]:
    """The reports' template helpers (labels, dates, which URLs may be links), for pages that
    share the reports' templates and styles (the web workspace)."""
    from reports.common import (
        fmt_date,
        fmt_datetime,
        linkable,
        outcome_label,
        state_label,
        status_label,
    )

    return {
        "fmt_date": fmt_date,
        "fmt_datetime": fmt_datetime,
        "linkable": linkable,
        "outcome_label": outcome_label,
        "state_label": state_label,
        "status_label": status_label,
    }


def stylesheet() -> str:
    """The reports' stylesheet (``reports/templates/_style.css.j2``) as plain CSS."""
    from reports.html import environment

    return environment().get_template("_style.css.j2").render()
