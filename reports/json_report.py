"""JSON reports in a documented, versioned shape: ``reports/schema/*.v1.json`` describe them.

The schemas list every field (``additionalProperties: false``), so the tests catch any drift:
a new field is added to the schema in the same change; renaming, removing or retyping one
ships a v2 file and bumps :data:`reports.data.SCHEMA_VERSION`.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from reports.common import state_label, status_label
from reports.credibility_data import DomainCredibility, SourcesReport
from reports.data import ArticleReport, ClaimEntry, LinkEntry, SourceEntry
from reports.links_data import LinksReport, RottenLink
from tracker.jsonable import dumps as encode
from tracker.jsonable import to_jsonable

ARTICLE_SCHEMA = "article-report.v1.json"
LINKS_SCHEMA = "links-report.v1.json"
SOURCES_SCHEMA = "sources-report.v1.json"


def load_schema(name: str) -> dict[str, Any]:
    """A shipped JSON Schema, read from the installed package."""
    text = resources.files("reports").joinpath("schema", name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


plain = to_jsonable
"""Dataclasses, enums, dates and tuples as JSON values: the one encoder (tracker.jsonable)."""


def link_dict(link: LinkEntry) -> dict[str, Any]:
    data: dict[str, Any] = plain(link)
    data["state_label"] = state_label(link.state)
    data["moved"] = link.moved
    return data


def credibility_dict(item: DomainCredibility) -> dict[str, Any]:
    """A domain's score, explanation and track record (``$defs/credibility`` in the schemas)."""
    return {
        "domain": item.domain,
        "display_name": item.display_name,
        "score": item.score,
        "basis": item.basis,
        "inputs": [
            {**used.to_dict(), "share": item.share(used.weight)} for used in item.explanation.inputs
        ],
        "missing": [missing.to_dict() for missing in item.explanation.missing],
        "explanation": item.lines(),
        "track_record": plain(item.record.to_dict()),
    }


def _score(item: DomainCredibility | None) -> float | None:
    return item.score if item else None


def _source_dict(report: ArticleReport, source: SourceEntry) -> dict[str, Any]:
    data: dict[str, Any] = plain(source)
    data.pop("link")
    data["link_id"] = source.link.id if source.link else None
    data["evidence_label"] = source.evidence_label
    data["domain"] = source.link.domain if source.link else None
    data["source_score"] = _score(report.credibility_for(source.link))
    return data


def _claim_dict(report: ArticleReport, claim: ClaimEntry) -> dict[str, Any]:
    data: dict[str, Any] = plain(claim)
    data["status_label"] = status_label(claim.status)
    data["has_verdict"] = claim.has_verdict
    data["sources"] = [_source_dict(report, source) for source in claim.sources]
    return data


def article_dict(report: ArticleReport) -> dict[str, Any]:
    return {
        "kind": "article-report",
        "schema_version": report.schema_version,
        "generated_at": report.generated_at.isoformat(),
        "article": plain(report.article),
        "summary": plain(report.summary),
        "claims": [_claim_dict(report, claim) for claim in report.claims],
        "links": [
            {**link_dict(link), "source_score": _score(report.credibility_for(link))}
            for link in report.links
        ],
        "citations": [
            {**plain(citation), "resolved": citation.resolved} for citation in report.citations
        ],
        "publisher": credibility_dict(report.publisher) if report.publisher else None,
        "cited_domains": [credibility_dict(item) for item in report.cited_domains],
    }


def _rotten_dict(item: RottenLink) -> dict[str, Any]:
    data = link_dict(item.link)
    data.pop("checks")
    data["articles"] = plain(item.articles)
    return data


def links_dict(report: LinksReport) -> dict[str, Any]:
    return {
        "kind": "links-report",
        "schema_version": report.schema_version,
        "generated_at": report.generated_at.isoformat(),
        "weeks": report.weeks,
        "links_total": report.links_total,
        "links_by_state": report.links_by_state,
        "rotten": [_rotten_dict(item) for item in report.rotten],
        "by_domain": [
            {"domain": group.domain, "link_ids": [item.link.id for item in group.links]}
            for group in report.by_domain
        ],
        "by_article": [
            {"article": plain(group.article), "link_ids": [item.link.id for item in group.links]}
            for group in report.by_article
        ],
        "rot_rate": [{**plain(week), "rate": week.rate} for week in report.rot_rate],
        "rot_now": {**plain(report.rot_now), "rate": report.rot_now.rate},
    }


def dumps(data: Any) -> str:
    return encode(data) + "\n"


def render_article(report: ArticleReport) -> str:
    return dumps(article_dict(report))


def render_links(report: LinksReport) -> str:
    return dumps(links_dict(report))


def sources_dict(report: SourcesReport) -> dict[str, Any]:
    return {
        "kind": "sources-report",
        "schema_version": report.schema_version,
        "generated_at": report.generated_at.isoformat(),
        "sort": report.sort,
        "domains": [credibility_dict(item) for item in report.domains],
    }


def render_sources(report: SourcesReport) -> str:
    return dumps(sources_dict(report))
