"""Link-check throughput: fact-tracker against lychee and LinkChecker on the same local web.

A local web of 20 origins (127.0.1.1 ... 127.0.1.20, one port), served by a lean asyncio server
in its own process, answers 2,000 links: 70% 200, 10% 404, 10% 301 to a 200, 5% 500, 5% after
2 s; every response after 50 ms. Each tool checks them with 8 per host, 64 in all, no retries,
and we print wall seconds, links/s, peak RSS, CPU per request, links classified right, the
ratios to fact-tracker, and the latency bound for 64 slots (total slot-seconds / 64).
Then fact-tracker alone checks 20,000 links to show its memory stays flat.

    python benchmarks/link_check.py [--links 2000] [--scale 20000] [--skip lychee,linkchecker]

fact-tracker reads the links from its database (the article ingest put them there); lychee
and LinkChecker read the index page that links them all.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import functools
import heapq
import json
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HOSTS = [f"127.0.1.{i}" for i in range(1, 21)]
LATENCY = 0.05
SLOW = 2.0
KINDS = ["ok"] * 14 + ["404", "404", "301", "301", "500", "slow"]
EXPECTED = {
    "ok": "ok",
    "slow": "ok",
    "404": "not_found",
    "301": "redirected",
    "500": "server_error",
}
PAGE = (
    b"<!doctype html><html><head><title>Story %d</title></head><body><article>"
    b"<h1>Story %d</h1><p>Unemployment fell to 4.2 percent in March, the statistics office "
    b"said on Tuesday.</p></article></body></html>"
)
VENV_BIN = Path(sys.executable).parent


@functools.cache
def kinds(links: int) -> tuple[str, ...]:
    """The exact mix, in a fixed pseudo-random order (neither tool gets a favourable order)."""
    mix = [KINDS[i % len(KINDS)] for i in range(links)]
    random.Random(links).shuffle(mix)
    return tuple(mix)


def kind_of(n: int) -> str:
    """Larger runs repeat the 2,000-link mix."""
    return kinds(2000)[n % 2000]


def url_of(port: int, n: int) -> str:
    return f"http://{HOSTS[n % len(HOSTS)]}:{port}/l/{n}"


# ---------------------------------------------------------------- the local web (own process)


class Origin(asyncio.Protocol):
    """HTTP/1.1 keep-alive, GET and HEAD, no request bodies: just enough, and cheap."""

    index = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buffer = b""
        self.loop = asyncio.get_running_loop()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            method, path = head.split(b" ", 2)[:2]
            delay, response = self.answer(method, path.decode())
            self.loop.call_later(delay, self.send, response)

    def send(self, response: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(response)

    def answer(self, method: bytes, path: str) -> tuple[float, bytes]:
        status, headers, body, delay = 404, "", b"not found", LATENCY
        if path == "/index.html":
            status, body = 200, self.index
        elif path.startswith(("/l/", "/t/")) and path[3:].isdigit():
            n = int(path[3:])
            kind = "ok" if path.startswith("/t/") else kind_of(n)
            if kind in ("ok", "slow"):
                status, body = 200, PAGE % (n, n)
                delay = SLOW if kind == "slow" else LATENCY
            elif kind == "301":
                status, headers, body = 301, f"Location: /t/{n}\r\n", b""
            elif kind == "500":
                status, body = 500, b"server error"
        reason = {200: "OK", 301: "Moved Permanently", 404: "Not Found", 500: "Error"}[status]
        head = (
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n{headers}\r\n"
        ).encode()
        return delay, head + (b"" if method == b"HEAD" else body)


def serve(port: int, links: int, ready: multiprocessing.synchronize.Event) -> None:
    """Serve every link; the index page lists the first ``links`` (LinkChecker parses 1 MB)."""
    Origin.index = (
        b"<html><body>"
        + b"".join(f'<a href="{url_of(port, n)}">link {n}</a>\n'.encode() for n in range(links))
        + b"</body></html>"
    )

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for host in HOSTS:
            await loop.create_server(Origin, host, port, backlog=1024, reuse_address=True)
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOSTS[0], 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- running the tools


@dataclass
class Run:
    name: str
    wall: float
    cpu: float
    rss_mb: float
    right: int
    links: int
    requests: int
    note: str = ""


def run_measured(
    argv: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS (MB) of a child process, and its stdout.

    The peak RSS comes from GNU time when it is there: a child forked from this (large)
    process reports the parent's RSS as its own ru_maxrss until it exceeds it.
    """
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        if gnu_time:
            argv = [gnu_time, "-f", "%M", "-o", str(rss_file), *argv]
        started = time.perf_counter()
        with (Path(tmp) / "out").open("w+b") as out:
            process = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
            _, _status, usage = os.wait4(process.pid, 0)
            process.returncode = 0
            wall = time.perf_counter() - started
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
        rss_kb = float(rss_file.read_text().split()[-1]) if gnu_time else usage.ru_maxrss
    return wall, usage.ru_utime + usage.ru_stime, rss_kb / 1024, text


def prepare_database(path: Path, port: int, links: int) -> str:
    """A migrated SQLite database holding the links, as ingest would have left it."""
    from sqlalchemy import insert

    from tracker import migrate
    from tracker.db import Database
    from tracker.models import Link, Source, utcnow

    url = f"sqlite:///{path}"
    database = Database(url)
    migrate.upgrade(database.engine)
    now = utcnow()
    with database.transaction() as session:
        session.execute(insert(Source), [{"domain": host, "created_at": now} for host in HOSTS])
        session.execute(
            insert(Link),
            [
                {
                    "url": url_of(port, n),
                    "source_id": n % len(HOSTS) + 1,
                    "next_check_at": now,
                    "created_at": now,
                }
                for n in range(links)
            ],
        )
    database.dispose()
    return url


def outcomes_in(url: str) -> dict[str, str]:
    from sqlalchemy import select

    from tracker.db import Database
    from tracker.models import Link

    database = Database(url)
    with database.reading() as session:
        rows = session.execute(select(Link.url, Link.last_outcome)).all()
    database.dispose()
    return {link_url: outcome.value if outcome else "" for link_url, outcome in rows}


def run_fact_tracker(
    workdir: Path, port: int, links: int, name: str, *, again: bool = False
) -> Run:
    """``again``: check the same database a second time, when the links have a history."""
    path = workdir / f"fact-tracker-{links}.sqlite3"
    db_url = f"sqlite:///{path}" if again else prepare_database(path, port, links)
    env = {
        **os.environ,
        "FACT_TRACKER_CONFIG": str(workdir / "none.toml"),
        "FACT_TRACKER_DATABASE_URL": db_url,
        "FACT_TRACKER_ALLOW_PRIVATE_NETWORKS": "1",
        "FACT_TRACKER_MAX_RETRIES": "0",
        "FACT_TRACKER_CONCURRENCY": "64",
        "FACT_TRACKER_PER_HOST_CONCURRENCY": "8",
        "FACT_TRACKER_ARCHIVE_URL": "",
        "FACT_TRACKER_TIMEOUT": "10",
    }
    argv = [str(VENV_BIN / "fact-tracker"), "check", "--all", "--json"]
    wall, cpu, rss, out = run_measured(argv, env)
    checking = json.loads(out)["seconds"]
    found = outcomes_in(db_url)
    right = sum(found.get(url_of(port, n)) == EXPECTED[kind_of(n)] for n in range(links))
    requests = links + sum(kind_of(n) == "301" for n in range(links)) + len(HOSTS)
    note = f"checking {checking:.2f} s, start-up and exit {wall - checking:.2f} s"
    return Run(name, wall, cpu, rss, right, links, requests, note)


def run_lychee(workdir: Path, port: int, links: int) -> Run:
    page = workdir / "index.html"
    page.write_text(
        "".join(f'<a href="{url_of(port, n)}">{n}</a>\n' for n in range(links)), "utf-8"
    )
    report = workdir / "lychee.json"
    argv = [
        str(VENV_BIN / "lychee"),
        "--host-concurrency", "8",
        "--max-concurrency", "64",
        "--host-request-interval", "0s",
        "--max-retries", "0",
        "--no-progress",
        "--format", "json",
        "--output", str(report),
        str(page),
    ]  # fmt: skip
    wall, cpu, rss, _ = run_measured(argv)
    data = json.loads(report.read_text("utf-8"))
    failed: dict[str, int | None] = {}
    for entries in (data.get("error_map") or data.get("fail_map") or {}).values():
        for entry in entries:
            status = entry.get("status") or {}
            failed[entry["url"]] = status.get("code") if isinstance(status, dict) else None
    right = 0
    for n in range(links):
        kind, url = kind_of(n), url_of(port, n)
        if kind in ("404", "500"):
            right += failed.get(url) == int(kind)
        else:
            right += url not in failed
    requests = links + sum(kind_of(n) == "301" for n in range(links))
    return Run("lychee", wall, cpu, rss, right, links, requests)


def run_linkchecker(workdir: Path, port: int, links: int) -> Run:
    # LinkChecker run as root drops privileges to "nobody": give it a directory it may write.
    outdir = workdir / "linkchecker"
    outdir.mkdir()
    workdir.chmod(0o755)
    outdir.chmod(0o777)
    output = outdir / "linkchecker.csv"
    argv = [
        str(VENV_BIN / "linkchecker"),
        "-r1",
        "--check-extern",
        "--no-status",
        "--verbose",  # log every URL, not only the failing ones
        "-o", "none",
        "-F", f"csv/utf-8/{output}",
        f"http://{HOSTS[0]}:{port}/index.html",
    ]  # fmt: skip
    wall, cpu, rss, _ = run_measured(argv)
    valid: dict[str, bool] = {}
    lines = [
        line for line in output.read_text("utf-8").splitlines() if line and not line.startswith("#")
    ]
    for row in csv.DictReader(lines, delimiter=";"):
        valid[row.get("urlname", "")] = row.get("valid", "").lower() in ("true", "1")
    right = 0
    for n in range(links):
        url = url_of(port, n)
        if url in valid:
            right += valid[url] == (kind_of(n) not in ("404", "500"))
    requests = links + sum(kind_of(n) == "301" for n in range(links))
    return Run("LinkChecker", wall, cpu, rss, right, links, requests)


def duration(n: int) -> float:
    return {"slow": SLOW, "301": 2 * LATENCY}.get(kind_of(n), LATENCY)


def greedy_floor(order: list[int], slots: int = 64) -> float:
    """The makespan of starting links in ``order`` on the first free slot, with zero overhead.

    A checker cannot know which links are slow on a first check: with the slow ones late in
    the order, the last of them ends ~2 s after everything else, whatever the tool.
    """
    free = [0.0] * slots
    for n in order:
        heapq.heappush(free, heapq.heappop(free) + duration(n))
    return max(free)


def latency_bound(links: int, slots: int = 64) -> float:
    return sum(duration(n) for n in range(links)) / slots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--scale", type=int, default=20000, help="0 skips the memory run")
    parser.add_argument("--skip", default="", help="comma-separated: lychee,linkchecker")
    args = parser.parse_args()
    skip = {name.strip().lower() for name in args.skip.split(",") if name.strip()}
    port = free_port()
    ready = multiprocessing.get_context("spawn").Event()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(port, args.links, ready), daemon=True
    )
    server.start()
    if not ready.wait(30):
        sys.exit("the local web did not start")
    runs: list[Run] = []
    try:
        with tempfile.TemporaryDirectory(prefix="ft-bench-") as tmp:
            workdir = Path(tmp)
            runs.append(run_fact_tracker(workdir, port, args.links, "fact-tracker"))
            again = run_fact_tracker(
                workdir, port, args.links, "fact-tracker, re-check", again=True
            )
            if "lychee" not in skip and shutil.which("lychee", path=str(VENV_BIN)):
                runs.append(run_lychee(workdir, port, args.links))
            elif "lychee" not in skip:
                print("lychee not installed (pip install '.[bench]'); skipped")
            if "linkchecker" not in skip and shutil.which("linkchecker", path=str(VENV_BIN)):
                runs.append(run_linkchecker(workdir, port, args.links))
            elif "linkchecker" not in skip:
                print("LinkChecker not installed (pip install '.[bench]'); skipped")
            scaled = (
                run_fact_tracker(workdir, port, args.scale, f"fact-tracker x{args.scale}")
                if args.scale
                else None
            )
    finally:
        server.terminate()
        server.join(5)
    report(runs, again, scaled, args.links)


def report(runs: list[Run], again: Run, scaled: Run | None, links: int) -> None:
    ours = runs[0]
    bound = latency_bound(links)
    print(f"{links} links on {len(HOSTS)} origins; 8 per host, 64 in all, no retries")
    header = f"{'tool':<26}{'wall s':>8}{'links/s':>9}{'RSS MB':>8}{'CPU ms/req':>11}"
    print(header + f"{'right':>12}{'wall / ours':>12}")
    for run in [*runs, again, *([scaled] if scaled else [])]:
        print(
            f"{run.name:<26}{run.wall:>8.2f}{run.links / run.wall:>9.0f}{run.rss_mb:>8.1f}"
            f"{1000 * run.cpu / run.requests:>11.2f}{f'{run.right}/{run.links}':>12}"
            f"{run.wall / ours.wall if run.links == ours.links else float('nan'):>12.2f}"
        )
        if run.note:
            print(f"{'':<26}({run.note})")
    ratio = ours.wall / bound
    print(f"latency bound for 64 slots: {bound:.2f} s; fact-tracker / bound = {ratio:.2f}")
    in_order = greedy_floor(list(range(links)))
    slowest = greedy_floor(sorted(range(links), key=lambda n: -duration(n)))
    print(
        f"zero-overhead greedy floor: {in_order:.2f} s in link order (first check), "
        f"{slowest:.2f} s slowest first (re-check)"
    )
    for run in runs[1:]:
        print(f"{run.name} / fact-tracker wall = {run.wall / ours.wall:.2f}")
    print(
        f"re-check (slowest-last-time first) / bound = {again.wall / bound:.2f}; "
        f"lychee / re-check = {runs[1].wall / again.wall if len(runs) > 1 else float('nan'):.2f}"
    )
    if scaled:
        print(
            f"peak RSS at {scaled.links} links / at {ours.links} links = "
            f"{scaled.rss_mb / ours.rss_mb:.2f}"
        )


if __name__ == "__main__":
    main()
