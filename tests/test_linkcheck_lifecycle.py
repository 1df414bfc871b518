"""A link over many checks: rot confirmed and recovered, content drift, evidence, re-review,
overrides, ignored domains, conditional requests and archive lookups. Time is a fake clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from tests.support.linkdata import (
    FakeClock,
    add_claim,
    add_links,
    checks,
    claim,
    fresh_probes,  # noqa: F401 - autouse fixture
    link,
)
from tests.support.server import LocalServer, Reply, html
from tracker.actors import CHECKER, Actor
from tracker.db import Database
from tracker.enums import CheckOutcome, ClaimEventAction, ClaimStatus, LinkState, Role
from tracker.errors import InvalidInput, PermissionDenied
from tracker.linkcheck.services import (
    check_links,
    clear_link_override,
    ignore_domain_failures,
    lookup_archives,
    override_link,
)
from tracker.models import ClaimSource, Reviewer, SourceEvent
from tracker.settings import Settings

STORY = (
    "<article><h1>Unemployment report</h1><p>Unemployment fell to 4.2 % in March, "
    "with 1,250,000 people out of work according to the statistics office.</p>"
    + "<p>Analysts had expected a smaller fall after a difficult winter season.</p>" * 5
    + "</article>"
)
REWRITTEN = (
    "<article><h1>Correction</h1><p>This story was withdrawn after complaints. The editors "
    "apologise for errors in the earlier version about the job market.</p>"
    + "<p>A new analysis will be published next month by the data desk.</p>" * 5
    + "</article>"
)


class Switch:
    """A route whose reply the test changes between checks."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply

    def __call__(self, request: object) -> Reply:
        return self.reply


ANA = Actor.reviewer("ana")


def add_reviewer(database: Database, name: str = "ana") -> None:
    with database.transaction() as session:
        session.add(Reviewer(name=name, role=Role.REVIEWER))


def test_rot_is_confirmed_after_n_checks_spanning_h_hours_then_recovers(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    page = Switch(html("Story", STORY))
    url = http_server.route("/story", page)
    claim_id, link_id = add_claim(database, url, "4.2%")
    rules = settings.with_overrides(dead_after_checks=3, dead_after_hours=72)
    clock = FakeClock()
    check_links(database, CHECKER, rules, [link_id], clock=clock)
    assert link(database, link_id).state is LinkState.ALIVE

    page.reply = Reply(404, "gone")
    states = []
    for hours in (0, 1, 1):  # three failures within two hours: not yet dead
        clock.advance(hours)
        check_links(database, CHECKER, rules, [link_id], clock=clock)
        states.append(link(database, link_id).state)
    assert states == [LinkState.AT_RISK] * 3
    assert link(database, link_id).consecutive_failures == 3
    clock.advance(71)  # now the failures span 72 hours
    report = check_links(database, CHECKER, rules, [link_id], clock=clock)
    dead = link(database, link_id)
    assert dead.state is LinkState.DEAD
    assert report.states == {"dead": 1}
    assert report.flagged_claims == 1
    flagged = claim(database, claim_id)
    assert flagged.needs_rereview
    assert flagged.status is ClaimStatus.ACCURATE  # the verdict is kept
    [event] = [e for e in flagged.events if e.action is ClaimEventAction.REREVIEW]
    assert event.actor == "system:checker"
    assert event.changes["reason"] == "dead"
    assert url in (event.note or "")
    # Dead links are rechecked rarely.
    gap = (dead.next_check_at - clock.now).total_seconds() / 3600
    assert gap > rules.check_interval_hours

    page.reply = html("Story", STORY)
    clock.advance(200)
    check_links(database, CHECKER, rules, [link_id], clock=clock)
    back = link(database, link_id)
    assert back.state is LinkState.ALIVE
    assert back.consecutive_failures == 0
    assert back.failing_since is None
    assert [c.outcome for c in checks(database, link_id)] == [CheckOutcome.OK] + [
        CheckOutcome.NOT_FOUND
    ] * 4 + [CheckOutcome.OK]


def test_blocked_and_rate_limited_never_confirm_rot(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    blocked = http_server.route("/blocked", Reply(403))
    limited = http_server.route("/limited", Reply(429))
    ids = add_links(database, blocked, limited)
    rules = settings.with_overrides(dead_after_checks=2, dead_after_hours=1)
    clock = FakeClock()
    for _ in range(4):
        check_links(database, CHECKER, rules, ids, clock=clock)
        clock.advance(24)
    assert [link(database, i).state for i in ids] == [LinkState.AT_RISK] * 2
    assert [link(database, i).consecutive_failures for i in ids] == [0, 0]


def test_ignored_domain_failures_are_inconclusive(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    url = http_server.route("/paywalled", Reply(404))
    [link_id] = add_links(database, url)
    add_reviewer(database)
    rules = settings.with_overrides(dead_after_checks=2, dead_after_hours=1)
    clock = FakeClock()
    for _ in range(2):
        check_links(database, CHECKER, rules, [link_id], clock=clock)
        clock.advance(2)
    assert link(database, link_id).state is LinkState.DEAD
    flag = ignore_domain_failures(database, ANA, rules, "http://127.0.0.1/any", note="paywall")
    assert (flag.domain, flag.ignore_failures, flag.was_ignored, flag.links) == (
        "127.0.0.1",
        True,
        False,
        1,
    )
    assert link(database, link_id).state is LinkState.AT_RISK
    check_links(database, CHECKER, rules, [link_id], clock=clock)
    assert link(database, link_id).state is LinkState.AT_RISK
    with database.reading() as session:
        events = session.scalars(select(SourceEvent)).all()
        assert [(e.action.value, e.old_value, e.new_value, e.actor) for e in events] == [
            ("ignore_failures", "false", "true", "ana")
        ]
    with pytest.raises(PermissionDenied, match="system:local may not ignore"):
        ignore_domain_failures(database, Actor.system("local"), rules, "127.0.0.1", undo=True)
    ignore_domain_failures(database, ANA, rules, "127.0.0.1", undo=True)
    assert link(database, link_id).state is LinkState.DEAD


def test_override_pins_the_state_until_cleared(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    url = http_server.route("/botwall", Reply(404))
    claim_id, link_id = add_claim(database, url, None)
    add_reviewer(database)
    clock = FakeClock()
    change = override_link(database, ANA, url, state="alive", note="bot wall")
    assert (change.before, change.link.state, change.link.overridden) == (
        LinkState.UNCHECKED,
        LinkState.ALIVE,
        True,
    )
    rules = settings.with_overrides(dead_after_checks=1, dead_after_hours=0)
    check_links(database, CHECKER, rules, [link_id], clock=clock)
    pinned = link(database, link_id)
    assert pinned.effective_state is LinkState.ALIVE
    assert pinned.state is LinkState.DEAD  # the checker's own state is kept underneath
    assert pinned.last_outcome is CheckOutcome.NOT_FOUND
    assert pinned.override_note == "bot wall"
    assert not claim(database, claim_id).needs_rereview
    cleared = clear_link_override(database, ANA, rules, url, note="fixed")
    assert cleared.before is LinkState.ALIVE
    assert link(database, link_id).effective_state is LinkState.DEAD
    with pytest.raises(InvalidInput, match="alive or dead"):
        override_link(database, ANA, url, state=LinkState.AT_RISK, note="x")


def test_override_dead_flags_verdicts(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    url = http_server.route("/fake", html("Story", STORY))
    claim_id, _ = add_claim(database, url, None, status=ClaimStatus.FALSE)
    unverified_id, _ = add_claim(database, url, None, status=ClaimStatus.UNVERIFIED)
    add_reviewer(database)
    override_link(database, ANA, url, state=LinkState.DEAD, note="the page is a forgery")
    assert claim(database, claim_id).needs_rereview
    assert not claim(database, unverified_id).needs_rereview  # no verdict to re-read


def test_content_change_and_lost_evidence_flag_the_claim(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    page = Switch(html("Story", STORY))
    url = http_server.route("/story", page)
    claim_id, link_id = add_claim(database, url, "unemployment FELL to 4.2%")
    figure_id, _ = add_claim(database, url, "1250000 people")
    clock = FakeClock()
    check_links(database, CHECKER, settings, [link_id], clock=clock)
    with database.reading() as session:
        found = session.scalars(select(ClaimSource.evidence_found).order_by(ClaimSource.id)).all()
    assert found == [True, True]
    with database.reading() as session:
        states = session.execute(
            select(ClaimSource.evidence_state, ClaimSource.evidence_passage).order_by(
                ClaimSource.id
            )
        ).all()
    assert [state for state, _ in states] == ["found", "found"]
    assert "4.2" in (states[0][1] or "")
    assert not link(database, link_id).content_changed

    # A trivial edit elsewhere on the page is not a material change.
    page.reply = html("Story", STORY.replace("statistics office", "national statistics office"))
    clock.advance(24)
    check_links(database, CHECKER, settings, [link_id], clock=clock)
    assert not link(database, link_id).content_changed

    page.reply = html("Story", REWRITTEN)
    clock.advance(24)
    report = check_links(database, CHECKER, settings, [link_id], clock=clock)
    changed = link(database, link_id)
    assert changed.content_changed
    assert changed.fingerprint_first != changed.fingerprint_last
    assert report.flagged_claims == 4  # content change (2 claims) + evidence lost (2 claims)
    flagged = claim(database, claim_id)
    assert flagged.needs_rereview
    reasons = sorted(e.changes["reason"] for e in flagged.events)
    assert reasons == ["content_changed", "evidence_missing"]
    with database.reading() as session:
        found = session.scalars(select(ClaimSource.evidence_found).order_by(ClaimSource.id)).all()
    assert found == [False, False]
    assert checks(database, link_id)[-1].evidence == [
        {
            "claim_source_id": 1,
            "claim_id": claim_id,
            "evidence": "unemployment FELL to 4.2%",
            "found": False,
            "state": "missing",
            "passage": None,
        },
        {
            "claim_source_id": 2,
            "claim_id": figure_id,
            "evidence": "1250000 people",
            "found": False,
            "state": "missing",
            "passage": None,
        },
    ]


def test_conditional_request_costs_a_304(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    def conditional(request: object) -> Reply:
        headers = getattr(request, "headers", {})
        if headers.get("If-None-Match") == '"v1"':
            return Reply(304, content_type=None, headers={"ETag": '"v1"'})
        return html(
            "Story",
            STORY,
            headers={"ETag": '"v1"', "Last-Modified": "Wed, 01 Jan 2026 00:00:00 GMT"},
        )

    url = http_server.route("/etag", conditional)
    _, link_id = add_claim(database, url, "4.2%")
    check_links(database, CHECKER, settings, [link_id])
    first = link(database, link_id)
    assert first.etag == '"v1"'
    check_links(database, CHECKER, settings, [link_id])
    second = checks(database, link_id)[-1]
    assert second.not_modified
    assert second.outcome is CheckOutcome.OK
    assert second.fingerprint == first.fingerprint_last
    assert http_server.requests[-1].headers.get("If-Modified-Since") == first.last_modified
    assert link(database, link_id).fingerprint_last == first.fingerprint_last


def test_archive_lookup_picks_the_snapshot_near_the_article_date(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    with LocalServer() as archive:

        def available(request: object) -> Reply:
            query = parse_qs(urlsplit(getattr(request, "path", "")).query)
            stamp = query["timestamp"][0]
            body = {
                "url": query["url"][0],
                "archived_snapshots": {
                    "closest": {
                        "status": "200",
                        "available": True,
                        "url": f"http://web.archive.example/web/{stamp}/{query['url'][0]}",
                        "timestamp": stamp,
                    }
                },
            }
            return Reply(body=json.dumps(body), content_type="application/json")

        archive.fallback = available
        url = http_server.route("/vanished", Reply(404))
        fine = http_server.route("/fine", html("Story", STORY))
        published = datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
        _, link_id = add_claim(database, url, None, published_at=published)
        [fine_id] = add_links(database, fine)
        with_archive = settings.with_overrides(archive_url=archive.url("/wayback/available"))
        check_links(database, CHECKER, with_archive, [link_id, fine_id])
        rotten = link(database, link_id)
        assert rotten.archive_url == f"http://web.archive.example/web/20210304050607/{url}"
        assert rotten.archive_timestamp == published
        assert rotten.archive_checked_at is not None
        assert link(database, fine_id).archive_url is None
        assert len(archive.requests) == 1  # only the failing link, and only once:
        check_links(database, CHECKER, with_archive, [link_id])
        assert len(archive.requests) == 1


def test_archive_says_nothing_archived(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    with LocalServer() as archive:
        archive.fallback = Reply(body='{"archived_snapshots": {}}', content_type="application/json")
        url = http_server.route("/vanished", Reply(404))
        [link_id] = add_links(database, url)
        check_links(
            database, CHECKER, settings.with_overrides(archive_url=archive.url("/a")), [link_id]
        )
        assert link(database, link_id).archive_url is None
        assert link(database, link_id).archive_checked_at is not None


def test_lookup_archives_service(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    with LocalServer() as archive:
        snapshot = "http://web.archive.example/web/20200101000000/http://gone.example/"
        archive.fallback = Reply(
            body=json.dumps(
                {
                    "archived_snapshots": {
                        "closest": {
                            "available": True,
                            "url": snapshot,
                            "timestamp": "20200101000000",
                            "status": "200",
                        }
                    }
                }
            ),
            content_type="application/json",
        )
        ids = add_links(database, "http://gone.example/", "http://other.example/")
        with_archive = settings.with_overrides(archive_url=archive.url("/available"))
        assert lookup_archives(database, CHECKER, with_archive, ids) == 2
        assert link(database, ids[0]).archive_url == snapshot
        assert lookup_archives(database, CHECKER, settings, ids) == 0  # archive lookups disabled


def test_unreachable_archive_is_asked_again_later(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    url = http_server.route("/vanished", Reply(404))
    [link_id] = add_links(database, url)
    down = settings.with_overrides(archive_url="http://127.0.0.1:1/available")
    report = check_links(database, CHECKER, down, [link_id])
    assert report.outcomes == {"not_found": 1}
    assert link(database, link_id).archive_checked_at is None
    assert lookup_archives(database, CHECKER, down, [link_id]) == 0
    assert link(database, link_id).archive_checked_at is None
