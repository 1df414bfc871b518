"""The scheduler as real OS processes: sharing work, dying, restarting, stopping, refusing.

Each test runs ``fact-tracker schedule`` (with the real checker) against a real database and
a real local HTTP server, and judges by the database and the server's hit counts, never by
the scheduler's own word.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import CliInvoker
from tests.support.checker import REQUESTS_PER_CHECK
from tests.support.links import add_links
from tests.support.processes import SchedulerProcess, wait_until
from tests.support.server import LocalServer, html
from tracker.db import Database
from tracker.models import Link, LinkCheck
from tracker.schedule import leases

pytestmark = pytest.mark.slow


@pytest.fixture
def spawn(db_url: str, tmp_path: Path) -> Iterator[type[SchedulerProcess]]:
    started: list[SchedulerProcess] = []

    class Spawn(SchedulerProcess):
        def __init__(self, *args: str, **env: str) -> None:
            super().__init__(db_url, tmp_path / f"scheduler-{len(started)}.log", *args, **env)
            started.append(self)

    yield Spawn
    for process in started:
        process.stop()


def checks_by_link(database: Database) -> dict[int, list[str]]:
    with database.reading() as session:
        rows = session.execute(select(LinkCheck.link_id, LinkCheck.worker)).all()
    found: dict[int, list[str]] = {}
    for link_id, worker in rows:
        found.setdefault(int(link_id), []).append(str(worker))
    return found


def lease_owners(database: Database) -> dict[int, str]:
    with database.reading() as session:
        rows = session.execute(
            select(Link.id, Link.lease_owner).where(Link.lease_owner.is_not(None))
        )
        return {int(link_id): str(owner) for link_id, owner in rows}


def count_checks(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(LinkCheck)) or 0


def slow_pages(server: LocalServer, count: int, delay: float) -> list[str]:
    server.fallback = html("page", "content", delay=delay)
    return [server.url(f"/p{index}") for index in range(count)]


def test_three_workers_share_2000_links_and_check_each_exactly_once(
    backend: str, database: Database, spawn: type[SchedulerProcess]
) -> None:
    if backend != "postgresql":
        pytest.skip("several workers on one database is a PostgreSQL feature")
    servers = [LocalServer().start() for _ in range(6)]
    try:
        urls = [url for server in servers for url in slow_pages(server, 2000 // 6 + 1, 0.01)]
        ids = add_links(database, urls[:2000])
        # 4 slots a worker, 2 per host: each worker holds two hosts at a time.
        env = {"FACT_TRACKER_CONCURRENCY": "4", "FACT_TRACKER_LEASE_SECONDS": "60"}
        workers = [
            spawn("--once", "--batch-size", "100", "--worker-id", f"w{n}", **env) for n in range(3)
        ]
        assert [worker.wait(180) for worker in workers] == [0, 0, 0], [w.log for w in workers]

        checks = checks_by_link(database)
        assert set(checks) == set(ids)
        assert {link_id: len(by) for link_id, by in checks.items()} == dict.fromkeys(ids, 1)
        hits = {
            server.url(path): count for server in servers for path, count in server.hits.items()
        }
        assert all(hits[url] == REQUESTS_PER_CHECK for url in urls[:2000])
        names = ("w0", "w1", "w2")
        per_worker = {name: sum(by == [name] for by in checks.values()) for name in names}
        assert all(count > 0 for count in per_worker.values()), per_worker
        assert sum(int(w.events("round_done")[0]["checked"]) for w in workers) == 2000
        assert lease_owners(database) == {}
        assert leases.count_due(database) == 0
        # One politeness across the three processes: never more than 2 in flight on a host.
        assert [server.max_in_flight for server in servers] == [2] * 6
    finally:
        for server in servers:
            server.stop()


def test_a_killed_workers_links_are_checked_by_another_after_its_leases_expire(
    database: Database, http_server: LocalServer, spawn: type[SchedulerProcess]
) -> None:
    ids = add_links(database, slow_pages(http_server, 40, delay=0.1))
    env = {"FACT_TRACKER_CONCURRENCY": "2", "FACT_TRACKER_LEASE_SECONDS": "2"}
    doomed = spawn("--once", "--batch-size", "20", "--worker-id", "doomed", **env)
    wait_until(lambda: count_checks(database) >= 4, 60, "the first checks", doomed)
    doomed.signal(signal.SIGKILL)
    assert doomed.wait() == -signal.SIGKILL

    stranded = lease_owners(database)
    done_before = set(checks_by_link(database))
    unfinished = set(stranded) - done_before
    assert set(stranded.values()) == {"doomed"}
    assert unfinished
    # Still leased: nobody may take them yet.
    assert leases.count_due(database) == len(ids) - len(done_before | set(stranded))

    with database.reading() as session:
        expiry = session.scalar(select(func.max(Link.lease_expires_at)))
    assert expiry is not None
    time.sleep(max(0.0, (expiry - datetime.now(UTC)).total_seconds()) + 0.2)
    heir = spawn("--once", "--batch-size", "20", "--worker-id", "heir", **env)
    assert heir.wait(120) == 0, heir.log

    checks = checks_by_link(database)
    assert {link_id: len(by) for link_id, by in checks.items()} == dict.fromkeys(ids, 1)
    assert all(checks[link_id] == ["heir"] for link_id in unfinished)
    assert all(checks[link_id] == ["doomed"] for link_id in done_before)
    assert all(http_server.hits[f"/p{n}"] >= 1 for n in range(40))
    # What is left is the dead worker's expired leases on links it did check: an expired
    # lease is no lease, and the next claim of those links overwrites it.
    assert set(lease_owners(database)) <= done_before
    assert leases.count_due(database) == 0


def test_the_plan_survives_a_restart(
    run_cli: CliInvoker, database: Database, spawn: type[SchedulerProcess]
) -> None:
    first = spawn("--check-every", "1h", "--worker-id", "w1")
    first.wait_for_event("scheduler_started")
    planned = {
        job["name"]: job
        for job in json.loads(run_cli("schedule", "status", "--json").stdout)["jobs"]
    }
    assert set(planned) == {
        "check-due",
        "archive-lookup",
        "daily-summary",
        "poll-feeds",
        "deliver-alerts",
    }
    assert planned["check-due"]["trigger"] == "interval[1:00:00]"
    # The check job ran at start, so its next run is an hour later.
    wait_until(
        lambda: _next_run(run_cli, "check-due") > datetime.now(UTC) + timedelta(minutes=59),
        30,
        "the first round",
        first,
    )
    before = {name: _next_run(run_cli, name) for name in planned}
    first.signal(signal.SIGTERM)
    assert first.wait() == 0
    assert first.events("scheduler_stopped")

    ids = add_links(database, ["http://127.0.0.1:9/new"])  # due, but the plan says: in an hour
    second = spawn("--worker-id", "w1")
    second.wait_for_event("scheduler_started")
    resumed = {event["job"]: event for event in second.events("job_resumed")}
    assert set(resumed) == {f"w1:{name}" for name in planned}
    after = {name: _next_run(run_cli, name) for name in planned}
    assert after == before
    time.sleep(1.0)
    assert checks_by_link(database) == {}
    assert leases.count_due(database) == len(ids)
    second.signal(signal.SIGTERM)
    assert second.wait() == 0

    third = spawn("--check-every", "30m", "--worker-id", "w1")
    third.wait_for_event("scheduler_started")
    changed = {event["job"] for event in third.events("job_rescheduled")}
    assert changed == {"w1:check-due", "w1:archive-lookup"}
    assert _next_run(run_cli, "check-due") < datetime.now(UTC) + timedelta(minutes=31)
    assert _next_run(run_cli, "daily-summary") == before["daily-summary"]
    third.signal(signal.SIGTERM)
    assert third.wait() == 0


def _next_run(run_cli: CliInvoker, name: str) -> datetime:
    jobs = json.loads(run_cli("schedule", "status", "--json").stdout)["jobs"]
    [job] = [job for job in jobs if job["name"] == name]
    return datetime.fromisoformat(job["next_run_time"])


@pytest.mark.parametrize("signals", [1, 2])
def test_sigterm_stops_cleanly_and_leaves_nothing_half_done(
    database: Database, http_server: LocalServer, spawn: type[SchedulerProcess], signals: int
) -> None:
    ids = add_links(database, slow_pages(http_server, 40, delay=0.3))
    env = {"FACT_TRACKER_CONCURRENCY": "4", "FACT_TRACKER_LEASE_SECONDS": "60"}
    scheduler = spawn("--check-every", "1h", "--batch-size", "20", "--worker-id", "w1", **env)
    wait_until(lambda: count_checks(database) >= 2, 60, "the first checks", scheduler)
    for _ in range(signals):
        scheduler.signal(signal.SIGTERM)
        time.sleep(0.1)
    code = scheduler.wait(30)

    checks = checks_by_link(database)
    assert all(len(by) == 1 for by in checks.values())
    with database.reading() as session:
        stamped = set(session.scalars(select(Link.id).where(Link.last_checked_at.is_not(None))))
    assert stamped == set(checks)  # every check written whole: its LinkCheck and its Link
    assert lease_owners(database) == {}
    assert leases.count_due(database) == len(ids) - len(checks)
    assert scheduler.events("stop_requested")
    assert len(checks) < len(ids)
    if signals == 1:
        assert code == 0, scheduler.log
        # The checks in flight were finished and written, and no other was started.
        assert not scheduler.events("round_abandoned")
        assert scheduler.events("scheduler_stopped")
    else:
        assert code == 130, scheduler.log
        assert scheduler.events("round_abandoned")
        assert "error: stopped by a second signal" in scheduler.log


def test_a_second_scheduler_is_refused(
    backend: str,
    run_cli: CliInvoker,
    database: Database,
    spawn: type[SchedulerProcess],
) -> None:
    run_cli("reviewers", "add", "ana")
    first = spawn("--worker-id", "w1")
    first.wait_for_event("scheduler_started")

    same = run_cli("schedule", "--once", "--worker-id", "w1", exit_code=1)
    if backend == "sqlite":
        other = run_cli("schedule", "--once", "--worker-id", "w2", exit_code=1)
        assert "SQLite allows one scheduler at a time" in other.stderr
        assert "worker w1" in other.stderr
        assert "SQLite allows one scheduler at a time" in same.stderr
    else:
        assert "worker id 'w1' is already running" in same.stderr
        ran = run_cli("schedule", "--once", "--worker-id", "w2")
        assert "event=round_done worker=w2" in ran.stderr
    workers = json.loads(run_cli("schedule", "status", "--json").stdout)["workers"]
    assert {row["worker"]: row["running"] for row in workers}["w1"] is True
    forget = ("schedule", "forget", "w1", "--reviewer", "ana")
    assert "worker w1 is running" in run_cli(*forget, exit_code=2).stderr
    first.signal(signal.SIGTERM)
    assert first.wait() == 0
    workers = json.loads(run_cli("schedule", "status", "--json").stdout)["workers"]
    assert {row["worker"]: row["running"] for row in workers}["w1"] is False
    assert "Removed 5 jobs" in run_cli("schedule", "forget", "w1", "--reviewer", "ana").stdout
    assert json.loads(run_cli("schedule", "status", "--json").stdout)["jobs"] == []
    assert "worker w1 not found" in run_cli(*forget, exit_code=2).stderr
