"""Recording a parsed article: upsert the article, its citations and its claims.

An article's identity is its canonical URL, else its text: re-ingesting finds it by URL, then
by content hash (so a saved copy ingested again with the URL it was published at is the same
article, which gains the URL), then, for a file without a URL whose text was edited, by the
file's name. Nothing is duplicated. Deleted articles are never found: ingesting one again
records a new article. Citations
are matched by what the page said (URL as written, anchor text, sentence); claims by their
text. Claims a reviewer touched are never changed by the extractor, and when the article's
text changed, every existing claim gets a ``text_changed`` event saying whether its sentence
is still there.

:func:`tracker.articles.services.ingest` loads and parses the document, then calls
:func:`store` in one transaction.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from scrapers import ScrapedArticle, ScrapedCitation
from tracker.actors import EXTRACTOR as EXTRACTOR_SYSTEM
from tracker.actors import SYSTEM_ACTOR_NAMES
from tracker.articles.documents import Document
from tracker.articles.lookup import record_article_event
from tracker.credibility.sources import get_or_create_source
from tracker.enums import ArticleEventAction, ClaimEventAction, ClaimStatus
from tracker.extraction.detector import ClaimCandidate, evidence_for
from tracker.linkcheck.links import get_or_create_link
from tracker.models import Article, Citation, Claim, ClaimSource, utcnow
from tracker.review.claims import record_claim_event
from tracker.review.reviewers import Acting
from tracker.urls import registrable_domain

EXTRACTOR = "extractor"
EXTRACTOR_ACTOR = Acting.system(EXTRACTOR_SYSTEM)


@dataclass(frozen=True)
class Stored:
    """What :func:`store` did to the article."""

    article: Article
    created: bool
    text_changed: bool
    new_claims: int
    citations: list[Citation]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store(
    session: Session,
    acting: Acting,
    document: Document,
    scraped: ScrapedArticle,
    candidates: list[ClaimCandidate],
) -> Stored:
    new_hash = content_hash(scraped.text)
    document_hash = content_hash(document.text)
    article, created = _upsert_article(session, document, scraped, new_hash, document_hash)
    text_changed = not created and article.content_hash != new_hash
    article.content_hash = new_hash
    article.document_hash = document_hash
    article.text = scraped.text
    session.flush()
    citations = _sync_citations(session, article, scraped.citations)
    new_claims = _sync_claims(session, article, candidates, citations, text_changed)
    action = ArticleEventAction.INGESTED if created else ArticleEventAction.REINGESTED
    record_article_event(
        session,
        article,
        actor=acting,
        action=action,
        changes={
            "input": document.input_name,
            "text_changed": text_changed,
            "new_claims": new_claims,
        },
    )
    session.flush()
    return Stored(article, created, text_changed, new_claims, citations)


def find_article(
    session: Session, document: Document, text_hash: str, document_hash: str
) -> Article | None:
    """The live article ``document`` is: by URL, else by content, else by file name.

    Content is the document as handed over or its extracted text: the same saved page read
    with and without its URL may be extracted differently (site scrapers go by URL).
    """
    live = Article.deleted_at.is_(None)
    same = or_(Article.document_hash == document_hash, Article.content_hash == text_hash)
    by_hash = select(Article).where(live, same).order_by(Article.id)
    if document.url:
        found = session.scalar(select(Article).where(Article.url == document.url))
        if found is None:  # the same text ingested before without its URL
            found = session.scalar(by_hash.where(Article.url.is_(None)).limit(1))
        return found
    found = session.scalar(by_hash.limit(1))
    if found is None:  # a saved file edited since it was ingested
        found = session.scalar(
            select(Article)
            .where(live, Article.url.is_(None), Article.input_name == document.input_name)
            .order_by(Article.id)
            .limit(1)
        )
    return found


def _upsert_article(
    session: Session,
    document: Document,
    scraped: ScrapedArticle,
    text_hash: str,
    document_hash: str,
) -> tuple[Article, bool]:
    article = find_article(session, document, text_hash, document_hash)
    created = article is None
    if article is None:
        article = Article(url=document.url, text="")
        session.add(article)
    if document.url and article.url is None:
        article.url = document.url
    article.title = scraped.title
    article.authors = list(scraped.authors)
    article.site_name = scraped.site_name
    article.published_at = scraped.published_at
    article.fetched_at = document.fetched_at or article.fetched_at
    article.scraper = scraped.scraper
    article.input_name = document.input_name
    if article.url:
        article.source_id = get_or_create_source(session, registrable_domain(article.url)).id
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
        or any(event.actor not in SYSTEM_ACTOR_NAMES for event in claim.events)
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
    # Events and sources in two queries for all claims: is_touched and _attach_sources read them.
    return list(
        session.scalars(
            select(Claim)
            .where(Claim.article_id == article.id)
            .order_by(Claim.id)
            .options(selectinload(Claim.events), selectinload(Claim.sources))
        )
    )
