"""``report``: verification reports of one article, and the link-rot report of them all.

``report`` is a group so that further reports are subcommands (``report links``,
``report sources``), while ``report ARTICLE_ID`` stays the short form of
``report article ARTICLE_ID``: a numeric first argument is routed to ``article``.
To add a report, define ``@report.command("sources")`` below (or in another module
importing :data:`report`) and give it the shared ``format_option`` and ``output_option``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from tracker.cli._common import AppContext, echo_document, pass_app, say
from tracker.credibility.views import SORT_ORDERS
from tracker.errors import InvalidInput
from tracker.reporting.views import (
    ARTICLE_FORMATS,
    LINKS_FORMATS,
    SOURCES_FORMATS,
    RenderedReport,
)

F = TypeVar("F", bound=Callable[..., Any])


_VALUE_OPTIONS = frozenset({"-f", "--format", "-o", "--output"})


def _first_argument(args: list[str]) -> str | None:
    """The first token that is neither an option nor an option's value."""
    tokens = iter(args)
    for token in tokens:
        if token in _VALUE_OPTIONS:
            next(tokens, None)
        elif not token.startswith("-"):
            return token
    return None


class ReportGroup(click.Group):
    """Routes ``report 3 ...`` (and ``report -f md 3``) to ``report article 3 ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = _first_argument(args)
        if first is not None and first.isdigit() and (not args or args[0] not in self.commands):
            args = ["article", *args]
        return super().parse_args(ctx, args)


def format_option(choices: tuple[str, ...], default: str = "html") -> Callable[[F], F]:
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices, case_sensitive=False),
        default=default,
        show_default=True,
        help="Output format.",
    )


def output_option(func: F) -> F:
    return click.option(
        "-o",
        "--output",
        "output",
        type=click.Path(dir_okay=False, writable=True, path_type=Path),
        help="Write to FILE instead of standard output (replaced atomically).",
    )(func)


def emit(report: RenderedReport, output: Path | None) -> None:
    """Print, or write the whole file at once: a failed report never leaves half a file.

    A written file gets the usual mode (0666 less the umask), like any file the user makes.
    """
    for warning in report.warnings:
        say(f"warning: {warning}", err=True)
    text = report.text
    if output is None:
        echo_document(text)
        return
    directory = output.parent if str(output.parent) else Path()
    if not directory.is_dir():
        raise InvalidInput(f"cannot write {output}: directory {directory} does not exist")
    temporary = directory / f".{output.name}.{secrets.token_hex(6)}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        temporary.replace(output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    say(f"Wrote {output}", err=True)


@click.group(cls=ReportGroup, subcommand_metavar="ARTICLE_ID|COMMAND [ARGS]...")
def report() -> None:
    """Verification reports: one article (`report ID`), link rot, or source credibility.

    \b
    Examples:
      fact-tracker report 3 -f html -o report.html   one article, as one HTML file
      fact-tracker report 3 -f claimreview           schema.org ClaimReview JSON-LD
      fact-tracker report links -f md                dead and at-risk links, rot rate
      fact-tracker report sources -f csv             credibility of every domain
    """


@report.command("article")
@click.argument("article_id", type=click.IntRange(min=1))
@format_option(ARTICLE_FORMATS)
@output_option
@pass_app
def article_command(app: AppContext, article_id: int, fmt: str, output: Path | None) -> None:
    """The report of one article; `report ARTICLE_ID` is short for this.

    \b
    Formats:
      html         one self-contained file (charts inline), readable on screen and in print
      md           Markdown to paste into a CMS or an issue tracker
      json         the versioned schema reports/schema/article-report.v1.json
      csv          one row per claim and source, for spreadsheets
      claimreview  schema.org ClaimReview JSON-LD for claims with a final verdict

    Every format but claimreview shows the publisher's credibility (score, its explanation,
    track record) and each cited source's score next to it. ClaimReview (and the HTML
    report's ClaimReview markup) needs the publishing organization: the organization_name
    and organization_url settings.
    """
    from tracker.reporting.services import article_report

    emit(article_report(app.database(), app.reader, app.settings, article_id, fmt), output)


@report.command("links")
@format_option(LINKS_FORMATS)
@output_option
@click.option(
    "--weeks",
    type=click.IntRange(min=1, max=520),
    default=26,
    show_default=True,
    help="Weeks of check history the rot rate covers.",
)
@click.option(
    "--rot-rate", "rot_rate_csv", is_flag=True, help="CSV only: the weekly rot-rate table."
)
@pass_app
def links_command(
    app: AppContext, fmt: str, output: Path | None, weeks: int, rot_rate_csv: bool
) -> None:
    """Dead and at-risk links of all articles, and the weekly rot rate.

    Links are grouped by domain and by citing article.

    \b
    Examples:
      fact-tracker report links -o links.html
      fact-tracker report links -f csv --rot-rate --weeks 52 > rot.csv
    """
    from tracker.reporting.services import links_report

    if rot_rate_csv and fmt.lower() != "csv":
        raise InvalidInput("--rot-rate needs --format csv")
    report = links_report(
        app.database(), app.reader, fmt=fmt, weeks=weeks, rot_rate_csv=rot_rate_csv
    )
    emit(report, output)


@report.command("sources")
@format_option(SOURCES_FORMATS)
@output_option
@click.option(
    "--sort",
    type=click.Choice(SORT_ORDERS),
    default="score",
    show_default=True,
    help="Highest first; domains without the figure last.",
)
@pass_app
def sources_command(app: AppContext, fmt: str, output: Path | None, sort: str) -> None:
    """Credibility of every domain: score with its explanation, and the track record.

    The explanation lists the inputs the score used (value, weight, share of the weight,
    setting) and those missing with the reason; the track record has citations, links per
    state, link-rot rate, evidence still found and the verdicts of claims relying on it.

    \b
    Formats:
      html  one self-contained file
      md    Markdown
      json  the versioned schema reports/schema/sources-report.v1.json
      csv   one row per domain

    \b
    Examples:
      fact-tracker report sources -o sources.html
      fact-tracker report sources -f csv --sort rot > sources.csv
    """
    from tracker.reporting.services import sources_report

    emit(sources_report(app.database(), app.reader, app.settings, fmt=fmt, sort=sort), output)


COMMANDS = [report]
