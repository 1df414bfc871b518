"""The one HTTP layer every fetch goes through (article ingest, link checks, archive lookups).

The HTTP/1.1 itself is aiohttp's (:mod:`tracker.http.transport`); what a link checker needs
on top is here: one deadline per fetch (redirects and body included), redirects followed by
hand so the chain is recorded and bounded and every hop meets the SSRF guard, bodies read
under a size cap that also bounds decompression, and text decoded with the web's charsets only.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from multidict import CIMultiDictProxy

from tracker.http.charset import decode_body
from tracker.http.decode import KNOWN, CappedDecoder, DecodeError, codings
from tracker.http.transport import (
    AiohttpTransport,
    FailureKind,
    Reply,
    Transport,
    TransportError,
)
from tracker.settings import Settings
from tracker.urls import InvalidURL, normalize_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
HTTP_VERSIONS = frozenset({(1, 0), (1, 1)})
ACCEPT_ENCODING = "gzip, deflate, br"
UNANSWERED_TRIES = 3
_UNDECODED_BYTE = re.compile("[\udc80-\udcff]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class Hop:
    """One redirect response on the way to the final URL."""

    url: str
    status: int
    location: str


@dataclass
class FetchResult:
    """A response that arrived (any status), with its redirect chain and capped body."""

    url: str
    final_url: str
    status: int
    headers: CIMultiDictProxy[str]
    redirects: list[Hop]
    body: bytes
    truncated: bool
    elapsed_ms: int
    exchange: Exchange | None = None
    """The final request and response as they went over the wire (for WARC captures)."""

    @property
    def content_type(self) -> str:
        content_type = self.headers.get("content-type") or ""
        return content_type.split(";", 1)[0].strip().lower()

    @property
    def declared_charset(self) -> str | None:
        content_type = self.headers.get("content-type") or ""
        for part in content_type.split(";")[1:]:
            name, _, value = part.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def is_html(self) -> bool:
        return self.content_type in ("text/html", "application/xhtml+xml") or (
            self.content_type in ("", "text/plain", "application/octet-stream")
            and self.body[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html"))
        )

    @property
    def permanently_redirected(self) -> bool:
        return bool(self.redirects) and all(
            hop.status in PERMANENT_REDIRECTS for hop in self.redirects
        )

    def text(self) -> str:
        """The body decoded (see :func:`tracker.http.charset.decode_body`)."""
        return decode_body(self.body, self.declared_charset, html=self.is_html)


@dataclass(frozen=True)
class Exchange:
    """The last request and its response as sent and received: what a WARC capture keeps.

    ``raw_body`` is the body as it arrived, still content-coded (gzip stays gzip); only the
    chunked framing is gone, undone by the HTTP library.
    """

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    version: tuple[int, int]
    status: int
    reason: str
    response_headers: tuple[tuple[bytes, bytes], ...]
    raw_body: bytes


@dataclass
class FetchFailure(Exception):
    """No usable response: the kind says why, ``redirects`` what happened before."""

    kind: FailureKind
    message: str
    url: str
    redirects: list[Hop] = field(default_factory=list)
    elapsed_ms: int = 0

    def __str__(self) -> str:
        return self.message


class Fetcher:
    """An async HTTP client configured from the settings; use ``async with``.

    ``transport`` replaces aiohttp (``benchmarks/http_clients.py`` measures other stacks
    under this same policy).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        max_connections: int | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.settings = settings
        self.transport = transport or AiohttpTransport(
            settings, max_connections=max_connections or 2 * settings.concurrency + 8
        )
        self.base_headers = {
            "User-Agent": settings.user_agent,
            "Accept": "*/*",
            "Accept-Encoding": ACCEPT_ENCODING,
        }

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.transport.aclose()

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        read_body: bool = True,
        max_bytes: int | None = None,
        timeout: float | None = None,
        body: bytes | None = None,
        follow_redirects: bool = True,
    ) -> FetchResult:
        """Fetch ``url``, following redirects by hand; raise :class:`FetchFailure`.

        ``body`` is sent with the request (a webhook's POST, an archive's save request); a
        followed redirect is then fetched with a GET, as browsers do. ``follow_redirects=False``
        returns a redirect as the answer (a webhook is never replayed to another address).

        Header values with control characters are dropped rather than sent: a stored
        validator with a line feed must not become a second request header.
        """
        started = time.perf_counter()
        redirects: list[Hop] = []
        deadline = timeout if timeout is not None else self.settings.timeout
        sent = dict(self.base_headers)
        sent.update(
            (name, value) for name, value in (headers or {}).items() if not _CONTROL.search(value)
        )
        try:
            async with asyncio.timeout(deadline):
                return await self._follow(
                    url,
                    method=method,
                    headers=sent,
                    read_body=read_body,
                    max_bytes=max_bytes or self.settings.max_body_bytes,
                    redirects=redirects,
                    started=started,
                    body=body,
                    follow_redirects=follow_redirects,
                )
        except TimeoutError:
            raise FetchFailure(
                FailureKind.TIMEOUT,
                f"no complete answer within {deadline:g} s",
                url,
                redirects,
                _ms_since(started),
            ) from None
        except FetchFailure as failure:
            failure.elapsed_ms = _ms_since(started)
            raise

    async def _follow(
        self,
        url: str,
        *,
        method: str,
        headers: dict[str, str],
        read_body: bool,
        max_bytes: int,
        redirects: list[Hop],
        started: float,
        body: bytes | None = None,
        follow_redirects: bool = True,
    ) -> FetchResult:
        current = _checked_url(url, None, url, redirects)
        seen = {current}
        while True:
            reply = await self._send(method, current, headers, url, redirects, body=body)
            try:
                if reply.version not in HTTP_VERSIONS:
                    major, minor = reply.version
                    raise FetchFailure(
                        FailureKind.PROTOCOL,
                        f"{current}: not an HTTP/1.x response (HTTP/{major}.{minor})",
                        url,
                        redirects,
                    )
                if reply.status in REDIRECT_STATUSES and follow_redirects:
                    current = self._redirect(reply, current, url, redirects, seen)
                    if body is not None:
                        method, body = "GET", None
                    continue
                content, raw, truncated = b"", b"", False
                if read_body and method != "HEAD":
                    content, raw, truncated = await _read_capped(reply, max_bytes, url, redirects)
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=reply.status,
                    headers=reply.headers,
                    redirects=redirects,
                    body=content,
                    truncated=truncated,
                    elapsed_ms=_ms_since(started),
                    exchange=Exchange(
                        method,
                        current,
                        reply.request_headers,
                        reply.version,
                        reply.status,
                        reply.reason,
                        reply.raw_headers,
                        raw,
                    ),
                )
            finally:
                # A redirect's body is never read: an unread body closes the connection.
                reply.release()

    def _redirect(
        self, reply: Reply, current: str, original: str, redirects: list[Hop], seen: set[str]
    ) -> str:
        """The next URL of a redirect, recorded and checked (loops, limit, a usable target)."""
        location = (reply.headers.get("location") or "").strip()
        redirects.append(Hop(current, reply.status, location))
        if not location:
            raise FetchFailure(
                FailureKind.PROTOCOL,
                f"HTTP {reply.status} from {current} without a Location to follow",
                original,
                redirects,
            )
        target = _checked_url(_undecoded_as_escapes(location), current, original, redirects)
        if target in seen:
            raise FetchFailure(
                FailureKind.REDIRECT_LOOP, f"redirect loop at {target}", original, redirects
            )
        if len(redirects) > self.settings.max_redirects:
            raise FetchFailure(
                FailureKind.TOO_MANY_REDIRECTS,
                f"more than {self.settings.max_redirects} redirects",
                original,
                redirects,
            )
        seen.add(target)
        return target

    async def _send(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        original: str,
        redirects: list[Hop],
        *,
        body: bytes | None = None,
    ) -> Reply:
        tries = UNANSWERED_TRIES
        while True:
            tries -= 1
            try:
                if body is not None:
                    return await self.transport.send(method, url, headers, body=body)
                return await self.transport.send(method, url, headers)
            except TransportError as exc:
                # A kept-alive connection the server closed as we reused it (the library
                # retries once, but the next pooled one may be closing too): send again.
                if not exc.unanswered or not tries:
                    raise FetchFailure(exc.kind, str(exc), original, redirects) from None


async def _read_capped(
    reply: Reply, limit: int, original: str, redirects: list[Hop]
) -> tuple[bytes, bytes, bool]:
    """Read at most ``limit`` decoded bytes; a longer body is cut there (``truncated``).

    Returns the decoded body, the body as received (the same object when nothing was coded)
    and whether it was cut.
    """
    transfer = codings(*reply.headers.getall("transfer-encoding", ()))
    if transfer and transfer[-1] == "chunked":
        transfer.pop()  # the library undid the framing
    unknown = [name for name in transfer if name not in KNOWN]
    if unknown:
        raise FetchFailure(
            FailureKind.PROTOCOL, f"unsupported transfer coding {unknown[0]!r}", original, redirects
        )
    content = codings(*reply.headers.getall("content-encoding", ()))
    coded = [*content, *transfer]
    decoder = CappedDecoder(coded, limit, opaque_unknown=True)
    chunks: list[bytes] = []
    received: list[bytes] = []
    try:
        async for raw in reply.chunks():
            if coded:
                received.append(raw)
            chunks.append(decoder.feed(raw))
            if decoder.exceeded:
                return b"".join(chunks), b"", True
        decoder.flush()
    except DecodeError as exc:
        raise FetchFailure(FailureKind.PROTOCOL, str(exc), original, redirects) from None
    except TransportError as exc:
        raise FetchFailure(exc.kind, str(exc), original, redirects) from None
    body = b"".join(chunks)
    return body, b"".join(received) if coded else body, False


def _undecoded_as_escapes(location: str) -> str:
    """A Location's bytes that are not UTF-8 (kept as surrogates by the library), %-escaped.

    Raw UTF-8 (``/café``, ``bücher.example``) is read as UTF-8 and then normalized (the path
    %-escaped, the host to punycode), as browsers do; a stray latin-1 byte becomes ``%E9``.
    """
    return _UNDECODED_BYTE.sub(lambda match: f"%{ord(match.group()) - 0xDC00:02X}", location)


def _checked_url(url: str, base: str | None, original: str, redirects: list[Hop]) -> str:
    try:
        return normalize_url(url, base)
    except InvalidURL as exc:
        raise FetchFailure(FailureKind.INVALID_URL, str(exc), original, redirects) from None


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def fetch_sync(settings: Settings, url: str, **kwargs: object) -> FetchResult:
    """One fetch from synchronous code (article ingest)."""

    async def run() -> FetchResult:
        async with Fetcher(settings, max_connections=4) as fetcher:
            return await fetcher.fetch(url, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(run())
