"""Reading the capture store back in tests, with warcio (the reader, not our code)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


@dataclass(frozen=True)
class ReadRecord:
    type: str
    uri: str
    record_id: str
    headers: dict[str, str]
    status: str
    http_headers: list[tuple[str, str]]
    payload: bytes


def warc_records(*paths: Path) -> list[ReadRecord]:
    """Every record of the WARC files ``paths`` (a folder: all of its WARC files), in order."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.warc.gz")) if path.is_dir() else [path]
    found = []
    for file in files:
        with file.open("rb") as stream:
            for record in ArchiveIterator(stream):
                http = record.http_headers
                found.append(
                    ReadRecord(
                        type=record.rec_type,
                        uri=record.rec_headers.get_header("WARC-Target-URI") or "",
                        record_id=record.rec_headers.get_header("WARC-Record-ID") or "",
                        headers=dict(record.rec_headers.headers),
                        status=http.get_statuscode() if http else "",
                        http_headers=list(http.headers) if http else [],
                        payload=record.content_stream().read(),
                    )
                )
    return found


def payload_records(folder: Path) -> list[ReadRecord]:
    """The records holding a payload (responses), not revisits, requests or warcinfo."""
    return [record for record in warc_records(folder) if record.type == "response"]
