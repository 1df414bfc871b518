"""The web workspace under load, served by `fact-tracker serve` (waitress) in its own process.

For each backend (a temporary SQLite file; PostgreSQL when FACT_TRACKER_BENCH_POSTGRES_URL or
FACT_TRACKER_TEST_POSTGRES_URL names a server, on a throw-away database):

1. 10,000 claims: 100 articles of 100 claims (25 paragraphs of 4 sentences), 20 cited links
   each, every claim tied to one.
2. Page latency: BENCH_PAGES requests (default 300) each to random article pages (a claim of
   theirs selected: the text, its 100 marked claims, the claim's sources and verdict form and
   history) and claim pages, one logged-in client; p50 and p95, and their ratio to the
   baseline measured in the same run, a static file served by the same server (the HTTP and
   framework floor).
3. 50 reviewers at once (BENCH_REVIEWERS) for BENCH_SECONDS (default 60), through the JSON API:
   read a claim of a hot set of 200, record a verdict at the version read. Every answer must be
   200 (recorded) or 409 (someone was first); afterwards every 200 must be in the claim's
   history exactly once and nothing else recorded: none lost, none invented.

Targets (issue 14): article and claim pages p95 <= 50 ms; no 5xx; none lost. Prints figures,
and exits 1 if a target is missed.

    python benchmarks/web.py                  # both backends when PostgreSQL is configured
    BENCH_SECONDS=10 python benchmarks/web.py # a quick look
"""

from __future__ import annotations

import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _postgres import server_url, throwaway_database

from tracker import migrate
from tracker.accounts.services import issue_token, set_password
from tracker.actors import Actor
from tracker.db import Database, make_engine
from tracker.enums import ClaimKind, ClaimStatus, LinkState
from tracker.models import Article, Citation, Claim, ClaimEvent, ClaimSource, Link, utcnow
from tracker.review.services import add_reviewer

ARTICLES = 100
CLAIMS_PER_ARTICLE = 100
LINKS_PER_ARTICLE = 20
PAGES = int(os.environ.get("BENCH_PAGES", "300"))
REVIEWERS = int(os.environ.get("BENCH_REVIEWERS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
HOT_CLAIMS = 200
PASSWORD = "benchmark password"
P95_TARGET_MS = 50.0
FIGURE = re.compile(r'name="csrf_token" value="([^"]+)"')


def sentence(article: int, index: int) -> str:
    return (
        f"In {2000 + index % 25}, agency {article}-{index} reported that {index % 97}% of "
        f"households in region {index} saw prices rise by {index % 13 + 1} points."
    )


def populate(database: Database) -> None:
    now = utcnow()
    articles, claims, citations, links, sources = [], [], [], [], []
    for a in range(1, ARTICLES + 1):
        sentences = [sentence(a, j) for j in range(CLAIMS_PER_ARTICLE)]
        paragraphs, offsets, position = [], [], 0
        for p in range(0, CLAIMS_PER_ARTICLE, 4):
            block = sentences[p : p + 4]
            for s in block:
                offsets.append(position)
                position += len(s) + 1
            paragraphs.append(" ".join(block))
            position += 1  # "\n\n" joins paragraphs: one more than the space counted
        body = "\n\n".join(paragraphs)
        articles.append(
            {
                "id": a,
                "title": f"Article {a}",
                "url": f"https://news.example.org/{a}",
                "text": body,
                "authors": [],
                "created_at": now,
                "updated_at": now,
            }
        )
        for k in range(LINKS_PER_ARTICLE):
            link_id = (a - 1) * LINKS_PER_ARTICLE + k + 1
            claim_index = k * (CLAIMS_PER_ARTICLE // LINKS_PER_ARTICLE)
            links.append(
                {
                    "id": link_id,
                    "url": f"https://source{k}.example.org/{a}/{k}",
                    "state": LinkState.ALIVE if k % 5 else LinkState.DEAD,
                    "next_check_at": now,
                    "consecutive_failures": 0,
                }
            )
            citations.append(
                {
                    "id": link_id,
                    "article_id": a,
                    "link_id": link_id,
                    "raw_url": None,
                    "anchor_text": f"source {k}",
                    "sentence": sentences[claim_index],
                    "position": offsets[claim_index] + 5,
                    "created_at": now,
                }
            )
        for j, claim_text in enumerate(sentences):
            claim_id = (a - 1) * CLAIMS_PER_ARTICLE + j + 1
            link_id = (
                (a - 1) * LINKS_PER_ARTICLE + j // (CLAIMS_PER_ARTICLE // LINKS_PER_ARTICLE) + 1
            )
            claims.append(
                {
                    "id": claim_id,
                    "article_id": a,
                    "text": claim_text,
                    "kind": ClaimKind.STATISTIC,
                    "figures": [],
                    "score": 0.9,
                    "position": offsets[j],
                    "status": ClaimStatus.UNVERIFIED,
                    "needs_rereview": False,
                    "version": 1,
                    "created_by": "system:extractor",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            sources.append(
                {
                    "id": claim_id,
                    "claim_id": claim_id,
                    "link_id": link_id,
                    "citation_id": link_id,
                    "evidence": f"{j % 97}%",
                    "evidence_state": "found" if j % 3 else "missing",
                    "evidence_passage": f"... {j % 97}% of households ...",
                    "created_at": now,
                }
            )
    with database.transaction() as session:
        for model, rows in (
            (Article, articles),
            (Link, links),
            (Citation, citations),
            (Claim, claims),
            (ClaimSource, sources),
        ):
            session.execute(insert(model), rows)
        if session.get_bind().dialect.name == "postgresql":
            for table in ("articles", "links", "citations", "claims", "claim_sources"):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )


@dataclass
class Load:
    outcomes: Counter[int] = field(default_factory=Counter)
    recorded: list[tuple[int, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, port: int, workdir: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        FACT_TRACKER_DATABASE_URL=url,
        FACT_TRACKER_WEB_SESSION_KEY=secrets.token_hex(16),
        FACT_TRACKER_CONFIG=str(Path(workdir) / "none.toml"),
    )
    log = (Path(workdir) / "server.log").open("wb")  # a pipe nobody reads would stall it
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", "--port", str(port), "--threads", "16"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    log.close()  # the server has its own copy
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=1)
        except httpx.TransportError:
            time.sleep(0.2)
        else:
            return server
    server.kill()
    raise SystemExit("the server did not start: " + (Path(workdir) / "server.log").read_text())


def timed(client: httpx.Client, path: str) -> float:
    start = time.perf_counter()
    answer = client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"GET {path} answered {answer.status_code}")
    return elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def page_latency(origin: str, rng: random.Random) -> dict[str, list[float]]:
    client = httpx.Client(base_url=origin, timeout=30)
    token = FIGURE.search(client.get("/login").text)
    assert token is not None
    answer = client.post(
        "/login", data={"name": "bench-0", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert answer.status_code == 302, answer.text
    for _ in range(20):  # warm up: imports, templates, connection pool
        timed(client, f"/articles/{rng.randint(1, ARTICLES)}")
        timed(client, f"/claims/{rng.randint(1, ARTICLES * CLAIMS_PER_ARTICLE)}")
        timed(client, "/static/workspace.js")
    found: dict[str, list[float]] = {"baseline": [], "article": [], "claim": []}
    for _ in range(PAGES):
        found["baseline"].append(timed(client, "/static/workspace.js"))
        article = rng.randint(1, ARTICLES)
        selected = (article - 1) * CLAIMS_PER_ARTICLE + rng.randint(1, CLAIMS_PER_ARTICLE)
        found["article"].append(timed(client, f"/articles/{article}?claim={selected}"))
        found["claim"].append(
            timed(client, f"/claims/{rng.randint(1, ARTICLES * CLAIMS_PER_ARTICLE)}")
        )
    client.close()
    return found


def reviewer(  # noqa: PLR0917 - one thread's whole brief
    origin: str, token: str, name: str, seed: int, stop: float, load: Load
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    statuses = ["accurate", "false", "mixed", "misleading", "mostly_accurate"]
    with httpx.Client(base_url=origin, timeout=60, headers=headers) as client:
        n = 0
        while time.monotonic() < stop:
            claim_id = rng.randint(1, HOT_CLAIMS)
            try:
                read = client.get(f"/api/claims/{claim_id}")
                if read.status_code != 200:
                    with load.lock:
                        load.outcomes[read.status_code] += 1
                        load.errors.append(f"GET {claim_id}: {read.status_code} {read.text[:200]}")
                    continue
                version = read.json()["claim"]["version"]
                note = f"{name} #{n}: {uuid.uuid4().hex}"
                n += 1
                answer = client.post(
                    f"/api/claims/{claim_id}/verdict",
                    json={"status": rng.choice(statuses), "note": note, "version": version},
                )
            except httpx.HTTPError as exc:
                with load.lock:
                    load.errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with load.lock:
                load.outcomes[answer.status_code] += 1
                if answer.status_code == 200:
                    load.recorded.append((claim_id, note))
                elif answer.status_code != 409:
                    load.errors.append(f"POST {claim_id}: {answer.status_code} {answer.text[:200]}")


def concurrent_verdicts(origin: str, tokens: list[str]) -> Load:
    load = Load()
    stop = time.monotonic() + SECONDS
    threads = [
        threading.Thread(
            target=reviewer, args=(origin, token, f"bench-{i}", i, stop, load), daemon=True
        )
        for i, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load


def verify(database: Database, load: Load) -> tuple[int, int, int]:
    """(recorded and found once, lost, invented)."""
    with database.reading() as session:
        rows = session.execute(
            select(ClaimEvent.claim_id, ClaimEvent.note).where(ClaimEvent.actor.like("bench-%"))
        ).all()
        versions = dict(session.execute(select(Claim.id, Claim.version)).all())
        events = dict(
            session.execute(
                select(ClaimEvent.claim_id, func.count()).group_by(ClaimEvent.claim_id)
            ).all()
        )
    stored = Counter((claim_id, note) for claim_id, note in rows)
    expected = Counter(load.recorded)
    lost = sum((expected - stored).values())
    invented = sum((stored - expected).values())
    for claim_id, count in events.items():  # each event is one version step, no gaps
        if versions[claim_id] != 1 + count:
            invented += 1
    return sum((expected & stored).values()), lost, invented


def run_backend(label: str, url: str) -> bool:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    database = Database(url)
    started = time.perf_counter()
    populate(database)
    tokens = []
    for i in range(REVIEWERS):
        add_reviewer(database, Actor.reviewer("bench-0"), f"bench-{i}", role="reviewer")
        tokens.append(issue_token(database, Actor.reviewer(f"bench-{i}"), f"bench-{i}").token)
    set_password(database, Actor.reviewer("bench-0"), "bench-0", PASSWORD)
    print(
        f"\n== {label}: {ARTICLES * CLAIMS_PER_ARTICLE:,} claims in {ARTICLES} articles "
        f"(loaded in {time.perf_counter() - started:.1f} s)"
    )
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        server = start_server(url, port, workdir)
        origin = f"http://127.0.0.1:{port}"
        try:
            pages = page_latency(origin, random.Random(1))
            base = p95(pages["baseline"])
            print(f"{'page':<28}{'p50 ms':>9}{'p95 ms':>9}{'p95 / baseline':>16}")
            for name, label_ in (
                ("baseline", "static file (baseline)"),
                ("article", "article page"),
                ("claim", "claim page"),
            ):
                values = pages[name]
                print(
                    f"{label_:<28}{statistics.median(values):9.1f}{p95(values):9.1f}"
                    f"{p95(values) / base:15.1f}x"
                )
            load = concurrent_verdicts(origin, tokens)
        finally:
            server.terminate()
            server.wait(timeout=30)
            log = (Path(workdir) / "server.log").read_text(errors="replace").splitlines()
        if load.errors:
            print("  server log, last lines:", *log[-8:], sep="\n    ")
    found, lost, invented = verify(database, load)
    database.dispose()
    writes = load.outcomes[200] + load.outcomes[409]
    server_errors = sum(count for status, count in load.outcomes.items() if status >= 500)
    print(
        f"{REVIEWERS} reviewers for {SECONDS:.0f} s on {HOT_CLAIMS} claims: "
        f"{writes:,} verdicts answered ({writes / SECONDS:.0f}/s): "
        f"{load.outcomes[200]:,} recorded, {load.outcomes[409]:,} refused as stale (409)"
    )
    others = {s: c for s, c in load.outcomes.items() if s not in (200, 409)}
    print(f"  other answers: {others or 'none'}; client errors: {len(load.errors)}")
    print(
        f"  history check: {found:,} recorded verdicts found once each, {lost} lost, "
        f"{invented} invented"
    )
    for error in load.errors[:5]:
        print(f"  ! {error}")
    ok = (
        p95(pages["article"]) <= P95_TARGET_MS
        and p95(pages["claim"]) <= P95_TARGET_MS
        and server_errors == 0
        and not load.errors
        and lost == 0
        and invented == 0
    )
    print(
        f"  targets (p95 <= {P95_TARGET_MS:.0f} ms, no 5xx, none lost): {'met' if ok else 'MISSED'}"
    )
    return ok


def main() -> None:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run_backend("SQLite", f"sqlite:///{tmp}/web-bench.sqlite3"))
    server = server_url()
    if server is None:
        print("\n(PostgreSQL skipped: set FACT_TRACKER_BENCH_POSTGRES_URL to a server URL)")
    else:
        with throwaway_database(server, "ft_bench_web") as url:
            results.append(run_backend("PostgreSQL", url))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
