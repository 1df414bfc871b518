"""Markdown reports, paste-ready for a CMS or an issue tracker.

Every untrusted string (claims, titles, anchor texts, notes, URLs) goes through :func:`md` or
:func:`md_link`: Markdown metacharacters are backslash-escaped, so text cannot turn into
markup, raw HTML or a link, and only http(s) URLs become links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from reports.common import (
    fmt_date,
    fmt_datetime,
    linkable,
    outcome_label,
    state_label,
    status_label,
)
from reports.credibility_data import DomainCredibility, SourcesReport
from reports.data import ArticleReport, ClaimEntry, EventEntry, LinkEntry, SourceEntry
from reports.links_data import LinksReport, RottenLink
from tracker.enums import LinkState

# Emphasis, code, links, raw HTML, tables, strike-through, entities, and the issue-tracker
# triggers (# references, @ mentions).
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#!|~&@])")
_SPACE = re.compile(r"\s+")


def md(value: object) -> str:
    """Plain text safe anywhere in Markdown: one line, metacharacters escaped."""
    if value is None:
        return "-"
    text = _SPACE.sub(" ", str(value)).strip()
    return _SPECIAL.sub(r"\\\1", text) if text else "-"


def md_url(url: str) -> str:
    """A link destination that cannot close the link or hold markup."""
    return (
        url.replace("\\", "%5C")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace(" ", "%20")
        .replace("\n", "")
        .replace("\r", "")
    )


def md_link(text: object, url: str | None) -> str:
    """``[text](<url>)`` for an http(s) URL; escaped text alone for anything else."""
    target = linkable(url)
    label = md(text if text not in (None, "") else url)
    if target is None:
        return label
    return f"[{label}](<{md_url(target)}>)"


def _table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def _verdict(claim: ClaimEntry) -> str:
    label = md(status_label(claim.status))
    if claim.rating and claim.rating.value is not None:
        label += f" ({claim.rating.value}/{claim.rating.best})"
    if claim.verdict_at:
        label += f", by {md(claim.verdict_by)} on {fmt_date(claim.verdict_at)}"
    return label


def _evidence(source: SourceEntry) -> str:
    if not source.evidence:
        return md(source.evidence_label)
    said = f"{md(source.evidence_label)}: “{md(source.evidence)}”"
    if source.found_passage:
        capture = f" (our capture {source.found_capture_id})" if source.found_capture_id else ""
        said += f"; the source said: “{md(source.found_passage)}”{capture}"
    return said


def _link_cell(source: SourceEntry) -> str:
    if source.link is not None:
        return md_link(source.anchor_text or source.link.url, source.link.url)
    return md_link(source.anchor_text, source.raw_url) + " (unresolved)"


def _state_cell(link: LinkEntry | None) -> str:
    if link is None:
        return "-"
    cell = md(state_label(link.state))
    if link.overridden:
        cell += f" (override; checker: {md(state_label(link.checker_state))})"
    if link.moved:
        cell += " (moved)"
    if link.content_changed:
        cell += ", changed"
    return cell


def _outcome_cell(link: LinkEntry | None) -> str:
    return md(outcome_label(link.last_outcome if link else None))


def _archive_cell(link: LinkEntry | None) -> str:
    """Robust Links in Markdown: the archived copy (and whose), and our own latest capture."""
    if link is None:
        return "-"
    parts = []
    if link.archive_url:
        where = f" ({md(link.archive_name)})" if link.archive_name else ""
        parts.append(
            md_link(f"archived {fmt_date(link.archive_timestamp)}", link.archive_url) + where
        )
    if link.capture is not None:
        parts.append(f"our capture {link.capture.id}, {fmt_date(link.capture.captured_at)}")
    return "; ".join(parts) or "-"


def _event_line(event: EventEntry) -> str:
    what = md(event.action.value)
    if event.new_status is not None:
        old = md(status_label(event.old_status)) if event.old_status else "-"
        what = f"{old} → {md(status_label(event.new_status))}"
    note = f": {md(event.note)}" if event.note else ""
    return f"  - {fmt_datetime(event.at)}, {md(event.actor)}, {what}{note}"


def score_cell(item: DomainCredibility | None) -> str:
    """``0.72 (domain)``: a source's score next to it, or why there is none."""
    if item is None:
        return "-"
    if item.score is None:
        return f"no score ({md(item.domain)})"
    return f"{item.score:.2f} ({md(item.domain)})"


def credibility_block(item: DomainCredibility) -> list[str]:
    """A domain's score with its explanation (inputs, weights, what is missing) and record."""
    explanation = item.explanation
    if item.score is None:
        head = f"**{md(item.label)}**: no score yet (no inputs)"
    else:
        head = f"**{md(item.label)}**: score **{item.score:.2f}** on 0..1 ({md(item.basis)})"
    lines = [head, ""]
    if explanation.inputs:
        rows = [
            [
                md(used.label),
                f"{used.value:.2f}",
                f"{used.weight:g}",
                f"{item.share(used.weight):.0%}",
                md(used.detail),
            ]
            for used in explanation.inputs
        ]
        columns = ["Input used", "Value", "Weight", "Share", "Detail"]
        lines += [*_table(columns, rows), ""]
    if explanation.missing:
        lines += ["Missing:", ""]
        lines += [f"- {md(gap.label)}: {md(gap.reason)}" for gap in explanation.missing]
        lines.append("")
    lines += ["Track record:", ""]
    lines += [f"- **{md(label)}:** {md(value)}" for label, value in item.facts()]
    lines.append("")
    return lines


def _claim_section(report: ArticleReport, claim: ClaimEntry) -> list[str]:
    lines = [
        f"### Claim {claim.id}: {md(claim.text)}",
        "",
        f"- **Kind:** {md(claim.kind)}",
        f"- **Verdict:** {_verdict(claim)}",
    ]
    if claim.needs_rereview:
        lines.append("- **Needs re-review:** a source changed since the verdict")
    if claim.latest_note:
        lines.append(f"- **Reviewer's note:** {md(claim.latest_note)}")
    lines.append("- **History:**")
    lines.extend(_event_line(event) for event in claim.history)
    lines.append("")
    if not claim.sources:
        lines += ["No sources recorded for this claim.", ""]
        return lines
    rows = [
        [
            _link_cell(source),
            _state_cell(source.link),
            _outcome_cell(source.link),
            md(source.link.http_status if source.link else None),
            fmt_datetime(source.link.last_checked_at) if source.link else "-",
            _evidence(source),
            _archive_cell(source.link),
            score_cell(report.credibility_for(source.link)),
        ]
        for source in claim.sources
    ]
    columns = [
        "Source",
        "State",
        "Last outcome",
        "HTTP",
        "Last checked",
        "Evidence",
        "Archive",
        "Source score",
    ]
    return [*lines, *_table(columns, rows), ""]


def render_article(report: ArticleReport) -> str:
    article = report.article
    summary = report.summary
    lines = [f"# Verification report: {md(article.display_title)}", ""]
    facts = []
    if article.url:
        facts.append(f"**Article:** {md_link(article.url, article.url)}")
    if article.authors:
        facts.append(f"**By:** {', '.join(md(author) for author in article.authors)}")
    if article.site_name:
        facts.append(f"**Site:** {md(article.site_name)}")
    facts.append(f"**Published:** {fmt_date(article.published_at)}")
    lines += [" · ".join(facts), "", f"_Generated {fmt_datetime(report.generated_at)}._", ""]

    verdicts = ", ".join(
        f"{md(status_label(status))} {count}"
        for status, count in summary.claims_by_status.items()
        if count
    )
    states = ", ".join(
        f"{md(state_label(state))} {summary.links_by_state[state.value]}" for state in LinkState
    )
    lines += [
        "## Summary",
        "",
        (
            f"- **Claims:** {summary.claims_total} ({verdicts or 'none'}); "
            f"{summary.verdicts} with a final verdict, {summary.needs_rereview} to re-review"
        ),
        (
            f"- **Links:** {summary.links_total} ({states}); "
            f"{summary.links_content_changed} changed since cited"
        ),
        (
            f"- **Evidence:** found {summary.evidence_found}, missing "
            f"{summary.evidence_missing}, not checked {summary.evidence_unchecked}"
        ),
        (
            f"- **Citations:** {summary.citations_total}, "
            f"{summary.citations_unresolved} unresolved (anchor text only)"
        ),
        "",
        "## Publisher",
        "",
    ]
    if report.publisher is None:
        lines += ["No publishing domain recorded (the article came from a file).", ""]
    else:
        lines += credibility_block(report.publisher)
    lines += ["## Claims", ""]
    for claim in report.claims:
        lines += _claim_section(report, claim)
    if not report.claims:
        lines += ["No claims recorded.", ""]
    if report.unresolved_citations:
        lines += ["## Unresolved citations", ""]
        lines += [
            f"- citation {citation.id}: “{md(citation.anchor_text)}”"
            + (f" (written as `{md(citation.raw_url)}`)" if citation.raw_url else "")
            for citation in report.unresolved_citations
        ]
        lines.append("")
    if report.links:
        lines += ["## Links", ""]
        rows = [
            [
                md_link(link.url, link.url),
                _state_cell(link),
                md(outcome_label(link.last_outcome)),
                md(link.http_status),
                md_link(link.final_url, link.final_url) if link.moved else "-",
                fmt_datetime(link.last_checked_at),
                _archive_cell(link),
            ]
            for link in report.links
        ]
        columns = ["URL", "State", "Last outcome", "HTTP", "Moved to", "Last checked", "Archive"]
        lines += [*_table(columns, rows), ""]
    if report.cited_domains:
        lines += ["## Cited domains", ""]
        for item in report.cited_domains:
            lines += credibility_block(item)
    return "\n".join(lines)


def _rotten_rows(items: Iterable[RottenLink], *, with_articles: bool) -> list[str]:
    columns = ["URL", "State", "Last outcome", "HTTP", "Failing since", "Archive"]
    if with_articles:
        columns.append("Cited by")
    rows = []
    for item in items:
        link = item.link
        row = [
            md_link(link.url, link.url),
            _state_cell(link),
            md(outcome_label(link.last_outcome)),
            md(link.http_status),
            fmt_date(link.failing_since),
            _archive_cell(link),
        ]
        if with_articles:
            row.append(
                "; ".join(md_link(ref.display_title, ref.url) for ref in item.articles) or "-"
            )
        rows.append(row)
    return _table(columns, rows)


def _rate(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


def render_links(report: LinksReport) -> str:
    states = ", ".join(
        f"{md(state_label(state))} {report.links_by_state[state.value]}" for state in LinkState
    )
    lines = [
        "# Link rot report",
        "",
        f"_Generated {fmt_datetime(report.generated_at)}._",
        "",
        f"- **Links:** {report.links_total} ({states})",
        f"- **Dead or at risk:** {len(report.rotten)}",
        (
            f"- **Rot now:** {_rate(report.rot_now.rate)} ({report.rot_now.rotten} of "
            f"{report.rot_now.counted} checked links)"
        ),
        "",
        "## Dead and at-risk links by domain",
        "",
    ]
    for group in report.by_domain:
        lines += [f"### {md(group.domain)} ({len(group.links)})", ""]
        lines += [*_rotten_rows(group.links, with_articles=True), ""]
    if not report.by_domain:
        lines += ["None.", ""]
    lines += ["## By article", ""]
    for article_group in report.by_article:
        title = md_link(article_group.article.display_title, article_group.article.url)
        lines += [f"### {title} ({len(article_group.links)})", ""]
        lines += [*_rotten_rows(article_group.links, with_articles=False), ""]
    if not report.by_article:
        lines += ["None.", ""]
    lines += [f"## Rot rate per week (last {report.weeks} weeks)", ""]
    rows = [
        [
            week.week_start.isoformat(),
            str(week.links_checked),
            str(week.links_failing),
            str(week.links_inconclusive),
            _rate(week.rate),
        ]
        for week in report.rot_rate
    ]
    columns = ["Week of", "Links checked", "Failing", "Inconclusive", "Rot rate"]
    lines += [*_table(columns, rows), ""] if rows else ["No checks in that period.", ""]
    return "\n".join(lines)


def render_sources(report: SourcesReport) -> str:
    lines = [
        "# Source credibility",
        "",
        f"_Generated {fmt_datetime(report.generated_at)}; sorted by {md(report.sort)}._",
        "",
    ]
    if not report.domains:
        return "\n".join([*lines, "No sources recorded.", ""])
    rows = [
        [
            md(item.label),
            "-" if item.score is None else f"{item.score:.2f}",
            md(item.basis),
            str(item.record.citations),
            "-" if item.record.rot_rate is None else f"{item.record.rot_rate:.0%}",
        ]
        for item in report.domains
    ]
    lines += [*_table(["Domain", "Score", "Basis", "Citations", "Rot rate"], rows), ""]
    for item in report.domains:
        lines += [f"## {md(item.domain)}", "", *credibility_block(item)]
    return "\n".join(lines)
