"""Webhooks: the JSON body (``webhook-event.v1.json`` beside this module documents it), its
HMAC-SHA256 signature, and the POST through the tracker's SSRF-guarded HTTP layer.

Signature: ``X-Fact-Tracker-Signature: sha256=<hex>`` where ``<hex>`` is
HMAC-SHA256(secret, ``<X-Fact-Tracker-Timestamp>`` + ``"."`` + body). A receiver recomputes it
with :func:`verify` (or any HMAC library), refuses old timestamps, and deduplicates on
``X-Fact-Tracker-Event`` (the event id, the same on a retry).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tracker.alerts.delivery import Answer, Claimed

SCHEMA_VERSION = "1"
SCHEMA_PATH = Path(__file__).with_name("webhook-event.v1.json")
SIGNATURE_HEADER = "X-Fact-Tracker-Signature"
TIMESTAMP_HEADER = "X-Fact-Tracker-Timestamp"
EVENT_HEADER = "X-Fact-Tracker-Event"
RETRY_HEADER = "X-Fact-Tracker-Retry"
MAX_ANSWER_BYTES = 4096
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def body_of(item: Claimed) -> bytes:
    """The JSON body of one delivery attempt (UTF-8, keys in a fixed order)."""
    event = item.event
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "id": event.uid,
        "kind": event.kind,
        "occurred_at": event.occurred_at.isoformat(),
        **event.payload,
        "delivery": {"attempt": item.attempt, "retry": item.retry},
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "")
    signature = lowered.get(SIGNATURE_HEADER.lower(), "")
    if not timestamp.isdigit():
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def headers_of(
    item: Claimed, body: bytes, *, now: Callable[[], float] = time.time
) -> dict[str, str]:
    timestamp = str(int(now()))
    return {
        "Content-Type": "application/json; charset=utf-8",
        EVENT_HEADER: item.event.uid,
        "X-Fact-Tracker-Event-Kind": item.event.kind,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(item.channel.secret or "", timestamp, body),
        "X-Fact-Tracker-Delivery-Attempt": str(item.attempt),
        RETRY_HEADER: "true" if item.retry else "false",
    }


async def post(fetcher: Any, item: Claimed) -> Answer:
    """POST one delivery; 2xx is success, anything else (a redirect too) a failure."""
    from tracker.http import FetchFailure

    body = body_of(item)
    try:
        result = await fetcher.fetch(
            item.channel.target,
            method="POST",
            body=body,
            headers=headers_of(item, body),
            max_bytes=MAX_ANSWER_BYTES,
            follow_redirects=False,
        )
    except FetchFailure as failure:
        return Answer(False, None, f"{failure.kind.value}: {failure}")
    text = _CONTROL.sub(" ", result.body.decode("utf-8", "replace")).strip()
    answer = f"HTTP {result.status}" + (f": {text}" if text else "")
    return Answer(200 <= result.status < 300, result.status, answer)


def send_all(
    settings: Any,
    items: Sequence[Claimed],
    on_answer: Callable[[Claimed, Answer], None],
    *,
    concurrency: int = 8,
) -> None:
    """POST every delivery, at most ``concurrency`` at once; ``on_answer`` records each answer
    as soon as it arrives (so a kill loses as little as possible)."""
    from tracker.http import Fetcher

    async def run() -> None:
        slots = asyncio.Semaphore(concurrency)
        async with Fetcher(settings, max_connections=concurrency) as fetcher:

            async def one(item: Claimed) -> None:
                async with slots:
                    answer = await post(fetcher, item)
                on_answer(item, answer)

            await asyncio.gather(*(one(item) for item in items))

    asyncio.run(run())


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded
