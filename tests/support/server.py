"""A real HTTP server on 127.0.0.1 for tests: routes, delays, endless bodies, hit counts.

Each server listens on its own port, so several servers act as several hosts.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    client_port: int = 0  # the same port for two requests: one kept-alive connection
    body: bytes = b""


@dataclass
class Reply:
    """What the server answers. ``body`` may be an iterable of chunks (sent until exhausted,
    chunk-encoded when ``headers`` has ``Transfer-Encoding: chunked``)."""

    status: int = 200
    body: bytes | str | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "text/html; charset=utf-8"
    delay: float = 0.0
    chunk_delay: float = 0.0


Route = Reply | Callable[[Request], Reply]


def html(title: str, body: str, status: int = 200, **kwargs: Any) -> Reply:
    page = f"<!doctype html><html><head><title>{title}</title></head><body>{body}</body></html>"
    return Reply(status=status, body=page, **kwargs)


def redirect(location: str, status: int = 301) -> Reply:
    return Reply(status=status, headers={"Location": location}, content_type=None)


class _Server(ThreadingHTTPServer):
    # Checkers connect by the dozen at once; the default backlog of 5 drops the excess SYNs
    # and each dropped one costs a second-long retransmit.
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up or refuses our certificate is not the server's error."""


class LocalServer:
    """``tls``: serve HTTPS with this context (the TLS handshake happens on accept)."""

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, Route] = {}
        self.fallback: Route = Reply(404, "<html><title>Not found</title>Not found</html>")
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests this host had in flight at once
        self.arrivals: list[float] = []  # time.monotonic() of each request's arrival
        self._lock = threading.Lock()
        self._server = _Server((host, 0), self._handler_class())
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.host = host
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def route(self, path: str, reply: Route) -> str:
        self.routes[path] = reply
        return self.url(path)

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, request: Request) -> Route:
        with self._lock:
            self.hits[request.path] += 1
            self.requests.append(request)
            self.arrivals.append(time.monotonic())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        return self.routes.get(request.path, self.fallback)

    def _answered(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def max_per_second(self) -> int:
        """The most requests that arrived within any one second (a sliding window)."""
        times = sorted(self.arrivals)
        most = start = 0
        for end, arrived in enumerate(times):
            while arrived - times[start] >= 1.0:
                start += 1
            most = max(most, end - start + 1)
        return most

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command,
                    self.path,
                    dict(self.headers.items()),
                    self.client_address[1],
                    self.rfile.read(length) if length else b"",
                )
                route = server._record(request)
                try:
                    reply = route(request) if callable(route) else route
                    if reply.delay:
                        time.sleep(reply.delay)
                finally:
                    # Before the answer leaves: the client cannot free the slot sooner.
                    server._answered()
                self._answer(reply)

            def _answer(self, reply: Reply) -> None:
                body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                if reply.content_type:
                    self.send_header("Content-Type", reply.content_type)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                try:
                    if isinstance(body, bytes):
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        if self.command != "HEAD":
                            self.wfile.write(body)
                        return
                    if reply.headers.get("Transfer-Encoding") == "chunked":
                        self.end_headers()
                        if self.command != "HEAD":
                            for chunk in body:
                                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            self.wfile.write(b"0\r\n\r\n")
                        return
                    # Streamed body: delimited by closing the connection.
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    if self.command == "HEAD":
                        return
                    for chunk in body:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        if reply.chunk_delay:
                            time.sleep(reply.chunk_delay)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_GET = do_HEAD = do_POST = _serve  # noqa: N815

        return Handler


def endless(chunk: bytes = b"x" * 65536) -> Iterator[bytes]:
    while True:
        yield chunk
