"""Scheduling benchmark: lease claims on 1,000,000 links, and check throughput over 1/2/4 workers.

Part 1 (PostgreSQL): a throw-away database with 1,000,000 due links made by generate_series.
One claimer, then four claimer processes at once, each looping claim (100 links) -> mark checked
-> release. Prints claims/s, links/s, claim and release latency p50/p99, duplicates (must be 0),
and the ratio to a baseline measured in the same run: the same claim with index scans disabled.

Part 2: 2,000 links on 20 local origins (127.0.1.1 ... 127.0.1.20, one asyncio server process,
every answer after 50 ms) checked by 1, 2 and 4 worker processes sharing them through leases;
prints wall seconds, links/s and the scaling ratio to one worker. With 20 hosts held one worker
at a time, 8 per host, four workers share at most 160 requests in flight (the politeness and the
claim rate over rounds are measured by ``benchmarks/scale.py``).

    python benchmarks/scheduler.py [--links 1000000] [--check-links 2000]

The PostgreSQL server comes from FACT_TRACKER_BENCH_POSTGRES_URL, else
FACT_TRACKER_TEST_POSTGRES_URL; without either, part 1 and part 2 are skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _postgres import server_url, throwaway_database
from sqlalchemy import literal_column, text, update

from tracker import migrate
from tracker.actors import SCHEDULER
from tracker.db import Database, make_engine
from tracker.models import Link
from tracker.schedule import leases
from tracker.schedule.worker import check_due
from tracker.settings import load_settings

BATCH = 100
ORIGINS = 20
ORIGIN_PORT = 18_080
ORIGIN_DELAY = 0.05


def fill(url: str, count: int, origins: int | None = None) -> None:
    """``count`` due links, oldest first; on ``origins`` local hosts if given."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    if origins:
        host, params = (
            f"'http://127.0.1.' || (n % {origins} + 1) || :suffix",
            {"suffix": f":{ORIGIN_PORT}/p"},
        )
    else:
        host, params = "'https://example.org/p'", {}
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO links (url, state, consecutive_failures, content_changed, "
                "next_check_at, created_at) "
                f"SELECT {host} || n, 'unchecked', 0, false, "
                "now() - interval '1 day' + n * interval '1 millisecond', now() "
                "FROM generate_series(1, :count) AS n"
            ),
            {"count": count, **params},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE links"))
    engine.dispose()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def claim_loop(url: str, owner: str, seconds: float, results: Any = None) -> dict[str, Any]:
    """Claim, mark checked (next_check_at a day on), release; for ``seconds``."""
    database = Database(url)
    claims: list[float] = []
    releases: list[float] = []
    ids: list[int] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        batch = leases.claim_due(database, owner, BATCH, 60)
        claims.append(time.perf_counter() - started)
        if not batch:
            break
        ids.extend(batch)
        with database.transaction() as session:
            session.execute(
                update(Link)
                .where(Link.id.in_(batch))
                .values(next_check_at=literal_column("now() + interval '1 day'"))
            )
        started = time.perf_counter()
        leases.release(database, owner, batch)
        releases.append(time.perf_counter() - started)
    database.dispose()
    outcome = {"claims": claims, "releases": releases, "ids": ids}
    if results is not None:
        results.put(outcome)
    return outcome


def baseline_claims(url: str, count: int) -> list[float]:
    """The same claim statement with index scans off: what the index saves."""
    engine = make_engine(url)
    timings = []
    with engine.connect() as connection:
        for _ in range(count):
            connection.execute(text("SET enable_indexscan = off"))
            connection.execute(text("SET enable_bitmapscan = off"))
            started = time.perf_counter()
            statement = leases.claim_statement(
                "baseline", BATCH, _db_now(connection), timedelta(seconds=60)
            )
            connection.execute(statement).all()
            timings.append(time.perf_counter() - started)
            connection.rollback()
    engine.dispose()
    return timings


def _db_now(connection: Any) -> Any:
    return connection.execute(text("SELECT now()")).scalar_one()


def report_claims(label: str, runs: list[dict[str, Any]], seconds: float) -> float:
    claims = [value for run in runs for value in run["claims"]]
    releases = [value for run in runs for value in run["releases"]]
    ids = [value for run in runs for value in run["ids"]]
    duplicates = len(ids) - len(set(ids))
    rate = len(claims) / seconds
    print(
        f"{label:<22} {rate:8.0f} claims/s {len(ids) / seconds:9.0f} links/s   "
        f"claim p50 {percentile(claims, 0.5) * 1000:6.2f} ms p99 "
        f"{percentile(claims, 0.99) * 1000:6.2f} ms   release p50 "
        f"{percentile(releases, 0.5) * 1000:6.2f} ms "
        f"p99 {percentile(releases, 0.99) * 1000:6.2f} ms"
        f"   duplicates {duplicates}"
    )
    return statistics.median(claims)


def part_claims(server: str, count: int, seconds: float) -> None:
    print(f"== claim-and-release on PostgreSQL, {count:,} due links, batches of {BATCH}")
    with throwaway_database(server, "ft_bench_sched") as url:
        started = time.perf_counter()
        fill(url, count)
        print(
            f"created {count:,} links with generate_series in {time.perf_counter() - started:.1f} s"
        )
        base = baseline_claims(url, 5)
        single = claim_loop(url, "solo", seconds)
        median = report_claims("1 claimer", [single], seconds)
        queue: Any = multiprocessing.Queue()
        processes = [
            multiprocessing.Process(target=claim_loop, args=(url, f"p{n}", seconds, queue))
            for n in range(4)
        ]
        for process in processes:
            process.start()
        runs = [queue.get() for _ in processes]
        for process in processes:
            process.join()
        report_claims("4 claimer processes", runs, seconds)
        print(
            f"baseline (index scans off) claim p50 {statistics.median(base) * 1000:.1f} ms: "
            f"the index makes a claim {statistics.median(base) / median:.0f}x faster"
        )


# -- part 2: checking through leases with 1, 2, 4 workers --------------------------------------


async def _serve_origins() -> None:
    body = b"<!doctype html><html><head><title>page</title></head><body>content</body></html>"

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(ORIGIN_DELAY)
                payload = b"" if head.startswith(b"HEAD") else body
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + payload
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    servers = [
        await asyncio.start_server(handle, f"127.0.1.{n}", ORIGIN_PORT, backlog=1024)
        for n in range(1, ORIGINS + 1)
    ]
    await asyncio.gather(*(server.serve_forever() for server in servers))


def serve_origins() -> None:
    asyncio.run(_serve_origins())


def check_worker(url: str, worker: str, concurrency: int) -> None:
    os.environ["FACT_TRACKER_ALLOW_PRIVATE_NETWORKS"] = "1"
    # No archive look-ups: the public archive is unreachable here (and not what is measured).
    # No rate limit: this part measures throughput over workers, not politeness (scale.py).
    settings = load_settings(
        database_url=url,
        concurrency=concurrency,
        per_host_concurrency=8,
        per_host_rate=10_000,
        max_retries=0,
        archive_url="",
        memento_archives=(),
    )
    database = Database(url)
    check_due(database, SCHEDULER, settings, worker=worker, read_ahead=200)
    database.dispose()


def part_checks(server: str, count: int) -> None:
    print(f"== checking {count:,} links on {ORIGINS} local origins through host leases")
    origin = multiprocessing.Process(target=serve_origins, daemon=True)
    origin.start()
    time.sleep(0.5)
    walls: dict[int, float] = {}
    try:
        for workers in (1, 2, 4):
            with throwaway_database(server, "ft_bench_sched") as url:
                fill(url, count, origins=ORIGINS)
                processes = [
                    multiprocessing.Process(target=check_worker, args=(url, f"b{n}", 64))
                    for n in range(workers)
                ]
                started = time.perf_counter()
                for process in processes:
                    process.start()
                for process in processes:
                    process.join()
                walls[workers] = wall = time.perf_counter() - started
                database = Database(url)
                with database.reading() as session:
                    checked = session.execute(
                        text("SELECT count(DISTINCT link_id), count(*) FROM link_checks")
                    ).one()
                database.dispose()
                print(
                    f"{workers} worker(s): {wall:6.2f} s  {count / wall:7.0f} links/s  "
                    f"checked {checked[0]:,} links with {checked[1]:,} checks  "
                    f"scaling {walls[1] / wall:.2f}x"
                )
    finally:
        origin.terminate()
        origin.join()
    print("each worker 64 at once, 8 per host, a host held by one worker at a time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per claim run")
    parser.add_argument("--check-links", type=int, default=2_000)
    args = parser.parse_args()
    server = server_url()
    if server is None:
        print("skipped: set FACT_TRACKER_BENCH_POSTGRES_URL (or FACT_TRACKER_TEST_POSTGRES_URL)")
        return
    print(f"{os.cpu_count()} CPUs")
    part_claims(server, args.links, args.seconds)
    part_checks(server, args.check_links)


if __name__ == "__main__":
    main()
