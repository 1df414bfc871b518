"""A raw-socket HTTP server on 127.0.0.1: answers each path with exact bytes or a script.

:class:`LocalServer` speaks correct HTTP; this one speaks whatever a test tells it to, byte for
byte, so the client meets malformed framing, hostile status lines, slow heads and endless
streams exactly as an attacker would send them. Connections are kept open between requests
when the answer says so (``keep_alive``), to show what a reused connection would read.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

Script = Callable[[socket.socket, "RawRequest"], None]
"""Writes (slowly, endlessly, or not at all) to the client's socket."""


@dataclass(frozen=True)
class RawRequest:
    method: str
    path: str
    head: bytes
    client_port: int


@dataclass(frozen=True)
class Answer:
    """Bytes sent as the answer (``{origin}`` replaced), or a script that writes them."""

    data: bytes = b""
    script: Script | None = None
    keep_alive: bool = False
    """Read the next request on the same connection after answering."""


Route = Answer | Callable[[RawRequest], Answer]


class RawServer:
    """One listening port; ``route(path, answer)``; counts requests and connections."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.fallback = Answer(b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")
        self.hits: Counter[str] = Counter()
        self.requests: list[RawRequest] = []
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(256)
        self.port = int(self._listener.getsockname()[1])
        self._stopping = threading.Event()
        self._clients: set[socket.socket] = set()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._clients)

    def route(self, path: str, answer: Route) -> str:
        self.routes[path] = answer
        return self.url(path)

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()
        self._thread.join(5)

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._clients.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        port = client.getpeername()[1]
        buffer = b""
        try:
            while not self._stopping.is_set():
                while b"\r\n\r\n" not in buffer:
                    data = client.recv(65536)
                    if not data:
                        return
                    buffer += data
                head, buffer = buffer.split(b"\r\n\r\n", 1)
                method, path = ([*head.split(b"\r\n", 1)[0].split(b" "), b"", b""])[:2]
                request = RawRequest(method.decode("latin-1"), path.decode("latin-1"), head, port)
                with self._lock:
                    self.hits[request.path] += 1
                    self.requests.append(request)
                    route = self.routes.get(request.path, self.fallback)
                answer = route(request) if callable(route) else route
                if answer.script is not None:
                    answer.script(client, request)
                else:
                    client.sendall(answer.data.replace(b"{origin}", self.origin.encode()))
                if not answer.keep_alive:
                    return
        except OSError:
            return  # the client hung up: that is its right
        finally:
            with self._lock:
                self._clients.discard(client)
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_WR)
            client.close()
