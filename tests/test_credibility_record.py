"""Track-record arithmetic on a known fixture, and the score built from it (both backends)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tracker.credibility import score_domain, score_domains, track_records
from tracker.db import Database
from tracker.enums import ClaimStatus, LinkState
from tracker.errors import NotFound
from tracker.models import Article, Citation, Claim, ClaimSource, Link
from tracker.records import get_or_create_link, get_or_create_source
from tracker.settings import Settings


def _link(session: Session, url: str, state: LinkState, override: LinkState | None = None) -> Link:
    link = get_or_create_link(session, url)
    link.state = state
    link.override_state = override
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
    overridden dead); at_risk L3; unchecked L4 -> 5 checked, 2 dead.
    """
    with database.transaction() as session:
        publisher = get_or_create_source(session, "example.com")
        a1 = Article(url="https://www.example.com/1", source_id=publisher.id, text="")
        a2 = Article(url="https://example.com/2", source_id=publisher.id, text="")
        a3 = Article(url=None, text="a pasted file with no publisher")
        session.add_all([a1, a2, a3])
        l1 = _link(session, "https://cited.org/1", LinkState.ALIVE)
        l2 = _link(session, "https://www.cited.org/2", LinkState.DEAD)
        l3 = _link(session, "https://data.cited.org/3", LinkState.AT_RISK)
        _link(session, "https://cited.org/4", LinkState.UNCHECKED)
        l5 = _link(session, "https://cited.org/5", LinkState.ALIVE, override=LinkState.DEAD)
        l6 = _link(session, "https://cited.org/6", LinkState.DEAD, override=LinkState.ALIVE)
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


def test_track_record_arithmetic(database: Database) -> None:
    seed(database)
    with database.reading() as session:
        records = track_records(session)
    assert set(records) == {"example.com", "cited.org", "other.net"}

    cited = records["cited.org"]
    assert cited.articles == 0
    assert cited.citations == 4
    assert cited.links == {
        LinkState.ALIVE: 2,
        LinkState.DEAD: 2,
        LinkState.AT_RISK: 1,
        LinkState.UNCHECKED: 1,
    }
    assert (cited.link_count, cited.checked_links, cited.dead_links) == (6, 5, 2)
    assert cited.rot_rate == pytest.approx(0.4)
    assert (cited.evidence_checked, cited.evidence_found) == (5, 4)
    assert cited.evidence_share == pytest.approx(0.8)
    # Claim 1 relies on two cited.org links but counts once.
    assert cited.verdicts_cited == {
        ClaimStatus.ACCURATE: 2,
        ClaimStatus.FALSE: 1,
        ClaimStatus.UNVERIFIABLE: 1,
    }
    assert cited.verdicts_published == {}

    other = records["other.net"]
    assert (other.citations, other.link_count, other.checked_links) == (1, 1, 0)
    assert other.rot_rate is None
    assert (other.evidence_checked, other.evidence_found, other.evidence_share) == (1, 0, 0.0)
    assert other.verdicts_cited == {ClaimStatus.MIXED: 1}

    publisher = records["example.com"]
    assert (publisher.articles, publisher.citations, publisher.link_count) == (2, 0, 0)
    assert publisher.rot_rate is None
    assert publisher.evidence_share is None
    assert publisher.verdicts_published == {
        ClaimStatus.ACCURATE: 1,
        ClaimStatus.FALSE: 1,
        ClaimStatus.UNVERIFIABLE: 1,
        ClaimStatus.MIXED: 1,
    }

    as_dict = cited.to_dict()
    assert as_dict["verdict_balance_cited"] == pytest.approx(2 / 3)
    assert as_dict["verdicts_cited_rated"] == 3
    assert as_dict["links"] == {"unchecked": 1, "alive": 2, "at_risk": 1, "dead": 2}
    assert records["example.com"].to_dict()["verdict_balance_published"] == pytest.approx(0.5)


def test_track_records_for_some_domains(database: Database) -> None:
    seed(database)
    with database.reading() as session:
        only = track_records(session, ["other.net", "unknown.org"])
    assert list(only) == ["other.net"]
    assert only["other.net"].citations == 1
    assert only["other.net"].verdicts_cited == {ClaimStatus.MIXED: 1}


def test_score_from_the_track_record(database: Database, settings: Settings) -> None:
    seed(database)
    with database.reading() as session:
        cited = score_domain(session, "https://news.cited.org/x", settings)
        everything = score_domains(session, settings)
        with pytest.raises(NotFound, match=r"source nowhere\.org not found"):
            score_domain(session, "nowhere.org", settings)

    used = {item.key: (item.value, item.weight) for item in cited.inputs}
    assert used == {
        "rot": (pytest.approx(0.6), 0.5),
        "evidence": (pytest.approx(0.8), 1.0),
        "verdicts_cited": (pytest.approx(2 / 3), 2.0),
    }
    assert cited.score == pytest.approx((0.6 * 0.5 + 0.8 + 2 * 2 / 3) / 3.5)
    missing = {item.key: item.reason for item in cited.missing}
    assert missing == {
        "manual": "no reviewer has rated it",
        "external": "no rating set imported",
        "verdicts_published": "no rated verdicts yet",
    }

    # other.net: one unchecked link, one checked evidence, one verdict: below the sample.
    other = everything["other.net"]
    assert other.score is None
    assert other.inputs == []
    reasons = {item.key: item.reason for item in other.missing}
    assert reasons["rot"] == "no checked links yet"
    assert reasons["evidence"] == "checked evidence: 1 of the 3 needed (credibility_min_sample)"
    assert reasons["verdicts_cited"] == (
        "rated verdicts: 1 of the 3 needed (credibility_min_sample)"
    )

    publisher = everything["example.com"]
    assert [item.key for item in publisher.inputs] == ["verdicts_published"]
    assert publisher.score == pytest.approx(0.5)
