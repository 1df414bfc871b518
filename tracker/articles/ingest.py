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
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session, selectinload

from scrapers import ScrapedArticle, ScrapedCitation
from tracker.actors import EXTRACTOR as EXTRACTOR_SYSTEM
from tracker.actors import SYSTEM_ACTOR_NAMES
from tracker.articles.documents import Document
from tracker.articles.lookup import record_article_event
from tracker.credibility.sources import get_or_create_source
from tracker.enums import ArticleEventAction, ClaimEventAction, ClaimStatus, EvidenceState
from tracker.extraction.detector import ClaimCandidate
from tracker.extraction.evidence import CONTEXT_CHARS, evidence_spec
from tracker.linkcheck.links import ensure_links
from tracker.models import Article, Citation, Claim, ClaimEvent, ClaimSource, utcnow
from tracker.review.claims import claim_event_values, record_claim_event
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
    link_urls: dict[int, str]
    """The URL of each cited link, by id (read back from the bulk upsert, not per citation)."""


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
    urls = ensure_links(session, [c.url for c in scraped.citations if c.url])
    citations = _sync_citations(session, article, scraped.citations, urls)
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
    link_urls = {link_id: url for url, link_id in urls.items()}
    return Stored(article, created, text_changed, new_claims, citations, link_urls)


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
    session: Session,
    article: Article,
    scraped: list[ScrapedCitation],
    urls: dict[str, int],
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
    keys = _citation_keys([(c.raw_url, c.anchor_text, c.sentence) for c in scraped])
    new_rows: list[dict[str, Any]] = []
    for key, found in zip(keys, scraped, strict=True):
        row = by_key.pop(key, None)
        if row is None:
            new_rows.append(
                {
                    "article_id": article.id,
                    "raw_url": found.raw_url,
                    "anchor_text": found.anchor_text,
                    "sentence": found.sentence,
                    "link_id": urls[found.url] if found.url else None,
                    "position": found.offset,
                    "created_at": utcnow(),
                }
            )
        else:
            row.position = found.offset
    for stale in by_key.values():
        session.delete(stale)
    session.flush()
    if new_rows:
        # One executemany: the ORM would insert row by row to learn each new id.
        session.execute(insert(Citation), new_rows)
    return list(
        session.scalars(
            select(Citation).where(Citation.article_id == article.id).order_by(Citation.position)
        )
    )


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
    new_claims: dict[str, list[ClaimCandidate]] = {}
    positioned: set[str] = set()
    ordered = sorted(citations, key=lambda citation: citation.position)
    positions = [citation.position for citation in ordered]

    def cited(candidate: ClaimCandidate) -> list[Citation]:
        start, end = bisect_left(positions, candidate.start), bisect_left(positions, candidate.end)
        return ordered[start:end]

    for candidate in candidates:
        claim = existing.get(candidate.text)
        if candidate.text in new_claims:
            new_claims[candidate.text].append(candidate)  # repeated: one claim, first place
            continue
        if candidate.text in positioned and claim is not None:
            if not is_touched(claim):
                _attach_sources(claim, cited(candidate), article, candidate.start)
            continue
        positioned.add(candidate.text)
        if claim is None:
            new_claims[candidate.text] = [candidate]
        elif not is_touched(claim):
            claim.score = candidate.score
            claim.kind = candidate.kind
            claim.figures = candidate.figures
            claim.position = candidate.start
            _attach_sources(claim, cited(candidate), article, candidate.start)
    session.flush()
    if new_claims:
        _insert_claims(session, article, new_claims, cited)
    return len(new_claims)


def _insert_claims(
    session: Session,
    article: Article,
    occurrences: dict[str, list[ClaimCandidate]],
    cited: Callable[[ClaimCandidate], list[Citation]],
) -> None:
    """New claims (at their first place, with the citations of every place), their sources
    and their ``created`` events: one executemany each."""
    now = utcnow()
    candidates = [places[0] for places in occurrences.values()]
    session.execute(
        insert(Claim),
        [
            {
                "article_id": article.id,
                "text": candidate.text,
                "kind": candidate.kind,
                "figures": candidate.figures,
                "score": candidate.score,
                "position": candidate.start,
                "status": ClaimStatus.UNVERIFIED,
                "created_by": EXTRACTOR,
                "created_at": now,
                "updated_at": now,
            }
            for candidate in candidates
        ],
    )
    wanted = {candidate.text: candidate for candidate in candidates}
    ids = {
        text: claim_id
        for claim_id, text in session.execute(
            select(Claim.id, Claim.text).where(
                Claim.article_id == article.id, Claim.created_by == EXTRACTOR
            )
        ).tuples()
        if text in wanted
    }
    sources = [
        {"claim_id": ids[text], "created_at": now, **row}
        for text, places in occurrences.items()
        for place in places
        for row in _source_rows(
            text, cited(place), article.title, place.start, _before(article, place.start)
        )
    ]
    if sources:
        session.execute(insert(ClaimSource), sources)
    session.execute(
        insert(ClaimEvent),
        [
            claim_event_values(
                ids[text],
                1,
                actor=EXTRACTOR_ACTOR,
                action=ClaimEventAction.CREATED,
                new_status=ClaimStatus.UNVERIFIED,
                changes={"score": candidate.score, "kind": candidate.kind.value},
                at=now,
            )
            for text, candidate in wanted.items()
        ],
    )


def _source_rows(
    text: str, citations: list[Citation], title: str | None, start: int, context: str = ""
) -> list[dict[str, Any]]:
    """A claim's ties to the ``citations`` in its sentence (at ``start``), with evidence."""
    spans = {
        citation.id: (
            citation.position - start,
            citation.position - start + len(citation.anchor_text),
        )
        for citation in citations
    }
    rows = []
    for citation in citations:
        others = [span for other, span in spans.items() if other != citation.id]
        spec = evidence_spec(text, spans[citation.id], others=others, title=title, context=context)
        rows.append(
            {
                "link_id": citation.link_id,
                "citation_id": citation.id,
                "evidence": spec.summary() or None,
                "evidence_spec": spec.to_json(),
                "evidence_state": EvidenceState.NOTHING_TO_MATCH.value if spec.empty else None,
            }
        )
    return rows


def _attach_sources(claim: Claim, citations: list[Citation], article: Article, start: int) -> None:
    """Tie ``citations`` (in the sentence at ``start``) to an existing ``claim``."""
    linked = {source.citation_id for source in claim.sources}
    context = _before(article, start)
    for row in _source_rows(claim.text, citations, article.title, start, context):
        if row["citation_id"] not in linked:
            claim.sources.append(ClaimSource(**row))


def _before(article: Article, start: int) -> str:
    """The text of the paragraph before ``start`` (what "that target" may point back at)."""
    before = article.text[max(0, start - CONTEXT_CHARS) : start]
    return before.rsplit("\n\n", 1)[-1]


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
