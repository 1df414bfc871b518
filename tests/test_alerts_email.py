"""Email digests against a local SMTP server (aiosmtpd), and the Atom feed of a subscription."""

from __future__ import annotations

from collections.abc import Iterator

import feedparser
import pytest

from tests.conftest import CliInvoker
from tests.support.linkdata import add_claim, fresh_probes  # noqa: F401 - autouse fixture
from tests.support.server import LocalServer, Reply
from tests.support.smtp import LocalSMTP
from tracker.actors import CHECKER, SCHEDULER, Actor
from tracker.alerts.services import add_subscription, deliver_alerts, list_deliveries
from tracker.db import Database
from tracker.enums import Role
from tracker.linkcheck.services import check_links
from tracker.models import Reviewer
from tracker.settings import Settings


@pytest.fixture
def smtp() -> Iterator[LocalSMTP]:
    with LocalSMTP() as server:
        yield server


@pytest.fixture
def ana(database: Database) -> Actor:
    with database.transaction() as session:
        session.add(Reviewer(name="ana", role=Role.REVIEWER))
    return Actor.reviewer("ana")


@pytest.fixture
def mailing(settings: Settings, smtp: LocalSMTP) -> Settings:
    return settings.with_overrides(
        dead_after_checks=1,
        dead_after_hours=0,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_from="alerts@newsroom.example",
    )


def _two_dying_sources(database: Database, server: LocalServer) -> list[int]:
    links = []
    for name, text in (("a", "Poles back 69% <b>support</b>"), ("b", "Spending rose 2%")):
        url = server.route(f"/{name}", Reply(410, "gone"))
        _claim, link_id = add_claim(database, url, None)
        links.append(link_id)
        with database.transaction() as session:
            from tracker.models import Claim

            claim = session.get(Claim, _claim)
            assert claim is not None
            claim.text = text
    return links


def test_an_immediate_digest_is_one_message_naming_every_claim(
    database: Database, ana: Actor, mailing: Settings, smtp: LocalSMTP, http_server: LocalServer
) -> None:
    links = _two_dying_sources(database, http_server)
    add_subscription(database, ana, scope="all", events=["link.dead"], email="desk@example.org")
    check_links(database, CHECKER, mailing, links)
    report = deliver_alerts(database, SCHEDULER, mailing, worker="w1")
    assert (report.sends, report.delivered) == (1, 2)
    (message,) = smtp.messages
    assert message["To"] == "desk@example.org"
    assert message["From"] == "alerts@newsroom.example"
    assert message["Subject"] == "fact-tracker: 2 alerts"
    assert len(message["X-Fact-Tracker-Events"].split(", ")) == 2
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Poles back 69% <b>support</b>" in text
    assert "Spending rose 2%" in text
    # The HTML part escapes what it shows: a claim's text cannot inject markup.
    assert "Poles back 69% &lt;b&gt;support&lt;/b&gt;" in html
    assert "<b>support" not in html
    views = list_deliveries(database, ana)
    assert {view.status for view in views} == {"delivered"}
    assert views[0].history[0].answer is not None
    assert views[0].history[0].answer.startswith("SMTP accepted (2 alerts)")


def test_a_daily_digest_waits_for_midnight(
    database: Database, ana: Actor, mailing: Settings, smtp: LocalSMTP, http_server: LocalServer
) -> None:
    links = _two_dying_sources(database, http_server)
    add_subscription(
        database, ana, scope="all", events=["link.dead"], email="desk@example.org", digest="daily"
    )
    check_links(database, CHECKER, mailing, links)
    assert deliver_alerts(database, SCHEDULER, mailing, worker="w1").sends == 0
    assert smtp.messages == []
    (first, _second) = list_deliveries(database, ana)
    assert first.next_attempt_at is not None
    assert (first.next_attempt_at.hour, first.next_attempt_at.minute) == (0, 0)


def test_email_without_a_server_is_a_logged_failure(
    database: Database, ana: Actor, settings: Settings, http_server: LocalServer
) -> None:
    links = _two_dying_sources(database, http_server)
    fast = settings.with_overrides(dead_after_checks=1, dead_after_hours=0)
    add_subscription(database, ana, scope="all", events=["link.dead"], email="desk@example.org")
    check_links(database, CHECKER, fast, links)
    report = deliver_alerts(database, SCHEDULER, fast, worker="w1")
    assert (report.sends, report.failed) == (1, 2)
    view = list_deliveries(database, ana)[0]
    assert view.status == "pending"
    assert view.history[0].answer == "email is off: the smtp_host setting is empty"


@pytest.mark.usefixtures("acting_as_ana")
def test_the_atom_feed_of_a_subscription(
    database: Database, run_cli: CliInvoker, settings: Settings, http_server: LocalServer
) -> None:
    links = _two_dying_sources(database, http_server)
    fast = settings.with_overrides(dead_after_checks=1, dead_after_hours=0)
    run_cli("alerts", "add", "--all", "--events", "link.dead", "--atom")
    check_links(database, CHECKER, fast, links)
    deliver_alerts(database, SCHEDULER, fast, worker="w1")
    feed = feedparser.parse(run_cli("alerts", "feed", "1").stdout)
    assert not feed.bozo
    assert feed.feed.title == "fact-tracker alerts: everything"
    assert len(feed.entries) == 2
    assert all(entry.id.startswith("urn:uuid:") for entry in feed.entries)
    assert {entry.link for entry in feed.entries} == {
        http_server.url("/a"),
        http_server.url("/b"),
    }
    assert any("Spending rose 2%" in entry.content[0].value for entry in feed.entries)
    error = run_cli("alerts", "feed", "7", exit_code=2).stderr
    assert error.startswith("error:")
