"""Two real processes race to judge one claim: exactly one wins, the other writes nothing."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import select

from tests.support.review_factories import seed, snapshot
from tests.support.review_race import race_verdict
from tracker.actors import Actor
from tracker.db import Database
from tracker.enums import ClaimStatus
from tracker.models import Claim, ClaimEvent
from tracker.review.locking import ClaimChanged, swap
from tracker.review.services import set_status


@pytest.mark.slow
def test_two_processes_racing_on_one_claim(db_url: str, database: Database) -> None:
    data = seed(database)
    before = snapshot(database)
    # spawn, not fork: forking a process that runs threads is unsafe (and warns).
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    rivals = [("ana", "accurate"), ("root", "false")]
    processes = [
        context.Process(
            target=race_verdict,
            kwargs={
                "db_url": db_url,
                "claim_id": data.claim_id,
                "reviewer": name,
                "status": status,
                "barrier": barrier,
                "results": results,
            },
        )
        for name, status in rivals
    ]
    for process in processes:
        process.start()
    outcomes = sorted(results.get(timeout=120) for _ in processes)
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0

    assert [kind for kind, _who, _detail in outcomes] == ["stale", "won"]
    (_, loser, conflict), (_, winner, version) = outcomes
    assert version == "2"
    assert f"by {winner}" in conflict
    assert "since version 1" in conflict
    with database.reading() as session:
        claim = session.get(Claim, data.claim_id)
        assert claim is not None
        assert claim.version == 2
        assert claim.status == ClaimStatus(dict(rivals)[winner])
        events = session.scalars(select(ClaimEvent)).all()
        assert [(e.actor, e.new_status) for e in events] == [(winner, claim.status)]
    assert loser != winner
    after = snapshot(database)
    assert {t: rows for t, rows in after.items() if t not in {"claims", "claim_events"}} == {
        t: rows for t, rows in before.items() if t not in {"claims", "claim_events"}
    }


def test_the_compare_and_swap_refuses_a_stale_base(database: Database) -> None:
    """The UPDATE itself checks the version, whatever the caller checked before it."""
    data = seed(database)
    set_status(database, Actor.reviewer("ana"), data.claim_id, "in_review")
    before = snapshot(database)
    with database.transaction() as session:
        claim = session.get(Claim, data.claim_id)
        assert claim is not None
        with pytest.raises(ClaimChanged, match="by ana"):
            swap(session, claim, 1, {"status": ClaimStatus.FALSE})
    assert snapshot(database) == before
