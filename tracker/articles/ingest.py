"""Ingesting an article: parse it, then upsert the article, its citations and its claims.

Re-ingesting updates in place: the article is found by URL (or by file name when it has
none); citations are matched by what the page said (URL as written, anchor text, sentence);
claims by their text. Nothing is duplicated. Claims a reviewer touched are never changed by
the extractor, and when the article's text changed, every existing claim gets a
``text_changed`` event saying whether its sentence is still there.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scrapers import ScrapedArticle, ScrapedCitation, parse_document
from tracker.articles.documents import Document, Format, load_document
from tracker.db import Database
from tracker.enums import ClaimEventAction, ClaimStatus
from tracker.errors import InvalidInput
from tracker.extraction.detector import ClaimCandidate, detect_claims
from tracker.extraction.evidence import CONTEXT_CHARS, evidence_spec
from tracker.extraction.refit import model_for
from tracker.models import (
    Article,
    Citation,
    Claim,
    ClaimEvent,
    ClaimSource,
    Link,
    Source,
    utcnow,
)
from tracker.records import (
    SYSTEM_ACTORS,
    claim_event_values,
    get_or_create_source,
    record_claim_event,
)
from tracker.settings import Settings
from tracker.urls import InvalidURL, registrable_domain

EXTRACTOR = "extractor"
EXTRACTOR_ACTOR = "system:extractor"
BATCH = 500
"""Rows per bulk statement (well under SQLite's and PostgreSQL's bound-parameter limits)."""


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
    cited = [citation.offset for citation in article.citations]
    candidates = detect_claims(article.text, cited=cited, model=model_for(settings))
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
    urls = link_ids(session, [c.url for c in scraped.citations if c.url])
    citations = _sync_citations(session, article, scraped.citations, urls)
    new_claims = _sync_claims(session, article, candidates, citations, text_changed)
    session.flush()
    url_of = {link_id: url for url, link_id in urls.items()}
    return IngestResult(
        article_id=article.id,
        title=article.title,
        url=article.url,
        created=created,
        text_changed=text_changed,
        new_claims=new_claims,
        citations=[citation_dict(citation, url_of) for citation in citations],
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


def link_ids(session: Session, urls: list[str]) -> dict[str, int]:
    """The Link id of every URL, creating the missing links (and their sources) in bulk.

    One INSERT ... ON CONFLICT DO NOTHING and one SELECT per batch of :data:`BATCH` URLs,
    so a page citing thousands of links costs a handful of statements, and concurrent
    ingests citing the same URL never collide.
    """
    wanted = list(dict.fromkeys(urls))
    if not wanted:
        return {}
    domains: dict[str, str | None] = {}
    for url in wanted:
        try:
            domains[url] = registrable_domain(url)
        except InvalidURL:
            domains[url] = None
    source_ids = _upsert(
        session, Source, Source.domain, [d for d in dict.fromkeys(domains.values()) if d]
    )
    now = utcnow()
    return _upsert(
        session,
        Link,
        Link.url,
        wanted,
        lambda url: {
            "source_id": source_ids.get(domains[url] or ""),
            "next_check_at": now,
        },
    )


def _upsert(
    session: Session,
    model: type[Source] | type[Link],
    key: Any,
    values: list[str],
    extra: Any = None,
) -> dict[str, int]:
    upsert: Any
    if session.get_bind().dialect.name == "postgresql":  # each dialect imported when used
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    ids: dict[str, int] = {}
    now = utcnow()
    with session.no_autoflush:
        for start in range(0, len(values), BATCH):
            batch = values[start : start + BATCH]
            known = dict(
                session.execute(select(key, model.id).where(key.in_(batch))).tuples().all()
            )
            missing = [value for value in batch if value not in known]
            if missing:
                rows = [
                    {key.key: value, "created_at": now, **(extra(value) if extra else {})}
                    for value in missing
                ]
                # One statement for the batch (executemany: SQLAlchemy sends multi-row VALUES).
                session.execute(upsert(model).on_conflict_do_nothing(), rows)
                known.update(
                    session.execute(select(key, model.id).where(key.in_(missing))).tuples().all()
                )
            ids.update(known)
    return ids


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
                "evidence_state": "nothing_to_match" if spec.empty else None,
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
    return list(
        session.scalars(select(Claim).where(Claim.article_id == article.id).order_by(Claim.id))
    )


def citation_dict(citation: Citation, url_of: dict[int, str] | None = None) -> dict[str, Any]:
    if citation.link_id is None:
        url = None
    elif url_of is not None and citation.link_id in url_of:
        url = url_of[citation.link_id]
    else:
        url = citation.link.url if citation.link else None
    return {
        "id": citation.id,
        "article_id": citation.article_id,
        "position": citation.position,
        "anchor_text": citation.anchor_text,
        "url": url,
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
