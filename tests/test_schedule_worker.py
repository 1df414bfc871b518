"""Claim-and-check rounds in one process, against a real local HTTP server and both databases."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.support.checker import REQUESTS_PER_CHECK
from tests.support.links import add_links
from tests.support.server import LocalServer, Reply, html
from tracker.actors import SCHEDULER, Actor
from tracker.db import Database
from tracker.linkcheck.services import check_links
from tracker.linkcheck.views import CheckReport
from tracker.models import Link, LinkCheck, utcnow
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
        return (
            session.scalar(
                select(func.count()).select_from(Link).where(Link.lease_owner.is_not(None))
            )
            or 0
        )


def test_a_round_checks_every_due_link_once_and_releases_its_leases(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    pages = serve_pages(http_server, 45)
    http_server.route("/gone", Reply(404, "nope"))
    ids = add_links(database, [*pages, http_server.url("/gone")])
    later = add_links(
        database, [http_server.url("/later")], next_check_at=utcnow().replace(year=2999)
    )

    report = check_due(database, SCHEDULER, settings, check_links, worker="w1", batch_size=10)

    assert (report.batches, report.claimed, report.checked) == (5, 46, 46)
    assert report.outcomes == {"ok": 45, "not_found": 1}
    assert not report.stopped
    assert checks_per_link(database) == dict.fromkeys(ids, 1)
    assert all(http_server.hits[f"/p{index}"] == REQUESTS_PER_CHECK for index in range(45))
    assert http_server.hits["/later"] == 0
    assert later[0] not in checks_per_link(database)
    assert leased(database) == 0
    assert leases.count_due(database) == 0
    assert (
        check_due(database, SCHEDULER, settings, check_links, worker="w1", batch_size=10).claimed
        == 0
    )


def test_stop_ends_the_round_after_the_batch_in_flight(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    ids = add_links(database, serve_pages(http_server, 30))
    stop = threading.Event()

    def checker_then_stop(
        db: Database, actor: Actor, s: Settings, link_ids: Sequence[int], **kw: Any
    ) -> CheckReport:
        result = check_links(db, actor, s, link_ids, **kw)
        stop.set()  # as a SIGTERM would, while this batch is in flight
        return result

    report = check_due(
        database, SCHEDULER, settings, checker_then_stop, worker="w1", batch_size=12, stop=stop
    )

    assert (report.batches, report.checked, report.stopped) == (1, 12, True)
    assert len(checks_per_link(database)) == 12
    assert leased(database) == 0
    assert leases.count_due(database) == len(ids) - 12


def test_a_failing_checker_releases_its_leases_and_the_links_stay_due(
    database: Database, settings: Settings
) -> None:
    add_links(database, [f"https://example.org/{n}" for n in range(5)])

    def broken(
        db: Database, actor: Actor, s: Settings, link_ids: Sequence[int], **kw: Any
    ) -> CheckReport:
        raise RuntimeError("checker bug")

    with pytest.raises(RuntimeError, match="checker bug"):
        check_due(database, SCHEDULER, settings, broken, worker="w1", batch_size=3)
    assert leased(database) == 0
    assert leases.count_due(database) == 5


def test_links_the_checker_leaves_due_do_not_loop_forever(
    database: Database, settings: Settings
) -> None:
    add_links(database, [f"https://example.org/{n}" for n in range(5)])
    calls: list[list[int]] = []

    def lazy(
        db: Database, actor: Actor, s: Settings, link_ids: Sequence[int], **kw: Any
    ) -> CheckReport:
        calls.append(list(link_ids))
        return CheckReport.empty()

    report = check_due(database, SCHEDULER, settings, lazy, worker="w1", batch_size=10)
    assert len(calls) == 1
    assert report.not_rescheduled == 5
    assert leased(database) == 0


@pytest.mark.real_database  # the lease keeper renews on its own thread meanwhile
def test_leases_are_renewed_while_a_slow_batch_is_checked(
    database: Database, settings: Settings
) -> None:
    ids = add_links(database, [f"https://example.org/{n}" for n in range(3)])
    short = settings.with_overrides(lease_seconds=1)
    seen_by_other: list[list[int]] = []

    def slow(
        db: Database, actor: Actor, s: Settings, link_ids: Sequence[int], **kw: Any
    ) -> CheckReport:
        time.sleep(2.5)  # more than two leases long
        seen_by_other.append(leases.claim_due(db, "other", 10, 1))
        return check_links(db, actor, s, [], **kw)

    check_due(database, SCHEDULER, short, slow, worker="w1", batch_size=10)
    assert seen_by_other == [[]]
    assert leases.count_due(database) == len(ids)  # released, never checked: due again
