"""Archived copies through a Wayback-compatible availability API (one source of several:
:mod:`tracker.archives.lookup` asks it beside the Memento archives).

``GET {archive_url}?url=U&timestamp=YYYYMMDDhhmmss`` answers
``{"archived_snapshots": {"closest": {"available": true, "url": ..., "timestamp": ...,
"status": "200"}}}``; passing the citing article's date makes "closest" the version the author
saw. The requests go through the shared, SSRF-guarded HTTP layer like every other fetch.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from tracker.http import Fetcher, FetchFailure
from tracker.settings import Settings
from tracker.urls import try_normalize_url

log = logging.getLogger(__name__)
MAX_ANSWER_BYTES = 256 * 1024
TIMESTAMP_FORMAT = "%Y%m%d%H%M%S"


@dataclass(frozen=True)
class Snapshot:
    url: str
    timestamp: datetime | None
    archive: str = "availability"
    """Which archive holds it: "availability" (archive_url) or a Memento archive's name."""


def availability_query(settings: Settings, url: str, near: datetime | None) -> str:
    params = {"url": url}
    if near is not None:
        params["timestamp"] = near.astimezone(UTC).strftime(TIMESTAMP_FORMAT)
    separator = "&" if "?" in settings.archive_url else "?"
    return f"{settings.archive_url}{separator}{urlencode(params)}"


class ArchiveUnavailable(Exception):
    """The availability API did not answer: try again later, nothing learned."""


async def find_snapshot(
    fetcher: Fetcher, settings: Settings, url: str, near: datetime | None
) -> Snapshot | None:
    """The archived copy closest to ``near``; None when there is none.

    Raises :class:`ArchiveUnavailable` when the API cannot be reached or answers an error,
    so the caller does not record "looked up" for a lookup that did not happen.
    """
    try:
        answer = await fetcher.fetch(
            availability_query(settings, url, near), max_bytes=MAX_ANSWER_BYTES
        )
    except FetchFailure as failure:
        raise ArchiveUnavailable(f"archive lookup for {url} failed: {failure}") from None
    if answer.status != 200:
        raise ArchiveUnavailable(f"archive lookup for {url} answered HTTP {answer.status}")
    return parse_availability(answer.body)


def parse_availability(body: bytes) -> Snapshot | None:
    """The closest available snapshot in an availability API answer."""
    try:
        data = json.loads(body)
        closest = data["archived_snapshots"]["closest"]
    except (ValueError, KeyError, TypeError):
        return None  # {"archived_snapshots": {}} is how the API says "nothing archived"
    if not isinstance(closest, dict) or not closest.get("available"):
        return None
    if not str(closest.get("status", "200")).startswith("2"):
        return None
    snapshot_url = try_normalize_url(str(closest.get("url", "")))
    if snapshot_url is None:
        return None
    return Snapshot(snapshot_url, _parse_timestamp(str(closest.get("timestamp", ""))))


def _parse_timestamp(value: str) -> datetime | None:
    try:
        return datetime.strptime(value[:14], TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
