"""Polite at scale (PostgreSQL): many workers, one politeness, on a web where a few hosts dominate.

Part 1, politeness. A local web of ``--origins`` hosts (127.0.2.1 ... on one port, one asyncio
server process, every answer after 50 ms) holding ``--links`` links on a Zipf law fitted so
the 10 busiest hosts hold 40% of them. ``--workers`` worker processes check them all, each
with 64 slots, at ``--per-host`` requests in flight and ``--rate`` a second per host. The
server counts, per host, the most requests in flight at once and the most that arrived in any
one second; one mid-sized host answers its first request with 429 and ``Retry-After`` and the
server counts what that host received during the pause. One worker is killed (SIGKILL) a third
of the way through; a fresh one takes its place. Printed: total time beside the bound that
politeness allows (the busiest host's links / rate, its links x latency / per-host
concurrency, or slot-seconds / slots, whichever is largest), links checked twice (from the
database), and the server's counts.

Part 2, claiming. ``--claim-links`` links on 2,000 hosts; ten rounds, each claiming, "checking"
(the row update a check makes) and releasing ``--round-links`` links through the host leases,
one claimer: claim rate per round as a ratio to round 1 (dead row versions pile up between
rounds unless the table lets HOT updates and autovacuum keep up). Then one round each with 1,
2 and 4 claimer processes: the rate as a ratio to one claimer.

    python benchmarks/scale.py                          # the issue's sizes (several minutes)
    python benchmarks/scale.py --links 5000 --origins 40 --claim-links 100000 --round-links 10000

The server comes from FACT_TRACKER_BENCH_POSTGRES_URL, else FACT_TRACKER_TEST_POSTGRES_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _postgres import server_url, throwaway_database
from sqlalchemy import func, text, update

from tracker import migrate
from tracker.actors import SCHEDULER
from tracker.db import Database, make_engine
from tracker.enums import CheckOutcome, LinkState
from tracker.models import Link
from tracker.politeness import hosts
from tracker.schedule.worker import check_due
from tracker.settings import load_settings

PORT = 18_180
LATENCY = 0.05
SLOTS = 64
PAUSED_RANK = 60  # the host that answers 429 once (a mid-sized one)
PAUSE_SECONDS = 10
LEASE_SECONDS = 10
BODY = b"<!doctype html><html><head><title>page</title></head><body>content</body></html>"


def zipf_counts(links: int, origins: int, top: int = 10, share: float = 0.40) -> list[int]:
    """Links per host, busiest first, on a Zipf law whose ``top`` hosts hold ``share``."""

    def top_share(exponent: float) -> float:
        weights = [1 / rank**exponent for rank in range(1, origins + 1)]
        return sum(weights[:top]) / sum(weights)

    low, high = 0.01, 5.0
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if top_share(middle) < share else (low, middle)
    weights = [1 / rank**low for rank in range(1, origins + 1)]
    counts = [max(1, int(links * weight / sum(weights))) for weight in weights]
    counts[0] += links - sum(counts)
    return counts


def address(rank: int) -> str:
    return f"127.0.2.{rank + 1}"


def fill_web(url: str, counts: list[int]) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    rows = [
        {"url": f"http://{address(rank)}:{PORT}/p{n}"}
        for rank, count in enumerate(counts)
        for n in range(count)
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO links (url, state, consecutive_failures, content_changed, "
                "next_check_at, created_at) "
                "VALUES (:url, 'unchecked', 0, false, now() - interval '1 day', now())"
            ),
            rows,
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE links"))
    engine.dispose()


# -- the local web ---------------------------------------------------------------------------


async def _serve(origins: int, stats: Any, stop: Any) -> None:
    in_flight = [0] * origins
    most = [0] * origins
    arrivals: list[list[float]] = [[] for _ in range(origins)]
    paused: dict[str, float] = {}

    def handler(rank: int) -> Any:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    now = time.monotonic()
                    arrivals[rank].append(now)
                    in_flight[rank] += 1
                    most[rank] = max(most[rank], in_flight[rank])
                    await asyncio.sleep(LATENCY)
                    in_flight[rank] -= 1  # before the answer leaves (see tests/support/server.py)
                    if rank == PAUSED_RANK % origins and "at" not in paused:
                        paused["at"] = time.monotonic()
                        status = b"429 Too Many Requests"
                        extra = f"Retry-After: {PAUSE_SECONDS}\r\n".encode()
                    else:
                        status, extra = b"200 OK", b""
                    payload = b"" if head.startswith(b"HEAD") else BODY
                    writer.write(
                        b"HTTP/1.1 "
                        + status
                        + b"\r\nContent-Type: text/html\r\n"
                        + extra
                        + b"Content-Length: "
                        + str(len(BODY)).encode()
                        + b"\r\n\r\n"
                        + payload
                    )
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        return handle

    servers = [
        await asyncio.start_server(handler(rank), address(rank), PORT, backlog=1024)
        for rank in range(origins)
    ]
    while not stop.is_set():
        await asyncio.sleep(0.2)
    for server in servers:
        server.close()
    per_second = []
    for times in arrivals:
        best = start = 0
        for end, arrived in enumerate(times):
            while arrived - times[start] >= 1.0:
                start += 1
            best = max(best, end - start + 1)
        per_second.append(best)
    rank = PAUSED_RANK % origins
    at = paused.get("at")
    during = sum(1 for t in arrivals[rank] if at is not None and at < t < at + PAUSE_SECONDS)
    # Requests already on their way when the 429 left (a client cannot unsend them).
    late = sum(1 for t in arrivals[rank] if at is not None and at + 0.1 < t < at + PAUSE_SECONDS)
    stats.put(
        {
            "most_in_flight": most,
            "most_per_second": per_second,
            "requests": [len(times) for times in arrivals],
            "paused_host_requests_during_pause": during,
            "paused_host_requests_after_100ms": late,
            "paused_at": at,
        }
    )


def serve(origins: int, stats: Any, stop: Any) -> None:
    asyncio.run(_serve(origins, stats, stop))


# -- the workers -----------------------------------------------------------------------------


def worker(url: str, name: str, per_host: int, rate: float) -> None:
    """Rounds of the scheduler until every link has been checked once (as `schedule` would)."""
    os.environ["FACT_TRACKER_ALLOW_PRIVATE_NETWORKS"] = "1"
    settings = load_settings(
        database_url=url,
        concurrency=SLOTS,
        per_host_concurrency=per_host,
        per_host_rate=rate,
        max_retries=1,
        max_retry_after=2,  # the 429's pause is longer: the host is let go, paused for all
        lease_seconds=LEASE_SECONDS,
        archive_url="",
        page_judging="threads",
        timeout=10,
    )
    database = Database(url)
    while True:
        report = check_due(database, SCHEDULER, settings, worker=name, read_ahead=200)
        if report.claimed:
            continue
        with database.reading() as session:
            left = session.scalar(text("SELECT count(*) FROM links WHERE last_checked_at IS NULL"))
        if not left:
            break
        time.sleep(0.5)  # what is left is held by others, paused, or leased by a dead worker
    database.dispose()


def part_politeness(server: str, args: argparse.Namespace) -> None:
    counts = zipf_counts(args.links, args.origins)
    print(
        f"== politeness: {args.links:,} links on {args.origins} hosts (busiest {counts[0]:,}, "
        f"10 busiest {sum(counts[:10]) / args.links:.0%}), {args.workers} workers x {SLOTS} slots, "
        f"{args.per_host} in flight and {args.rate:g}/s per host, {LATENCY * 1000:.0f} ms answers"
    )
    stats: Any = multiprocessing.Queue()
    stop = multiprocessing.Event()
    web = multiprocessing.Process(target=serve, args=(args.origins, stats, stop), daemon=True)
    web.start()
    with throwaway_database(server, "ft_bench_scale") as url:
        fill_web(url, counts)
        time.sleep(0.5)
        started = time.perf_counter()
        procs = {
            f"w{n}": multiprocessing.Process(
                target=worker, args=(url, f"w{n}", args.per_host, args.rate)
            )
            for n in range(args.workers)
        }
        for process in procs.values():
            process.start()
        database = Database(url)
        killed = False
        while any(process.is_alive() for process in procs.values()):
            time.sleep(0.5)
            with database.reading() as session:
                done = session.scalar(text("SELECT count(DISTINCT link_id) FROM link_checks"))
            if not killed and done >= args.links / 3:
                victim = procs[f"w{args.workers - 1}"]
                os.kill(victim.pid or 0, signal.SIGKILL)
                victim.join()
                killed = True
                print(
                    f"killed w{args.workers - 1} (SIGKILL) after {done:,} links; w-new replaces it"
                )
                procs["w-new"] = multiprocessing.Process(
                    target=worker, args=(url, "w-new", args.per_host, args.rate)
                )
                procs["w-new"].start()
        wall = time.perf_counter() - started
        with database.reading() as session:
            checked, twice, total = session.execute(
                text(
                    "SELECT count(*) FILTER (WHERE n >= 1), count(*) FILTER (WHERE n > 1), "
                    "count(*) FROM (SELECT l.id, count(c.id) AS n FROM links l "
                    "LEFT JOIN link_checks c ON c.link_id = l.id GROUP BY l.id) AS per_link"
                )
            ).one()
            paused = session.scalar(
                text("SELECT count(*) FROM hosts WHERE pause_reason IS NOT NULL")
            )
        database.dispose()
    stop.set()
    result = stats.get(timeout=60)
    web.join()
    rate_bound = counts[0] / args.rate
    host_bound = counts[0] * LATENCY / args.per_host
    slot_bound = args.links * LATENCY / (args.workers * SLOTS)
    bound = max(rate_bound, host_bound, slot_bound)
    print(
        f"total {wall:.1f} s; politeness bound {bound:.1f} s (busiest host / rate "
        f"{rate_bound:.1f} s, x latency / per-host {host_bound:.1f} s, slot-seconds / slots "
        f"{slot_bound:.1f} s): {wall / bound:.2f}x the bound (target 1.25x)"
    )
    print(
        f"links checked {checked:,} of {total:,}; checked twice in the round: {twice} "
        f"(database); requests at the server {sum(result['requests']):,}"
    )
    print(
        f"server counts: most in flight on a host {max(result['most_in_flight'])} "
        f"(limit {args.per_host}), most in one second on a host "
        f"{max(result['most_per_second'])} (limit {args.rate:g}); hosts above a limit: "
        f"{sum(m > args.per_host for m in result['most_in_flight'])} in flight, "
        f"{sum(m > args.rate for m in result['most_per_second'])} per second"
    )
    print(
        f"429 with Retry-After {PAUSE_SECONDS} s from host #{PAUSED_RANK}: requests it received "
        f"during the pause, from any worker: {result['paused_host_requests_after_100ms']} "
        f"({result['paused_host_requests_during_pause']} counting requests already sent when "
        "the 429 left); "
        f"hosts recorded paused: {paused}"
    )


# -- claiming ----------------------------------------------------------------------------------


def fill_hosts(url: str, links: int, host_count: int = 2000) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO hosts (key, created_at) SELECT 'https://h' || n || '.example', now() "
                "FROM generate_series(1, :hosts) AS n"
            ),
            {"hosts": host_count},
        )
        connection.execute(
            text(
                "INSERT INTO links (url, host_id, state, consecutive_failures, content_changed, "
                "next_check_at, created_at) "
                "SELECT 'https://h' || (n % :hosts + 1) || '.example/p' || n, n % :hosts + 1, "
                "'unchecked', 0, false, now() - interval '1 day' + n * interval '1 millisecond', "
                "now() FROM generate_series(1, :links) AS n"
            ),
            {"hosts": host_count, "links": links},
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE links"))
        connection.execute(text("VACUUM ANALYZE hosts"))
    engine.dispose()


def claimer(url: str, owner: str, target: int, claimed: Any, ready: Any, go: Any) -> None:  # noqa: PLR0917 - a process target
    """Claim hosts, claim their due links, write what a check writes, let go; until ``target``
    links were claimed by all claimers together, or nothing is due."""
    database = Database(url)
    with database.reading() as session:
        session.execute(text("SELECT 1"))  # connected before the clock starts
    ready.release()
    go.wait()
    while claimed.value < target:
        with database.transaction() as session:
            held = hosts.claim_hosts(session, owner, 4, 60)
        if not held:
            break
        for host in held:
            while claimed.value < target:
                with database.transaction() as session:
                    ids = hosts.claim_links(session, owner, host.id, 200, 60)
                if not ids:
                    break
                with claimed.get_lock():
                    claimed.value += len(ids)
                with database.transaction() as session:
                    # What a check's write does to the row (the engine clears the lease in
                    # the same update): every indexed column but next_check_at unchanged.
                    session.execute(
                        update(Link)
                        .where(Link.id.in_(ids))
                        .values(
                            state=LinkState.ALIVE,
                            last_outcome=CheckOutcome.OK,
                            http_status=200,
                            last_checked_at=func.now(),
                            last_ok_at=func.now(),
                            next_check_at=func.now() + timedelta(days=1),
                            lease_owner=None,
                            lease_expires_at=None,
                        )
                        .execution_options(synchronize_session=False)
                    )
        with database.transaction() as session:
            hosts.release_hosts(session, owner, {host.id: 0.0 for host in held})
    database.dispose()


def claim_round(url: str, claimers: int, links: int) -> float:
    claimed: Any = multiprocessing.Value("q", 0)
    ready: Any = multiprocessing.Semaphore(0)
    go = multiprocessing.Event()
    procs = [
        multiprocessing.Process(target=claimer, args=(url, f"c{n}", links, claimed, ready, go))
        for n in range(claimers)
    ]
    for process in procs:
        process.start()
    for _ in procs:
        ready.acquire()  # started, imported and connected: process start-up is not timed
    started = time.perf_counter()
    go.set()
    for process in procs:
        process.join()
    return float(claimed.value) / (time.perf_counter() - started)


def part_claims(server: str, args: argparse.Namespace) -> None:
    print(
        f"== claiming: {args.claim_links:,} links on 2,000 hosts, rounds of "
        f"{args.round_links:,} (claim hosts, claim 200 links, write the check's row update)"
    )
    with throwaway_database(server, "ft_bench_scale") as url:
        fill_hosts(url, args.claim_links)
        rates = []
        for number in range(1, 11):
            rates.append(claim_round(url, 1, args.round_links))
            print(
                f"round {number:2}: {rates[-1]:8.0f} links/s  {rates[-1] / rates[0]:.2f}x round 1"
            )
        print(f"spread over ten rounds: {(max(rates) - min(rates)) / rates[0]:.1%} of round 1")
    with throwaway_database(server, "ft_bench_scale") as url:
        fill_hosts(url, args.claim_links)
        base = 0.0
        for count in (1, 2, 4):
            rate = claim_round(url, count, args.round_links)
            base = base or rate
            print(f"{count} claimer(s): {rate:8.0f} links/s  {rate / base:.2f}x one claimer")
    print(f"{os.cpu_count()} CPUs, shared with the database server and other work")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--origins", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--claim-links", type=int, default=1_000_000)
    parser.add_argument("--round-links", type=int, default=100_000)
    parser.add_argument("--skip", choices=["politeness", "claims"], action="append", default=[])
    args = parser.parse_args()
    if not 10 < args.origins <= 250:
        parser.error("--origins must be between 11 and 250 (one 127.0.2.x address each)")
    server = server_url()
    if server is None:
        print("skipped: set FACT_TRACKER_BENCH_POSTGRES_URL (or FACT_TRACKER_TEST_POSTGRES_URL)")
        return
    if "politeness" not in args.skip:
        part_politeness(server, args)
    if "claims" not in args.skip:
        part_claims(server, args)


if __name__ == "__main__":
    main()
