"""How `sources list` scales: aggregate queries versus reading every link once.

Builds two SQLite databases (N and 10N links over N/10 and N domains, each link cited once,
half of them relied on by a claim with a verdict) and prints, as ratios measured in this run:

- list(10N) / scan(10N): computing every domain's explained score versus a bare read of
  every link row (the floor for any per-link work);
- list(10N) / list(N): how listing grows with ten times the links (about 10 = linear);
- per-domain loop / one list, on N: the cost of scoring domains one query batch at a time.

Run: .venv/bin/python benchmarks/sources_list.py [N]   (default N = 2000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert, select

from tracker import migrate
from tracker.credibility.score import score_domain, score_domains
from tracker.db import Database
from tracker.enums import ClaimStatus, LinkState
from tracker.models import Article, Citation, Claim, ClaimSource, Link, Source, utcnow
from tracker.settings import Settings

STATES = [LinkState.ALIVE, LinkState.ALIVE, LinkState.AT_RISK, LinkState.DEAD, LinkState.UNCHECKED]
VERDICTS = [ClaimStatus.ACCURATE, ClaimStatus.FALSE, ClaimStatus.MIXED, ClaimStatus.UNVERIFIABLE]


def build(path: Path, links: int) -> Database:
    database = Database(f"sqlite:///{path}")
    migrate.upgrade(database.engine)
    domains = max(links // 10, 1)
    now = utcnow()
    with database.transaction() as session:
        session.execute(
            insert(Source), [{"domain": f"d{n}.example", "created_at": now} for n in range(domains)]
        )
        session.execute(
            insert(Article),
            [
                {"url": f"https://d{n}.example/a", "source_id": n + 1, "text": "", "authors": []}
                for n in range(domains)
            ],
        )
        session.execute(
            insert(Link),
            [
                {
                    "url": f"https://d{n % domains}.example/{n}",
                    "source_id": n % domains + 1,
                    "state": STATES[n % len(STATES)],
                    "created_at": now,
                }
                for n in range(links)
            ],
        )
        session.execute(
            insert(Citation),
            [
                {"article_id": n % domains + 1, "link_id": n + 1, "position": n}
                for n in range(links)
            ],
        )
        claims = links // 2
        session.execute(
            insert(Claim),
            [
                {
                    "article_id": n % domains + 1,
                    "text": "c",
                    "status": VERDICTS[n % len(VERDICTS)],
                    "figures": [],
                }
                for n in range(claims)
            ],
        )
        session.execute(
            insert(ClaimSource),
            [
                {"claim_id": n + 1, "link_id": 2 * n + 1, "evidence_found": n % 3 != 0}
                for n in range(claims)
            ],
        )
    return database


def timed(action: Callable[[], None], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    settings = Settings(database_url="sqlite://")
    with tempfile.TemporaryDirectory() as tmp:
        small = build(Path(tmp) / "small.sqlite3", size)
        large = build(Path(tmp) / "large.sqlite3", size * 10)

        def list_all(database: Database) -> None:
            with database.reading() as session:
                assert score_domains(session, settings)

        def scan(database: Database) -> None:
            with database.reading() as session:
                assert session.execute(select(Link.id, Link.source_id, Link.state)).all()

        def per_domain(database: Database) -> None:
            with database.reading() as session:
                for domain in session.scalars(select(Source.domain)).all():
                    score_domain(session, domain, settings)

        t_small = timed(lambda: list_all(small))
        t_large = timed(lambda: list_all(large))
        t_scan = timed(lambda: scan(large))
        t_loop = timed(lambda: per_domain(small), repeat=1)
        small.dispose()
        large.dispose()
    print(f"links: {size} and {size * 10}; domains: {size // 10} and {size}")
    print(f"list({size * 10}): {t_large * 1000:.0f} ms (absolute, this machine)")
    print(f"list({size * 10}) / scan({size * 10}):   {t_large / t_scan:6.1f}x")
    print(f"list({size * 10}) / list({size}):   {t_large / t_small:6.1f}x  (10 = linear)")
    print(f"per-domain loop / one list ({size}): {t_loop / t_small:6.1f}x")


if __name__ == "__main__":
    main()
