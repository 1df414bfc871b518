"""Which formats each report comes in, and the one entry point per report the CLI calls.

A new report adds its builder, a ``*_RENDERERS`` table here, its format names in
:mod:`reports.formats` and a subcommand in ``tracker/cli/report.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from reports import claimreview, csv_report, html, json_report, markdown
from reports.credibility_data import SourcesReport, build_sources_report
from reports.data import ArticleReport, build_article_report
from reports.links_data import DEFAULT_WEEKS, LinksReport, build_links_report
from tracker.settings import Settings

ArticleRenderer = Callable[[ArticleReport, Settings], str]
LinksRenderer = Callable[[LinksReport], str]
SourcesRenderer = Callable[[SourcesReport], str]

ARTICLE_RENDERERS: dict[str, ArticleRenderer] = {
    "html": html.render_article,
    "md": lambda report, _settings: markdown.render_article(report),
    "json": lambda report, _settings: json_report.render_article(report),
    "csv": lambda report, _settings: csv_report.render_article(report),
    "claimreview": claimreview.render_article,
}

LINKS_RENDERERS: dict[str, LinksRenderer] = {
    "html": html.render_links,
    "md": markdown.render_links,
    "json": json_report.render_links,
    "csv": csv_report.render_links,
}

SOURCES_RENDERERS: dict[str, SourcesRenderer] = {
    "html": html.render_sources,
    "md": markdown.render_sources,
    "json": json_report.render_sources,
    "csv": csv_report.render_sources,
}


def article_report(session: Session, article_id: int, fmt: str, settings: Settings) -> str:
    """The report of one article in ``fmt`` (one of :data:`reports.formats.ARTICLE_FORMATS`)."""
    return ARTICLE_RENDERERS[fmt](build_article_report(session, article_id, settings), settings)


def links_report(
    session: Session, fmt: str, *, weeks: int = DEFAULT_WEEKS, rot_rate_csv: bool = False
) -> str:
    """The link-rot report in ``fmt``; ``rot_rate_csv`` gives the weekly table as CSV."""
    report = build_links_report(session, weeks=weeks)
    if rot_rate_csv:
        return csv_report.render_rot_rate(report)
    return LINKS_RENDERERS[fmt](report)


def sources_report(session: Session, fmt: str, settings: Settings, *, sort: str = "score") -> str:
    """Credibility of every domain in ``fmt``: score, explanation and track record."""
    return SOURCES_RENDERERS[fmt](build_sources_report(session, settings, sort=sort))
