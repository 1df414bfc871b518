"""Loading an article to ingest: a URL (fetched through the shared HTTP layer) or a local file.

Everything a user can hand over wrongly is refused here with one clear line, before anything
is parsed or written: missing or empty files, binary data, content that is not an article,
HTTP errors, bodies over the size cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scrapers import DocumentKind
from tracker.articles.views import FORMATS, Format
from tracker.errors import FetchError, InvalidInput
from tracker.http.charset import decode_body
from tracker.models import utcnow
from tracker.settings import Settings
from tracker.urls import normalize_url

_EXTENSIONS: dict[str, DocumentKind] = {
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
}
_CONTENT_TYPES: dict[str, DocumentKind] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
}
_SNIFF = 8192
_DETECT_BYTES = 64 * 1024
"""Charset detection reads at most this much: it is slow, and a page's start tells."""


@dataclass(frozen=True)
class Document:
    text: str
    kind: DocumentKind
    url: str | None
    input_name: str
    fetched_at: datetime | None = None


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def load_document(
    settings: Settings, source: str, *, url: str | None = None, fmt: Format = "auto"
) -> Document:
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if is_url(source):
        return _fetch(settings, source, fmt)
    return _read_file(settings, Path(source), url, fmt)


def _fetch(settings: Settings, source: str, fmt: Format) -> Document:
    from tracker.http import FetchFailure, fetch_sync  # the network stack only for URLs

    address = normalize_url(source)
    try:
        result = fetch_sync(settings, address)
    except FetchFailure as failure:
        raise FetchError(f"cannot fetch {address}: {failure}") from None
    if result.status >= 400:
        raise FetchError(
            f"{address} answered HTTP {result.status}: no article to ingest",
            status=result.status,
            headers=result.headers,
        )
    if result.truncated:
        raise InvalidInput(
            f"{address} is larger than {settings.max_body_bytes} bytes "
            "(FACT_TRACKER_MAX_BODY_BYTES): not ingested"
        )
    kind: DocumentKind | None = None if fmt == "auto" else fmt
    if kind is None:
        kind = "html" if result.is_html else _CONTENT_TYPES.get(result.content_type)
    if kind is None:
        shown = result.content_type or "none"
        raise InvalidInput(f"{address} is not an article (content type {shown})")
    _refuse_binary(result.body, address)
    return Document(result.text(), kind, normalize_url(result.final_url), address, utcnow())


def _read_file(settings: Settings, path: Path, url: str | None, fmt: Format) -> Document:
    if not path.is_file():
        raise InvalidInput(f"no such file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput(f"{path} is empty")
    if size > settings.max_body_bytes:
        raise InvalidInput(
            f"{path} is larger than {settings.max_body_bytes} bytes (FACT_TRACKER_MAX_BODY_BYTES)"
        )
    return read_bytes(path.read_bytes(), str(path.resolve()), url=url, fmt=fmt, shown=str(path))


def read_bytes(
    data: bytes, name: str, *, url: str | None, fmt: Format, shown: str | None = None
) -> Document:
    """A document from bytes already in hand (a file's, an upload's) named ``name``."""
    shown = shown or name
    _refuse_binary(data, shown)
    suffix = Path(name).suffix.lower()
    if fmt != "auto":
        kind: DocumentKind = fmt
    elif suffix in _EXTENSIONS:
        kind = _EXTENSIONS[suffix]
    else:
        head = data[:1024].lstrip().lower()
        kind = "html" if head.startswith((b"<!doctype html", b"<html")) else "text"
    text = decode(data, html=kind == "html")
    return Document(text, kind, normalize_url(url) if url else None, name)


def _refuse_binary(data: bytes, name: str) -> None:
    head = data[:_SNIFF]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidInput(f"{name} is binary data, not an article")
    if not data.strip():
        raise InvalidInput(f"{name} is empty")


def decode(data: bytes, *, html: bool) -> str:
    """The text of a saved file: a byte-order mark, else the charset the page declares (one
    of the web's, as for fetched pages: :mod:`tracker.http.charset`), else UTF-8, else a guess
    from the first :data:`_DETECT_BYTES` bytes only."""
    return decode_body(data, None, html=html, guess=_guess_charset)


def _guess_charset(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # only for files that are not UTF-8

    best = from_bytes(data[:_DETECT_BYTES]).best()
    return best.encoding if best is not None else None
