"""The jobs of the plan, run in process: stale leases, archive look-ups, the daily summary."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.support.links import add_links
from tests.support.server import LocalServer, html
from tracker.actors import CHECKER
from tracker.db import Database
from tracker.enums import LinkState
from tracker.linkcheck.services import check_links
from tracker.models import Host, Link, utcnow
from tracker.politeness import hosts
from tracker.schedule import jobs, leases, runner
from tracker.schedule.events import LOGGER_NAME
from tracker.settings import Settings


def runtime(database: Database, settings: Settings, worker: str = "w1") -> jobs.Runtime:
    return jobs.Runtime(database, settings, worker, batch_size=10)


def test_a_restarted_worker_frees_the_leases_of_its_previous_life_at_once(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    ids = add_links(database, [http_server.route("/p", html("page", "content"))])
    with database.transaction() as session:
        hosts.adopt_links(session)
    with database.transaction() as session:
        assert len(hosts.claim_hosts(session, "w1", 10, 3600)) == 1
    assert leases.claim_due(database, "w1", 10, 3600) == ids  # then the process "died"

    options = runner.ScheduleOptions(worker="w1", batch_size=5, once=True)
    report = runner.run(database, settings, options)

    assert http_server.hits["/p"] >= 1
    assert report is not None
    assert report.claimed == 1
    assert report.checked == 1
    assert leases.leases_by_owner(database) == []
    with database.reading() as session:
        assert session.scalars(select(Host.lease_owner)).all() == [None]


def _mark(database: Database, link_id: int, **values: object) -> None:
    with database.transaction() as session:
        session.execute(update(Link).where(Link.id == link_id).values(**values))


def test_archive_lookups_go_to_newly_failing_links_only(
    database: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = utcnow()
    at_risk, dead, known, relapsed, alive = add_links(
        database, [f"https://example.org/{name}" for name in ("r", "d", "k", "x", "a")]
    )
    _mark(database, at_risk, state=LinkState.AT_RISK, failing_since=now)
    _mark(database, dead, state=LinkState.DEAD, failing_since=now - timedelta(days=9))
    _mark(
        database,
        known,
        state=LinkState.DEAD,
        failing_since=now - timedelta(days=9),
        archive_checked_at=now - timedelta(days=8),
    )
    _mark(
        database,
        relapsed,
        state=LinkState.AT_RISK,
        failing_since=now,
        archive_checked_at=now - timedelta(days=30),
    )
    _mark(database, alive, state=LinkState.ALIVE)
    calls: list[list[int]] = []
    monkeypatch.setattr(
        "tracker.linkcheck.services.lookup_archives", lambda *args: calls.append(list(args[3]))
    )
    enabled = settings.with_overrides(archive_url="http://127.0.0.1:9/available")

    assert jobs.run_archive_lookup(runtime(database, enabled)) == 3
    assert sorted(calls[0]) == sorted([at_risk, dead, relapsed])
    assert jobs.run_archive_lookup(runtime(database, settings)) == 0  # archive disabled
    assert len(calls) == 1


def test_the_daily_summary_counts_checks_states_and_backlog(
    database: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    add_links(database, ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"])
    add_links(database, ["http://127.0.0.1:9/old"], next_check_at=utcnow() - timedelta(hours=3))
    check_links(database, CHECKER, settings, [1, 2], worker="w9")
    leases.claim_due(database, "w1", 1, 60)
    with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
        jobs.log_daily_summary(runtime(database, settings))
    [record] = [r for r in caplog.records if r.msg == "daily_summary"]
    fields = record.fields  # type: ignore[attr-defined]
    assert fields["checks_24h"] == 2
    assert fields["outcomes"] == {"unreachable": 2}
    assert fields["workers"] == {"w9": 2}
    assert fields["states"] == {"at_risk": 2, "unchecked": 1}
    assert (fields["due"], fields["overdue"], fields["leases"]) == (0, 0, 1)
