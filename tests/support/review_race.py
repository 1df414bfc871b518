"""The body of one racing process in the optimistic-locking test (importable for spawn)."""

from __future__ import annotations

from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier

from tracker.actors import Actor
from tracker.db import Database
from tracker.errors import StaleVersion
from tracker.review.services import set_status


def race_verdict(
    *,
    db_url: str,
    claim_id: int,
    reviewer: str,
    status: str,
    barrier: Barrier,
    results: Queue[tuple[str, str, str]],
) -> None:
    """Wait for the rival, then record a verdict based on version 1; report the outcome."""
    database = Database(db_url)
    try:
        database.engine.connect().close()  # connect before the start line, not after it
        barrier.wait(timeout=60)
        try:
            change = set_status(
                database,
                Actor.reviewer(reviewer),
                claim_id,
                status,
                note=f"{reviewer} says {status}",
                expect_version=1,
            )
        except StaleVersion as exc:
            results.put(("stale", reviewer, str(exc)))
        else:
            results.put(("won", reviewer, str(change.version)))
    finally:
        database.dispose()
