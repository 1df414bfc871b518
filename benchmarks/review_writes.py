"""What the audit trail costs: a verdict through the review service (role check, version
compare-and-swap, one history event) against a bare UPDATE of the claim's status, each in its
own transaction, on a temporary SQLite file (or FACT_TRACKER_BENCH_DATABASE_URL, an empty database).

Prints writes per second for both and their ratio; no target is asserted here.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import migrate
from tracker.actors import Actor
from tracker.db import Database, make_engine
from tracker.enums import ClaimStatus, Role
from tracker.models import Article, Claim, Reviewer
from tracker.review.services import set_status

N = int(os.environ.get("BENCH_N", "300"))
STATUSES = [ClaimStatus.ACCURATE, ClaimStatus.FALSE]


def prepare(url: str) -> tuple[Database, list[int]]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    database = Database(url)
    with database.transaction() as session:
        session.add(Reviewer(name="bench", role=Role.REVIEWER))
        article = Article(text="")
        claims = [Claim(article=article, text=f"claim {i}") for i in range(2)]
        session.add_all(claims)
        session.flush()
        ids = [claim.id for claim in claims]
    return database, ids


def baseline(database: Database, claim_id: int) -> float:
    start = time.perf_counter()
    for i in range(N):
        with database.transaction() as session:
            session.execute(
                update(Claim).where(Claim.id == claim_id).values(status=STATUSES[i % 2])
            )
    return time.perf_counter() - start


BENCH = Actor.reviewer("bench")


def service(database: Database, claim_id: int) -> float:
    start = time.perf_counter()
    for i in range(N):
        set_status(database, BENCH, claim_id, STATUSES[i % 2], note="bench")
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("FACT_TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        database, (first, second) = prepare(url)
        try:
            bare = baseline(database, first)
            audited = service(database, second)
        finally:
            database.dispose()
    print(f"backend: {url.split(':', 1)[0]}, {N} writes each")
    print(f"bare status UPDATE:        {N / bare:8.0f} writes/s")
    print(f"verdict via review service: {N / audited:8.0f} writes/s")
    print(f"ratio (service / bare time): {audited / bare:.2f}x")


if __name__ == "__main__":
    main()
