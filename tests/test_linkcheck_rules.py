"""The pure rules of the link checker: classification, retries, text, soft-404 signals, the
state machine and the next-check policy. No network, no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tracker.enums import CheckOutcome, LinkState
from tracker.extraction.evidence import spec_from_text
from tracker.http import FailureKind
from tracker.linkcheck.archive import parse_availability
from tracker.linkcheck.content import (
    fingerprints_differ,
    match_evidence,
    read_page,
    text_fingerprint,
)
from tracker.linkcheck.outcomes import classify_failure, classify_status
from tracker.linkcheck.retry import RetryPolicy, parse_retry_after
from tracker.linkcheck.schedule import interval_hours, next_check_at
from tracker.linkcheck.soft404 import ProbeAnswer, resembles_probe, signals
from tracker.linkcheck.state import DeathRule, Health, advance, derive_state
from tracker.settings import Settings

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SETTINGS = Settings(check_interval_hours=24, max_check_interval_hours=24 * 14)


@pytest.mark.parametrize(
    ("status", "permanent", "expected"),
    [
        (200, False, CheckOutcome.OK),
        (204, False, CheckOutcome.OK),
        (200, True, CheckOutcome.REDIRECTED),
        (304, False, CheckOutcome.OK),
        (404, False, CheckOutcome.NOT_FOUND),
        (410, False, CheckOutcome.NOT_FOUND),
        (401, False, CheckOutcome.BLOCKED),
        (451, False, CheckOutcome.BLOCKED),
        (429, False, CheckOutcome.RATE_LIMITED),
        (408, False, CheckOutcome.TIMEOUT),
        (502, False, CheckOutcome.SERVER_ERROR),
    ],
)
def test_classify_status(status: int, permanent: bool, expected: CheckOutcome) -> None:
    assert classify_status(status, permanently_redirected=permanent) is expected


def test_classify_failures() -> None:
    assert classify_failure(FailureKind.TOO_MANY_REDIRECTS) is CheckOutcome.REDIRECT_LOOP
    assert classify_failure(FailureKind.PROTOCOL) is CheckOutcome.UNREACHABLE
    assert classify_failure(FailureKind.INVALID_URL) is CheckOutcome.INVALID_URL


def test_retry_policy() -> None:
    policy = RetryPolicy(max_retries=2, backoff=0.5, max_retry_after=30)
    assert policy.should_retry(CheckOutcome.TIMEOUT, 0)
    assert policy.should_retry(CheckOutcome.RATE_LIMITED, 1)
    assert not policy.should_retry(CheckOutcome.SERVER_ERROR, 2)
    assert not policy.should_retry(CheckOutcome.NOT_FOUND, 0)
    assert [policy.delay(n) for n in range(3)] == [0.5, 1.0, 2.0]
    assert policy.delay(0, "10") == 10
    assert policy.delay(0, "86400") == 30  # capped
    assert policy.delay(1, "garbage") == 1.0
    when = (T0 + timedelta(seconds=90)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(when, now=T0) == 90


def test_reviewer_evidence_is_matched_however_the_page_writes_it() -> None:
    page = "Some 1,250,000 people \u2014  that is 12.5 per cent \u2014 said\nYES."

    def state(evidence: str) -> str:
        return match_evidence(page, spec_from_text(evidence).to_json()).state

    assert state("1250000 people") == "found"
    assert state("1,250,000 PEOPLE") == "found"
    assert state("12.5%") == "found"
    assert state("12.5 percent") == "found"
    assert state("that is 12.5 % \u2014 said yes") == "found"
    assert state("\u201cThat is 12.5 per cent\u201d") == "found"
    assert state("12.6%") == "missing"
    assert state("   ") == "nothing_to_match"


def test_main_text_skips_chrome_and_scripts() -> None:
    page = read_page(
        "<html><head><title>T</title><script>var x = 'secret';</script></head><body>"
        "<nav>Menu Home About</nav><article><h1>Head</h1><p>Body text.</p></article>"
        "<footer>Copyright</footer></body></html>",
        html=True,
    )
    assert page.title == "T"
    assert page.headings == ("Head",)
    assert page.main_text == "Head Body text."
    assert "Menu" in page.full_text
    assert "secret" not in page.full_text
    assert read_page("", html=True).main_text == ""
    assert (
        read_page(
            '<?xml version="1.0" encoding="utf-8"?><html><p>x</p></html>', html=True
        ).full_text
        == "x"
    )


def test_fingerprints() -> None:
    text = " ".join(f"word{i}" for i in range(300))
    same = text_fingerprint(text)
    assert same.startswith("t2:")
    assert len(same) <= 128  # fits the columns
    assert same == text_fingerprint(text.upper())
    for edited in range(0, 300, 7):  # any one-word edit is not a material change
        assert not fingerprints_differ(same, text_fingerprint(text.replace(f"word{edited} ", "x ")))
    assert fingerprints_differ(same, text_fingerprint(" ".join(f"w{i}" for i in range(300))))
    half = " ".join(f"word{i}" for i in range(150)) + " " + " ".join(f"n{i}" for i in range(150))
    assert fingerprints_differ(same, text_fingerprint(half))
    assert fingerprints_differ("b:aa", "b:bb")
    assert not fingerprints_differ(None, same)


@pytest.mark.parametrize(
    ("title", "soft"),
    [
        ("Page not found", True),
        ("404 - Example News", True),
        ("Error 404", True),
        ("Oops! That page can't be found.", True),
        ("Story 404: the route that never was", False),
        ("Budget report", False),
    ],
)
def test_soft_404_titles(title: str, soft: bool) -> None:
    page = read_page(f"<title>{title}</title><p>text</p>", html=True)
    reason = signals(
        "http://a.example/x",
        "http://a.example/x",
        redirected=False,
        title=page.title,
        headings=page.headings,
    )
    assert (reason is not None) is soft


def test_soft_404_home_redirect_and_probe() -> None:
    assert signals("http://a.example/old", "http://a.example/", redirected=True)
    assert not signals("http://a.example/", "http://a.example/", redirected=True)
    home = text_fingerprint("Welcome to the front page of a news site " * 5)
    probe = ProbeAnswer(200, "http://a.example/probe", "Home", home)
    story = "http://a.example/x"
    assert resembles_probe(story, story, home, probe)
    assert not resembles_probe(story, story, text_fingerprint("A real story"), probe)
    assert not resembles_probe(story, story, home, ProbeAnswer(404, None, "", home))
    root = "http://a.example/"
    assert not resembles_probe(root, root, home, probe)  # the cited home page itself


RULE = DeathRule(checks=3, hours=72)


def test_state_machine_failure_confirmation_recovery() -> None:
    health = Health()
    assert derive_state(health, RULE, ignore_failures=False) is LinkState.UNCHECKED
    states = []
    for hours in (0, 24, 48, 72):
        health = advance(
            health, CheckOutcome.NOT_FOUND, T0 + timedelta(hours=hours), ignore_failures=False
        )
        states.append(derive_state(health, RULE, ignore_failures=False))
    assert states == [LinkState.AT_RISK, LinkState.AT_RISK, LinkState.AT_RISK, LinkState.DEAD]
    assert health.failing_since == T0
    # Inconclusive failures neither confirm nor reset.
    health = advance(health, CheckOutcome.BLOCKED, T0 + timedelta(hours=96), ignore_failures=False)
    assert health.consecutive_failures == 4
    assert derive_state(health, RULE, ignore_failures=False) is LinkState.DEAD
    assert derive_state(health, RULE, ignore_failures=True) is LinkState.AT_RISK
    assert (
        derive_state(health, RULE, ignore_failures=False, override=LinkState.ALIVE)
        is LinkState.ALIVE
    )
    health = advance(
        health, CheckOutcome.REDIRECTED, T0 + timedelta(hours=120), ignore_failures=False
    )
    assert derive_state(health, RULE, ignore_failures=False) is LinkState.ALIVE
    assert (health.consecutive_failures, health.failing_since) == (0, None)
    assert health.first_checked_at == T0


def test_many_failures_in_a_short_time_are_not_yet_rot() -> None:
    health = Health()
    for minutes in range(10):
        health = advance(
            health, CheckOutcome.TIMEOUT, T0 + timedelta(minutes=minutes), ignore_failures=False
        )
    assert derive_state(health, RULE, ignore_failures=False) is LinkState.AT_RISK


def gap(before: Health, after: Health, state: LinkState, now: datetime = T0) -> float:
    return interval_hours(before, after, state=state, now=now, settings=SETTINGS)


def test_next_check_policy() -> None:
    ok = Health(last_outcome=CheckOutcome.OK, last_checked_at=T0)
    later = T0 + timedelta(hours=24)
    again = advance(ok, CheckOutcome.OK, later, ignore_failures=False)
    # A healthy link checked after a healthy normal gap stretches its interval...
    assert gap(ok, again, LinkState.ALIVE, later) == 36
    # ...up to the cap.
    long_ago = Health(last_outcome=CheckOutcome.OK, last_checked_at=T0 - timedelta(days=30))
    assert (
        interval_hours(long_ago, again, state=LinkState.ALIVE, now=later, settings=SETTINGS)
        == 24 * 14
    )
    # A new link gets the normal interval.
    first = advance(Health(), CheckOutcome.OK, T0, ignore_failures=False)
    assert gap(Health(), first, LinkState.ALIVE) == 24
    # Failing links come back sooner, backing off.
    gaps = []
    health = ok
    for n in range(6):
        before, health = (
            health,
            advance(health, CheckOutcome.NOT_FOUND, T0 + timedelta(hours=n), ignore_failures=False),
        )
        gaps.append(
            interval_hours(before, health, state=LinkState.AT_RISK, now=T0, settings=SETTINGS)
        )
    assert gaps == [1, 2, 4, 8, 16, 24]
    # Blocked links are not hurried; dead links are rechecked rarely.
    blocked = advance(ok, CheckOutcome.BLOCKED, later, ignore_failures=False)
    assert interval_hours(ok, blocked, state=LinkState.AT_RISK, now=later, settings=SETTINGS) == 24
    assert (
        interval_hours(ok, health, state=LinkState.DEAD, now=later, settings=SETTINGS)
        == SETTINGS.dead_recheck_hours
    )
    # Jitter spreads checks made together, within 10%.
    rng = random.Random(1)
    times = {
        next_check_at(Health(), first, state=LinkState.ALIVE, now=T0, settings=SETTINGS, rng=rng)
        for _ in range(20)
    }
    assert len(times) == 20
    assert all(abs((t - T0).total_seconds() / 3600 - 24) <= 2.4 for t in times)


def test_parse_availability() -> None:
    answer = (
        b'{"archived_snapshots": {"closest": {"available": true, "status": "200", '
        b'"url": "http://web.archive.org/web/20200102030405/http://a.example/", '
        b'"timestamp": "20200102030405"}}}'
    )
    snapshot = parse_availability(answer)
    assert snapshot is not None
    assert snapshot.timestamp == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_availability(b'{"archived_snapshots": {}}') is None
    assert parse_availability(b"not json") is None
    assert parse_availability(answer.replace(b'"200"', b'"404"')) is None
