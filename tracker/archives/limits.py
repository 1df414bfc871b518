"""A request rate per archive, shared by every look-up and save of this process.

Time-slot based (no asyncio primitive bound to one event loop): each caller takes the next
free slot under a thread lock and sleeps until it, so checks in several batches, threads or
event loops never exceed ``archive_requests_per_second`` on one archive.
"""

from __future__ import annotations

import asyncio
import threading
import time

_LIMITS: dict[str, RateLimit] = {}
_GUARD = threading.Lock()


class RateLimit:
    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self._next = 0.0
        self._lock = threading.Lock()

    async def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)


def limit_for(archive: str, per_second: float) -> RateLimit:
    """The one rate limit of ``archive`` (a name) in this process."""
    with _GUARD:
        limit = _LIMITS.get(archive)
        if limit is None or abs(limit.interval - 1.0 / per_second) > 1e-9:
            limit = _LIMITS[archive] = RateLimit(per_second)
        return limit
