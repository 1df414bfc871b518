"""Soft-404 detection: a 2xx that is really an error page or a bounce to the home page.

Three signals, any one suffices: a redirect that lands on the site root; a title or top
heading that says "not found"; and a response that resembles what the same host answers for
a random path that cannot exist (probed once per origin and cached).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from tracker.linkcheck.content import same_text

# "404" alone is not enough ("Story 404", "Route 404"): it must lead the text or sit next to
# an error word.
NOT_FOUND_WORDS = re.compile(
    r"^\W*404\b|\b404\W*(?:error|page|not)\b|\berror\W*404\b|"
    r"\b(?:not found|page not found|no longer (?:available|exists)|does ?n[o']t exist|"
    r"(?:cannot|can't|could not|couldn't) be found|nicht gefunden|no encontrad[ao]|"
    r"introuvable|non trovat[ao]|niet gevonden)\b",
    re.IGNORECASE,
)
PROBE_TTL_SECONDS = 3600.0


@dataclass(frozen=True)
class ProbeAnswer:
    """How a host answers a path that does not exist."""

    status: int | None
    final_url: str | None
    title: str
    fingerprint: str | None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def probe_url(origin: str) -> str:
    return f"{origin}/fact-tracker-probe-{secrets.token_hex(12)}"


def _is_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def signals(
    url: str,
    final_url: str,
    *,
    redirected: bool,
    title: str = "",
    headings: tuple[str, ...] = (),
) -> str | None:
    """The reason a 2xx response is an error page, from the response alone; None if none."""
    if redirected and _is_root(final_url) and not _is_root(url):
        return "redirected to the site's home page"
    for text in (title, *headings):
        if text and NOT_FOUND_WORDS.search(text):
            return f"the page says {text[:80]!r}"
    return None


def resembles_probe(
    url: str, final_url: str, fingerprint: str | None, probe: ProbeAnswer | None
) -> bool:
    """Whether the page looks like the host's answer to a path that cannot exist.

    A cited home page is never one: on hosts that answer every path with the home page, it
    resembles the probe by definition.
    """
    if _is_root(url) or probe is None or probe.status is None or not 200 <= probe.status < 300:
        return False
    if probe.final_url is not None and probe.final_url == final_url and not _is_root(final_url):
        return True
    if probe.final_url is not None and _is_root(probe.final_url) and _is_root(final_url):
        return True
    return same_text(fingerprint, probe.fingerprint)


class ProbeCache:
    """One probe per origin, shared by concurrent checks, remembered for a while."""

    def __init__(self, ttl: float = PROBE_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, asyncio.Future[ProbeAnswer | None]]] = {}

    async def get(
        self, origin: str, probe: Callable[[str], Awaitable[ProbeAnswer | None]]
    ) -> ProbeAnswer | None:
        now = time.monotonic()
        entry = self._entries.get(origin)
        loop = asyncio.get_running_loop()
        if entry is not None and entry[0] > now and entry[1].get_loop() is loop:
            return await asyncio.shield(entry[1])
        future: asyncio.Future[ProbeAnswer | None] = loop.create_future()
        self._entries[origin] = (now + self.ttl, future)
        try:
            answer = await probe(origin)
        except BaseException:
            # Waiters see "no probe answer"; the next check probes again.
            del self._entries[origin]
            future.set_result(None)
            raise
        future.set_result(answer)
        return answer

    def clear(self) -> None:
        self._entries.clear()
