"""Alerts: the outbox written with the change, subscriptions matched, webhooks signed, retried
with backoff, logged, paused when failing, refused by the SSRF guard; the CLI."""

from __future__ import annotations

import json
from datetime import timedelta

import jsonschema
import pytest
from sqlalchemy import select, update

from tests.conftest import CliInvoker
from tests.support.linkdata import add_claim, fresh_probes  # noqa: F401 - autouse fixture
from tests.support.server import LocalServer, Reply, html
from tests.support.webhook import WebhookReceiver
from tracker.actors import CHECKER, SCHEDULER, Actor
from tracker.alerts import delivery
from tracker.alerts.models import AlertAttempt, AlertChannel, AlertDelivery, AlertEvent
from tracker.alerts.services import (
    add_subscription,
    deliver_alerts,
    list_deliveries,
    send_test_alert,
)
from tracker.alerts.webhook import schema, sign, verify
from tracker.db import Database
from tracker.enums import Role
from tracker.errors import InvalidInput, NotFound, PermissionDenied
from tracker.linkcheck.services import check_links
from tracker.models import Reviewer
from tracker.review.services import set_status
from tracker.settings import Settings

ANA = Actor.reviewer("ana")
SECRET = "s3cret-for-the-tests-0123456789"


@pytest.fixture
def ana(database: Database) -> Actor:
    with database.transaction() as session:
        session.add(Reviewer(name="ana", role=Role.REVIEWER))
    return ANA


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """Rot confirmed by one failing check; retries after 30 s; paused after 2 failures."""
    return settings.with_overrides(
        dead_after_checks=1,
        dead_after_hours=0,
        alerts_retry_seconds=30,
        alerts_pause_after_failures=2,
        alerts_max_attempts=3,
    )


def _dying_source(database: Database, server: LocalServer) -> tuple[int, int]:
    url = server.route("/source", Reply(404, "<html><title>Not found</title></html>"))
    return add_claim(database, url, "69%")


def _make_due(database: Database) -> None:
    """Move every waiting delivery's next attempt to now (instead of waiting out the backoff)."""
    from tracker.models import utcnow

    with database.transaction() as session:
        session.execute(
            update(AlertDelivery)
            .where(AlertDelivery.status == "pending")
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )


def _events(database: Database) -> list[AlertEvent]:
    with database.reading() as session:
        found = list(session.scalars(select(AlertEvent).order_by(AlertEvent.id)))
        session.expunge_all()
        return found


def test_a_dying_link_writes_one_event_in_the_checks_transaction(
    database: Database, fast: Settings, http_server: LocalServer
) -> None:
    claim_id, link_id = _dying_source(database, http_server)
    check_links(database, CHECKER, fast, [link_id])
    kinds = [event.kind for event in _events(database)]
    # The link died; its claim (with a verdict) was flagged for re-review by the same check.
    assert kinds == ["link.dead", "claim.needs_rereview"]
    dead = _events(database)[0]
    assert dead.link_id == link_id
    assert dead.payload["claims"][0]["id"] == claim_id
    assert dead.payload["link"]["state"] == "dead"
    assert dead.dispatched_at is None
    check_links(database, CHECKER, fast, [link_id])  # still dead: nothing new to tell
    assert len(_events(database)) == 2


def test_a_link_that_answers_again_is_told_as_recovered(
    database: Database, fast: Settings, http_server: LocalServer
) -> None:
    _claim, link_id = _dying_source(database, http_server)
    check_links(database, CHECKER, fast, [link_id])
    http_server.route("/source", html("Poll", "<p>69% of Poles agree.</p>"))
    check_links(database, CHECKER, fast, [link_id])
    assert [event.kind for event in _events(database)][-1] == "link.recovered"


def test_a_verdict_writes_an_event_naming_the_reviewer(
    database: Database, ana: Actor, http_server: LocalServer
) -> None:
    claim_id, _link = add_claim(database, http_server.url("/x"), None, status="in_review")  # type: ignore[arg-type]
    set_status(database, ana, claim_id, "accurate", note="the poll says 69%")
    (event,) = _events(database)
    assert event.kind == "verdict.recorded"
    assert event.subjects["reviewers"] == ["ana"]
    assert event.payload["reviewer"] == "ana"
    assert "accurate" in event.payload["summary"]


def test_a_refused_write_leaves_no_event(database: Database, http_server: LocalServer) -> None:
    claim_id, _link = add_claim(database, http_server.url("/x"), None, status="in_review")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        set_status(database, ANA, claim_id, "accurate", note="no such reviewer")
    assert _events(database) == []


def test_webhook_gets_one_signed_event_matching_the_schema(
    database: Database, ana: Actor, fast: Settings, http_server: LocalServer
) -> None:
    claim_id, link_id = _dying_source(database, http_server)
    with WebhookReceiver(SECRET) as receiver:
        add_subscription(
            database,
            ana,
            scope="all",
            events=["link.dead"],
            webhook=receiver.url(),
            secret=SECRET,
        )
        check_links(database, CHECKER, fast, [link_id])
        report = deliver_alerts(database, SCHEDULER, fast, worker="w1")
        again = deliver_alerts(database, SCHEDULER, fast, worker="w1")
    assert (report.delivered, again.sends) == (1, 0)
    (got,) = receiver.received
    assert got.signed
    body = got.json
    jsonschema.validate(body, schema())
    assert body["kind"] == "link.dead"
    assert body["id"] == got.event_id
    assert body["claims"][0]["id"] == claim_id
    assert body["delivery"] == {"attempt": 1, "retry": False}
    assert got.headers["X-Fact-Tracker-Retry"] == "false"
    (view,) = list_deliveries(database, ana)
    assert view.status == "delivered"
    assert view.history[0].answer == "HTTP 200: ok"
    assert view.history[0].status_code == 200


def test_signature_covers_timestamp_and_body() -> None:
    body = b'{"id": "1"}'
    headers = {"X-Fact-Tracker-Timestamp": "1700000000"}
    headers["X-Fact-Tracker-Signature"] = sign(SECRET, "1700000000", body)
    assert verify(SECRET, headers, body, now=1700000010)
    assert not verify(SECRET, headers, body + b" ", now=1700000010)
    assert not verify("another secret of some length", headers, body, now=1700000010)
    assert not verify(SECRET, headers, body, now=1700009999)  # too old: a replay


def send_test_alerts_match_their_scope_and_events(
    database: Database, ana: Actor, fast: Settings, http_server: LocalServer
) -> None:
    _claim, link_id = _dying_source(database, http_server)
    other_url = http_server.route("/other", Reply(404, "gone"))
    _other_claim, _other_link = add_claim(database, other_url, None)
    with WebhookReceiver(SECRET) as receiver:
        add_subscription(
            database, ana, scope="article", value="1", webhook=receiver.url("/a1"), secret=SECRET
        )
        add_subscription(
            database, ana, scope="article", value="2", webhook=receiver.url("/a2"), secret=SECRET
        )
        add_subscription(
            database,
            ana,
            scope="all",
            events=["verdict.recorded"],
            webhook=receiver.url("/verdicts"),
            secret=SECRET,
        )
        add_subscription(
            database, ana, scope="domain", value="127.0.0.1", webhook=receiver.url("/d")
        )
        check_links(database, CHECKER, fast, [link_id])
        deliver_alerts(database, SCHEDULER, fast, worker="w1")
    paths = sorted((got.path, got.json["kind"]) for got in receiver.received)
    assert paths == [
        ("/a1", "claim.needs_rereview"),
        ("/a1", "link.dead"),
        ("/d", "claim.needs_rereview"),
        ("/d", "link.dead"),
    ]


def test_a_failing_webhook_is_retried_with_backoff_then_paused(
    database: Database, ana: Actor, fast: Settings, http_server: LocalServer, run_cli: CliInvoker
) -> None:
    _claim, link_id = _dying_source(database, http_server)
    with WebhookReceiver(SECRET, statuses=(500, 200)) as receiver:
        added = add_subscription(
            database,
            ana,
            scope="all",
            events=["link.dead"],
            webhook=receiver.url(),
            secret=SECRET,
        )
        check_links(database, CHECKER, fast, [link_id])
        first = deliver_alerts(database, SCHEDULER, fast, worker="w1")
        assert (first.sends, first.failed) == (1, 1)
        (view,) = list_deliveries(database, ana)
        assert view.status == "pending"
        assert view.history[0].answer == "HTTP 500: nope"
        assert view.next_attempt_at is not None
        wait = view.next_attempt_at - view.history[0].finished_at  # type: ignore[operator]
        assert timedelta(seconds=29) < wait < timedelta(seconds=31)
        # Not due yet: nothing is sent.
        assert deliver_alerts(database, SCHEDULER, fast, worker="w1").sends == 0
        _make_due(database)
        receiver.statuses = [503]
        deliver_alerts(database, SCHEDULER, fast, worker="w1")
        (view,) = list_deliveries(database, ana)
        wait = view.next_attempt_at - view.history[1].finished_at  # type: ignore[operator]
        assert timedelta(seconds=59) < wait < timedelta(seconds=61)  # doubled
        status = json.loads(run_cli("schedule", "status", "--json").stdout)
        (paused,) = status["paused_channels"]
        assert paused["consecutive_failures"] == 2
        assert "HTTP 503" in paused["reason"]
        _make_due(database)
        assert deliver_alerts(database, SCHEDULER, fast, worker="w1").sends == 0  # paused
        receiver.statuses = [200]
        tested = send_test_alert(database, ana, fast, added.subscription.id, worker="w1")
        assert tested.status == "delivered"
        assert json.loads(run_cli("schedule", "status", "--json").stdout)["paused_channels"] == []
        deliver_alerts(database, SCHEDULER, fast, worker="w1")
    assert [got.json["kind"] for got in receiver.received] == [
        "link.dead",
        "link.dead",
        "alert.test",
        "link.dead",
    ]
    assert [got.json["delivery"]["retry"] for got in receiver.received] == [
        False,
        True,
        False,
        True,
    ]
    assert len({got.event_id for got in receiver.received if got.json["kind"] == "link.dead"}) == 1


def test_a_delivery_is_failed_after_the_last_attempt(
    database: Database, ana: Actor, fast: Settings, http_server: LocalServer
) -> None:
    _claim, link_id = _dying_source(database, http_server)
    settings = fast.with_overrides(alerts_pause_after_failures=10, alerts_max_attempts=2)
    with WebhookReceiver(SECRET, statuses=(500,)) as receiver:
        add_subscription(
            database, ana, scope="all", events=["link.dead"], webhook=receiver.url(), secret=SECRET
        )
        check_links(database, CHECKER, settings, [link_id])
        deliver_alerts(database, SCHEDULER, settings, worker="w1")
        _make_due(database)
        deliver_alerts(database, SCHEDULER, settings, worker="w1")
        _make_due(database)
        assert deliver_alerts(database, SCHEDULER, settings, worker="w1").sends == 0
    (view,) = list_deliveries(database, ana, status="failed")
    assert view.attempts == 2
    assert len(receiver.received) == 2


def test_a_send_whose_answer_was_never_recorded_is_resent_as_a_retry(
    database: Database, ana: Actor, fast: Settings, http_server: LocalServer
) -> None:
    """The in-process half of the kill test (tests/test_alerts_kill.py kills a real process)."""
    _claim, link_id = _dying_source(database, http_server)
    with WebhookReceiver(SECRET) as receiver:
        add_subscription(
            database, ana, scope="all", events=["link.dead"], webhook=receiver.url(), secret=SECRET
        )
        check_links(database, CHECKER, fast, [link_id])
        deliver_alerts(database, SCHEDULER, fast, worker="w1")  # dispatch and send
        with database.transaction() as session:  # as if the answer had never been recorded
            session.execute(
                update(AlertDelivery).values(
                    status="sending", lease_owner="dead-worker", lease_expires_at=None
                )
            )
        deliver_alerts(database, SCHEDULER, fast, worker="w2")
    first, second = receiver.received
    assert first.event_id == second.event_id
    assert second.headers["X-Fact-Tracker-Retry"] == "true"
    assert second.json["delivery"] == {"attempt": 2, "retry": True}


def test_a_live_lease_keeps_other_workers_off(
    database: Database, ana: Actor, fast: Settings, http_server: LocalServer
) -> None:
    _claim, link_id = _dying_source(database, http_server)
    add_subscription(
        database, ana, scope="all", events=["link.dead"], webhook=http_server.url("/hook")
    )
    check_links(database, CHECKER, fast, [link_id])
    from tracker.alerts.dispatch import dispatch

    dispatch(database)
    mine = delivery.claim(database, "w1", fast)
    assert len(mine) == 1
    assert delivery.claim(database, "w2", fast) == []
    with database.reading() as session:
        (attempt,) = session.scalars(select(AlertAttempt)).all()
        assert attempt.finished_at is None  # recorded before sending
        assert attempt.worker == "w1"


def test_webhooks_meet_the_ssrf_guard(
    database: Database, ana: Actor, fast: Settings, http_server: LocalServer
) -> None:
    _claim, link_id = _dying_source(database, http_server)
    guarded = fast.with_overrides(allow_private_networks=False)
    with WebhookReceiver(SECRET) as receiver:
        add_subscription(
            database, ana, scope="all", events=["link.dead"], webhook=receiver.url(), secret=SECRET
        )
        check_links(database, CHECKER, fast, [link_id])
        report = deliver_alerts(database, SCHEDULER, guarded, worker="w1")
    assert report.failed == 1
    assert receiver.received == []
    (view,) = list_deliveries(database, ana)
    assert view.history[0].answer is not None
    assert view.history[0].answer.startswith("invalid_url")


def test_a_redirecting_webhook_is_not_followed(
    database: Database, ana: Actor, fast: Settings, http_server: LocalServer
) -> None:
    _claim, link_id = _dying_source(database, http_server)
    moved = http_server.route("/moved", Reply(307, "", headers={"Location": "/elsewhere"}))
    add_subscription(database, ana, scope="all", events=["link.dead"], webhook=moved)
    check_links(database, CHECKER, fast, [link_id])
    deliver_alerts(database, SCHEDULER, fast, worker="w1")
    assert http_server.hits["/elsewhere"] == 0
    (view,) = list_deliveries(database, ana)
    assert view.history[0].status_code == 307
    assert view.status == "pending"


def test_subscribing_is_validated(database: Database, ana: Actor) -> None:
    with pytest.raises(InvalidInput, match="name one channel"):
        add_subscription(database, ana, scope="all")
    with pytest.raises(InvalidInput, match="unknown event"):
        add_subscription(database, ana, scope="all", events=["link.gone"], atom=True)
    with pytest.raises(NotFound):
        add_subscription(database, ana, scope="article", value="99", atom=True)
    with pytest.raises(InvalidInput, match="invalid webhook URL"):
        add_subscription(database, ana, scope="all", webhook="ftp://example.org/x")
    with pytest.raises(InvalidInput, match="invalid email"):
        add_subscription(database, ana, scope="all", email="not an address")
    with pytest.raises(InvalidInput, match="daily"):
        add_subscription(database, ana, scope="all", atom=True, digest="daily")
    with pytest.raises(NotFound):
        add_subscription(database, ana, scope="reviewer", value="bob", atom=True)
    with database.transaction() as session:
        session.add(Reviewer(name="vic", role=Role.VIEWER))
    with pytest.raises(PermissionDenied):
        add_subscription(database, Actor.reviewer("vic"), scope="all", atom=True)


def send_test_alerts_to_one_webhook_share_its_channel_and_secret(
    database: Database, ana: Actor
) -> None:
    first = add_subscription(database, ana, scope="all", webhook="https://hooks.example.org/a")
    second = add_subscription(
        database, ana, scope="domain", value="www.bbc.co.uk", webhook="https://hooks.example.org/a"
    )
    assert first.secret is not None
    assert len(first.secret) >= 32
    assert second.secret is None
    assert second.subscription.channel_id == first.subscription.channel_id
    assert second.subscription.scope_value == "bbc.co.uk"
    with database.reading() as session:
        assert len(session.scalars(select(AlertChannel)).all()) == 1


@pytest.mark.usefixtures("acting_as_ana")
def test_cli_add_list_deliveries_remove(run_cli: CliInvoker) -> None:
    added = json.loads(
        run_cli(
            "alerts",
            "add",
            "--all",
            "--events",
            "link.dead,verdict.recorded",
            "--webhook",
            "https://hooks.example.org/ft",
            "--json",
        ).stdout
    )
    assert added["subscription"]["events"] == ["link.dead", "verdict.recorded"]
    assert added["secret"]
    listed = json.loads(run_cli("alerts", "list", "--json").stdout)
    assert [row["target"] for row in listed] == ["https://hooks.example.org/ft"]
    assert "secret" not in listed[0]
    assert json.loads(run_cli("alerts", "deliveries", "--json").stdout) == []
    run_cli("alerts", "add", "--domain", "bbc.co.uk", "--atom")
    assert "Removed subscription 1" in run_cli("alerts", "remove", "1").stdout
    assert len(json.loads(run_cli("alerts", "list", "--json").stdout)) == 1
    error = run_cli("alerts", "remove", "1", exit_code=2).stderr
    assert error.startswith("error:")
    assert len(error.strip().splitlines()) == 1
    error = run_cli("alerts", "add", "--webhook", "https://x.example.org/", exit_code=2).stderr
    assert "name one scope" in error
    error = run_cli("alerts", "add", "--all", "--events", "link.gone", "--atom", exit_code=2).stderr
    assert "unknown event 'link.gone'" in error
    assert "link.recovered" in run_cli("alerts", "--help").stdout
