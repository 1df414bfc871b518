"""Leases on due links: who gets which link, for how long, and the index behind the claim."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text, update

from tests.support.links import add_links
from tracker import migrate
from tracker.db import Database
from tracker.models import Base, Link, utcnow
from tracker.schedule import leases
from tracker.schedule.store import JOB_TABLE, ensure_job_table

LEASE = 60.0


def urls(count: int, prefix: str = "https://example.org/a") -> list[str]:
    return [f"{prefix}{index}" for index in range(count)]


def lease_of(database: Database, link_id: int) -> tuple[str | None, Any]:
    with database.reading() as session:
        link = session.get_one(Link, link_id)
        return link.lease_owner, link.lease_expires_at


def test_claim_takes_due_links_only_most_overdue_first(database: Database) -> None:
    now = utcnow()
    due = add_links(
        database,
        urls(5, "https://a.example/"),
        next_check_at=now - timedelta(hours=5),
        spread=timedelta(hours=1),
    )
    future = add_links(
        database, ["https://b.example/later"], next_check_at=now + timedelta(hours=1)
    )
    unscheduled = add_links(database, ["https://b.example/never"], next_check_at=None)
    leased, expired = add_links(
        database,
        ["https://c.example/leased", "https://c.example/expired"],
        next_check_at=now - timedelta(days=1),
    )
    with database.transaction() as session:
        session.execute(
            update(Link)
            .where(Link.id == leased)
            .values(lease_owner="other", lease_expires_at=now + timedelta(minutes=5))
        )
        session.execute(
            update(Link)
            .where(Link.id == expired)
            .values(lease_owner="dead", lease_expires_at=now - timedelta(seconds=1))
        )

    first = leases.claim_due(database, "w1", 3, LEASE)
    assert first == sorted([expired, due[0], due[1]])  # the three most overdue
    rest = leases.claim_due(database, "w1", 100, LEASE)
    assert rest == due[2:]
    assert leases.claim_due(database, "w1", 100, LEASE) == []
    assert future[0] not in first + rest
    assert unscheduled[0] not in first + rest

    owner, expires = lease_of(database, expired)
    assert owner == "w1"
    assert timedelta(seconds=LEASE - 5) < expires - utcnow() <= timedelta(seconds=LEASE)
    assert lease_of(database, leased)[0] == "other"


def test_claimers_never_get_the_same_link(database: Database) -> None:
    ids = add_links(database, urls(25))
    batches = [leases.claim_due(database, f"w{n}", 10, LEASE) for n in range(4)]
    assert [len(batch) for batch in batches] == [10, 10, 5, 0]
    claimed = [link_id for batch in batches for link_id in batch]
    assert sorted(claimed) == sorted(ids)
    assert leases.count_due(database) == 0


def test_an_expired_lease_is_claimed_again_and_the_late_owner_cannot_release_it(
    database: Database,
) -> None:
    ids = add_links(database, urls(3))
    now = utcnow()
    assert leases.claim_due(database, "dies", 10, 2, now=now) == ids
    assert leases.claim_due(database, "other", 10, 2, now=now + timedelta(seconds=1)) == []
    assert leases.claim_due(database, "other", 10, 2, now=now + timedelta(seconds=3)) == ids
    assert leases.release(database, "dies", ids) == 0
    assert {lease_of(database, link_id)[0] for link_id in ids} == {"other"}
    assert leases.release(database, "other", ids[:1]) == 1
    assert leases.release(database, "other") == 2
    assert {lease_of(database, link_id) for link_id in ids} == {(None, None)}
    assert leases.count_due(database) == 3


def test_renew_extends_only_the_owners_leases(database: Database) -> None:
    ids = add_links(database, urls(4))
    mine = leases.claim_due(database, "me", 2, 5)
    theirs = leases.claim_due(database, "them", 2, 5)
    before = {link_id: lease_of(database, link_id)[1] for link_id in ids}
    assert leases.renew(database, "me", ids, 500) == 2
    for link_id in mine:
        assert lease_of(database, link_id)[1] > before[link_id] + timedelta(seconds=400)
    for link_id in theirs:
        assert lease_of(database, link_id)[1] == before[link_id]


def test_lease_holdings_by_owner(database: Database) -> None:
    add_links(database, urls(5))
    now = utcnow()
    leases.claim_due(database, "a", 3, 60)
    (late,) = leases.claim_due(database, "b", 1, 60)
    with database.transaction() as session:
        session.execute(
            update(Link).where(Link.id == late).values(lease_expires_at=now - timedelta(seconds=1))
        )
    held = {holding.owner: holding for holding in leases.leases_by_owner(database)}
    assert set(held) == {"a", "b"}
    assert (held["a"].links, held["a"].expired) == (3, 0)
    assert (held["b"].links, held["b"].expired) == (1, 1)
    assert held["a"].first_expiry is not None
    assert held["a"].first_expiry > now


@pytest.mark.real_database  # creates a table, compares schemas on its own connection
def test_the_job_table_is_left_out_of_the_drift_check(database: Database) -> None:
    ensure_job_table(database)
    ensure_job_table(database)  # idempotent
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": migrate.include_name,
            },
        )
        assert compare_metadata(context, Base.metadata) == []
        unfiltered = MigrationContext.configure(connection, opts={"compare_type": True})
        assert any(
            diff[0] == "remove_table" and diff[1].name == JOB_TABLE
            for diff in compare_metadata(unfiltered, Base.metadata)
        )


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes.extend(_plan_nodes(child))
    return nodes


@pytest.mark.slow
@pytest.mark.real_database  # plans are read (after ANALYZE) on a connection of their own
@pytest.mark.parametrize("due_fraction", [1.0, 0.01])
def test_the_claim_uses_the_due_index_with_100000_links(
    database: Database, backend: str, due_fraction: float
) -> None:
    if backend != "postgresql":
        pytest.skip("query plans are asserted on PostgreSQL, where many workers claim at once")
    total = 100_000
    due = int(total * due_fraction)
    with database.transaction() as session:
        session.execute(
            text(
                "INSERT INTO links (url, state, consecutive_failures, content_changed, "
                "next_check_at, created_at) "
                "SELECT 'https://example.org/p' || n, 'unchecked', 0, false, "
                "CASE WHEN n <= :due THEN now() - interval '1 hour' "
                "ELSE now() + (n || ' seconds')::interval END, now() "
                "FROM generate_series(1, :total) AS n"
            ),
            {"due": due, "total": total},
        )
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE links"))
        connection.commit()
        statement = leases.claim_statement("w1", 100, utcnow(), timedelta(seconds=60))
        compiled = statement.compile(dialect=connection.dialect)
        plan = connection.exec_driver_sql(
            "EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params
        ).scalar_one()
        connection.rollback()
    nodes = _plan_nodes((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
    scans = [node for node in nodes if node.get("Relation Name") == "links"]
    assert any(node.get("Index Name") == "ix_links_due" for node in scans), plan
    assert not any(node["Node Type"] == "Seq Scan" for node in scans), plan
    assert any(node["Node Type"] == "LockRows" for node in nodes), plan
    with database.reading() as session:
        assert session.scalar(select(func.count()).select_from(Link)) == total
    assert leases.count_due(database) == due
    assert len(leases.claim_due(database, "w1", 100, 60)) == 100
