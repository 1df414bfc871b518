"""Factories for review tests: insert articles, claims, links and reviewers directly.

They bypass ingest and the link checker on purpose, so review tests depend only on the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tracker.credibility.sources import get_or_create_source
from tracker.db import Database
from tracker.enums import CheckOutcome, ClaimStatus, LinkState, Role
from tracker.models import Article, Citation, Claim, ClaimSource, Link, Reviewer, utcnow
from tracker.urls import normalize_url, registrable_domain

SNAPSHOT_TABLES = ("reviewers", "articles", "claims", "claim_sources", "claim_events", "links")


def make_reviewer(session: Session, name: str = "ana", role: Role = Role.REVIEWER) -> Reviewer:
    reviewer = Reviewer(name=name, role=role, email=f"{name}@example.org")
    session.add(reviewer)
    session.flush()
    return reviewer


def make_article(session: Session, title: str = "Poles and the plan", **values: Any) -> Article:
    count = session.scalar(select(func.count()).select_from(Article)) or 0
    values.setdefault("url", f"https://news.example.org/article-{count + 1}")
    article = Article(title=title, text=values.pop("text", "Body."), **values)
    session.add(article)
    session.flush()
    return article


def make_link(
    session: Session,
    url: str,
    *,
    state: LinkState = LinkState.ALIVE,
    outcome: CheckOutcome | None = CheckOutcome.OK,
    http_status: int | None = 200,
) -> Link:
    normalized = normalize_url(url)
    source = get_or_create_source(session, registrable_domain(normalized))
    link = Link(
        url=normalized,
        source_id=source.id,
        state=state,
        last_outcome=outcome,
        http_status=http_status,
        last_checked_at=utcnow() if outcome else None,
    )
    session.add(link)
    session.flush()
    return link


def make_claim(
    session: Session,
    article: Article,
    claim_text: str = "69% of Poles oppose the plan",
    *,
    status: ClaimStatus = ClaimStatus.UNVERIFIED,
    needs_rereview: bool = False,
    position: int | None = None,
) -> Claim:
    claim = Claim(
        article=article,
        text=claim_text,
        status=status,
        needs_rereview=needs_rereview,
        position=position,
        score=0.8,
    )
    session.add(claim)
    session.flush()
    return claim


def cite(
    session: Session,
    claim: Claim,
    link: Link,
    *,
    evidence: str | None = None,
    evidence_found: bool | None = None,
) -> ClaimSource:
    """Make ``claim`` rely on ``link`` through a citation in its article."""
    position = session.scalar(
        select(func.count()).select_from(Citation).where(Citation.article_id == claim.article_id)
    )
    citation = Citation(article_id=claim.article_id, link=link, raw_url=link.url, position=position)
    session.add(citation)
    source = ClaimSource(
        claim=claim,
        link=link,
        citation=citation,
        evidence=evidence,
        evidence_found=evidence_found,
        evidence_checked_at=utcnow() if evidence_found is not None else None,
    )
    session.add(source)
    session.flush()
    return source


@dataclass(frozen=True)
class Seed:
    article_id: int
    other_article_id: int
    claim_id: int  # two sources: one alive with its evidence, one dead without
    bare_claim_id: int  # no sources
    other_claim_id: int  # in the other article
    alive_url: str
    dead_url: str


def seed(database: Database) -> Seed:
    """Reviewers ana (reviewer), root (admin), vic (viewer) and three unverified claims."""
    with database.transaction() as session:
        make_reviewer(session, "ana")
        make_reviewer(session, "root", Role.ADMIN)
        make_reviewer(session, "vic", Role.VIEWER)
        article = make_article(session)
        claim = make_claim(session, article, position=0)
        alive = make_link(session, "https://stat.example.gov/poll-2024")
        dead = make_link(
            session,
            "https://blog.example.net/gone",
            state=LinkState.DEAD,
            outcome=CheckOutcome.NOT_FOUND,
            http_status=404,
        )
        cite(session, claim, alive, evidence="69 per cent oppose", evidence_found=True)
        cite(session, claim, dead, evidence="most Poles oppose", evidence_found=False)
        bare = make_claim(session, article, "Unemployment fell to 5%", position=1)
        other_article = make_article(session, "Another piece")
        other = make_claim(session, other_article, "Exports grew 3% in 2023", position=0)
        return Seed(
            article_id=article.id,
            other_article_id=other_article.id,
            claim_id=claim.id,
            bare_claim_id=bare.id,
            other_claim_id=other.id,
            alive_url=alive.url,
            dead_url=dead.url,
        )


def snapshot(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a review touches, to prove a refused command wrote nothing."""
    with database.reading() as session:
        return {
            table: [
                tuple(row)
                for row in session.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            ]
            for table in SNAPSHOT_TABLES
        }
