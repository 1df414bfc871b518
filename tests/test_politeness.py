"""One politeness across workers: per-host concurrency and rate, and pauses, in the database.

Workers run as threads with a database connection each (the processes' version is in
tests/test_schedule_processes.py); the servers count what they received, so the test judges by
what the hosts saw, never by the workers' word.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from sqlalchemy import func, select

from tests.support.links import add_links
from tests.support.server import LocalServer, Reply, Request, html
from tracker.actors import SCHEDULER
from tracker.db import Database
from tracker.enums import CheckOutcome
from tracker.errors import InvalidInput
from tracker.models import Host, LinkCheck
from tracker.politeness import hosts
from tracker.politeness.gate import pause_asked
from tracker.politeness.limits import HostLimits, Politeness, parse_domain_limits
from tracker.schedule import leases
from tracker.schedule.worker import RoundReport, check_due
from tracker.settings import Settings


@pytest.fixture
def servers() -> Iterator[list[LocalServer]]:
    started = [LocalServer().start() for _ in range(3)]
    yield started
    for server in started:
        server.stop()


def run_workers(db_url: str, settings: Settings, names: list[str]) -> list[RoundReport]:
    reports: list[RoundReport] = []
    errors: list[BaseException] = []

    def run(name: str) -> None:
        own = Database(db_url)
        try:
            reports.append(check_due(own, SCHEDULER, settings, worker=name, read_ahead=20))
        except BaseException as exc:  # noqa: BLE001 - re-raised by the assertion below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    return reports


def checks_per_link(database: Database) -> dict[int, int]:
    with database.reading() as session:
        rows = session.execute(select(LinkCheck.link_id, func.count()).group_by(LinkCheck.link_id))
        return {int(link_id): int(count) for link_id, count in rows}


@pytest.mark.real_database  # two workers, each on its own connection
def test_two_workers_never_exceed_a_hosts_concurrency_or_rate(
    database: Database, db_url: str, settings: Settings, servers: list[LocalServer]
) -> None:
    urls = []
    for server in servers:
        server.fallback = html("page", "hello", delay=0.05)
        urls += [server.url(f"/p{n}") for n in range(30)]
    ids = add_links(database, urls)
    polite = settings.with_overrides(per_host_concurrency=2, per_host_rate=20, concurrency=8)

    reports = run_workers(db_url, polite, ["w1", "w2"])

    assert sum(report.checked for report in reports) == len(ids)
    assert checks_per_link(database) == dict.fromkeys(ids, 1)
    for server in servers:
        assert sum(server.hits.values()) >= 30
        assert server.max_in_flight <= 2
        assert server.max_per_second() <= 20
    # The limits bind (each host's 30 pages at 20 a second take over a second), so the
    # counts above were reachable: two workers with their own limits would have doubled them.
    assert max(server.max_in_flight for server in servers) == 2


@pytest.mark.real_database
def test_a_429_pauses_its_host_for_every_worker(
    database: Database, db_url: str, settings: Settings, servers: list[LocalServer]
) -> None:
    busy, calm, _ = servers
    answered: list[float] = []

    def once_then_ok(request: Request) -> Reply:
        if not answered:
            answered.append(0.0)
            return Reply(429, "slow down", headers={"Retry-After": "3600"})
        return html("page", "hello")

    busy.fallback = once_then_ok
    calm.fallback = html("page", "hello")
    busy_ids = add_links(database, [busy.url(f"/p{n}") for n in range(10)])
    calm_ids = add_links(database, [calm.url(f"/p{n}") for n in range(10)])
    polite = settings.with_overrides(per_host_concurrency=1, per_host_rate=1000)

    first = run_workers(db_url, polite, ["w1"])[0]
    hits_after_429 = sum(busy.hits.values())
    second = run_workers(db_url, polite, ["w2", "w3"])

    # The host answered 429 once; nobody asked it anything after that, in any worker.
    assert hits_after_429 == 1
    assert sum(busy.hits.values()) == 1
    assert first.outcomes.get(CheckOutcome.RATE_LIMITED.value) == 1
    assert sum(report.checked for report in second) == 0
    assert set(checks_per_link(database)) == {busy_ids[0], *calm_ids}
    with database.reading() as session:
        paused = hosts.paused_hosts(session)
        holders = session.scalars(select(Host.lease_owner)).all()
    assert [(host.key, host.reason) for host in paused] == [(busy.origin, "HTTP 429 Retry-After")]
    assert set(holders) == {None}
    # The other nine links of the paused host are still due, and nobody holds them.
    assert leases.count_due(database) == 9


def test_an_answer_pauses_its_host_for_its_retry_after_or_the_default() -> None:
    politeness = Politeness(HostLimits(2, 1.0), {}, pause_seconds=60, max_pause_seconds=600)

    def asked(status: int, **headers: str) -> tuple[float, str] | None:
        return pause_asked(status, CIMultiDictProxy(CIMultiDict(headers)), politeness)

    assert asked(429) == (60, "HTTP 429")
    assert asked(503, **{"Retry-After": "7"}) == (7, "HTTP 503 Retry-After")
    assert asked(500, **{"Retry-After": "9"}) == (9, "HTTP 500 Retry-After")
    assert asked(429, **{"Retry-After": "999999"}) == (600, "HTTP 429 Retry-After")
    assert asked(500) is None
    assert asked(200, **{"Retry-After": "5"}) is None
    assert asked(429, **{"Retry-After": "٣"}) == (60, "HTTP 429")  # not ASCII digits


def test_domain_overrides_apply_to_subdomains_most_specific_first(settings: Settings) -> None:
    limits = parse_domain_limits("example.org=4/10, api.example.org=8/50; slow.example=1/0.2")
    assert limits == {
        "example.org": HostLimits(4, 10.0),
        "api.example.org": HostLimits(8, 50.0),
        "slow.example": HostLimits(1, 0.2),
    }
    politeness = Politeness.from_settings(
        settings.with_overrides(per_domain_limits="example.org=4/10, api.example.org=8/50")
    )
    assert politeness.limits_for("https://www.example.org") == HostLimits(4, 10.0)
    assert politeness.limits_for("https://api.example.org:8443") == HostLimits(8, 50.0)
    assert politeness.limits_for("https://notexample.org") == politeness.default
    with pytest.raises(InvalidInput, match="per_domain_limits"):
        settings.with_overrides(per_domain_limits="example.org=four/10")
    with pytest.raises(InvalidInput, match="per_domain_limits"):
        settings.with_overrides(per_domain_limits="example.org=0/10")
