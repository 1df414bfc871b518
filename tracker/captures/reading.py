"""Reading captures back from the store with warcio: one record from its file offset."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from tracker.captures.warcs import stored_file
from tracker.errors import NotFound
from tracker.http.decode import CappedDecoder, DecodeError, codings

MAX_PAYLOAD = 5 * 1024 * 1024
"""A payload is read back decoded to at most this (``max_body_bytes``' default)."""


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


def read_record(
    folder: Path, warc_file: str, offset: int, length: int, *, max_bytes: int = MAX_PAYLOAD
) -> StoredRecord:
    """The record at ``offset`` of ``warc_file`` (``length`` bytes, as recorded); its payload
    decoded of its content coding to at most ``max_bytes`` (the fetcher's cap, so a stored
    gzip or brotli bomb is cut there, not expanded whole)."""
    with stored_file(folder, warc_file).open("rb") as stream:
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
            payload=_decoded(record, max_bytes),
            raw=raw,
        )
    raise NotFound("WARC record", f"{warc_file}@{offset}")


def _decoded(record: ArcWarcRecord, max_bytes: int) -> bytes:
    """The record's payload undone of its content codings, ``max_bytes`` at most (an unknown
    or broken coding leaves what was decoded, as the fetcher does)."""
    http = record.http_headers
    applied = codings(*(http.get_header("content-encoding"),)) if http else []
    decoder = CappedDecoder(applied, max_bytes, opaque_unknown=True)
    chunks: list[bytes] = []
    try:
        while not decoder.exceeded and (raw := record.raw_stream.read(64 * 1024)):
            chunks.append(decoder.feed(raw))
    except DecodeError:
        pass
    return b"".join(chunks)
