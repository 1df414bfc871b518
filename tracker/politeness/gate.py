"""Every request this process makes to a host, held to the host's limits; pauses noticed.

The gate counts requests in flight per host and spaces their starts by the host's rate
(each start reserves the next slot in time), and refuses nothing: a request waits its turn.
A held host's limits hold across workers because only the holder asks it (see
:mod:`tracker.politeness.hosts`), and its first request waits for the ``next_allowed_at`` the
previous holder left. :class:`PoliteFetcher` puts every fetch of a check through the gate
(HEAD, GET, retries, soft-404 probes), and turns a 429, a 503 or a ``Retry-After`` into a
pause of the host, reported to the engine, which records it for every worker.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from tracker.http import Fetcher, FetchResult
from tracker.linkcheck.retry import parse_retry_after
from tracker.politeness.hosts import host_key
from tracker.politeness.limits import HostLimits, Politeness
from tracker.settings import Settings

RATE_MARGIN = 1.02
"""Starts are spaced 2% wider than the rate: network jitter must not turn spacing into a burst."""
PAUSING_STATUSES = frozenset({429, 503})

PauseListener = Callable[[str, float, str], None]


@dataclass
class _Host:
    limits: HostLimits
    active: int = 0
    next_start: float = 0.0
    paused_until: float = 0.0
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class HostGate:
    """Per-host concurrency, rate and pauses for one process (one event loop)."""

    def __init__(
        self,
        politeness: Politeness,
        on_pause: PauseListener | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.politeness = politeness
        self.on_pause = on_pause
        self.clock = clock
        self._hosts: dict[str, _Host] = {}

    def _host(self, key: str) -> _Host:
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _Host(self.politeness.limits_for(key))
        return host

    def limits(self, key: str) -> HostLimits:
        return self._host(key).limits

    def hold_back(self, key: str, seconds: float) -> None:
        """No request to ``key`` before ``seconds`` from now (what the previous holder left)."""
        host = self._host(key)
        host.next_start = max(host.next_start, self.clock() + seconds)

    def ready_in(self, key: str) -> float:
        """Seconds before a request to ``key`` may start (rate and pause; 0: now)."""
        host = self._host(key)
        return max(0.0, host.next_start - self.clock(), host.paused_until - self.clock())

    def paused_for(self, key: str) -> float:
        return max(0.0, self._host(key).paused_until - self.clock())

    def next_allowed_in(self, key: str) -> float:
        """Seconds before the host's next request may start: what a released host keeps."""
        return max(0.0, self._host(key).next_start - self.clock())

    def in_flight(self, key: str) -> int:
        return self._host(key).active

    def pause(self, key: str, seconds: float, reason: str) -> bool:
        """Pause ``key`` for ``seconds``; True (and the listener told) when that extends it."""
        host = self._host(key)
        until = self.clock() + seconds
        if until <= host.paused_until:
            return False
        host.paused_until = until
        if self.on_pause is not None:
            self.on_pause(key, seconds, reason)
        return True

    @asynccontextmanager
    async def request(self, key: str) -> AsyncIterator[None]:
        """Hold one of ``key``'s request slots, started no sooner than its rate allows."""
        host = self._host(key)
        while True:
            wait = self.ready_in(key)
            if host.active < host.limits.concurrency and wait <= 0:
                break
            host.changed.clear()
            try:
                async with asyncio.timeout(wait if wait > 0 else None):
                    await host.changed.wait()
            except TimeoutError:
                pass
        host.active += 1
        host.next_start = self.clock() + host.limits.interval * RATE_MARGIN
        try:
            yield
        finally:
            host.active -= 1
            host.changed.set()


def pause_asked(
    status: int, headers: Mapping[str, str], politeness: Politeness
) -> tuple[float, str] | None:
    """How long an answer asks its host to be left alone, and why; None if it does not.

    A 429 or 503 pauses the host (for its ``Retry-After``, else ``host_pause_seconds``); any
    other error answer carrying a ``Retry-After`` pauses it for that long. Capped at
    ``max_host_pause_seconds`` so one header cannot park a host for a year.
    """
    asked = parse_retry_after(headers.get("retry-after"))
    if status in PAUSING_STATUSES:
        seconds = asked if asked is not None else politeness.pause_seconds
    elif status >= 400 and asked is not None:
        seconds = asked
    else:
        return None
    reason = f"HTTP {status}" + (" Retry-After" if asked is not None else "")
    return min(seconds, politeness.max_pause_seconds), reason


class PoliteFetcher(Fetcher):
    """A :class:`Fetcher` whose every request passes the gate of its host."""

    def __init__(self, settings: Settings, gate: HostGate, **kwargs: Any) -> None:
        super().__init__(settings, **kwargs)
        self.gate = gate

    async def fetch(self, url: str, **kwargs: Any) -> FetchResult:
        key = host_key(url)
        async with self.gate.request(key):
            response = await super().fetch(url, **kwargs)
        asked = pause_asked(response.status, response.headers, self.gate.politeness)
        if asked is not None:
            self.gate.pause(host_key(response.final_url or url), *asked)
        return response
