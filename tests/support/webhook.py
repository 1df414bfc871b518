"""A local webhook receiver for alert tests: records every POST and checks its signature the
way a receiver should (:func:`tracker.alerts.webhook.verify`)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tracker.alerts.webhook import verify


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signed: bool

    @property
    def json(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded

    @property
    def event_id(self) -> str:
        return self.headers.get("X-Fact-Tracker-Event", "")


class WebhookReceiver:
    """Answers ``statuses`` in turn (the last one repeats); ``hold`` makes it wait, after the
    body has arrived, until the event is set (a sender can be killed meanwhile)."""

    def __init__(self, secret: str = "", statuses: tuple[int, ...] = (200,)) -> None:
        self.secret = secret
        self.statuses = list(statuses)
        self.received: list[Received] = []
        self.arrived = threading.Event()
        self.hold: threading.Event | None = None
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = dict(self.headers.items())
                with receiver._lock:
                    signed = verify(receiver.secret, headers, body)
                    receiver.received.append(Received(self.path, headers, body, signed))
                    status = receiver.statuses[0]
                    if len(receiver.statuses) > 1:
                        receiver.statuses.pop(0)
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                answer = b"ok" if status < 300 else b"nope"
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    self.close_connection = True

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.hold is not None:
            self.hold.set()
        self._server.shutdown()
        self._server.server_close()
