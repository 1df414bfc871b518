"""Asking archives to save a page: Save Page Now 2 (polled until its job ends) and Perma.cc.

SPN2: ``POST {spn2_url}`` with ``url=...`` and ``Authorization: LOW access:secret`` answers a
``job_id``; ``GET {spn2_url}/status/{job_id}`` says ``pending``, ``success`` (with the
``timestamp`` of the new capture) or ``error``. Without keys, the plain ``archive_save_url``
is asked instead. Perma.cc: ``POST {perma_api_url}archives/`` with ``Authorization: ApiKey
KEY`` and ``{"url": ..., "folder": ...}`` answers the new record's ``guid``. Every request goes
through the guarded fetcher under the archive's rate limit; a failed save is logged, never
fatal.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from tracker.archives.limits import limit_for
from tracker.http import Fetcher, FetchFailure
from tracker.settings import Settings

log = logging.getLogger(__name__)
POLL_SECONDS = 5.0
MAX_ANSWER_BYTES = 256 * 1024


@dataclass(frozen=True)
class Saved:
    archive: str
    status: str
    """``success``, ``error``, ``pending`` (still running when we stopped polling), ``sent``."""
    url: str | None = None
    detail: str = ""


async def request_saves(
    fetcher: Fetcher, settings: Settings, url: str, *, poll: float = POLL_SECONDS
) -> list[Saved]:
    """Ask every configured archive to save ``url`` (when ``archive_save`` is on)."""
    if not settings.archive_save:
        return []
    asks = []
    if settings.spn2_access_key and settings.spn2_secret_key:
        asks.append(save_spn2(fetcher, settings, url, poll=poll))
    elif settings.archive_save_url:
        asks.append(_save_plain(fetcher, settings, url))
    if settings.perma_api_key:
        asks.append(save_perma(fetcher, settings, url))
    saved = list(await asyncio.gather(*asks))
    for item in saved:
        log.info("archive save of %s by %s: %s %s", url, item.archive, item.status, item.detail)
    return saved


async def _save_plain(fetcher: Fetcher, settings: Settings, url: str) -> Saved:
    await limit_for("save", settings.archive_requests_per_second).wait()
    try:
        answer = await fetcher.fetch(settings.archive_save_url + url, read_body=False)
    except FetchFailure as failure:
        return Saved("save", "error", detail=str(failure))
    return Saved(
        "save", "sent" if 200 <= answer.status < 400 else "error", detail=str(answer.status)
    )


async def save_spn2(
    fetcher: Fetcher, settings: Settings, url: str, *, poll: float = POLL_SECONDS
) -> Saved:
    """Submit ``url`` to Save Page Now 2 and poll its job until it ends (or time is up)."""
    limit = limit_for("spn2", settings.archive_requests_per_second)
    headers = {
        "Authorization": f"LOW {settings.spn2_access_key}:{settings.spn2_secret_key}",
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    await limit.wait()
    submitted = await _json(
        fetcher,
        settings.spn2_url,
        headers=headers,
        data=urlencode({"url": url}).encode(),
        method="POST",
    )
    job = submitted.get("job_id") if isinstance(submitted, dict) else None
    if not isinstance(job, str) or not job:
        message = submitted.get("message", "no job id") if isinstance(submitted, dict) else ""
        return Saved("spn2", "error", detail=str(message)[:200])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.archive_save_wait
    status_url = f"{settings.spn2_url.rstrip('/')}/status/{job}"
    while True:
        await limit.wait()
        state = await _json(fetcher, status_url, headers=headers)
        status = state.get("status") if isinstance(state, dict) else None
        if status == "success":
            snapshot = f"https://web.archive.org/web/{state.get('timestamp', '')}/{url}"
            return Saved("spn2", "success", url=snapshot, detail=job)
        if status == "error":
            return Saved("spn2", "error", detail=str(state.get("message", ""))[:200])
        if loop.time() + poll > deadline:
            return Saved("spn2", "pending", detail=job)
        await asyncio.sleep(poll)


async def save_perma(fetcher: Fetcher, settings: Settings, url: str) -> Saved:
    """Create a Perma.cc record of ``url``; its perma.cc address."""
    await limit_for("perma", settings.archive_requests_per_second).wait()
    body: dict[str, Any] = {"url": url}
    if settings.perma_folder:
        body["folder"] = settings.perma_folder
    answer = await _json(
        fetcher,
        settings.perma_api_url.rstrip("/") + "/archives/",
        headers={
            "Authorization": f"ApiKey {settings.perma_api_key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
        data=json.dumps(body).encode(),
        method="POST",
    )
    guid = answer.get("guid") if isinstance(answer, dict) else None
    if not isinstance(guid, str) or not guid:
        detail = answer.get("detail", "no record made") if isinstance(answer, dict) else ""
        return Saved("perma", "error", detail=str(detail)[:200])
    return Saved("perma", "success", url=f"https://perma.cc/{guid}", detail=guid)


async def _json(
    fetcher: Fetcher,
    url: str,
    *,
    headers: dict[str, str],
    data: bytes | None = None,
    method: str = "GET",
) -> Any:
    """The JSON an archive API answered; ``{"message": why}`` when it answered none."""
    try:
        answer = await fetcher.fetch(
            url, method=method, headers=headers, body=data, max_bytes=MAX_ANSWER_BYTES
        )
    except FetchFailure as failure:
        return {"message": str(failure)}
    try:
        return json.loads(answer.body)
    except ValueError:
        return {"message": f"HTTP {answer.status}, not JSON"}
