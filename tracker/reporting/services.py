"""The reporting services: one article's verification report, link rot, source credibility.

Every function takes ``(database, actor, ...)``, reads in one transaction and returns a
:class:`~tracker.reporting.views.RenderedReport`; any role may read reports. The renderers are
the top-level ``reports`` package (pure functions of a typed read model).
"""

from __future__ import annotations

from tracker.actors import Actor
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.reporting.views import (
    ARTICLE_FORMATS,
    LINKS_FORMATS,
    MEDIA_TYPES,
    SOURCES_FORMATS,
    RenderedReport,
)
from tracker.review.reviewers import may_read
from tracker.settings import Settings

DEFAULT_WEEKS = 26


def _format(fmt: str, choices: tuple[str, ...]) -> str:
    wanted = fmt.strip().lower()
    if wanted not in choices:
        raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(choices)}")
    return wanted


def article_report(
    database: Database, actor: Actor, settings: Settings, article_id: int, fmt: str = "html"
) -> RenderedReport:
    """The verification report of one article in ``fmt`` (see ``ARTICLE_FORMATS``).

    ``claimreview`` is refused until a publishing organization is configured; the HTML report
    then leaves its ClaimReview markup out, and says so in ``warnings``.
    """
    from reports.claimreview import publisher_missing
    from reports.render import article_report as render

    wanted = _format(fmt, ARTICLE_FORMATS)
    warnings: tuple[str, ...] = ()
    missing = publisher_missing(settings)
    if missing and wanted == "claimreview":
        raise InvalidInput(missing)
    if missing and wanted == "html":
        warnings = (f"the report has no ClaimReview markup: {missing}",)
    with database.reading() as session:
        may_read(session, actor, "reports")
        text = render(session, article_id, wanted, settings)
    return RenderedReport(text, wanted, MEDIA_TYPES[wanted], warnings)


def links_report(
    database: Database,
    actor: Actor,
    *,
    fmt: str = "html",
    weeks: int = DEFAULT_WEEKS,
    rot_rate_csv: bool = False,
) -> RenderedReport:
    """Dead and at-risk links of all articles and the weekly rot rate (``rot_rate_csv``: that
    table alone, as CSV)."""
    from reports.render import links_report as render

    wanted = _format(fmt, LINKS_FORMATS)
    if rot_rate_csv and wanted != "csv":
        raise InvalidInput("the weekly rot-rate table comes as CSV only")
    if not 1 <= weeks <= 520:
        raise InvalidInput("weeks must be between 1 and 520")
    with database.reading() as session:
        may_read(session, actor, "reports")
        text = render(session, wanted, weeks=weeks, rot_rate_csv=rot_rate_csv)
    return RenderedReport(text, wanted, MEDIA_TYPES[wanted])


def sources_report(
    database: Database, actor: Actor, settings: Settings, *, fmt: str = "html", sort: str = "score"
) -> RenderedReport:
    """Credibility of every domain: score, explanation and track record."""
    from reports.render import sources_report as render

    wanted = _format(fmt, SOURCES_FORMATS)
    with database.reading() as session:
        may_read(session, actor, "reports")
        text = render(session, wanted, settings, sort=sort)
    return RenderedReport(text, wanted, MEDIA_TYPES[wanted])
