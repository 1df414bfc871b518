"""The report data builder: what it loads, the rules it applies, and its query count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reports.data import build_article_report
from tests.support.factories import (
    T0,
    make_article,
    make_citation,
    make_claim,
    make_link,
    make_reviewer,
    set_verdict,
)
from tests.support.reports import article_report, count_queries, insert_sample, links_report
from tracker.db import Database
from tracker.enums import CheckOutcome, ClaimStatus, LinkState
from tracker.errors import NotFound
from tracker.settings import Settings


def test_article_report_holds_claims_sources_links_and_history(database: Database) -> None:
    sample = insert_sample(database)
    report = article_report(database, sample.article_id)
    assert report.article.title == "Peacekeepers in Ukraine"
    assert [claim.status for claim in report.claims] == [
        ClaimStatus.ACCURATE,
        ClaimStatus.MOSTLY_ACCURATE,
        ClaimStatus.UNVERIFIABLE,
        ClaimStatus.UNVERIFIED,
    ]
    poll, spending, air, lone = report.claims
    assert poll.rating is not None
    assert poll.rating.value == 5
    assert air.rating is not None
    assert air.rating.value is None
    assert air.rating.name == "Unverifiable"
    assert lone.rating is None
    assert lone.verdict_at is None
    assert lone.sources == ()
    # the verdict date is the event that set the current status, not the earlier in_review
    assert spending.verdict_at == T0 + timedelta(days=3)
    assert spending.verdict_by == "ana"
    assert spending.latest_note == "Guideline, not a treaty duty"
    assert [event.new_status for event in spending.history] == [
        None,
        ClaimStatus.IN_REVIEW,
        ClaimStatus.MOSTLY_ACCURATE,
    ]
    dead = air.sources[0].link
    assert dead is not None
    assert dead.state == LinkState.DEAD
    assert dead.http_status == 404
    assert dead.archive_url
    assert dead.archive_timestamp
    assert [check.outcome_class for check in dead.checks] == [
        "ok",
        "failed",
        "inconclusive",
        "failed",
    ]
    moved = spending.sources[0].link
    assert moved is not None
    assert moved.moved
    assert moved.content_changed
    assert spending.sources[0].evidence_label == "missing"
    assert air.sources[0].evidence_label == "not checked"
    assert [citation.anchor_text for citation in report.unresolved_citations] == ["here"]


def test_summary_counts(database: Database) -> None:
    summary = article_report(database, insert_sample(database).article_id).summary
    assert summary.claims_total == 4
    assert summary.verdicts == 3
    assert summary.claims_by_status["accurate"] == 1
    assert summary.claims_by_status["unverified"] == 1
    assert summary.claims_by_status["false"] == 0
    assert summary.links_by_state == {"unchecked": 0, "alive": 2, "at_risk": 0, "dead": 1}
    assert (summary.evidence_found, summary.evidence_missing, summary.evidence_unchecked) == (
        1,
        1,
        1,
    )
    assert (summary.citations_total, summary.citations_unresolved) == (4, 1)
    assert summary.links_content_changed == 1


def test_reviewer_override_wins_over_the_checker_state(database: Database) -> None:
    sample = insert_sample(database)
    with database.transaction() as session:
        link = make_link(session, "https://polls.example.org/2024/troops")
        link.override_state = LinkState.AT_RISK
        link.override_note = "poll page now paywalled"
    report = article_report(database, sample.article_id)
    poll_link = report.claims[0].sources[0].link
    assert poll_link is not None
    assert poll_link.state == LinkState.AT_RISK
    assert poll_link.checker_state == LinkState.ALIVE
    assert poll_link.override_note == "poll page now paywalled"


def test_a_respelled_final_url_is_not_a_move(database: Database) -> None:
    sample = insert_sample(database)
    with database.transaction() as session:
        link = make_link(session, "https://polls.example.org/2024/troops")
        link.final_url = "HTTPS://polls.example.org:443/2024/troops#results"
    report = article_report(database, sample.article_id)
    poll_link = report.claims[0].sources[0].link
    assert poll_link is not None
    assert not poll_link.moved
    spending_link = report.claims[1].sources[0].link
    assert spending_link is not None
    assert spending_link.moved


def test_unknown_article_is_not_found(database: Database) -> None:
    with database.reading() as session, pytest.raises(NotFound, match="article 999 not found"):
        build_article_report(session, 999, Settings())


def _article_with(database: Database, claims: int) -> int:
    with database.transaction() as session:
        article = make_article(session, url=f"https://n.example.com/{claims}")
        reviewer = make_reviewer(session, f"r{claims}")
        for index in range(claims):
            link = make_link(
                session,
                f"https://www.site{index}.org/{claims}",  # one cited domain per claim
                checks=[(T0, CheckOutcome.OK, 200), (T0 + timedelta(days=1), CheckOutcome.OK, 200)],
            )
            citation = make_citation(session, article, link, position=index)
            claim = make_claim(
                session, article, f"claim {index}", position=index, sources=[(citation, "x", True)]
            )
            set_verdict(session, claim, ClaimStatus.FALSE, reviewer=reviewer, at=T0)
        return article.id


def test_query_count_does_not_grow_with_claims_and_links(database: Database) -> None:
    small, large = _article_with(database, 2), _article_with(database, 25)
    counts = []
    for article_id in (small, large):
        with count_queries(database) as statements, database.reading() as session:
            report = build_article_report(session, article_id, Settings())
            assert all(claim.history and claim.sources[0].link for claim in report.claims)
            # the publisher and every cited domain are scored, in the same handful of queries
            assert len(report.credibility) == len(report.claims) + 1
            assert all(report.credibility_for(link) for link in report.links)
        counts.append(len(statements))
    assert counts[0] == counts[1]
    # one SELECT per relationship level (links' captures among them), about ten aggregates
    # for the credibility, plus BEGIN
    assert counts[1] <= 27


def test_links_report_groups_rotten_links_and_computes_weekly_rot(database: Database) -> None:
    insert_sample(database)
    report = links_report(database)
    assert [item.link.url for item in report.rotten] == ["https://think.example.com/air-defence"]
    assert [group.domain for group in report.by_domain] == ["example.com"]
    assert [group.article.title for group in report.by_article] == ["Peacekeepers in Ukraine"]
    assert report.links_by_state["dead"] == 1
    assert report.links_total == 3
    weeks = {week.week_start.isoformat(): week for week in report.rot_rate}
    # week of 2024-11-11: poll ok, spending ok, air-defence ok -> 0 failing
    assert weeks["2024-11-11"].links_checked == 3
    assert weeks["2024-11-11"].links_failing == 0
    # week of 2024-11-18: air-defence's last check that week was blocked (inconclusive)
    week2 = weeks["2024-11-18"]
    assert (week2.links_checked, week2.links_failing, week2.links_inconclusive) == (3, 0, 1)
    assert week2.rate == 0.0
    week3 = weeks["2024-11-25"]
    assert (week3.links_checked, week3.links_failing) == (1, 1)
    assert week3.rate == 1.0
    assert report.rot_rate[-1].week_start.isoformat() == "2024-11-25"


def test_links_report_finds_articles_through_claim_sources_too(database: Database) -> None:
    with database.transaction() as session:
        article = make_article(session, url="https://n.example.com/only-claim", title="Only claim")
        link = make_link(session, "https://gone.example.org/x", state=LinkState.AT_RISK)
        citation = make_citation(session, article, link, position=0)
        make_claim(session, article, "c", position=0, sources=[(citation, None, None)])
        citation.link_id = None  # the citation lost its link; the claim source still has it
    report = links_report(database)
    assert [ref.title for ref in report.rotten[0].articles] == ["Only claim"]
    assert report.by_domain[0].domain == "example.org"
