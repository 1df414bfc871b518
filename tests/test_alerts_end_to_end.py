"""The issue's "done when", with real processes: a followed publication's new article is
ingested on the next poll, a source it cites dies, and within one scheduler cycle a webhook
receiver gets exactly one signed event and an SMTP server one digest naming the claim. And a
scheduler killed (SIGKILL) between sending and recording delivers at most one duplicate,
marked as a retry with the same event id, and loses nothing."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.conftest import CliInvoker
from tests.support.linkdata import add_claim, fresh_probes  # noqa: F401 - autouse fixture
from tests.support.processes import SchedulerProcess, wait_until
from tests.support.publication import Publication
from tests.support.server import LocalServer, Reply, html
from tests.support.smtp import LocalSMTP
from tests.support.webhook import WebhookReceiver
from tracker.db import Database
from tracker.models import Link, utcnow

pytestmark = pytest.mark.slow
SECRET = "end-to-end-secret-0123456789abcdef"


@pytest.fixture
def smtp() -> Iterator[LocalSMTP]:
    with LocalSMTP() as server:
        yield server


def _environment(smtp: LocalSMTP | None = None, **extra: str) -> dict[str, str]:
    env = {
        "FACT_TRACKER_ALLOW_PRIVATE_NETWORKS": "1",
        "FACT_TRACKER_ARCHIVE_URL": "",
        "FACT_TRACKER_DEAD_AFTER_CHECKS": "1",
        "FACT_TRACKER_DEAD_AFTER_HOURS": "0",
        "FACT_TRACKER_PER_DOMAIN_LIMITS": "127.0.0.1=2/1000",
        "FACT_TRACKER_PAGE_JUDGING": "threads",
        "FACT_TRACKER_MAX_RETRIES": "0",
        "FACT_TRACKER_TIMEOUT": "5",
        **extra,
    }
    if smtp is not None:
        env |= {"FACT_TRACKER_SMTP_HOST": "127.0.0.1", "FACT_TRACKER_SMTP_PORT": str(smtp.port)}
    return env


def _once(db_url: str, tmp_path: Path, name: str, env: dict[str, str]) -> SchedulerProcess:
    process = SchedulerProcess(
        db_url, tmp_path / f"{name}.log", "--once", "--worker-id", "e2e", **env
    )
    code = process.wait(120)
    assert code == 0, process.log
    return process


def _make_links_due(db_url: str) -> None:
    database = Database(db_url)
    try:
        with database.transaction() as session:
            session.execute(update(Link).values(next_check_at=utcnow()))
    finally:
        database.dispose()


@pytest.mark.usefixtures("acting_as_ana")
def test_followed_article_source_dies_one_signed_event_and_one_digest(
    db_url: str, run_cli: CliInvoker, tmp_path: Path, smtp: LocalSMTP
) -> None:
    env = _environment(smtp)
    with LocalServer() as site, LocalServer() as sources, WebhookReceiver(SECRET) as receiver:
        publication = Publication(site)
        sources.route("/report", html("Labour market", "<p>Unemployment was 4.2% in March.</p>"))
        publication.publish("old", "Old story", sources.url("/old"))
        run_cli("follow", "--only-new", site.url("/"))
        run_cli(
            "alerts",
            "add",
            "--all",
            "--events",
            "link.dead",
            "--webhook",
            receiver.url(),
            "--secret",
            SECRET,
        )
        run_cli("alerts", "add", "--all", "--events", "link.dead", "--email", "desk@example.org")
        new = publication.publish("jobs", "Jobless rate falls", sources.url("/report"))

        _once(db_url, tmp_path, "poll", env)  # the next poll: the new article, checked once
        articles = json.loads(run_cli("articles", "list", "--json").stdout)
        assert [article["url"] for article in articles] == [new]
        (link,) = json.loads(run_cli("links", "list", "--json").stdout)
        assert (link["url"], link["state"]) == (sources.url("/report"), "alive")
        assert receiver.received == []
        assert smtp.messages == []

        sources.route("/report", Reply(404, "<html><title>Not found</title></html>"))
        _make_links_due(db_url)  # its next check has come
        _once(db_url, tmp_path, "cycle", env)  # one cycle: poll, check, deliver
        _once(db_url, tmp_path, "after", env)  # and nothing more later

    (got,) = receiver.received
    assert got.signed
    body = got.json
    assert body["kind"] == "link.dead"
    assert body["link"]["url"] == sources.url("/report")
    (claim,) = [c for c in body["claims"] if "4.2%" in c["text"]]
    assert body["articles"][0]["url"] == new
    (message,) = smtp.messages
    assert message["To"] == "desk@example.org"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert claim["text"] in text
    assert got.event_id in message["X-Fact-Tracker-Events"]


@pytest.mark.usefixtures("acting_as_ana")
def test_a_scheduler_killed_between_send_and_record_resends_once_as_a_retry(
    db_url: str, run_cli: CliInvoker, tmp_path: Path, http_server: LocalServer
) -> None:
    http_server.route("/source", Reply(410, "gone"))
    database = Database(db_url)
    try:
        _claim, _link = add_claim(database, http_server.url("/source"), None)
        with database.transaction() as session:
            session.execute(update(Link).values(next_check_at=utcnow()))
    finally:
        database.dispose()
    env = _environment(FACT_TRACKER_ALERTS_LEASE_SECONDS="1")
    with WebhookReceiver(SECRET) as receiver:
        run_cli(
            "alerts",
            "add",
            "--all",
            "--events",
            "link.dead",
            "--webhook",
            receiver.url(),
            "--secret",
            SECRET,
        )
        receiver.hold = threading.Event()  # the answer waits: the sender is killed first
        killed = SchedulerProcess(
            db_url, tmp_path / "killed.log", "--once", "--worker-id", "k", **env
        )
        wait_until(receiver.arrived.is_set, 60, "the webhook to arrive", killed)
        killed.signal(signal.SIGKILL)
        assert killed.wait(30) == -signal.SIGKILL
        receiver.hold.set()
        receiver.hold = None
        pending = json.loads(run_cli("alerts", "deliveries", "--json").stdout)
        assert [(row["status"], row["history"][0]["answer"]) for row in pending] == [
            ("sending", None)
        ]
        time.sleep(1.5)  # the dead worker's lease runs out (database clock)
        _once(db_url, tmp_path, "resumed", env)
        _once(db_url, tmp_path, "later", env)

    first, second = receiver.received
    assert first.signed
    assert second.signed
    assert first.event_id == second.event_id
    assert (first.headers["X-Fact-Tracker-Retry"], second.headers["X-Fact-Tracker-Retry"]) == (
        "false",
        "true",
    )
    (row,) = json.loads(run_cli("alerts", "deliveries", "--json").stdout)
    assert (row["status"], row["attempts"]) == ("delivered", 2)
    assert [attempt["retry"] for attempt in row["history"]] == [False, True]
    assert row["history"][0]["finished_at"] is None  # killed before it could record
    assert row["history"][1]["answer"] == "HTTP 200: ok"
