"""The archived copy of a failing link: every configured archive asked, the closest copy kept.

Sources: the Wayback-style availability API (``archive_url``) and each Memento archive
(``memento_archives``). All are asked at once; the copy closest to the citing article's date
wins (the version its author saw). When every source failed, :class:`ArchiveUnavailable` says
so and the caller records no look-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import datetime

from tracker.archives.limits import limit_for
from tracker.archives.memento import ArchiveDown, Memento, find_memento
from tracker.http import Fetcher
from tracker.linkcheck.archive import ArchiveUnavailable, Snapshot, find_snapshot
from tracker.settings import Settings

log = logging.getLogger(__name__)
AVAILABILITY = "availability"


def archives_configured(settings: Settings) -> bool:
    return bool(settings.archive_url or settings.memento_archives)


async def find_copy(
    fetcher: Fetcher, settings: Settings, url: str, near: datetime | None
) -> Snapshot | None:
    """The copy of ``url`` closest to ``near`` among every archive; None when none has one."""
    asks: list[Awaitable[Snapshot | Memento | None]] = []
    if settings.archive_url:
        asks.append(_availability(fetcher, settings, url, near))
    asks += [
        find_memento(fetcher, settings, archive, url, near) for archive in settings.memento_archives
    ]
    if not asks:
        return None
    answers = await asyncio.gather(*asks, return_exceptions=True)
    copies: list[Snapshot] = []
    failed = 0
    for answer in answers:
        if isinstance(answer, ArchiveDown | ArchiveUnavailable):
            log.info("%s", answer)
            failed += 1
        elif isinstance(answer, BaseException):
            raise answer
        elif isinstance(answer, Memento):
            copies.append(Snapshot(answer.url, answer.when, answer.archive))
        elif answer is not None:
            copies.append(answer)
    if not copies and failed == len(asks):
        raise ArchiveUnavailable(f"no archive answered for {url}")
    return _closest(copies, near)


async def _availability(
    fetcher: Fetcher, settings: Settings, url: str, near: datetime | None
) -> Snapshot | None:
    await limit_for(AVAILABILITY, settings.archive_requests_per_second).wait()
    return await find_snapshot(fetcher, settings, url, near)


def _closest(copies: list[Snapshot], near: datetime | None) -> Snapshot | None:
    """Dated copies before undated ones; the closest to ``near`` (else the latest) first."""
    if not copies:
        return None
    dated = [copy for copy in copies if copy.timestamp is not None]
    if not dated:
        return copies[0]
    if near is None:
        return max(dated, key=lambda copy: copy.timestamp)  # type: ignore[arg-type,return-value]
    return min(dated, key=lambda copy: abs(copy.timestamp - near))  # type: ignore[operator]
