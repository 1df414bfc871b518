"""A small, honest stand-in for the link checker (``tracker.linkcheck.check_links``).

It has the real checker's signature and contract as far as scheduling cares: it fetches each
link through :class:`tracker.http.Fetcher`, records one LinkCheck per link and moves the
link's ``next_check_at`` forward, one transaction per link, as each answer arrives. Once the
link checker is merged, point ``CHECKER`` at it and the scheduling tests run against it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import insert, select, update

from tracker.db import Database
from tracker.enums import CheckOutcome, LinkState
from tracker.http import Fetcher, FetchFailure, FetchResult
from tracker.models import Link, LinkCheck, utcnow
from tracker.settings import Settings


def check_links(
    database: Database,
    settings: Settings,
    link_ids: Sequence[int],
    *,
    worker: str = "cli",
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    with database.reading() as session:
        urls = dict(session.execute(select(Link.id, Link.url).where(Link.id.in_(link_ids))).all())

    async def run() -> dict[str, int]:
        counts: dict[str, int] = {}
        limit = asyncio.Semaphore(settings.concurrency)
        async with Fetcher(settings) as fetcher:

            async def one(link_id: int) -> None:
                async with limit:
                    try:
                        result: FetchResult | FetchFailure = await fetcher.fetch(urls[link_id])
                    except FetchFailure as failure:
                        result = failure
                # Writes go one at a time to a writer thread; fetches go on meanwhile.
                outcome = await asyncio.get_running_loop().run_in_executor(
                    writer, _record, database, settings, link_id, result, worker
                )
                counts[outcome.value] = counts.get(outcome.value, 0) + 1
                if progress is not None:
                    progress(sum(counts.values()), len(urls))

            await asyncio.gather(*(one(link_id) for link_id in urls))
        return counts

    with ThreadPoolExecutor(1, thread_name_prefix="check-writer") as writer:
        return asyncio.run(run())


def _record(
    database: Database,
    settings: Settings,
    link_id: int,
    result: FetchResult | FetchFailure,
    worker: str,
) -> CheckOutcome:
    now = utcnow()
    if isinstance(result, FetchFailure):
        outcome, status = CheckOutcome.UNREACHABLE, None
    else:
        status = result.status
        outcome = (
            CheckOutcome.OK
            if status < 300
            else CheckOutcome.NOT_FOUND
            if status in (404, 410)
            else CheckOutcome.SERVER_ERROR
        )
    with database.transaction() as session:
        session.execute(
            insert(LinkCheck).values(
                link_id=link_id, checked_at=now, outcome=outcome, http_status=status, worker=worker
            )
        )
        session.execute(
            update(Link)
            .where(Link.id == link_id)
            .values(
                last_outcome=outcome,
                http_status=status,
                last_checked_at=now,
                state=LinkState.ALIVE if outcome is CheckOutcome.OK else LinkState.AT_RISK,
                next_check_at=now + timedelta(hours=settings.check_interval_hours),
            )
        )
    return outcome


CHECKER = check_links
REQUESTS_PER_CHECK = 1  # requests the checker above makes for a plain 200 page
