"""Link-check throughput: fact-tracker against lychee and LinkChecker on the same local web.

A local web of 20 origins (127.0.1.1 ... 127.0.1.20, one port), served by a lean asyncio server
in its own process, answers N links (default 2,000): 70% 200, 10% 404, 10% 301 to a 200, 5%
500, 5% after 2 s; every response after 50 ms. Every tool checks them at the same politeness:
8 per host, 64 in all, no retries (LinkChecker: 64 threads, robots.txt off, a per-host rate
that 8 connections at 50 ms cannot reach; its own defaults are shown on request).

Two kinds of pages, each run ``--runs`` times (medians printed, every tool in the same run):

* ``small``: 200-byte pages. fact-tracker checks links put in its database directly.
* ``real``: the corpus's news pages (../shared/corpus/articles/html, 161 KiB on average) as
  the 200 answers, with ETags. fact-tracker is timed on the user's whole path, ``ingest`` of
  an article citing every link and then ``check --all``, and on the check alone; then a
  re-check (the pages unchanged: If-None-Match, 304). lychee and LinkChecker check the same
  article page (first check against first check).

For each run: wall seconds, CPU (the tool and every process it started; fact-tracker's page
readers are sampled from /proc), CPU per page fetched, peak RSS, and links classified right;
a URL a tool did not report counts as wrong. Last, fact-tracker alone checks 20,000 small
links to show its memory stays flat.

    python benchmarks/link_check.py [--links 2000] [--runs 3] [--pages small,real]
        [--scale 20000] [--skip lychee,linkchecker] [--linkchecker-defaults]
        [--page-judging processes|threads]
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
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
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
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "articles" / "html"
VENV_BIN = Path(sys.executable).parent
LAST_MODIFIED = "Tue, 01 Dec 2026 08:00:00 GMT"


@functools.cache
def kinds(links: int) -> tuple[str, ...]:
    """The exact mix, in a fixed pseudo-random order (neither tool gets a favourable order)."""
    mix = [KINDS[i % len(KINDS)] for i in range(links)]
    random.Random(links).shuffle(mix)
    return tuple(mix)


def kind_of(n: int) -> str:
    """Larger runs repeat the 2,000-link mix."""
    return kinds(2000)[n % 2000]


def url_of(port: int, n: int, path: str = "l") -> str:
    return f"http://{HOSTS[n % len(HOSTS)]}:{port}/{path}/{n}"


def article_page(port: int, links: int) -> bytes:
    """An article citing every link, one sentence each, as a fact-checker would ingest it."""
    paragraphs = "".join(
        f"<p>Official figures show that {n % 97 + 1}% of households were affected, "
        f'according to <a href="{url_of(port, n)}">report {n}</a>.</p>'
        for n in range(links)
    )
    return (
        "<!doctype html><html><head><title>What the figures say</title></head><body>"
        f"<article><h1>What the figures say</h1>{paragraphs}</article></body></html>"
    ).encode()


# ---------------------------------------------------------------- the local web (own process)


class Origin(asyncio.Protocol):
    """HTTP/1.1 keep-alive, GET and HEAD, no request bodies: just enough, and cheap."""

    index = b""
    article = b""
    pages: tuple[bytes, ...] = ()
    real = False
    latency = LATENCY
    shift = 0
    """Real pages: link n answers page n + shift (another shift: every page changed)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buffer = b""
        self.loop = asyncio.get_running_loop()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            method, path = head.split(b" ", 2)[:2]
            delay, response = self.answer(method, path.decode(), head.lower())
            if delay:
                self.loop.call_later(delay, self.send, response)
            else:
                self.send(response)

    def send(self, response: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(response)

    def answer(self, method: bytes, path: str, head: bytes) -> tuple[float, bytes]:
        status, headers, body, delay = 404, "", b"not found", self.latency
        prefix, _, number = path[1:].partition("/")
        if path == "/index.html":
            status, body = 200, self.index
        elif path == "/article.html":
            status, body = 200, self.article
        elif prefix in ("l", "t", "r") and number.isdigit():
            n = int(number)
            kind = kind_of(n) if prefix == "l" else "ok"
            if kind in ("ok", "slow"):
                status, body = 200, PAGE % (n, n)
                if self.real or prefix == "r":
                    body = self.pages[(n + self.shift) % len(self.pages)]
                    etag = f'"p{n}-{self.shift}"'
                    headers = f"ETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\n"
                    if b"if-none-match: " + etag.encode() in head:
                        status, body = 304, b""
                delay = SLOW if kind == "slow" else self.latency
            elif kind == "301":
                status, headers, body = 301, f"Location: /t/{n}\r\n", b""
            elif kind == "500":
                status, body = 500, b"server error"
        reason = {200: "OK", 301: "Moved", 304: "Not Modified", 404: "Not Found", 500: "Error"}
        length = "" if status == 304 else f"Content-Length: {len(body)}\r\n"
        response = (
            f"HTTP/1.1 {status} {reason[status]}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"{length}{headers}\r\n"
        ).encode()
        return delay, response + (b"" if method == b"HEAD" else body)


def serve(  # noqa: PLR0917 - the spawned process gets positional arguments
    port: int,
    links: int,
    ready: multiprocessing.synchronize.Event,
    pages: str = "small",
    latency: float = LATENCY,
    shift: int = 0,
) -> None:
    """Serve every link; the index page lists the first ``links``, the article cites them."""
    Origin.index = (
        b"<html><body>"
        + b"".join(f'<a href="{url_of(port, n)}">link {n}</a>\n'.encode() for n in range(links))
        + b"</body></html>"
    )
    Origin.article = article_page(port, links)
    Origin.pages = tuple(path.read_bytes() for path in sorted(CORPUS.glob("*.html")))
    Origin.real = pages == "real"
    Origin.latency = latency
    Origin.shift = shift

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


class Web:
    """The local web in its own process, for one kind of pages."""

    def __init__(self, links: int, pages: str, *, shift: int = 0, port: int | None = None) -> None:
        self.port = port or free_port()
        context = multiprocessing.get_context("spawn")
        ready = context.Event()
        self.process = context.Process(
            target=serve, args=(self.port, links, ready, pages, LATENCY, shift), daemon=True
        )
        self.process.start()
        if not ready.wait(60):
            sys.exit("the local web did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(5)


# ---------------------------------------------------------------- measuring a command


@dataclass
class Measured:
    wall: float
    cpu: float
    rss_mb: float
    out: str


def _tree_cpu(root: int) -> dict[int, tuple[int, float]]:
    """(parent, CPU seconds so far) of every descendant of ``root`` (from /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    found: dict[int, tuple[int, float]] = {}
    for pid, cpu in times.items():
        ancestor = parents.get(pid)
        while ancestor and ancestor != root:
            ancestor = parents.get(ancestor)
        if ancestor == root:
            found[pid] = (parents[pid], cpu)
    return found


def run_measured(argv: list[str], env: dict[str, str] | None = None) -> Measured:
    """Wall, CPU (the child, plus its descendants sampled every 50 ms) and peak RSS (MB).

    Descendants that are not waited for (fact-tracker's page readers outlive their use and
    are reaped by their forkserver) would not show in the child's rusage, so their CPU is
    read from /proc while they run. The peak RSS comes from GNU time when it is there.
    """
    gnu_time = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.TemporaryDirectory() as tmp:
        rss_file = Path(tmp) / "rss"
        if gnu_time:
            argv = [gnu_time, "-f", "%M", "-o", str(rss_file), *argv]
        started = time.perf_counter()
        with (Path(tmp) / "out").open("w+b") as out:
            process = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
            seen: dict[int, tuple[int, float]] = {}
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.05):
                    seen.update(_tree_cpu(process.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            _, _status, usage = os.wait4(process.pid, 0)
            done.set()
            sampler.join()
            process.returncode = 0
            wall = time.perf_counter() - started
            out.seek(0)
            text = out.read().decode("utf-8", "replace")
        rss_kb = float(rss_file.read_text().split()[-1]) if gnu_time else usage.ru_maxrss
    # The tool (GNU time's child) is in the rusage; the processes below it only in the samples.
    tool = {pid for pid, (parent, _) in seen.items() if parent == process.pid and gnu_time}
    below = sum(cpu for pid, (_, cpu) in seen.items() if pid not in tool)
    return Measured(wall, usage.ru_utime + usage.ru_stime + below, rss_kb / 1024, text)


# ---------------------------------------------------------------- the tools


@dataclass
class Run:
    name: str
    wall: float
    cpu: float
    rss_mb: float
    right: int
    links: int
    pages: int
    note: str = ""
    parts: dict[str, float] = field(default_factory=dict)


def ft_env(workdir: Path, db_url: str, judging: str) -> dict[str, str]:
    return {
        **os.environ,
        "FACT_TRACKER_CONFIG": str(workdir / "none.toml"),
        "FACT_TRACKER_DATABASE_URL": db_url,
        "FACT_TRACKER_ALLOW_PRIVATE_NETWORKS": "1",
        "FACT_TRACKER_MAX_RETRIES": "0",
        "FACT_TRACKER_CONCURRENCY": "64",
        "FACT_TRACKER_PER_HOST_CONCURRENCY": "8",
        "FACT_TRACKER_ARCHIVE_URL": "",
        "FACT_TRACKER_MEMENTO_ARCHIVES": "[]",
        "FACT_TRACKER_TIMEOUT": "10",
        "FACT_TRACKER_PAGE_JUDGING": judging,
    }


def prepare_database(path: Path, port: int, links: int) -> str:
    """A migrated SQLite database holding the links (the check-alone runs)."""
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


def pages_fetched(links: int, *, real: bool) -> int:
    """Answers with a body the tools read: the links, the 301 targets."""
    return links + sum(kind_of(n) == "301" for n in range(links)) if real else links


def judge_ft(name: str, db_url: str, port: int, links: int, measured: Measured) -> Run:
    found = outcomes_in(db_url)
    right = sum(found.get(url_of(port, n)) == EXPECTED[kind_of(n)] for n in range(links))
    return Run(name, measured.wall, measured.cpu, measured.rss_mb, right, links, 0)


def check(workdir: Path, db_url: str, judging: str) -> Measured:
    argv = [str(VENV_BIN / "fact-tracker"), "check", "--all", "--json"]
    return run_measured(argv, ft_env(workdir, db_url, judging))


def run_fact_tracker(
    workdir: Path, port: int, links: int, name: str, judging: str, *, pages: int
) -> tuple[Run, Run]:
    """The check alone (links put in the database directly), then a re-check of them."""
    path = workdir / f"ft-{name.replace(' ', '-')}-{links}.sqlite3"
    db_url = prepare_database(path, port, links)
    first = judge_ft(name, db_url, port, links, check(workdir, db_url, judging))
    again = judge_ft(f"{name}, re-check", db_url, port, links, check(workdir, db_url, judging))
    first.pages = again.pages = pages
    return first, again


def run_user_path(workdir: Path, port: int, links: int, judging: str, *, pages: int) -> Run:
    """``ingest`` of the article citing every link, then ``check --all``: the user's path."""
    from tracker import migrate
    from tracker.db import Database
    from tracker.models import Reviewer

    db_url = f"sqlite:///{workdir / f'ft-user-path-{links}.sqlite3'}"
    database = Database(db_url)
    migrate.upgrade(database.engine)
    with database.transaction() as session:  # ingest records who acted
        session.add(Reviewer(name="bench"))
    database.dispose()
    env = {**ft_env(workdir, db_url, judging), "FACT_TRACKER_REVIEWER": "bench"}
    article = f"http://{HOSTS[0]}:{port}/article.html"
    ingest = run_measured([str(VENV_BIN / "fact-tracker"), "ingest", article, "--json"], env)
    checked = check(workdir, db_url, judging)
    run = judge_ft("fact-tracker ingest + check", db_url, port, links, checked)
    run.wall += ingest.wall
    run.cpu += ingest.cpu
    run.rss_mb = max(run.rss_mb, ingest.rss_mb)
    run.pages = pages + 1
    run.parts = {"ingest": ingest.wall, "check": checked.wall}
    run.note = f"ingest {ingest.wall:.2f} s + check {checked.wall:.2f} s"
    return run


def run_lychee(workdir: Path, port: int, links: int, page: str, *, pages: int) -> Run:
    report = workdir / "lychee.json"
    argv = [
        str(VENV_BIN / "lychee"),
        "--host-concurrency", "8",
        "--max-concurrency", "64",
        "--host-request-interval", "0s",
        "--max-retries", "0",
        "--no-progress",
        "--verbose",  # report the successes too: a link it does not report counts as wrong
        "--format", "json",
        "--output", str(report),
        f"http://{HOSTS[0]}:{port}/{page}",
    ]  # fmt: skip
    measured = run_measured(argv)
    data = json.loads(report.read_text("utf-8"))
    status: dict[str, int | None] = {}
    for key, good in (("success_map", True), ("error_map", False)):  # redirects: successes
        for entries in (data.get(key) or {}).values():
            for entry in entries:
                code = (entry.get("status") or {}).get("code")
                status[entry["url"]] = 200 if good else code
    right = 0
    for n in range(links):
        kind, url = kind_of(n), url_of(port, n)
        if url not in status:
            continue
        right += status[url] == (int(kind) if kind in ("404", "500") else 200)
    return Run("lychee", measured.wall, measured.cpu, measured.rss_mb, right, links, pages + 1)


def run_linkchecker(
    workdir: Path, port: int, links: int, page: str, *, pages: int, defaults: bool
) -> Run:
    # LinkChecker run as root drops privileges to "nobody": give it a directory it may write.
    outdir = workdir / f"linkchecker-{'defaults' if defaults else 'matched'}"
    outdir.mkdir()
    for folder in (workdir.parent, workdir):
        folder.chmod(0o755)
    outdir.chmod(0o777)
    output = outdir / "linkchecker.csv"
    config = outdir / "linkcheckerrc"
    # Matched: 64 threads, no robots.txt requests, and a per-host rate 8 connections at 50 ms
    # cannot reach (so the threads, not the rate, bound it).
    config.write_text(
        "[checking]\nrobotstxt=0\nmaxrequestspersecond=1000\n" if not defaults else "",
        "utf-8",
    )
    argv = [
        str(VENV_BIN / "linkchecker"),
        "-f", str(config),
        *(() if defaults else ("--threads", "64")),
        "-r1",
        "--check-extern",
        "--no-status",
        "--verbose",  # log every URL, not only the failing ones
        "-o", "none",
        "-F", f"csv/utf-8/{output}",
        f"http://{HOSTS[0]}:{port}/{page}",
    ]  # fmt: skip
    measured = run_measured(argv)
    valid: dict[str, bool] = {}
    lines = [
        line for line in output.read_text("utf-8").splitlines() if line and not line.startswith("#")
    ]
    for row in csv.DictReader(lines, delimiter=";"):
        valid[row.get("urlname", "")] = row.get("valid", "").lower() in ("true", "1")
    right = sum(
        valid.get(url_of(port, n)) == (kind_of(n) not in ("404", "500")) for n in range(links)
    )
    name = "LinkChecker (its defaults)" if defaults else "LinkChecker"
    return Run(name, measured.wall, measured.cpu, measured.rss_mb, right, links, pages + 1)


# ---------------------------------------------------------------- the floors


def duration(n: int) -> float:
    return {"slow": SLOW, "301": 2 * LATENCY}.get(kind_of(n), LATENCY)


def greedy_floor(order: list[int], slots: int = 64) -> float:
    """The makespan of starting links in ``order`` on the first free slot, with zero overhead."""
    free = [0.0] * slots
    for n in order:
        heapq.heappush(free, heapq.heappop(free) + duration(n))
    return max(free)


def latency_bound(links: int, slots: int = 64) -> float:
    return sum(duration(n) for n in range(links)) / slots


# ---------------------------------------------------------------- running and reporting


def one_round(
    workdir: Path, port: int, kind: str, args: argparse.Namespace, skip: set[str]
) -> list[Run]:
    links = args.links
    real = kind == "real"
    pages = pages_fetched(links, real=True)
    page = "article.html" if real else "index.html"
    runs: list[Run] = []
    first, again = run_fact_tracker(
        workdir, port, links, "fact-tracker check", args.page_judging, pages=pages
    )
    runs += [first, again]
    if real:
        runs.append(run_user_path(workdir, port, links, args.page_judging, pages=pages))
    if "lychee" not in skip and shutil.which("lychee", path=str(VENV_BIN)):
        runs.append(run_lychee(workdir, port, links, page, pages=pages))
    if "linkchecker" not in skip and shutil.which("linkchecker", path=str(VENV_BIN)):
        runs.append(run_linkchecker(workdir, port, links, page, pages=pages, defaults=False))
        if args.linkchecker_defaults:
            runs.append(run_linkchecker(workdir, port, links, page, pages=pages, defaults=True))
    return runs


def median_runs(rounds: list[list[Run]]) -> list[Run]:
    by_name: dict[str, list[Run]] = {}
    for runs in rounds:
        for run in runs:
            by_name.setdefault(run.name, []).append(run)
    return [_median(name, runs) for name, runs in by_name.items()]


def _median(name: str, runs: list[Run]) -> Run:
    """The median of each figure; the worst count of right answers."""

    def pick(key: Callable[[Run], float]) -> float:
        return statistics.median(map(key, runs))

    return Run(
        name,
        pick(lambda run: run.wall),
        pick(lambda run: run.cpu),
        pick(lambda run: run.rss_mb),
        min(run.right for run in runs),
        runs[0].links,
        runs[0].pages,
        "runs: " + ", ".join(f"{run.wall:.2f}" for run in runs) + " s",
        {part: statistics.median(run.parts[part] for run in runs) for part in runs[0].parts},
    )


def report(kind: str, runs: list[Run], links: int, rounds: int) -> None:
    lychee = next((run for run in runs if run.name == "lychee"), None)
    print(
        f"\n== {kind} pages: {links} links on {len(HOSTS)} origins, 8 per host, 64 in all, "
        f"no retries; medians of {rounds}"
    )
    header = f"{'tool':<30}{'wall s':>8}{'CPU s':>8}{'ms/page':>9}{'RSS MB':>8}{'right':>12}"
    print(header + f"{'/ lychee':>10}   (each run)")
    for run in runs:
        ratio = run.wall / lychee.wall if lychee else float("nan")
        parts = " + ".join(f"{part} {seconds:.2f} s" for part, seconds in run.parts.items())
        note = f"{parts}; {run.note}" if parts else run.note
        print(
            f"{run.name:<30}{run.wall:>8.2f}{run.cpu:>8.2f}{1000 * run.cpu / run.pages:>9.2f}"
            f"{run.rss_mb:>8.1f}{f'{run.right}/{run.links}':>12}{ratio:>10.2f}   ({note})"
        )
    bound = latency_bound(links)
    in_order = greedy_floor(list(range(links)))
    slowest = greedy_floor(sorted(range(links), key=lambda n: -duration(n)))
    print(
        f"latency bound for 64 slots {bound:.2f} s; zero-overhead greedy floor {in_order:.2f} s "
        f"in link order, {slowest:.2f} s slowest first"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--links", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", default="small,real", help="comma-separated: small,real")
    parser.add_argument("--scale", type=int, default=20000, help="0 skips the memory run")
    parser.add_argument("--skip", default="", help="comma-separated: lychee,linkchecker")
    parser.add_argument("--linkchecker-defaults", action="store_true")
    parser.add_argument("--page-judging", default="processes", choices=["processes", "threads"])
    args = parser.parse_args()
    skip = {name.strip().lower() for name in args.skip.split(",") if name.strip()}
    for name in ("lychee", "linkchecker"):
        if name not in skip and not shutil.which(name, path=str(VENV_BIN)):
            print(f"{name} not installed (pip install '.[bench]'); skipped")
    results: dict[str, list[Run]] = {}
    scaled: tuple[Run, Run] | None = None
    with tempfile.TemporaryDirectory(prefix="ft-bench-") as tmp:
        for kind in [name.strip() for name in args.pages.split(",") if name.strip()]:
            web = Web(args.links, kind)  # any /l/N is served; the pages list the first N
            try:
                rounds = []
                for number in range(args.runs):
                    workdir = Path(tmp) / f"{kind}-{number}"
                    workdir.mkdir()
                    rounds.append(one_round(workdir, web.port, kind, args, skip))
                results[kind] = median_runs(rounds)
                if kind == "small" and args.scale:
                    workdir = Path(tmp) / "scale"
                    workdir.mkdir()
                    big, _ = run_fact_tracker(
                        workdir,
                        web.port,
                        args.scale,
                        "fact-tracker check",
                        args.page_judging,
                        pages=args.scale,
                    )
                    scaled = (results[kind][0], big)
            finally:
                web.stop()
    for kind, runs in results.items():
        report(kind, runs, args.links, args.runs)
    if scaled:
        small, big = scaled
        print(
            f"\nmemory: peak RSS {big.rss_mb:.1f} MB at {big.links} links, {small.rss_mb:.1f} MB "
            f"at {small.links}: ratio {big.rss_mb / small.rss_mb:.2f} "
            f"({big.wall:.2f} s, {big.right}/{big.links} right)"
        )


if __name__ == "__main__":
    main()
