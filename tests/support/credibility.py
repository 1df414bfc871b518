"""A known credibility fixture: one publisher, a cited domain with links in every state."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.credibility.sources import get_or_create_source
from tracker.db import Database
from tracker.enums import CheckOutcome, ClaimStatus, LinkState
from tracker.linkcheck.links import get_or_create_link
from tracker.models import Article, Citation, Claim, ClaimSource, Link


def _link(
    session: Session,
    url: str,
    state: LinkState,
    override: LinkState | None = None,
    outcome: CheckOutcome | None = None,
) -> Link:
    link = get_or_create_link(session, url)
    link.state = state
    link.override_state = override
    link.last_outcome = outcome
    return link


def _claim(
    session: Session,
    article: Article,
    status: ClaimStatus,
    evidence: list[tuple[Link, bool | None]],
) -> Claim:
    claim = Claim(article=article, text=f"claim {status}", status=status)
    session.add(claim)
    session.flush()
    for link, found in evidence:
        session.add(ClaimSource(claim_id=claim.id, link_id=link.id, evidence_found=found))
    return claim


def seed(database: Database) -> None:
    """Publisher example.com (2 articles); cited.org (6 links); other.net (1 unchecked link).

    cited.org effective states: alive L1, L6 (dead, overridden alive); dead L2, L5 (alive,
    overridden dead); at_risk L3 (a 404 not yet confirmed); unchecked L4 -> 5 checked, 2 dead,
    3 rotten (L2, L3, L5) of 5 that count: rot 60%.
    """
    with database.transaction() as session:
        publisher = get_or_create_source(session, "example.com")
        a1 = Article(url="https://www.example.com/1", source_id=publisher.id, text="")
        a2 = Article(url="https://example.com/2", source_id=publisher.id, text="")
        a3 = Article(url=None, text="a pasted file with no publisher")
        session.add_all([a1, a2, a3])
        ok, gone = CheckOutcome.OK, CheckOutcome.NOT_FOUND
        l1 = _link(session, "https://cited.org/1", LinkState.ALIVE, outcome=ok)
        l2 = _link(session, "https://www.cited.org/2", LinkState.DEAD, outcome=gone)
        l3 = _link(session, "https://data.cited.org/3", LinkState.AT_RISK, outcome=gone)
        _link(session, "https://cited.org/4", LinkState.UNCHECKED)
        l5 = _link(session, "https://cited.org/5", LinkState.ALIVE, LinkState.DEAD, ok)
        l6 = _link(session, "https://cited.org/6", LinkState.DEAD, LinkState.ALIVE, gone)
        l7 = _link(session, "https://other.net/7", LinkState.UNCHECKED)
        session.flush()
        session.add_all(
            [
                Citation(article=a1, link_id=l1.id, position=0),
                Citation(article=a1, link_id=l2.id, position=1),
                Citation(article=a1, link_id=l7.id, position=2),
                Citation(article=a2, link_id=l1.id, position=0),
                Citation(article=a2, link_id=l5.id, position=1),
                Citation(article=a3, link_id=None, raw_url="broken", position=0),
            ]
        )
        _claim(session, a1, ClaimStatus.ACCURATE, [(l1, True), (l2, False)])
        _claim(session, a1, ClaimStatus.FALSE, [(l5, None), (l3, True)])
        _claim(session, a2, ClaimStatus.UNVERIFIABLE, [(l1, True)])
        _claim(session, a2, ClaimStatus.MIXED, [(l7, False)])
        _claim(session, a3, ClaimStatus.ACCURATE, [(l6, True)])
        _claim(session, a3, ClaimStatus.IN_REVIEW, [])
