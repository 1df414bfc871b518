"""Rounds of the continuous engine in one process, against a real local server, both databases."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.checker import REQUESTS_PER_CHECK
from tests.support.links import add_links
from tests.support.server import LocalServer, Reply, Request, html
from tracker.actors import SCHEDULER
from tracker.db import Database
from tracker.models import Host, Link, LinkCheck, utcnow
from tracker.politeness import hosts
from tracker.schedule import leases
from tracker.schedule.worker import check_due
from tracker.settings import Settings


def serve_pages(server: LocalServer, count: int, **reply: Any) -> list[str]:
    for index in range(count):
        server.route(f"/p{index}", html(f"page {index}", "hello", **reply))
    return [server.url(f"/p{index}") for index in range(count)]


def checks_per_link(database: Database) -> dict[int, int]:
    with database.reading() as session:
        rows = session.execute(select(LinkCheck.link_id, func.count()).group_by(LinkCheck.link_id))
        return {int(link_id): int(count) for link_id, count in rows}


def leased(database: Database) -> int:
    with database.reading() as session:
        links = session.scalar(
            select(func.count()).select_from(Link).where(Link.lease_owner.is_not(None))
        )
        held = session.scalar(
            select(func.count()).select_from(Host).where(Host.lease_owner.is_not(None))
        )
    return int(links or 0) + int(held or 0)


def test_a_round_checks_every_due_link_once_and_releases_its_leases(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    pages = serve_pages(http_server, 45)
    http_server.route("/gone", Reply(404, "nope"))
    ids = add_links(database, [*pages, http_server.url("/gone")])
    later = add_links(
        database, [http_server.url("/later")], next_check_at=utcnow().replace(year=2999)
    )

    report = check_due(database, SCHEDULER, settings, worker="w1", read_ahead=10)

    assert (report.hosts, report.claimed, report.checked) == (1, 46, 46)
    assert report.outcomes == {"ok": 45, "not_found": 1}
    assert not report.stopped
    assert checks_per_link(database) == dict.fromkeys(ids, 1)
    assert all(http_server.hits[f"/p{index}"] == REQUESTS_PER_CHECK for index in range(45))
    assert http_server.hits["/later"] == 0
    assert later[0] not in checks_per_link(database)
    assert leased(database) == 0
    assert leases.count_due(database) == 0
    assert check_due(database, SCHEDULER, settings, worker="w1", read_ahead=10).claimed == 0


def test_no_batch_barrier_a_slow_link_delays_nobody(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    """One link that answers only once the 20 others (0.05 s each) are done, or after 8 s.

    Checked in batches, the links after the slow link's batch could not start until it
    answered, so it would wait out its 8 s and answer first; checked continuously, the other
    slot gets through all 20 while it waits. Server-side, so a loaded machine cannot flip it.
    """
    fast = serve_pages(http_server, 20, delay=0.05)
    others_done_first: list[bool] = []

    def slow(_request: Request) -> Reply:
        deadline = time.monotonic() + 8.0
        while time.monotonic() < deadline:
            if all(http_server.hits[f"/p{index}"] for index in range(20)):
                others_done_first.append(True)
                break
            time.sleep(0.02)
        return html("slow", "hello")

    http_server.route("/slow", slow)
    ids = add_links(database, [http_server.url("/slow"), *fast])
    # Pages read in threads: no worker processes to start while the slow link waits.
    polite = settings.with_overrides(per_host_concurrency=2, timeout=15.0, page_judging="threads")
    report = check_due(database, SCHEDULER, polite, worker="w1", read_ahead=8)
    assert report.checked == len(ids)
    assert others_done_first == [True]
    assert checks_per_link(database) == dict.fromkeys(ids, 1)


def test_stop_finishes_the_checks_in_flight_and_hands_back_the_rest(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    ids = add_links(database, serve_pages(http_server, 30, delay=0.05))
    stop = threading.Event()

    def progress(done: int, _total: int) -> None:
        if done >= 4:
            stop.set()  # as a SIGTERM would, while checks are in flight

    report = check_due(
        database, SCHEDULER, settings, worker="w1", read_ahead=12, stop=stop, progress=progress
    )

    assert report.stopped
    checked = len(checks_per_link(database))
    assert 4 <= report.checked == checked < len(ids)
    assert leased(database) == 0
    assert leases.count_due(database) == len(ids) - checked


def test_a_failure_releases_every_lease_and_the_links_stay_due(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    ids = add_links(database, serve_pages(http_server, 5))

    def broken(_done: int, _total: int) -> None:
        raise RuntimeError("bug in a caller")

    with pytest.raises(RuntimeError, match="bug in a caller"):
        check_due(database, SCHEDULER, settings, worker="w1", read_ahead=3, progress=broken)
    assert leased(database) == 0
    assert leases.count_due(database) == len(ids) - len(checks_per_link(database))


@pytest.mark.real_database  # another claimer looks on its own connection meanwhile
def test_leases_are_renewed_while_a_slow_link_is_checked(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    ids = add_links(database, [http_server.route("/slow", html("slow", "x", delay=2.5))])
    short = settings.with_overrides(lease_seconds=1, timeout=5.0)
    seen_by_other: list[object] = []

    def other() -> None:
        time.sleep(2.0)  # two leases long
        with database.transaction() as session:
            seen_by_other.append(hosts.claim_hosts(session, "other", 10, 1))
        seen_by_other.append(leases.claim_due(database, "other", 10, 1))

    thread = threading.Thread(target=other)
    thread.start()
    report = check_due(database, SCHEDULER, short, worker="w1", read_ahead=10)
    thread.join()
    assert seen_by_other == [[], []]
    assert report.checked == len(ids)
    assert http_server.hits["/slow"] == REQUESTS_PER_CHECK
