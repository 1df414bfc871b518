"""Self-contained HTML reports: one file, inline CSS and SVG, nothing fetched from anywhere.

Jinja2 autoescapes every value, so a claim, title, anchor text, note or URL holding markup
renders as text; only http(s) URLs become links (:func:`reports.common.linkable`); and a
Content-Security-Policy forbids scripts, remote styles, fonts and images as a second guard.
Source links carry Robust Links attributes pointing at the archived copy when there is one.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reports.claimreview import claim_reviews, publisher_missing, script_safe_json
from reports.common import (
    fmt_date,
    fmt_datetime,
    linkable,
    outcome_label,
    state_label,
    status_label,
)
from reports.credibility_data import SourcesReport
from reports.data import ArticleReport, outcome_class
from reports.links_data import LinksReport
from reports.svg import STATE_ORDER, rot_chart, state_chart, timeline
from tracker import __version__
from tracker.settings import Settings

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        csp=CSP,
        version=__version__,
        fmt_datetime=fmt_datetime,
        fmt_date=fmt_date,
        linkable=linkable,
        state_label=state_label,
        status_label=status_label,
        outcome_class=outcome_class,
        outcome_label=outcome_label,
        timeline=timeline,
        state_order=STATE_ORDER,
    )
    return env


def render_article(report: ArticleReport, settings: Settings) -> str:
    # Without a configured publisher the page leaves the markup out (the service warns).
    reviews = [] if publisher_missing(settings) else claim_reviews(report, settings)
    # Safe as markup: script_safe_json escapes < > & so nothing can close the script element.
    jsonld = Markup(script_safe_json(reviews, indent=None)) if reviews else None  # noqa: S704
    return (
        environment()
        .get_template("article.html.j2")
        .render(
            report=report,
            summary=report.summary,
            chart=state_chart(report.summary.links_by_state),
            jsonld=jsonld,
        )
    )


def render_links(report: LinksReport) -> str:
    return (
        environment()
        .get_template("links.html.j2")
        .render(
            report=report, chart=state_chart(report.links_by_state), rot=rot_chart(report.rot_rate)
        )
    )


def render_sources(report: SourcesReport) -> str:
    return environment().get_template("sources.html.j2").render(report=report)
