"""What capture services return: frozen views of our captures and of an export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.models import Capture


@dataclass(frozen=True)
class CaptureSummary:
    """One capture: when, what was answered, and where its WARC record lives."""

    id: int
    link_id: int
    link_url: str
    url: str
    captured_at: datetime
    http_status: int
    content_type: str | None
    payload_digest: str
    payload_length: int
    revisit: bool
    """The payload was already in the store: this record points at the one holding it."""
    check_id: int | None
    warc_file: str
    warc_offset: int
    record_id: str

    @classmethod
    def of(cls, capture: Capture, link_url: str) -> CaptureSummary:
        return cls(
            id=capture.id,
            link_id=capture.link_id,
            link_url=link_url,
            url=capture.url,
            captured_at=capture.captured_at,
            http_status=capture.http_status,
            content_type=capture.content_type,
            payload_digest=capture.payload_digest,
            payload_length=capture.payload_length,
            revisit=capture.revisit_of is not None,
            check_id=capture.check_id,
            warc_file=capture.warc_file,
            warc_offset=capture.warc_offset,
            record_id=capture.record_id,
        )


@dataclass(frozen=True)
class CaptureDetail:
    """A capture read back from its WARC file: the response head and the page's text."""

    capture: CaptureSummary
    status_line: str
    headers: tuple[tuple[str, str], ...]
    text: str
    """The payload decoded as text (cut to a readable length), empty for binaries."""
    passages: tuple[str, ...]
    """Evidence passages reports quote from this capture."""


@dataclass(frozen=True)
class ExportReport:
    path: str
    format: str
    captures: int
    records: int
    bytes: int
