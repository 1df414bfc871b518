"""Capturing while checking: which answers are kept, and recording them with the check.

The checker decides per answer (:func:`tracker.captures.policy.wants_capture`). The WARC
records are written where the check's result is written (:func:`record_captures`, on the
batch's database thread, off the event loop), all of a write batch in one append; a payload
already in the store becomes a revisit record pointing at it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tracker.captures.warcs import Original, Pending, WarcStore, capture_dir, payload_digest
from tracker.http import Exchange
from tracker.models import URL_MAX_LENGTH, Capture
from tracker.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ToCapture:
    """One check's answer to store, with the row it belongs to."""

    link_id: int
    check_id: int
    when: datetime
    exchange: Exchange
    content_type: str | None
    fingerprint: str | None


def record_captures(
    session: Session, settings: Settings, items: Sequence[ToCapture]
) -> dict[int, int]:
    """Write ``items`` to the capture store and the captures table; {link id: capture id}.

    A store that cannot be written (a full disk, a read-only folder) loses the captures, not
    the checks: it is logged and nothing is recorded for them.
    """
    if not items:
        return {}
    folder = capture_dir(settings)
    digests = [payload_digest(item.exchange.raw_body) for item in items]
    known: dict[str, Original] = {}
    for digest, record_id, url, when, warc_file in session.execute(
        select(
            Capture.payload_digest,
            Capture.record_id,
            Capture.url,
            Capture.captured_at,
            Capture.warc_file,
        )
        .where(Capture.payload_digest.in_(set(digests)), Capture.revisit_of.is_(None))
        .order_by(Capture.id)
    ).tuples():
        if digest not in known and (folder / warc_file).is_file():
            known[digest] = Original(record_id, url, when)
    pending = []
    for item, digest in zip(items, digests, strict=True):
        original = known.get(digest)
        entry = Pending(item.exchange, item.when, digest, original)
        if original is None:
            known[digest] = Original(entry.record_id, item.exchange.url, item.when)
        pending.append(entry)
    try:
        stored = WarcStore(folder, file_bytes=settings.capture_file_bytes).write(pending)
    except OSError as exc:
        log.error("captures not written to %s: %s", folder, exc)  # noqa: TRY400 - one line
        return {}
    rows: list[dict[str, Any]] = [
        {
            "link_id": item.link_id,
            "check_id": item.check_id,
            "captured_at": item.when,
            "url": item.exchange.url[:URL_MAX_LENGTH],
            "http_status": item.exchange.status,
            "content_type": (item.content_type or "")[:200] or None,
            "payload_digest": entry.digest,
            "payload_length": len(item.exchange.raw_body),
            "fingerprint": item.fingerprint,
            "record_id": entry.record_id,
            "revisit_of": entry.original.record_id if entry.original else None,
            "warc_file": where.warc_file,
            "warc_offset": where.offset,
            "warc_length": where.length,
        }
        for item, entry, where in zip(items, pending, stored, strict=True)
        if where is not None
    ]
    if not rows:
        return {}
    ids = session.execute(
        insert(Capture).returning(Capture.id, sort_by_parameter_order=True), rows
    ).scalars()
    return {int(row["link_id"]): capture_id for row, capture_id in zip(rows, ids, strict=True)}
