"""Factories for link-checking tests: links, articles, claims relying on links, a fake clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tracker.db import Database
from tracker.enums import ClaimStatus
from tracker.linkcheck.links import get_or_create_link
from tracker.models import Article, Citation, Claim, ClaimSource, Link, LinkCheck

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_probes() -> None:
    """Soft-404 probes are cached per origin; a later test's server may reuse a port."""
    from tracker.linkcheck.checker import SHARED_PROBES

    SHARED_PROBES.clear()


@dataclass
class FakeClock:
    """``check_links(clock=...)``: time moves only when the test says so."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, hours: float) -> None:
        self.now += timedelta(hours=hours)


def add_links(database: Database, *urls: str) -> list[int]:
    with database.transaction() as session:
        return [get_or_create_link(session, url).id for url in urls]


def add_claim(
    database: Database,
    url: str,
    evidence: str | None,
    *,
    status: ClaimStatus = ClaimStatus.ACCURATE,
    published_at: datetime | None = None,
) -> tuple[int, int]:
    """An article citing ``url`` with one claim relying on it; (claim id, link id)."""
    with database.transaction() as session:
        link = get_or_create_link(session, url)
        article = Article(title="An article", text="text", published_at=published_at)
        session.add(article)
        session.flush()
        session.add(Citation(article_id=article.id, link_id=link.id, position=0))
        claim = Claim(article_id=article.id, text="A claim", status=status)
        session.add(claim)
        session.flush()
        session.add(ClaimSource(claim_id=claim.id, link_id=link.id, evidence=evidence))
        return claim.id, link.id


def link(database: Database, link_id: int) -> Link:
    with database.reading() as session:
        found = session.get(Link, link_id)
        assert found is not None
        session.expunge(found)
        return found


def checks(database: Database, link_id: int) -> list[LinkCheck]:
    with database.reading() as session:
        found = list(
            session.scalars(
                select(LinkCheck).where(LinkCheck.link_id == link_id).order_by(LinkCheck.id)
            )
        )
        session.expunge_all()
        return found


def claim(database: Database, claim_id: int) -> Claim:
    with database.reading() as session:
        found = session.get(Claim, claim_id)
        assert found is not None
        _ = found.events  # loaded while the session is open
        _ = found.sources
        session.expunge_all()
        return found
