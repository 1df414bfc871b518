"""Alert delivery throughput: the whole path (dispatch from the outbox, leases, an attempt row
before each POST, the signed POST, the answer recorded after) against the bare HTTP work, the
same bodies POSTed through the same HTTP layer at the same concurrency with no database, in
the same run, to one local receiver. A temporary SQLite file, or
FACT_TRACKER_BENCH_DATABASE_URL (an empty database).

Prints events per second for both and their ratio; no target is asserted here.

    python benchmarks/alerts.py            # BENCH_N=1000 events by default
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import migrate
from tracker.alerts.models import AlertChannel, AlertEvent, AlertSubscription
from tracker.alerts.sender import deliver
from tracker.db import Database, make_engine
from tracker.models import utcnow
from tracker.settings import load_settings

N = int(os.environ.get("BENCH_N", "1000"))
CONCURRENCY = 8  # what the sender uses (tracker.alerts.webhook.send_all)
PAYLOAD: dict[str, Any] = {
    "summary": "the source is dead: not_found: https://stats.example.org/labour/2026-03",
    "link": {
        "id": 1,
        "url": "https://stats.example.org/labour/2026-03",
        "state": "dead",
        "last_outcome": "not_found",
        "http_status": 404,
        "archive_url": None,
        "domain": "example.org",
    },
    "claims": [
        {
            "id": 7,
            "text": "Unemployment fell to 4.2% in March, with 1,250,000 people out of work.",
            "status": "accurate",
            "article_id": 3,
        }
    ],
    "claims_left_out": 0,
    "articles": [
        {"id": 3, "url": "https://news.example.com/jobs", "title": "Jobs", "domain": None}
    ],
    "reviewer": None,
    "note": "the source is dead: not_found",
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


def prepare(url: str, hook: str) -> Database:
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    database = Database(url)
    with database.transaction() as session:
        channel = AlertChannel(kind="webhook", target=hook, secret="bench-secret-0123456789")
        session.add(channel)
        session.flush()
        session.add(
            AlertSubscription(
                scope="all", event_kinds=["link.dead"], channel_id=channel.id, created_by="bench"
            )
        )
        now = utcnow()
        session.execute(
            insert(AlertEvent),
            [
                {
                    "uid": f"00000000-0000-4000-8000-{index:012d}",
                    "kind": "link.dead",
                    "occurred_at": now,
                    "subjects": {"articles": [3], "domains": ["example.org"], "reviewers": []},
                    "payload": PAYLOAD,
                }
                for index in range(N)
            ],
        )
    return database


def baseline(settings: Any, hook: str, body: bytes) -> float:
    from tracker.http import Fetcher

    async def run() -> None:
        slots = asyncio.Semaphore(CONCURRENCY)
        async with Fetcher(settings, max_connections=CONCURRENCY) as fetcher:

            async def one() -> None:
                async with slots:
                    await fetcher.fetch(
                        hook,
                        method="POST",
                        body=body,
                        headers={"Content-Type": "application/json"},
                        follow_redirects=False,
                    )

            await asyncio.gather(*(one() for _ in range(N)))

    start = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - start


def main() -> None:
    import json

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    settings = load_settings(allow_private_networks=True)
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("FACT_TRACKER_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
        database = prepare(url, hook)
        body = json.dumps({"id": "x" * 36, **PAYLOAD}).encode()
        bare = baseline(settings, hook, body)
        start = time.perf_counter()
        report = deliver(database, settings, "bench")
        ours = time.perf_counter() - start
        database.dispose()
    server.shutdown()
    assert report.delivered == N, report
    print(f"{N} events, {CONCURRENCY} POSTs at a time, one local receiver ({url.split(':')[0]})")
    print(f"{'':34}{'seconds':>10}{'events/s':>12}")
    print(f"{'bare POSTs (baseline)':34}{bare:10.2f}{N / bare:12.0f}")
    print(f"{'fact-tracker delivery':34}{ours:10.2f}{N / ours:12.0f}")
    print(f"ratio (delivery time / baseline): {ours / bare:.2f}")


if __name__ == "__main__":
    main()
