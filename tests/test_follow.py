"""Followed publications: feed discovery, polling with conditional requests, ingest of new
articles, what was skipped and why; the follow commands."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import update

from tests.conftest import CliInvoker
from tests.support.links import add_links
from tests.support.publication import Publication
from tests.support.server import LocalServer, Reply
from tracker.actors import SCHEDULER, Actor
from tracker.db import Database
from tracker.enums import Role
from tracker.errors import InvalidInput
from tracker.feeds.models import FollowedFeed
from tracker.feeds.services import feed_status, follow, list_feeds, poll_feeds
from tracker.feeds.views import EntryView
from tracker.models import Host, Reviewer, utcnow
from tracker.politeness import hosts
from tracker.schedule.worker import check_due
from tracker.settings import Settings


@pytest.fixture
def ana(database: Database) -> Actor:
    with database.transaction() as session:
        session.add(Reviewer(name="ana", role=Role.REVIEWER))
    return Actor.reviewer("ana")


@pytest.fixture
def polite(settings: Settings) -> Settings:
    return settings.with_overrides(per_host_rate=1000, timeout=5.0)


@pytest.fixture
def publication() -> Iterator[Publication]:
    with LocalServer() as server:
        yield Publication(server)


def _due_now(database: Database) -> None:
    with database.transaction() as session:
        session.execute(update(FollowedFeed).values(next_poll_at=utcnow()))


def test_following_a_home_page_finds_its_feed_and_polls_it(
    database: Database, ana: Actor, polite: Settings, publication: Publication
) -> None:
    first = publication.publish("budget", "Budget talks", publication.server.url("/src"))
    view = follow(database, ana, polite, publication.server.url("/"))
    assert view.feed_url == publication.server.url("/feed.xml")
    assert (view.kind, view.title) == ("feed", "The Daily Example")
    report = poll_feeds(database, SCHEDULER, polite, worker="w1")
    assert (report.feeds, report.ingested) == (1, 1)
    # Not due yet: the next poll waits for feeds_poll_minutes.
    assert poll_feeds(database, SCHEDULER, polite, worker="w1").feeds == 0
    _due_now(database)
    report = poll_feeds(database, SCHEDULER, polite, worker="w1")
    assert (report.not_modified, report.ingested) == (1, 0)
    assert publication.feed_polls[-1].headers.get("If-None-Match") == '"v1"'
    second = publication.publish("transit", "Bus cuts", publication.server.url("/src2"))
    _due_now(database)
    assert poll_feeds(database, SCHEDULER, polite, worker="w1").ingested == 1
    detail = feed_status(database, ana, view.id)
    assert [entry.url for entry in detail.entries] == [second, first]
    assert {entry.status for entry in detail.entries} == {"ingested"}
    assert detail.feed.ingested == 2
    from tracker.articles.services import list_articles

    articles = list_articles(database, ana)
    assert sorted(article.url or "" for article in articles) == sorted([first, second])


def test_what_cannot_be_ingested_is_skipped_or_retried_with_its_reason(
    database: Database, ana: Actor, polite: Settings, publication: Publication
) -> None:
    publication.publish("ok", "Fine story", publication.server.url("/src"))
    publication.publish("missing", "Gone", "")
    publication.publish("photo", "A photo", "")
    publication.server.route("/news/missing.html", Reply(404, "not here"))
    publication.server.route(
        "/news/photo.html", Reply(200, b"\xff\xd8\xff\xe0", content_type="image/jpeg")
    )
    follow(database, ana, polite, publication.server.url("/feed.xml"))
    report = poll_feeds(database, SCHEDULER, polite, worker="w1")
    assert (report.ingested, report.skipped, report.failed) == (1, 1, 1)
    (feed,) = list_feeds(database, ana)

    def entries() -> dict[str, EntryView]:
        found = feed_status(database, ana, feed.id).entries
        return {entry.url.rsplit("/", 1)[1]: entry for entry in found}

    assert entries()["photo.html"].status == "skipped"
    assert entries()["missing.html"].status == "failed"
    assert "HTTP 404" in (entries()["missing.html"].reason or "")
    publication.publish("next", "Next story", publication.server.url("/src"))  # a new ETag
    for _ in range(4):
        _due_now(database)
        poll_feeds(database, SCHEDULER, polite, worker="w1")
    # A page that failed to load is tried on three polls, then left alone.
    assert entries()["missing.html"].attempts == 3
    assert publication.server.hits["/news/missing.html"] == 3
    assert publication.server.hits["/news/photo.html"] == 1


def test_only_new_leaves_todays_articles_out(
    database: Database, ana: Actor, polite: Settings, publication: Publication
) -> None:
    publication.publish("old", "Old story", publication.server.url("/src"))
    view = follow(database, ana, polite, publication.server.url("/sitemap.xml"), only_new=True)
    assert (view.kind, view.skipped) == ("sitemap", 1)
    new = publication.publish("new", "New story", publication.server.url("/src"))
    report = poll_feeds(database, SCHEDULER, polite, worker="w1")
    assert report.ingested == 1
    statuses = {e.url: e.status for e in feed_status(database, ana, view.id).entries}
    assert statuses[new] == "ingested"
    reasons = [e.reason for e in feed_status(database, ana, view.id).entries if e.url != new]
    assert reasons == ["published before the publication was followed"]


def test_a_host_asking_to_wait_is_polled_later(
    database: Database, ana: Actor, polite: Settings, publication: Publication
) -> None:
    publication.publish("a", "A story", publication.server.url("/src"))
    view = follow(database, ana, polite, publication.server.url("/feed.xml"))
    publication.server.route("/feed.xml", Reply(429, "slow down", headers={"Retry-After": "7200"}))
    # The host's pause (its Retry-After, capped at max_host_pause_seconds) sets the next poll.
    polite = polite.with_overrides(feeds_poll_minutes=1, max_host_pause_seconds=7200)
    poll_feeds(database, SCHEDULER, polite, worker="w1")
    (feed,) = list_feeds(database, ana)
    assert feed.last_status is not None
    assert "paused until" in feed.last_status
    assert "HTTP 429 Retry-After" in feed.last_status
    assert feed.next_poll_at is not None
    assert feed.last_polled_at is not None
    # (the pause began at the answer, a moment before the poll was recorded)
    assert (feed.next_poll_at - feed.last_polled_at).total_seconds() >= 7200 - 30
    assert feed.id == view.id


def _hits(server: LocalServer) -> int:
    return sum(server.hits.values())


def test_a_host_paused_by_a_checker_is_not_asked_by_a_poll(
    database: Database, ana: Actor, polite: Settings, publication: Publication
) -> None:
    server = publication.server
    publication.publish("a", "A story", server.url("/src"))
    view = follow(database, ana, polite, server.url("/feed.xml"))
    server.route("/limited", Reply(429, "slow down", headers={"Retry-After": "600"}))
    add_links(database, [server.url("/limited")])
    assert check_due(database, SCHEDULER, polite, worker="checker", read_ahead=20).checked == 1
    before = _hits(server)

    report = poll_feeds(database, SCHEDULER, polite, worker="w1")

    assert report.feeds == 1
    assert _hits(server) == before  # neither the feed nor its article was asked
    (feed,) = list_feeds(database, ana)
    assert feed.last_status is not None
    assert feed.last_status.startswith(f"deferred: {server.origin} paused until")
    with database.reading() as session:
        [paused] = hosts.paused_hosts(session)
    assert feed.next_poll_at is not None
    assert feed.next_poll_at >= paused.paused_until  # polled again after the pause, not before
    assert feed_status(database, ana, view.id).entries == ()


def test_a_429_during_a_poll_pauses_the_host_for_checkers_too(
    database: Database,
    ana: Actor,
    polite: Settings,
    publication: Publication,
    run_cli: CliInvoker,
) -> None:
    server = publication.server
    first = publication.publish("a", "A story", server.url("/src"))
    newest = publication.publish("b", "B story", server.url("/src"))
    story = server.routes[server.url("/news/b.html").removeprefix(server.origin)]
    server.route("/news/b.html", Reply(429, "slow down", headers={"Retry-After": "600"}))
    view = follow(database, ana, polite, server.url("/feed.xml"))

    report = poll_feeds(database, SCHEDULER, polite, worker="w1")

    # The newest article answered 429: the host is paused, the other entry not fetched, and
    # both wait for the next poll (nothing recorded, so they are new again then).
    assert (report.ingested, report.failed, report.skipped) == (0, 0, 0)
    assert server.hits["/news/a.html"] == 0
    (feed,) = list_feeds(database, ana)
    assert feed.last_status is not None
    assert feed.last_status.startswith("2 waiting for the next poll")
    assert "HTTP 429 Retry-After" in feed.last_status
    assert feed_status(database, ana, view.id).entries == ()
    data = json.loads(run_cli("schedule", "status", "--json").stdout)
    assert [(p["host"], p["reason"]) for p in data["paused_hosts"]] == [
        (server.origin, "HTTP 429 Retry-After")
    ]
    # A checker leaves the paused host alone.
    add_links(database, [server.url("/src")])
    before = _hits(server)
    assert check_due(database, SCHEDULER, polite, worker="checker", read_ahead=20).checked == 0
    assert _hits(server) == before

    # Once the pause is over, the next poll fetches the whole feed again and ingests both.
    server.route("/news/b.html", story)
    with database.transaction() as session:
        session.execute(update(Host).values(paused_until=None))
    _due_now(database)
    assert poll_feeds(database, SCHEDULER, polite, worker="w1").ingested == 2
    urls = {entry.url for entry in feed_status(database, ana, view.id).entries}
    assert urls == {first, newest}


def test_polls_keep_to_the_hosts_rate_from_the_domain_limits(
    database: Database, ana: Actor, polite: Settings, publication: Publication
) -> None:
    server = publication.server
    for n in range(6):
        publication.publish(f"s{n}", f"Story {n}", "https://elsewhere.example.org/src")
    paced = polite.with_overrides(per_domain_limits="127.0.0.1=1/4")
    follow(database, ana, paced, server.url("/feed.xml"))
    server.arrivals.clear()

    assert poll_feeds(database, SCHEDULER, paced, worker="w1").ingested == 6

    # The feed and six articles, one at a time, starts 0.25 s apart: never six in a second at
    # the server (one late arrival may close up on the next, so the bound is the rate plus
    # one), and over a second and a half in all. Unpaced (per_host_rate=1000) all seven
    # arrive within one second.
    times = sorted(server.arrivals)
    assert len(times) == 7
    assert server.max_per_second() <= 5
    assert times[-1] - times[0] >= 6 * 0.25 * 0.95


def test_following_is_validated(
    database: Database, ana: Actor, polite: Settings, publication: Publication
) -> None:
    publication.server.route("/plain", Reply(200, "<html><body><p>No feed here.</p></body></html>"))
    with pytest.raises(InvalidInput, match="names no feed"):
        follow(database, ana, polite, publication.server.url("/plain"))
    with pytest.raises(InvalidInput, match="HTTP 404"):
        follow(database, ana, polite, publication.server.url("/nothing"))
    follow(database, ana, polite, publication.server.url("/feed.xml"))
    with pytest.raises(InvalidInput, match="followed already"):
        follow(database, ana, polite, publication.server.url("/"))
    guarded = polite.with_overrides(allow_private_networks=False)
    from tracker.errors import FetchError

    with pytest.raises(FetchError):
        follow(database, ana, guarded, publication.server.url("/feed.xml"))


@pytest.mark.usefixtures("acting_as_ana")
def test_follow_commands(
    run_cli: CliInvoker, publication: Publication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACT_TRACKER_PER_DOMAIN_LIMITS", "127.0.0.1=2/1000")
    publication.publish("a", "A story", publication.server.url("/src"))
    out = run_cli("follow", publication.server.url("/")).stdout
    assert "Following The Daily Example" in out
    listed = json.loads(run_cli("follow", "list", "--json").stdout)
    assert [row["feed_url"] for row in listed] == [publication.server.url("/feed.xml")]
    status = json.loads(run_cli("follow", "status", "1", "--json").stdout)
    assert status["entries"] == []
    assert "No longer following" in run_cli("follow", "remove", "1").stdout
    assert json.loads(run_cli("follow", "list", "--json").stdout) == []
    error = run_cli("follow", "status", "1", exit_code=2).stderr
    assert error.startswith("error:")
    assert "sitemap" in run_cli("follow", "--help").stdout
