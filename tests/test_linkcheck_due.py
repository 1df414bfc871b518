"""``check --due`` claims due links under the scheduler's leases, on both backends."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.conftest import CliInvoker
from tests.support.links import add_links
from tests.support.server import LocalServer, html
from tracker.actors import CHECKER
from tracker.db import Database
from tracker.linkcheck.services import check_due_links
from tracker.models import Link, LinkCheck, utcnow
from tracker.schedule import leases
from tracker.schedule.worker import check_due
from tracker.settings import Settings


def lease_owners(database: Database) -> dict[int, str]:
    with database.reading() as session:
        rows = session.execute(
            select(Link.id, Link.lease_owner).where(Link.lease_owner.is_not(None))
        ).all()
    return {int(link_id): str(owner) for link_id, owner in rows}


def checks_by_link(database: Database) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    with database.reading() as session:
        for link_id, worker in session.execute(select(LinkCheck.link_id, LinkCheck.worker)):
            found.setdefault(int(link_id), []).append(str(worker))
    return found


def test_check_due_skips_links_another_worker_holds_and_releases_its_own(
    database: Database, run_cli: CliInvoker, http_server: LocalServer
) -> None:
    page = html("page", "content")
    due = add_links(database, [http_server.route(f"/due{n}", page) for n in range(3)])
    held = add_links(database, [http_server.url("/held")])
    add_links(database, [http_server.url("/later")], next_check_at=utcnow() + timedelta(days=1))
    with database.transaction() as session:
        session.execute(
            update(Link)
            .where(Link.id.in_(held))
            .values(lease_owner="scheduler-a", lease_expires_at=utcnow() + timedelta(minutes=5))
        )

    report = json.loads(run_cli("check", "--due", "--batch-size", "2", "--json").stdout)

    assert report["checked"] == 3
    assert report["outcomes"] == {"ok": 3}
    assert [http_server.hits[f"/due{n}"] for n in range(3)] == [1, 1, 1]
    assert http_server.hits["/held"] == 0
    assert http_server.hits["/later"] == 0
    assert lease_owners(database) == {held[0]: "scheduler-a"}
    checks = checks_by_link(database)
    assert set(checks) == set(due)
    assert all(worker.startswith("check-") for by in checks.values() for worker in by)
    # Checked links moved their next check forward: nothing is due any more.
    assert json.loads(run_cli("check", "--due", "--json").stdout)["checked"] == 0


def test_check_due_takes_over_expired_leases(
    database: Database, run_cli: CliInvoker, http_server: LocalServer
) -> None:
    ids = add_links(database, [http_server.route("/orphan", html("page", "content"))])
    with database.transaction() as session:
        session.execute(
            update(Link)
            .where(Link.id.in_(ids))
            .values(lease_owner="dead-worker", lease_expires_at=utcnow() - timedelta(minutes=1))
        )
    assert json.loads(run_cli("check", "--due", "--json").stdout)["checked"] == 1
    assert http_server.hits["/orphan"] == 1
    assert lease_owners(database) == {}


def test_an_interrupted_check_due_releases_what_it_claimed(
    database: Database, settings: Settings, http_server: LocalServer
) -> None:
    http_server.fallback = html("page", "content", delay=0.05)
    add_links(database, [http_server.url(f"/p{n}") for n in range(40)])

    def progress(done: int, total: int) -> None:
        assert total == 40
        raise KeyboardInterrupt  # as Ctrl-C would, once the first results are written

    with pytest.raises(KeyboardInterrupt):
        check_due_links(database, CHECKER, settings, batch_size=2, progress=progress)
    assert lease_owners(database) == {}
    checked = len(checks_by_link(database))
    assert 0 < checked < 40
    assert leases.count_due(database) == 40 - checked  # the rest is due again, for anyone


def test_check_due_beside_schedulers_checks_every_link_exactly_once(
    backend: str, db_url: str, database: Database, settings: Settings
) -> None:
    if backend != "postgresql":
        pytest.skip("several workers on one database is a PostgreSQL feature")
    servers = [LocalServer().start() for _ in range(12)]
    try:
        urls = []
        for server in servers:
            server.fallback = html("page", "content", delay=0.05)
            urls += [server.url(f"/p{n}") for n in range(25)]
        ids = add_links(database, urls)
        small = settings.with_overrides(concurrency=8)
        errors: list[BaseException] = []

        def run(name: str) -> None:
            own = Database(db_url)
            try:
                if name.startswith("cli"):
                    check_due_links(own, CHECKER, small, worker=name, batch_size=20)
                else:
                    check_due(own, CHECKER, small, worker=name, read_ahead=20)
            except BaseException as exc:  # noqa: BLE001 - re-raised by the assertion below
                errors.append(exc)
            finally:
                own.dispose()

        names = ("cli-1", "cli-2", "sched")
        threads = [threading.Thread(target=run, args=(name,)) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert errors == []
        checks = checks_by_link(database)
        assert {link_id: len(by) for link_id, by in checks.items()} == dict.fromkeys(ids, 1)
        assert [server.hits[f"/p{n}"] for server in servers for n in range(25)] == [1] * 300
        workers = {by[0] for by in checks.values()}
        assert workers == set(names)
        assert lease_owners(database) == {}
        # One politeness: no host ever had more than its limit in flight, across workers.
        assert max(server.max_in_flight for server in servers) <= small.per_host_concurrency
        with database.reading() as session:
            assert session.scalar(select(func.count()).select_from(Link)) == 300
    finally:
        for server in servers:
            server.stop()
