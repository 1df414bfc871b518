"""The capture store: WARC files in a folder, one series per day, each file capped in size.

Records are written by ``warcio`` (the format is its, not ours); each record is its own gzip
member, so a record is read back from its file offset alone and files from several processes
can be appended to safely: every append holds an exclusive ``flock`` on the store's lock file
and goes at the end of the file. Files are named ``fact-tracker-YYYYMMDD-NNNNN.warc.gz``;
when the current one reaches ``capture_file_bytes`` the next number starts, with a
``warcinfo`` record first.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import logging
import os
import re
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from tracker import __version__
from tracker.http import Exchange
from tracker.settings import Settings

log = logging.getLogger(__name__)
PREFIX = "fact-tracker"
FILE_NAME = re.compile(rf"^{PREFIX}-(\d{{8}})-(\d{{5}})\.warc\.gz$")
GZIP_LEVEL = 1
"""warcio compresses at level 9. On the corpus pages level 1 keeps 24.6% of the bytes (level 6:
20.8%) at 40% of level 6's CPU: captures are written while checks run (benchmarks/capture.py)."""
HOP_BY_HOP = frozenset({"transfer-encoding"})
"""Headers that no longer describe the stored body (the library removed the chunked framing):
kept under ``X-Archive-Orig-`` as pywb and Webrecorder's tools do."""


def capture_dir(settings: Settings) -> Path:
    """``capture_dir``, else ``<database>.captures`` beside the SQLite file, else the user
    data folder's ``captures`` (PostgreSQL)."""
    from tracker.setting_sources import data_dir

    if settings.capture_dir:
        return Path(settings.capture_dir)
    url = settings.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        database = Path(url.removeprefix("sqlite:///"))
        return database.with_name(f"{database.stem}.captures")
    return data_dir() / "captures"


def payload_digest(payload: bytes) -> str:
    """The WARC-Payload-Digest of ``payload``: SHA-1 in base 32, as warcio and pywb write it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")  # noqa: S324 - the WARC convention, not security


@dataclass(frozen=True)
class Stored:
    """Where a capture went: its response (or revisit) record then its request record,
    ``length`` bytes from ``offset``."""

    record_id: str
    warc_file: str
    offset: int
    length: int


@dataclass(frozen=True)
class Original:
    """The full record a revisit points at."""

    record_id: str
    url: str
    date: datetime


@dataclass(frozen=True)
class Pending:
    """An exchange to store: its payload digest, and the original when the payload is known."""

    exchange: Exchange
    when: datetime
    digest: str
    original: Original | None
    record_id: str = field(default_factory=lambda: f"<urn:uuid:{uuid.uuid4()}>")


class WarcStore:
    """Appends records to the day's WARC file of one folder. Not thread-safe: one writer thread."""

    def __init__(self, folder: Path, *, file_bytes: int) -> None:
        self.folder = folder
        self.file_bytes = file_bytes
        self._builder = WARCWriter(BytesIO(), gzip=False, warc_version="1.1")

    def write(self, items: list[Pending]) -> list[Stored | None]:
        """Each exchange as a response record (or a revisit of its original) and a request
        record, all appended under one lock with one ``fsync``. An exchange warcio cannot
        write (whatever a hostile server sent) is skipped: None in its place."""
        built: list[tuple[str, list[bytes]] | None] = []
        for item in items:
            try:
                built.append(self._records(item))
            except Exception:  # one server's bytes must not cost the batch its captures
                log.warning("cannot write a WARC record of %s", item.exchange.url, exc_info=True)
                built.append(None)
        members = [member for entry in built if entry for member in entry[1]]
        if not members:
            return [None] * len(items)
        warc_file, offset = self._append(members)
        stored: list[Stored | None] = []
        for entry in built:
            if entry is None:
                stored.append(None)
                continue
            length = sum(map(len, entry[1]))
            stored.append(Stored(entry[0], warc_file, offset, length))
            offset += length
        return stored

    def _records(self, item: Pending) -> tuple[str, list[bytes]]:
        exchange, original = item.exchange, item.original
        date = _warc_date(item.when)
        http = _response_headers(exchange)
        if original is None:
            response = self._builder.create_warc_record(
                exchange.url,
                "response",
                payload=BytesIO(exchange.raw_body),
                length=len(exchange.raw_body),
                http_headers=http,
                warc_headers_dict={
                    "WARC-Record-ID": item.record_id,
                    "WARC-Date": date,
                    "WARC-Payload-Digest": item.digest,
                },
            )
        else:
            response = self._builder.create_revisit_record(
                exchange.url,
                item.digest,
                original.url,
                _warc_date(original.date),
                http_headers=http,
                warc_headers_dict={"WARC-Record-ID": item.record_id, "WARC-Date": date},
            )
            response.rec_headers.add_header("WARC-Refers-To", original.record_id)
        record_id = item.record_id
        request = self._builder.create_warc_record(
            exchange.url,
            "request",
            http_headers=_request_headers(exchange),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id},
        )
        return record_id, [self.member(response), self.member(request)]

    def member(self, record: object) -> bytes:
        """One record as one gzip member."""
        buffer = BytesIO()
        WARCWriter(buffer, gzip=False, warc_version="1.1").write_record(record)
        compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        return compressor.compress(buffer.getvalue()) + compressor.flush()

    def _append(self, members: list[bytes]) -> tuple[str, int]:
        """Append ``members`` to the current file under the store's lock; (file name, offset)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                path = self._current(sum(map(len, members)))
                with path.open("ab") as out:
                    offset = out.seek(0, os.SEEK_END)
                    if offset == 0:
                        out.write(self.member(self.warcinfo(path.name)))
                        offset = out.tell()
                    for member in members:
                        out.write(member)
                    out.flush()
                    os.fsync(out.fileno())
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return path.name, offset

    def _current(self, adding: int) -> Path:
        day = datetime.now(UTC).strftime("%Y%m%d")
        numbers = [
            int(match.group(2))
            for entry in self.folder.iterdir()
            if (match := FILE_NAME.match(entry.name)) and match.group(1) == day
        ]
        number = max(numbers, default=1)
        path = self.folder / f"{PREFIX}-{day}-{number:05d}.warc.gz"
        if path.exists() and path.stat().st_size and path.stat().st_size + adding > self.file_bytes:
            path = self.folder / f"{PREFIX}-{day}-{number + 1:05d}.warc.gz"
        return path

    def warcinfo(self, filename: str) -> object:
        return self._builder.create_warcinfo_record(
            filename,
            {
                "software": f"fact-tracker/{__version__} (warcio)",
                "format": "WARC File Format 1.1",
                "description": "Sources cited by fact-checked articles, as the checker saw them",
            },
        )


def _warc_date(when: datetime) -> str:
    return str(datetime_to_iso_date(when.astimezone(UTC).replace(tzinfo=None), use_micros=True))


def _response_headers(exchange: Exchange) -> StatusAndHeaders:
    headers = []
    for raw_name, raw_value in exchange.response_headers:
        name = raw_name.decode("latin-1")
        if name.lower() in HOP_BY_HOP:
            name = f"X-Archive-Orig-{name}"
        headers.append((name, raw_value.decode("latin-1")))
    major, minor = exchange.version
    status = f"{exchange.status} {_ascii(exchange.reason)}".strip()
    return StatusAndHeaders(status, headers, protocol=f"HTTP/{major}.{minor}")


def _ascii(text: str) -> str:
    """``text`` with anything but printable ASCII %-escaped (a reason phrase is the server's
    choice: "Très bien" is stored as ``Tr%C3%A8s bien``)."""
    return "".join(
        char if " " <= char <= "~" else quote(char, safe="", errors="surrogateescape")
        for char in text
    )


def _request_headers(exchange: Exchange) -> StatusAndHeaders:
    from urllib.parse import urlsplit

    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(exchange.request_headers)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", parts.netloc))
    major, minor = exchange.version
    return StatusAndHeaders(
        f"{exchange.method} {target} HTTP/{major}.{minor}", headers, is_http_request=True
    )
