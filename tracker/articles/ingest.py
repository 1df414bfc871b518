"""Ingesting an article: parse it, then upsert the article, its citations and its claims.

Re-ingesting updates in place: the article is found by URL (or by file name when it has
none); citations are matched by what the page said (URL as written, anchor text, sentence);
claims by their text. Nothing is duplicated. Claims a reviewer touched are never changed by
the extractor, and when the article's text changed, every existing claim gets a
``text_changed`` event saying whether its sentence is still there.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scrapers import ScrapedArticle, ScrapedCitation, parse_document
from tracker.articles.documents import Document, Format, load_document
from tracker.db import Database
from tracker.enums import ClaimEventAction, ClaimStatus
from tracker.errors import InvalidInput
from tracker.extraction.detector import ClaimCandidate, detect_claims, evidence_for
from tracker.models import Article, Citation, Claim, ClaimSource, utcnow
from tracker.records import (
    SYSTEM_ACTORS,
    get_or_create_link,
    get_or_create_source,
    record_claim_event,
)
from tracker.settings import Settings
from tracker.urls import registrable_domain

EXTRACTOR = "extractor"
EXTRACTOR_ACTOR = "system:extractor"


@dataclass
class IngestResult:
    article_id: int
    title: str | None
    url: str | None
    created: bool
    text_changed: bool
    new_claims: int
    citations: list[dict[str, Any]] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "url": self.url,
            "created": self.created,
            "text_changed": self.text_changed,
            "citation_count": len(self.citations),
            "claim_count": len(self.claims),
            "new_claims": self.new_claims,
        }


def ingest(
    database: Database,
    settings: Settings,
    source: str,
    *,
    url: str | None = None,
    fmt: Format = "auto",
) -> IngestResult:
    """Fetch or read ``source``, parse it, and record it in one transaction."""
    document = load_document(settings, source, url=url, fmt=fmt)
    article = parse_document(document.text, document.url, document.kind)
    if not article.text.strip():
        raise InvalidInput(f"no article text found in {document.input_name}")
    candidates = detect_claims(article.text)
    with database.transaction() as session:
        return store(session, document, article, candidates)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store(
    session: Session,
    document: Document,
    scraped: ScrapedArticle,
    candidates: list[ClaimCandidate],
) -> IngestResult:
    article, created = _upsert_article(session, document, scraped)
    new_hash = content_hash(scraped.text)
    text_changed = not created and article.content_hash != new_hash
    article.content_hash = new_hash
    article.text = scraped.text
    session.flush()
    citations = _sync_citations(session, article, scraped.citations)
    new_claims = _sync_claims(session, article, candidates, citations, text_changed)
    session.flush()
    return IngestResult(
        article_id=article.id,
        title=article.title,
        url=article.url,
        created=created,
        text_changed=text_changed,
        new_claims=new_claims,
        citations=[citation_dict(citation) for citation in citations],
        claims=[claim_dict(claim) for claim in _current_claims(session, article)],
    )


def _upsert_article(
    session: Session, document: Document, scraped: ScrapedArticle
) -> tuple[Article, bool]:
    if document.url:
        article = session.scalar(select(Article).where(Article.url == document.url))
    else:
        article = session.scalar(
            select(Article).where(Article.url.is_(None), Article.input_name == document.input_name)
        )
    created = article is None
    if article is None:
        article = Article(url=document.url, text="")
        session.add(article)
    article.title = scraped.title
    article.authors = list(scraped.authors)
    article.site_name = scraped.site_name
    article.published_at = scraped.published_at
    article.fetched_at = document.fetched_at or article.fetched_at
    article.scraper = scraped.scraper
    article.input_name = document.input_name
    if document.url:
        article.source_id = get_or_create_source(session, registrable_domain(document.url)).id
    return article, created


def _citation_keys(items: list[tuple[str | None, str, str]]) -> list[tuple[Any, ...]]:
    """Keys that tell repeated anchors ("here", "here") apart by their occurrence."""
    seen: Counter[tuple[str | None, str, str]] = Counter()
    keys = []
    for item in items:
        keys.append((*item, seen[item]))
        seen[item] += 1
    return keys


def _sync_citations(
    session: Session, article: Article, scraped: list[ScrapedCitation]
) -> list[Citation]:
    existing = list(
        session.scalars(
            select(Citation).where(Citation.article_id == article.id).order_by(Citation.position)
        )
    )
    by_key = dict(
        zip(
            _citation_keys([(c.raw_url, c.anchor_text, c.sentence) for c in existing]),
            existing,
            strict=True,
        )
    )
    # Park the old rows on negative positions so the new ones can take any position.
    for parked in existing:
        parked.position = -parked.id
    session.flush()
    kept: list[Citation] = []
    keys = _citation_keys([(c.raw_url, c.anchor_text, c.sentence) for c in scraped])
    for key, found in zip(keys, scraped, strict=True):
        row = by_key.pop(key, None)
        if row is None:
            row = Citation(
                article_id=article.id,
                raw_url=found.raw_url,
                anchor_text=found.anchor_text,
                sentence=found.sentence,
                link_id=get_or_create_link(session, found.url).id if found.url else None,
            )
            session.add(row)
        row.position = found.offset
        kept.append(row)
    for stale in by_key.values():
        session.delete(stale)
    session.flush()
    return kept


def is_touched(claim: Claim) -> bool:
    """A reviewer has acted on the claim: the extractor must leave it as it is."""
    return (
        claim.status != ClaimStatus.UNVERIFIED
        or claim.created_by != EXTRACTOR
        or any(event.actor not in SYSTEM_ACTORS for event in claim.events)
    )


def _sync_claims(
    session: Session,
    article: Article,
    candidates: list[ClaimCandidate],
    citations: list[Citation],
    text_changed: bool,
) -> int:
    existing = {claim.text: claim for claim in _current_claims(session, article)}
    present = {candidate.text for candidate in candidates}
    if text_changed:
        for old in existing.values():
            still_there = old.text in present
            record_claim_event(
                session,
                old,
                actor=EXTRACTOR_ACTOR,
                action=ClaimEventAction.TEXT_CHANGED,
                note="the article's text changed"
                + ("" if still_there else "; this sentence is no longer in it"),
                changes={"content_hash": article.content_hash, "sentence_present": still_there},
            )
            if not still_there:
                if is_touched(old):
                    old.needs_rereview = True
                else:
                    old.position = None
    new_claims = 0
    positioned: set[str] = set()
    for candidate in candidates:
        claim = existing.get(candidate.text)
        sources = [c for c in citations if candidate.start <= c.position < candidate.end]
        if candidate.text in positioned and claim is not None:
            if not is_touched(claim):
                _attach_sources(claim, sources)  # a repeated sentence: one claim, first place
            continue
        positioned.add(candidate.text)
        if claim is None:
            claim = _create_claim(session, article, candidate)
            existing[candidate.text] = claim
            new_claims += 1
        elif is_touched(claim):
            continue
        else:
            claim.score = candidate.score
            claim.kind = candidate.kind
            claim.figures = candidate.figures
            claim.position = candidate.start
        _attach_sources(claim, sources)
    return new_claims


def _create_claim(session: Session, article: Article, candidate: ClaimCandidate) -> Claim:
    claim = Claim(
        article_id=article.id,
        text=candidate.text,
        kind=candidate.kind,
        figures=candidate.figures,
        score=candidate.score,
        position=candidate.start,
        status=ClaimStatus.UNVERIFIED,
        created_by=EXTRACTOR,
        created_at=utcnow(),
    )
    session.add(claim)
    session.flush()
    record_claim_event(
        session,
        claim,
        actor=EXTRACTOR_ACTOR,
        action=ClaimEventAction.CREATED,
        new_status=ClaimStatus.UNVERIFIED,
        changes={"score": candidate.score, "kind": candidate.kind.value},
    )
    return claim


def _attach_sources(claim: Claim, citations: list[Citation]) -> None:
    linked = {source.citation_id for source in claim.sources}
    for citation in citations:
        if citation.id in linked:
            continue
        claim.sources.append(
            ClaimSource(
                link_id=citation.link_id,
                citation_id=citation.id,
                evidence=evidence_for(claim.text, citation.anchor_text),
            )
        )


def _current_claims(session: Session, article: Article) -> list[Claim]:
    return list(
        session.scalars(select(Claim).where(Claim.article_id == article.id).order_by(Claim.id))
    )


def citation_dict(citation: Citation) -> dict[str, Any]:
    return {
        "id": citation.id,
        "article_id": citation.article_id,
        "position": citation.position,
        "anchor_text": citation.anchor_text,
        "url": citation.link.url if citation.link else None,
        "raw_url": citation.raw_url,
        "link_id": citation.link_id,
        "resolved": citation.link_id is not None,
        "sentence": citation.sentence,
    }


def claim_dict(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "article_id": claim.article_id,
        "text": claim.text,
        "kind": claim.kind,
        "status": claim.status,
        "score": claim.score,
        "figures": claim.figures,
        "position": claim.position,
        "needs_rereview": claim.needs_rereview,
        "created_by": claim.created_by,
    }
