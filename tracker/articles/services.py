"""The articles feature's services: ingest, list, show, edit and delete articles; citations.

Every function takes ``(database, actor, ...)``, checks the actor's role, runs in its own
transaction and returns frozen views (:mod:`tracker.articles.views`). Reading needs any role;
writing needs the reviewer role.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from tracker.actors import FOLLOWER, Actor
from tracker.articles.lookup import get_article, record_article_event
from tracker.articles.views import (
    ArticleChange,
    ArticleDeletion,
    ArticleDetail,
    ArticleReading,
    ArticleView,
    CitationResolution,
    CitationView,
    Format,
    IngestView,
)
from tracker.db import Database
from tracker.enums import ArticleEventAction, ClaimEventAction
from tracker.errors import InvalidInput, NotFound
from tracker.linkcheck.links import get_or_create_link, retire_uncited
from tracker.models import Article, Citation, Claim, ClaimSource, Link, Source, utcnow
from tracker.review.claims import record_claim_event
from tracker.review.edits import unchecked
from tracker.review.reviewers import Acting, may_change, may_read
from tracker.review.views import ClaimSummary, ClaimView
from tracker.settings import Settings
from tracker.urls import normalize_url, registrable_domain

if TYPE_CHECKING:
    from tracker.articles.documents import Document

TITLE_MAX = 1000
NAME_MAX = 300


def ingest(
    database: Database,
    actor: Actor,
    settings: Settings,
    source: str,
    *,
    url: str | None = None,
    fmt: Format = "auto",
) -> IngestView:
    """Fetch or read ``source``, parse it, and record it in one transaction.

    The actor is checked before anything is fetched; fetching and parsing happen outside the
    transaction, so a slow page never holds the database.
    """
    from tracker.articles.documents import load_document

    with database.reading() as session:
        _may_ingest(session, actor)
    return _store_document(
        database, actor, settings, load_document(settings, source, url=url, fmt=fmt)
    )


def ingest_upload(
    database: Database,
    actor: Actor,
    settings: Settings,
    data: bytes,
    file_name: str,
    *,
    url: str | None = None,
    fmt: Format = "auto",
) -> IngestView:
    """Ingest an uploaded file (its bytes and its name), as :func:`ingest` does a saved one."""
    from tracker.articles.documents import read_bytes

    with database.reading() as session:
        _may_ingest(session, actor)
    name = (file_name or "upload").replace("\\", "/").rsplit("/", 1)[-1][:200] or "upload"
    if len(data) > settings.max_body_bytes:
        raise InvalidInput(f"{name} is larger than {settings.max_body_bytes} bytes")
    if not data:
        raise InvalidInput(f"{name} is empty")
    return _store_document(
        database, actor, settings, read_bytes(data, f"upload:{name}", url=url, fmt=fmt, shown=name)
    )


def _store_document(
    database: Database, actor: Actor, settings: Settings, document: Document
) -> IngestView:
    from scrapers import parse_document
    from tracker.articles.ingest import store  # scrapers and the claim detector: heavy imports
    from tracker.extraction.detector import detect_claims
    from tracker.extraction.refit import model_for

    scraped = parse_document(document.text, document.url, document.kind)
    if not scraped.text.strip():
        raise InvalidInput(f"no article text found in {document.input_name}")
    cited = [citation.offset for citation in scraped.citations]
    candidates = detect_claims(scraped.text, cited=cited, model=model_for(settings))
    with database.transaction() as session:
        acting = _may_ingest(session, actor)
        stored = store(session, acting, document, scraped, candidates)
        article = stored.article
        claims = _claims_of(session, [article.id])
        citations = tuple(CitationView.of(c, stored.link_urls) for c in stored.citations)
        return IngestView(
            article=_article_views(session, [article])[0],
            created=stored.created,
            text_changed=stored.text_changed,
            new_claims=stored.new_claims,
            citations=citations,
            claims=tuple(ClaimSummary.of(claim) for claim in claims),
        )


def _may_ingest(session: Session, actor: Actor) -> Acting:
    """Reviewers ingest; of the system actors, only the follower of publications does."""
    if actor == FOLLOWER:
        return Acting.system(actor)
    return may_change(session, actor, "ingest articles")


def list_articles(database: Database, actor: Actor) -> list[ArticleView]:
    """Every article with its citation and claim counts, in a fixed number of queries."""
    with database.reading() as session:
        may_read(session, actor, "articles")
        articles = list(
            session.scalars(
                select(Article).where(Article.deleted_at.is_(None)).order_by(Article.id)
            )
        )
        return _article_views(session, articles)


def show_article(database: Database, actor: Actor, article_id: int) -> ArticleDetail:
    """An article with its text, its citations and its claims in reading order."""
    with database.reading() as session:
        may_read(session, actor, "articles")
        article = get_article(session, article_id)
        citations = session.scalars(
            select(Citation)
            .where(Citation.article_id == article.id)
            .order_by(Citation.position)
            .options(joinedload(Citation.link))
        ).all()
        claims = _claim_summaries(session, article.id)
        domain = article.source.domain if article.source_id and article.source else None
        view = ArticleView.of(
            article,
            source=domain,
            citations=len(citations),
            unresolved=sum(1 for citation in citations if citation.link_id is None),
            claims=len(claims),
        )
        return ArticleDetail(
            article=view,
            text=article.text,
            citations=tuple(CitationView.of(citation) for citation in citations),
            claims=claims,
        )


def _claim_summaries(session: Session, article_id: int) -> tuple[ClaimSummary, ...]:
    """The article's claims in reading order, read as plain rows (an article may have
    hundreds: no ORM objects to build)."""
    rows = session.execute(
        select(
            Claim.id,
            Claim.article_id,
            Claim.text,
            Claim.kind,
            Claim.status,
            Claim.score,
            Claim.position,
            Claim.needs_rereview,
            Claim.version,
        )
        .where(Claim.article_id == article_id)
        .order_by(Claim.position.is_(None), Claim.position, Claim.id)
    )
    return tuple(ClaimSummary(*row) for row in rows)


def article_reading(database: Database, actor: Actor, article_id: int) -> ArticleReading:
    """The article's text in sentences, each claim's sentence marked (:class:`ReadingSegment`)."""
    from tracker.articles.reading import reading_segments

    detail = show_article(database, actor, article_id)
    segments, unplaced = reading_segments(detail.text, detail.claims)
    return ArticleReading(detail, segments, unplaced)


def promote_sentence(database: Database, actor: Actor, article_id: int, start: int) -> ClaimView:
    """Make the article's sentence starting at ``start`` a claim, with the citations in it as
    its sources (a sentence the detector passed over, or one a reviewer rejected)."""
    from tracker.extraction.sentences import split_sentences
    from tracker.review.services import add_claim

    with database.reading() as session:
        may_change(session, actor, "add claims")
    detail = show_article(database, actor, article_id)
    sentence = next((s for s in split_sentences(detail.text) if s.start == start), None)
    if sentence is None:
        raise InvalidInput(f"article {article_id} has no sentence starting at {start}")
    if any(c.position == start or c.text == sentence.text for c in detail.claims):
        raise InvalidInput(f"that sentence of article {article_id} is already a claim")
    urls = [
        citation.url
        for citation in detail.citations
        if citation.url is not None and sentence.start <= citation.position < sentence.end
    ]
    return add_claim(
        database,
        actor,
        article_id,
        sentence.text,
        sources=list(dict.fromkeys(urls)),
        position=start,
    )


def edit_article(
    database: Database,
    actor: Actor,
    article_id: int,
    *,
    url: str | None = None,
    title: str | None = None,
    authors: Sequence[str] | None = None,
    publisher: str | None = None,
    published_at: datetime | None = None,
    note: str | None = None,
) -> ArticleChange:
    """Correct an article's URL, title, authors, publisher (site name) or publication date.

    A new URL must not belong to another article; the publishing domain follows the URL.
    The edit is one ``edited`` event with every field before and after.
    """
    wanted = _edited_fields(url, title, authors, publisher, published_at)
    with database.transaction() as session:
        acting = may_change(session, actor, "edit articles")
        article = get_article(session, article_id)
        changes: dict[str, Any] = {}
        for field, value in wanted.items():
            before = getattr(article, field)
            if field == "authors":
                before = list(before or [])
            if before != value:
                changes[field] = {"before": before, "after": value}
        if not changes:
            raise InvalidInput(f"nothing changed: article {article.id} already reads so")
        if "url" in changes:
            taken = session.scalar(
                select(Article.id).where(Article.url == wanted["url"], Article.id != article.id)
            )
            if taken is not None:
                raise InvalidInput(f"article {taken} already has the URL {wanted['url']}")
        for field in changes:
            setattr(article, field, wanted[field])
        if "url" in changes:
            article.source_id = _source_id(session, article.url)
        record_article_event(
            session,
            article,
            actor=acting,
            action=ArticleEventAction.EDITED,
            note=_note(note),
            changes=_jsonable_changes(changes),
        )
        session.flush()
        return ArticleChange(_article_views(session, [article])[0], changes)


def delete_article(
    database: Database, actor: Actor, article_id: int, *, note: str | None
) -> ArticleDeletion:
    """Remove an article from every list, report and check, recording who and why.

    Its claims keep their append-only history (so the article row stays, without its URL);
    its citations and its claims' sources go, and links nothing else cites are retired.
    """
    reason = _note(note)
    if reason is None:
        raise InvalidInput("deleting an article needs a note saying why")
    with database.transaction() as session:
        acting = may_change(session, actor, "delete articles")
        article = get_article(session, article_id)
        claim_ids = list(session.scalars(select(Claim.id).where(Claim.article_id == article.id)))
        sources = session.execute(
            select(ClaimSource.claim_id, Link.url, ClaimSource.link_id)
            .outerjoin(Link, Link.id == ClaimSource.link_id)
            .where(ClaimSource.claim_id.in_(claim_ids))
            .order_by(ClaimSource.id)
        ).all()
        cited = set(
            session.scalars(
                select(Citation.link_id).where(
                    Citation.article_id == article.id, Citation.link_id.is_not(None)
                )
            )
        )
        link_ids = {link_id for link_id in cited if link_id is not None}
        link_ids |= {row.link_id for row in sources if row.link_id is not None}
        session.execute(delete(ClaimSource).where(ClaimSource.claim_id.in_(claim_ids)))
        session.execute(delete(Citation).where(Citation.article_id == article.id))
        session.expire(article, ["citations", "claims"])
        removed: dict[str, list[str | None]] = {}
        for row in sources:
            removed.setdefault(str(row.claim_id), []).append(row.url)
        former_url = article.url
        record_article_event(
            session,
            article,
            actor=acting,
            action=ArticleEventAction.DELETED,
            note=reason,
            changes={"url": former_url, "title": article.title, "claim_sources": removed},
        )
        article.deleted_at = utcnow()
        article.url = None
        retired = retire_uncited(session, link_ids)
        retired_urls = session.scalars(select(Link.url).where(Link.id.in_(retired))).all()
        return ArticleDeletion(
            article_id=article.id,
            title=article.title,
            url=former_url,
            claims=len(claim_ids),
            retired_links=tuple(sorted(retired_urls)),
        )


def list_citations(
    database: Database, actor: Actor, *, article_id: int | None = None, unresolved: bool = False
) -> list[CitationView]:
    """Citations (of one article, or all), optionally only those whose URL was lost."""
    with database.reading() as session:
        may_read(session, actor, "articles")
        query = (
            select(Citation)
            .join(Article, Article.id == Citation.article_id)
            .where(Article.deleted_at.is_(None))
            .order_by(Citation.article_id, Citation.position)
            .options(selectinload(Citation.link))
        )
        if article_id is not None:
            get_article(session, article_id)
            query = query.where(Citation.article_id == article_id)
        if unresolved:
            query = query.where(Citation.link_id.is_(None))
        return [CitationView.of(citation) for citation in session.scalars(query)]


def resolve_citation(
    database: Database, actor: Actor, citation_id: int, url: str
) -> CitationResolution:
    """Point a citation at ``url``: an anchor whose link was lost, or a wrong link.

    The claims relying on the citation follow it, with their evidence marked unchecked until
    the new link is checked; each gets an event saying what the source was and is. A link
    nothing cites any more is retired (no longer checked).
    """
    address = normalize_url(url)
    with database.transaction() as session:
        acting = may_change(session, actor, "resolve citations")
        citation = session.get(Citation, citation_id)
        if citation is None or citation.article.deleted_at is not None:
            raise NotFound("citation", citation_id)
        previous = citation.link
        if previous is not None and previous.url == address:
            raise InvalidInput(f"citation {citation.id} already points to {address}")
        link = get_or_create_link(session, address)
        citation.link_id = link.id
        before = previous.url if previous else None
        claims = []
        for source in session.scalars(
            select(ClaimSource)
            .where(ClaimSource.citation_id == citation.id)
            .order_by(ClaimSource.id)
        ):
            old = source.link.url if source.link else None
            source.link_id = link.id
            unchecked(source)
            claims.append(source.claim_id)
            record_claim_event(
                session,
                source.claim,
                actor=acting,
                action=ClaimEventAction.SOURCE_ADDED if old is None else ClaimEventAction.EDIT,
                note=_resolution_note(citation.id, link.url, old),
                changes={"citation_id": citation.id, "url": {"before": old, "after": link.url}},
            )
        record_article_event(
            session,
            citation.article,
            actor=acting,
            action=ArticleEventAction.CITATION_RESOLVED,
            note=_resolution_note(citation.id, link.url, before),
            changes={"citation_id": citation.id, "url": {"before": before, "after": link.url}},
        )
        retired = retire_uncited(session, [previous.id] if previous else [])
        session.flush()
        session.refresh(citation)
        return CitationResolution(
            citation=CitationView.of(citation),
            replaced_url=before,
            claims=tuple(claims),
            retired_links=(before,) if retired and before else (),
        )


def _resolution_note(citation_id: int, url: str, before: str | None) -> str:
    if before is None:
        return f"citation {citation_id} resolved to {url}"
    return f"citation {citation_id} now points to {url} instead of {before}"


def _edited_fields(
    url: str | None,
    title: str | None,
    authors: Sequence[str] | None,
    publisher: str | None,
    published_at: datetime | None,
) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    if url is not None:
        wanted["url"] = normalize_url(url)
    if title is not None:
        wanted["title"] = _text(title, "title", TITLE_MAX)
    if authors is not None:
        wanted["authors"] = [_text(name, "author", NAME_MAX) for name in authors]
    if publisher is not None:
        wanted["site_name"] = _text(publisher, "publisher", NAME_MAX)
    if published_at is not None:
        if published_at.tzinfo is None:
            raise InvalidInput("the publication date needs a time zone")
        wanted["published_at"] = published_at
    if not wanted:
        raise InvalidInput("nothing to edit: give a URL, title, authors, publisher or date")
    return wanted


def _text(value: str, what: str, limit: int) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidInput(f"the {what} is empty")
    if not cleaned.isprintable():
        raise InvalidInput(f"the {what} holds control characters")
    if len(cleaned) > limit:
        raise InvalidInput(f"the {what} is longer than {limit} characters")
    return cleaned


def _note(note: str | None) -> str | None:
    if note is None:
        return None
    cleaned = note.strip()
    if not cleaned:
        raise InvalidInput("the note is empty: say why")
    return cleaned


def _jsonable_changes(changes: dict[str, Any]) -> dict[str, Any]:
    from tracker.jsonable import to_jsonable

    result: dict[str, Any] = to_jsonable(changes)
    return result


def _source_id(session: Session, url: str | None) -> int | None:
    from tracker.credibility.sources import get_or_create_source

    return get_or_create_source(session, registrable_domain(url)).id if url else None


def _claims_of(session: Session, article_ids: list[int]) -> list[Claim]:
    return list(
        session.scalars(
            select(Claim)
            .where(Claim.article_id.in_(article_ids))
            .order_by(Claim.article_id, Claim.position.is_(None), Claim.position, Claim.id)
        )
    )


def _article_views(session: Session, articles: Sequence[Article]) -> list[ArticleView]:
    """Views of ``articles`` with their counts: two aggregate queries whatever their number."""
    ids = [article.id for article in articles]
    if not ids:
        return []
    citations = {
        article_id: (int(total), int(unresolved or 0))
        for article_id, total, unresolved in session.execute(
            select(
                Citation.article_id,
                func.count(Citation.id),
                func.sum(case((Citation.link_id.is_(None), 1), else_=0)),
            )
            .where(Citation.article_id.in_(ids))
            .group_by(Citation.article_id)
        )
    }
    claims = dict(
        session.execute(
            select(Claim.article_id, func.count(Claim.id))
            .where(Claim.article_id.in_(ids))
            .group_by(Claim.article_id)
        )
        .tuples()
        .all()
    )
    source_ids = {article.source_id for article in articles if article.source_id is not None}
    domains = (
        dict(
            session.execute(select(Source.id, Source.domain).where(Source.id.in_(source_ids)))
            .tuples()
            .all()
        )
        if source_ids
        else {}
    )
    return [
        ArticleView.of(
            article,
            source=domains.get(article.source_id) if article.source_id else None,
            citations=citations.get(article.id, (0, 0))[0],
            unresolved=citations.get(article.id, (0, 0))[1],
            claims=int(claims.get(article.id, 0)),
        )
        for article in articles
    ]
