"""Article report build and render cost, against a lazy-loading baseline in the same run.

Builds one article with many claims, links and checks in a temporary SQLite database, then
loads it the way ``build_article_report`` does (selectinload: a fixed number of queries) and
the naive way (lazy relationship loads: N+1), and renders every format. Each claim cites its
own domain, so the report also scores CLAIMS + 1 domains (the baseline does not score).
Prints queries, times and the ratio to the baseline.

    .venv/bin/python benchmarks/report_build.py [CLAIMS] [CHECKS_PER_LINK]

With ``FACT_TRACKER_BENCH_DATABASE_URL`` set (an empty scratch database), it runs there
instead: query counts matter most where each query is a network round trip.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from reports import claimreview, csv_report, html, json_report, markdown
from reports.data import _claim_entry, _link_entry, _summary, build_article_report
from tracker import migrate
from tracker.credibility.sources import get_or_create_source
from tracker.db import Database
from tracker.enums import CheckOutcome, ClaimEventAction, ClaimStatus
from tracker.models import Article, Citation, Claim, ClaimEvent, ClaimSource, Link, LinkCheck
from tracker.settings import load_settings

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def populate(database: Database, claims: int, checks: int) -> int:
    with database.transaction() as session:
        publisher = get_or_create_source(session, "example.com")
        article = Article(
            url="https://news.example.com/bench",
            title="Bench",
            authors=["A"],
            source_id=publisher.id,
        )
        session.add(article)
        session.flush()
        for index in range(claims):
            # one cited domain per claim: the credibility of every one is in the report
            domain = get_or_create_source(session, f"site{index}.example")
            link = Link(
                url=f"https://s.site{index}.example/page", state="alive", source_id=domain.id
            )
            session.add(link)
            session.flush()
            session.add_all(
                LinkCheck(
                    link_id=link.id,
                    checked_at=T0 + timedelta(days=day),
                    outcome=CheckOutcome.OK,
                    http_status=200,
                )
                for day in range(checks)
            )
            citation = Citation(article_id=article.id, link_id=link.id, position=index)
            claim = Claim(article_id=article.id, text=f"claim {index}", position=index)
            session.add_all([citation, claim])
            session.flush()
            session.add(ClaimSource(claim_id=claim.id, link_id=link.id, citation_id=citation.id))
            for step, status in enumerate((ClaimStatus.IN_REVIEW, ClaimStatus.FALSE)):
                session.add(
                    ClaimEvent(
                        claim_id=claim.id,
                        actor="ana",
                        action=ClaimEventAction.STATUS,
                        new_status=status,
                        version=step + 1,
                        created_at=T0,
                    )
                )
            claim.status = ClaimStatus.FALSE
        return article.id


def lazy_build(database: Database, article_id: int) -> None:
    """The N+1 baseline: the same entries, built through lazy relationship loads."""
    with database.reading() as session:
        article = session.get(Article, article_id)
        assert article is not None
        links: dict[int, Any] = {}
        for citation in article.citations:
            if citation.link is not None:
                _link_entry(citation.link, links)
        entries = tuple(_claim_entry(claim, links) for claim in article.claims)
        _summary(entries, tuple(links.values()), ())


def measure(database: Database, action: Callable[[], object]) -> tuple[int, float]:
    queries = 0

    def count(*_args: Any) -> None:
        nonlocal queries
        queries += 1

    event.listen(database.engine, "before_cursor_execute", count)
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    event.remove(database.engine, "before_cursor_execute", count)
    return queries, elapsed


def main() -> None:
    claims = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    checks = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    settings = load_settings(organization_name="Bench", organization_url="https://bench.example/")
    with tempfile.TemporaryDirectory() as tmp:
        url = (
            os.environ.get("FACT_TRACKER_BENCH_DATABASE_URL")
            or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        )
        database = Database(url)
        migrate.upgrade(database.engine)
        article_id = populate(database, claims, checks)

        def build() -> Any:
            with database.reading() as session:
                return build_article_report(session, article_id, settings)

        build()  # warm caches and templates once, for both
        lazy_build(database, article_id)
        base_queries, base_time = measure(database, lambda: lazy_build(database, article_id))
        queries, elapsed = measure(database, build)
        backend = database.engine.dialect.name
        print(f"{backend}: one article, {claims} claims and links, {checks} checks per link")
        print(f"baseline (lazy loads):  {base_queries:5d} queries  {base_time * 1000:8.1f} ms")
        print(f"build_article_report:   {queries:5d} queries  {elapsed * 1000:8.1f} ms")
        print(
            f"ratio to baseline:      {queries / base_queries:.3f} queries  "
            f"{elapsed / base_time:.2f} time"
        )
        report = build()
        renderers: dict[str, Callable[[], str]] = {
            "html": lambda: html.render_article(report, settings),
            "md": lambda: markdown.render_article(report),
            "json": lambda: json_report.render_article(report),
            "csv": lambda: csv_report.render_article(report),
            "claimreview": lambda: claimreview.render_article(report, settings),
        }
        for name, render in renderers.items():
            start = time.perf_counter()
            size = len(render())
            took = time.perf_counter() - start
            print(
                f"render {name:12s} {took * 1000:8.1f} ms  {size / 1024:8.1f} KiB "
                f"({took / elapsed:.2f}x the build)"
            )
        if database.is_sqlite is False:
            migrate.downgrade(database.engine, "base")
        database.dispose()


if __name__ == "__main__":
    main()
