"""Reading captures back from the store with warcio: one record from its file offset."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tracker.errors import NotFound


@dataclass(frozen=True)
class StoredRecord:
    """A WARC record as read back: its type, WARC headers, HTTP head and payload."""

    record_type: str
    warc_headers: tuple[tuple[str, str], ...]
    status_line: str
    http_headers: tuple[tuple[str, str], ...]
    payload: bytes
    """The entity body decoded of its content coding (warcio's ``content_stream``)."""
    raw: bytes
    """The record exactly as stored (one gzip member), for exports."""


def read_record(folder: Path, warc_file: str, offset: int, length: int) -> StoredRecord:
    """The record at ``offset`` of ``warc_file`` (``length`` bytes, as recorded)."""
    path = folder / warc_file
    if "/" in warc_file or not path.is_file():
        raise NotFound("WARC file", warc_file)
    with path.open("rb") as stream:
        stream.seek(offset)
        raw = stream.read(length)
    from io import BytesIO

    for record in ArchiveIterator(BytesIO(raw)):
        http = record.http_headers
        return StoredRecord(
            record_type=record.rec_type,
            warc_headers=tuple(record.rec_headers.headers),
            status_line=f"{http.protocol} {http.statusline}".strip() if http else "",
            http_headers=tuple(http.headers) if http else (),
            payload=record.content_stream().read(),
            raw=raw,
        )
    raise NotFound("WARC record", f"{warc_file}@{offset}")
