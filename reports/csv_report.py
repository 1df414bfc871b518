"""CSV for spreadsheets: one row per claim and source (a claim without sources gets one row).

Cells that a spreadsheet would run as a formula (starting with ``= + - @``, or a tab or
carriage return) get a leading apostrophe: claims and anchor texts come from untrusted pages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from reports.common import iso, state_label, status_label
from reports.credibility_data import DomainCredibility, SourcesReport
from reports.data import ArticleReport, ClaimEntry, LinkEntry, SourceEntry
from reports.links_data import LinksReport
from tracker.credibility.record import verdict_balance
from tracker.enums import ClaimStatus, LinkState

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

ARTICLE_COLUMNS = (
    "article_id",
    "article_title",
    "article_url",
    "claim_id",
    "claim_position",
    "claim_text",
    "claim_kind",
    "claim_status",
    "verdict",
    "rating_value",
    "verdict_at",
    "verdict_by",
    "latest_note",
    "needs_rereview",
    "citation_position",
    "anchor_text",
    "url",
    "link_state",
    "last_outcome",
    "http_status",
    "final_url",
    "last_checked_at",
    "evidence",
    "evidence_found",
    "content_changed",
    "archive_url",
    "archive_timestamp",
    "source_domain",
    "source_score",
    "source_score_basis",
    "publisher_domain",
    "publisher_score",
    "archive_name",
    "capture_id",
    "captured_at",
    "capture_record_id",
    "capture_digest",
    "found_passage",
    "found_at",
    "found_capture_id",
)

LINK_COLUMNS = (
    "domain",
    "url",
    "link_state",
    "last_outcome",
    "http_status",
    "failing_since",
    "last_checked_at",
    "consecutive_failures",
    "archive_url",
    "article_id",
    "article_title",
    "article_url",
    "archive_name",
    "capture_id",
    "captured_at",
    "capture_record_id",
    "capture_digest",
)

SOURCE_COLUMNS = (
    "domain",
    "display_name",
    "score",
    "score_basis",
    "inputs_used",
    "inputs_missing",
    "articles",
    "citations",
    *(f"links_{state.value}" for state in LinkState),
    "checked_links",
    "dead_links",
    "rot_rate",
    "ignore_failures",
    "evidence_checked",
    "evidence_found",
    "evidence_share",
    "verdicts_cited",
    "verdict_balance_cited",
    "verdicts_published",
    "verdict_balance_published",
)

ROT_COLUMNS = ("week_start", "links_checked", "links_failing", "links_inconclusive", "rot_rate")


def guard(value: Any) -> Any:
    """Neutralize formula injection in text cells; numbers and empties pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if value is None else guard(value) for value in row])
    return out.getvalue()


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _article_row(report: ArticleReport, claim: ClaimEntry, source: SourceEntry | None) -> list[Any]:
    article = report.article
    link = source.link if source else None
    cited = report.credibility_for(link)
    publisher = report.publisher
    return [
        article.id,
        article.title,
        article.url,
        claim.id,
        claim.position,
        claim.text,
        claim.kind,
        claim.status.value,
        status_label(claim.status),
        claim.rating.value if claim.rating else None,
        iso(claim.verdict_at),
        claim.verdict_by,
        claim.latest_note,
        _flag(claim.needs_rereview),
        source.citation_position if source else None,
        source.anchor_text if source else None,
        link.url if link else (source.raw_url if source else None),
        state_label(link.state) if link else None,
        link.last_outcome.value if link and link.last_outcome else None,
        link.http_status if link else None,
        link.final_url if link else None,
        iso(link.last_checked_at) if link else None,
        source.evidence if source else None,
        _flag(source.evidence_found) if source else None,
        _flag(link.content_changed) if link else None,
        link.archive_url if link else None,
        iso(link.archive_timestamp) if link else None,
        link.domain if link else None,
        _ratio(cited.score) if cited else None,
        cited.basis if cited else None,
        article.domain,
        _ratio(publisher.score) if publisher else None,
        *_robust(link),
        source.found_passage if source else None,
        iso(source.found_at) if source else None,
        source.found_capture_id if source else None,
    ]


def _robust(link: LinkEntry | None) -> list[Any]:
    """Robust Links columns: whose archived copy, and our own latest capture."""
    capture = link.capture if link else None
    return [
        link.archive_name if link else None,
        capture.id if capture else None,
        iso(capture.captured_at) if capture else None,
        capture.record_id if capture else None,
        capture.payload_digest if capture else None,
    ]


def render_article(report: ArticleReport) -> str:
    rows = []
    for claim in report.claims:
        if not claim.sources:
            rows.append(_article_row(report, claim, None))
        rows.extend(_article_row(report, claim, source) for source in claim.sources)
    return _table(ARTICLE_COLUMNS, rows)


def render_links(report: LinksReport) -> str:
    """One row per dead or at-risk link and citing article (a link cited nowhere: one row)."""
    rows: list[list[Any]] = []
    for item in report.rotten:
        link = item.link
        base = [
            link.domain,
            link.url,
            state_label(link.state),
            link.last_outcome.value if link.last_outcome else None,
            link.http_status,
            iso(link.failing_since),
            iso(link.last_checked_at),
            link.consecutive_failures,
            link.archive_url,
        ]
        cited_by = [[ref.id, ref.title, ref.url] for ref in item.articles] or [[None, None, None]]
        rows.extend(base + article + _robust(link) for article in cited_by)
    return _table(LINK_COLUMNS, rows)


def render_rot_rate(report: LinksReport) -> str:
    """The weekly rot rate alone, for charting in a spreadsheet."""
    rows = [
        [
            week.week_start.isoformat(),
            week.links_checked,
            week.links_failing,
            week.links_inconclusive,
            None if week.rate is None else round(week.rate, 4),
        ]
        for week in report.rot_rate
    ]
    return _table(ROT_COLUMNS, rows)


def _statuses(counts: dict[ClaimStatus, int]) -> str:
    """``accurate 2; false 1``: verdict counts in one cell."""
    return "; ".join(
        f"{status.value} {counts[status]}" for status in ClaimStatus if counts.get(status)
    )


def _source_row(item: DomainCredibility) -> list[Any]:
    record = item.record
    explanation = item.explanation
    return [
        item.domain,
        item.display_name,
        _ratio(item.score),
        item.basis,
        "; ".join(
            f"{used.label} {used.value:.2f} x {used.weight:g} ({item.share(used.weight):.0%})"
            for used in explanation.inputs
        ),
        "; ".join(f"{missing.label}: {missing.reason}" for missing in explanation.missing),
        record.articles,
        record.citations,
        *(record.links.get(state, 0) for state in LinkState),
        record.checked_links,
        record.dead_links,
        _ratio(record.rot_rate),
        _flag(record.ignore_failures),
        record.evidence_checked,
        record.evidence_found,
        _ratio(record.evidence_share),
        _statuses(record.verdicts_cited),
        _ratio(verdict_balance(record.verdicts_cited)[0]),
        _statuses(record.verdicts_published),
        _ratio(verdict_balance(record.verdicts_published)[0]),
    ]


def render_sources(report: SourcesReport) -> str:
    """One row per domain: score, its basis and explanation, and the track record."""
    return _table(SOURCE_COLUMNS, [_source_row(item) for item in report.domains])
