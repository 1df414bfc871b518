"""Memento (RFC 7089): the archived copy of a URL closest to a date, from TimeMaps and TimeGates.

A TimeMap (``application/link-format``, RFC 6690) lists an archive's mementos of a URL with
their ``datetime``; we choose the closest to the citing article's date ourselves. When an
archive has no TimeMap (or it fails), its TimeGate is asked with ``Accept-Datetime`` and the
memento it redirects to carries ``Memento-Datetime``. Link values are parsed by ``ietfparse``
(RFC 8288), not by us. Every request goes through the guarded fetcher, under the archive's rate
limit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from ietfparse import errors as link_errors
from ietfparse import headers as link_headers

from tracker.archives.limits import limit_for
from tracker.http import Fetcher, FetchFailure
from tracker.settings import MementoArchive, Settings
from tracker.urls import try_normalize_url

log = logging.getLogger(__name__)
MAX_TIMEMAP_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Memento:
    url: str
    when: datetime
    archive: str


class ArchiveDown(Exception):
    """The archive did not answer usefully: nothing learned."""


def parse_timemap(body: str, archive: str) -> list[Memento]:
    """The mementos of a TimeMap in link format (entries whose rel includes ``memento``)."""
    try:
        links = link_headers.parse_link(" ".join(body.split()), strict=False)
    except (link_errors.RootException, ValueError) as exc:
        raise ArchiveDown(f"{archive}: unreadable TimeMap ({exc})") from None
    found = []
    for link in links:
        parameters = dict(link.parameters)
        if "memento" not in parameters.get("rel", "").split():
            continue
        when = _http_date(parameters.get("datetime", ""))
        url = try_normalize_url(link.target)
        if when is not None and url is not None:
            found.append(Memento(url, when, archive))
    return found


def closest(mementos: list[Memento], near: datetime | None) -> Memento | None:
    """The memento closest to ``near`` (the latest when no date is known); earlier on ties."""
    if not mementos:
        return None
    if near is None:
        return max(mementos, key=lambda memento: memento.when)
    return min(mementos, key=lambda memento: (abs(memento.when - near), memento.when))


async def find_memento(
    fetcher: Fetcher, settings: Settings, archive: MementoArchive, url: str, near: datetime | None
) -> Memento | None:
    """``archive``'s copy of ``url`` closest to ``near``; None when it has none."""
    limit = limit_for(archive.name, settings.archive_requests_per_second)
    if archive.timemap:
        await limit.wait()
        try:
            answer = await fetcher.fetch(archive.timemap + url, max_bytes=MAX_TIMEMAP_BYTES)
        except FetchFailure as failure:
            if not archive.timegate:
                raise ArchiveDown(f"{archive.name}: {failure}") from None
        else:
            if answer.status == 404:
                return None
            if answer.status == 200:
                return closest(parse_timemap(answer.text(), archive.name), near)
            if not archive.timegate:
                raise ArchiveDown(f"{archive.name}: TimeMap answered HTTP {answer.status}")
    if not archive.timegate:
        return None
    await limit.wait()
    headers = {"Accept-Datetime": format_datetime((near or datetime.now(UTC)), usegmt=True)}
    try:
        answer = await fetcher.fetch(archive.timegate + url, headers=headers, read_body=False)
    except FetchFailure as failure:
        raise ArchiveDown(f"{archive.name}: {failure}") from None
    if answer.status == 404:
        return None
    when = _http_date(answer.headers.get("memento-datetime", ""))
    if not (200 <= answer.status < 300) or when is None:
        raise ArchiveDown(f"{archive.name}: TimeGate answered HTTP {answer.status}")
    return Memento(answer.final_url, when, archive.name)


def _http_date(value: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
