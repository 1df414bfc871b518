"""Track-record arithmetic on a known fixture, and the score built from it (both backends)."""

from __future__ import annotations

import pytest

from tests.support.credibility import seed
from tracker.credibility.record import track_records
from tracker.credibility.score import score_domain, score_domains
from tracker.db import Database
from tracker.enums import ClaimStatus, LinkState
from tracker.errors import NotFound
from tracker.settings import Settings


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
    assert (cited.rotten_links, cited.counted_links) == (3, 5)  # the at-risk 404 is rot too
    assert cited.rot_rate == pytest.approx(0.6)
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
        "rot": (pytest.approx(0.4), 0.5),
        "evidence": (pytest.approx(0.8), 1.0),
        "verdicts_cited": (pytest.approx(2 / 3), 2.0),
    }
    assert cited.score == pytest.approx((0.4 * 0.5 + 0.8 + 2 * 2 / 3) / 3.5)
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
    assert reasons["evidence"] == "checked evidence: 1 of the 3 needed"
    assert reasons["verdicts_cited"] == ("rated verdicts: 1 of the 3 needed")

    publisher = everything["example.com"]
    assert [item.key for item in publisher.inputs] == ["verdicts_published"]
    assert publisher.score == pytest.approx(0.5)
