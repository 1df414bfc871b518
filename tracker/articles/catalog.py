"""Reading and small edits of what ingest recorded: articles, citations, claims.

The CLI (and later the web app) call these; each returns plain dicts ready for a table or JSON.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.articles.ingest import citation_dict, claim_dict
from tracker.enums import ClaimEventAction, ClaimStatus, Role
from tracker.errors import InvalidInput, NotFound
from tracker.extraction.detector import checkworthiness, claim_kind
from tracker.extraction.figures import find_figures
from tracker.models import Article, Citation, Claim, ClaimSource, utcnow
from tracker.records import get_claim, get_or_create_link, get_reviewer, record_claim_event
from tracker.urls import normalize_url

MANUAL_ACTOR = "cli"


def get_article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound("article", article_id)
    return article


def article_dict(session: Session, article: Article) -> dict[str, Any]:
    citations = session.scalar(
        select(func.count(Citation.id)).where(Citation.article_id == article.id)
    )
    unresolved = session.scalar(
        select(func.count(Citation.id)).where(
            Citation.article_id == article.id, Citation.link_id.is_(None)
        )
    )
    claims = session.scalar(select(func.count(Claim.id)).where(Claim.article_id == article.id))
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "authors": article.authors,
        "site_name": article.site_name,
        "source": article.source.domain if article.source else None,
        "published_at": article.published_at,
        "fetched_at": article.fetched_at,
        "scraper": article.scraper,
        "input_name": article.input_name,
        "citation_count": citations,
        "unresolved_citations": unresolved,
        "claim_count": claims,
        "updated_at": article.updated_at,
    }


def list_articles(session: Session) -> list[dict[str, Any]]:
    articles = session.scalars(select(Article).order_by(Article.id))
    return [article_dict(session, article) for article in articles]


def show_article(session: Session, article_id: int) -> dict[str, Any]:
    article = get_article(session, article_id)
    data = article_dict(session, article)
    data["text"] = article.text
    data["citations"] = [citation_dict(citation) for citation in article.citations]
    data["claims"] = [claim_dict(claim) for claim in article.claims]
    return data


def list_citations(
    session: Session, *, article_id: int | None = None, unresolved: bool = False
) -> list[dict[str, Any]]:
    query = select(Citation).order_by(Citation.article_id, Citation.position)
    if article_id is not None:
        get_article(session, article_id)
        query = query.where(Citation.article_id == article_id)
    if unresolved:
        query = query.where(Citation.link_id.is_(None))
    return [citation_dict(citation) for citation in session.scalars(query)]


def resolve_citation(session: Session, citation_id: int, url: str) -> dict[str, Any]:
    """Fill in the URL of a citation (an underlined anchor whose link was lost).

    The claims relying on the citation get the link too, with a ``source_added`` event.
    """
    citation = session.get(Citation, citation_id)
    if citation is None:
        raise NotFound("citation", citation_id)
    link = get_or_create_link(session, normalize_url(url))
    previous = citation.link.url if citation.link else None
    citation.link_id = link.id
    for source in session.scalars(
        select(ClaimSource).where(ClaimSource.citation_id == citation.id)
    ):
        if source.link_id == link.id:
            continue
        source.link_id = link.id
        record_claim_event(
            session,
            source.claim,
            actor=MANUAL_ACTOR,
            action=ClaimEventAction.SOURCE_ADDED,
            note=f"citation {citation.id} resolved to {link.url}",
            changes={"citation_id": citation.id, "url": [previous, link.url]},
        )
    session.flush()
    session.refresh(citation)
    return citation_dict(citation)


def list_claims(
    session: Session,
    *,
    article_id: int | None = None,
    status: str | None = None,
    needs_rereview: bool = False,
) -> list[dict[str, Any]]:
    query = select(Claim).order_by(
        Claim.article_id, Claim.position.is_(None), Claim.position, Claim.id
    )
    if article_id is not None:
        get_article(session, article_id)
        query = query.where(Claim.article_id == article_id)
    if status is not None:
        query = query.where(Claim.status == parse_status(status))
    if needs_rereview:
        query = query.where(Claim.needs_rereview.is_(True))
    return [claim_dict(claim) for claim in session.scalars(query)]


def parse_status(value: str) -> ClaimStatus:
    try:
        return ClaimStatus(value.strip().lower().replace("-", "_"))
    except ValueError:
        choices = ", ".join(status.value for status in ClaimStatus)
        raise InvalidInput(f"unknown status {value!r}: use one of {choices}") from None


def source_dict(source: ClaimSource) -> dict[str, Any]:
    link = source.link
    return {
        "id": source.id,
        "citation_id": source.citation_id,
        "anchor_text": source.citation.anchor_text if source.citation else None,
        "link_id": source.link_id,
        "url": link.url if link else None,
        "link_state": link.effective_state if link else None,
        "evidence": source.evidence,
        "evidence_found": source.evidence_found,
        "evidence_state": source.evidence_state,
        "evidence_passage": source.evidence_passage,
        "evidence_checked_at": source.evidence_checked_at,
    }


def show_claim(session: Session, claim_id: int) -> dict[str, Any]:
    claim = get_claim(session, claim_id)
    data = claim_dict(claim)
    data["version"] = claim.version
    data["article_title"] = claim.article.title
    data["sources"] = [source_dict(source) for source in claim.sources]
    data["history"] = [
        {
            "id": event.id,
            "at": event.created_at,
            "actor": event.actor,
            "action": event.action,
            "old_status": event.old_status,
            "new_status": event.new_status,
            "note": event.note,
            "changes": event.changes,
        }
        for event in claim.events
    ]
    return data


def add_claim(
    session: Session,
    article_id: int,
    text: str,
    *,
    sources: list[str] | tuple[str, ...] = (),
    evidence: str | None = None,
    reviewer_name: str | None = None,
) -> dict[str, Any]:
    """Record a claim the extractor missed, with the URLs that support it."""
    article = get_article(session, article_id)
    text = " ".join(text.split())
    if not text:
        raise InvalidInput("the claim text is empty")
    if evidence and not sources:
        raise InvalidInput("--evidence needs at least one --source URL to look for it in")
    reviewer = get_reviewer(session, reviewer_name, may=Role.REVIEWER) if reviewer_name else None
    figures = find_figures(text)
    urls = [normalize_url(url) for url in sources]  # every URL is checked before any write
    claim = Claim(
        article_id=article.id,
        text=text,
        kind=claim_kind(text, figures),
        figures=[figure.as_dict() for figure in figures],
        score=round(checkworthiness(text), 4),
        status=ClaimStatus.UNVERIFIED,
        created_by=reviewer.name if reviewer else MANUAL_ACTOR,
        created_at=utcnow(),
    )
    session.add(claim)
    session.flush()
    for url in urls:
        link = get_or_create_link(session, url)
        citation = session.scalar(
            select(Citation).where(Citation.article_id == article.id, Citation.link_id == link.id)
        )
        claim.sources.append(
            ClaimSource(
                link_id=link.id,
                citation_id=citation.id if citation else None,
                evidence=evidence.strip() if evidence and evidence.strip() else None,
            )
        )
    record_claim_event(
        session,
        claim,
        actor=MANUAL_ACTOR,
        reviewer=reviewer,
        action=ClaimEventAction.CREATED,
        new_status=ClaimStatus.UNVERIFIED,
        changes={"sources": urls, "evidence": evidence},
    )
    session.flush()
    return show_claim(session, claim.id)
