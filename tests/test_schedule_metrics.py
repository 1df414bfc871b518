"""Operating the scheduler: the Prometheus endpoint, and ``schedule status`` by domain."""

from __future__ import annotations

import json
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import CliInvoker
from tests.support.links import add_links
from tests.support.server import LocalServer, Reply, html
from tracker.actors import SCHEDULER
from tracker.db import Database
from tracker.errors import InvalidInput
from tracker.politeness import hosts
from tracker.schedule.metrics import SchedulerMetrics
from tracker.schedule.worker import check_due
from tracker.settings import Settings


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        text = answer.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.mark.real_database  # the endpoint reads the database on its own thread
def test_metrics_count_checks_by_outcome_and_show_backlog_and_paused_hosts(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    http_server.route("/gone", Reply(404, "nope"))
    add_links(database, [http_server.route(f"/p{n}", html("p", "x")) for n in range(3)])
    add_links(database, [http_server.url("/gone"), "https://paused.example/a"])
    with database.transaction() as session:
        hosts.pause(session, "https://paused.example", 600, "HTTP 429")
    metrics = SchedulerMetrics(database)
    server = metrics.serve(0, "127.0.0.1")
    try:
        before = scrape(server.server_port)
        assert before[("fact_tracker_due_links", ())] == 5
        assert before[("fact_tracker_paused_hosts", ())] == 1
        assert before[("fact_tracker_due_lag_seconds", ())] >= 0

        check_due(database, SCHEDULER, settings, worker="w1", read_ahead=10, observer=metrics)

        after = scrape(server.server_port)
    finally:
        server.shutdown()
        server.server_close()
    checked = "fact_tracker_links_checked_total"
    assert after[(checked, (("outcome", "ok"),))] == 3
    assert after[(checked, (("outcome", "not_found"),))] == 1
    assert after[(checked, (("outcome", "timeout"),))] == 0
    assert after[("fact_tracker_due_links", ())] == 1  # the paused host's link waits
    assert after[("fact_tracker_checks_in_flight", ())] == 0
    assert after[("fact_tracker_held_hosts", ())] == 0


def test_a_busy_metrics_port_is_one_line_error(database: Database) -> None:
    first = SchedulerMetrics(database).serve(0, "127.0.0.1")
    try:
        with pytest.raises(InvalidInput, match=r"cannot serve metrics on 127\.0\.0\.1:"):
            SchedulerMetrics(database).serve(first.server_port, "127.0.0.1")
    finally:
        first.shutdown()
        first.server_close()


def test_status_shows_the_backlog_by_domain_and_paused_hosts(
    run_cli: CliInvoker, database: Database
) -> None:
    add_links(
        database,
        [f"https://www.example.org/{n}" for n in range(3)]
        + ["https://news.example.org/x", "https://agency.example.net/y"],
    )
    with database.transaction() as session:
        hosts.adopt_links(session)
        hosts.pause(session, "https://agency.example.net", 120, "HTTP 503 Retry-After")

    data = json.loads(run_cli("schedule", "status", "--json").stdout)

    assert data["backlog_by_domain"] == [
        {"domain": "example.org", "due": 4, "hosts": 2},
        {"domain": "example.net", "due": 1, "hosts": 1},
    ]
    [paused] = data["paused_hosts"]
    assert (paused["host"], paused["domain"], paused["reason"]) == (
        "https://agency.example.net",
        "example.net",
        "HTTP 503 Retry-After",
    )
    text = run_cli("schedule", "status").stdout
    assert "example.org" in text
    assert "HTTP 503 Retry-After" in text
