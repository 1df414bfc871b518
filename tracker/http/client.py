"""The one HTTP layer every fetch goes through (article ingest, link checks, archive lookups).

It follows redirects by hand so the chain is recorded and bounded, streams bodies under a
size cap that also bounds decompression, enforces one deadline per fetch, and connects only
through the SSRF guard.
"""

from __future__ import annotations

import asyncio
import re
import time
import zlib
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urljoin, urlsplit

from tracker.http.decode import CappedDecoder
from tracker.http.guard import BlockedAddress
from tracker.http.headers import Headers
from tracker.http.wire import DEFAULT_PORTS, ConnectionPool, Response, WireError
from tracker.settings import Settings
from tracker.urls import InvalidURL, normalize_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})


class FailureKind(StrEnum):
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    INVALID_URL = "invalid_url"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    PROTOCOL = "protocol"


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
    headers: Headers
    redirects: list[Hop]
    body: bytes
    truncated: bool
    elapsed_ms: int

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
        """The body decoded: declared charset, then in-document declarations, then guessing."""
        charset = self.declared_charset
        if charset is None and self.is_html:
            charset = _sniff_charset(self.body)
        if charset:
            try:
                return self.body.decode(charset)
            except (LookupError, UnicodeDecodeError):
                pass
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        # Rare: undeclared and not UTF-8. bs4's guesser is slow to import, so only now.
        from bs4.dammit import UnicodeDammit

        dammit = UnicodeDammit(self.body, is_html=self.is_html)
        return dammit.unicode_markup or self.body.decode("utf-8", errors="replace")


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def _sniff_charset(body: bytes) -> str | None:
    """A charset declared by the document itself (``<meta charset>``) in its first 4 KiB."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None


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
    """An async HTTP client configured from the settings; use ``async with``."""

    def __init__(self, settings: Settings, *, max_connections: int | None = None) -> None:
        self.settings = settings
        self.pool = ConnectionPool(
            allow_private=settings.allow_private_networks,
            max_idle_per_origin=max_connections or max(settings.per_host_concurrency, 4),
        )
        self.base_headers = [
            f"User-Agent: {settings.user_agent}",
            "Accept: */*",
            "Accept-Encoding: gzip, deflate",
        ]

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self.pool.close()

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        read_body: bool = True,
        max_bytes: int | None = None,
        timeout: float | None = None,
    ) -> FetchResult:
        """Fetch ``url``, following redirects by hand; raise :class:`FetchFailure`."""
        started = time.perf_counter()
        redirects: list[Hop] = []
        deadline = timeout if timeout is not None else self.settings.timeout
        try:
            async with asyncio.timeout(deadline):
                return await self._follow(
                    url,
                    method=method,
                    headers=headers or {},
                    read_body=read_body,
                    max_bytes=max_bytes,
                    redirects=redirects,
                    started=started,
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
        max_bytes: int | None,
        redirects: list[Hop],
        started: float,
    ) -> FetchResult:
        current = _checked_url(url, url, redirects)
        seen = {current}
        extra = [f"{name}: {value}" for name, value in headers.items()]
        while True:
            response = await self._send(method, current, extra, url, redirects)
            drain = True
            try:
                location = response.header("location")
                if response.status in REDIRECT_STATUSES and location:
                    redirects.append(Hop(current, response.status, location))
                    target = _checked_url(urljoin(current, location.strip()), url, redirects)
                    if target in seen:
                        raise FetchFailure(
                            FailureKind.REDIRECT_LOOP, f"redirect loop at {target}", url, redirects
                        )
                    if len(redirects) > self.settings.max_redirects:
                        raise FetchFailure(
                            FailureKind.TOO_MANY_REDIRECTS,
                            f"more than {self.settings.max_redirects} redirects",
                            url,
                            redirects,
                        )
                    seen.add(target)
                    current = target
                    continue
                body, truncated = b"", False
                if read_body and method != "HEAD":
                    drain = False
                    body, truncated = await self._read_capped(
                        response, max_bytes or self.settings.max_body_bytes, url, redirects
                    )
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=response.status,
                    headers=Headers(response.headers),
                    redirects=redirects,
                    body=body,
                    truncated=truncated,
                    elapsed_ms=_ms_since(started),
                )
            finally:
                await response.close(drain=drain)

    async def _send(
        self, method: str, url: str, headers: list[str], original: str, redirects: list[Hop]
    ) -> Response:
        parts = urlsplit(url)
        scheme = parts.scheme
        host = parts.hostname or ""
        port = parts.port or DEFAULT_PORTS[scheme]
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            return await self.pool.request(
                method, (scheme, host, port), target, [*self.base_headers, *headers]
            )
        except BlockedAddress as exc:
            raise FetchFailure(FailureKind.INVALID_URL, str(exc), original, redirects) from None
        except WireError as exc:
            kind = FailureKind.UNREACHABLE if exc.unreachable else FailureKind.PROTOCOL
            raise FetchFailure(kind, f"{url}: {exc}", original, redirects) from None
        except OSError as exc:
            raise FetchFailure(
                FailureKind.UNREACHABLE,
                f"cannot reach {url}: {_reason(exc)}",
                original,
                redirects,
            ) from None

    async def _read_capped(
        self, response: Response, limit: int, original: str, redirects: list[Hop]
    ) -> tuple[bytes, bool]:
        """Read at most ``limit`` decoded bytes; a longer body is cut there (``truncated``)."""
        decoder = CappedDecoder(response.header("content-encoding"), limit)
        chunks: list[bytes] = []
        try:
            async for raw in response.iter_raw():
                chunks.append(decoder.feed(raw))
                if decoder.exceeded:
                    return b"".join(chunks), True
            chunks.append(decoder.flush())
        except zlib.error as exc:
            raise FetchFailure(
                FailureKind.PROTOCOL, f"undecodable body: {exc}", original, redirects
            ) from None
        except (WireError, OSError) as exc:
            raise FetchFailure(
                FailureKind.UNREACHABLE, f"connection broke: {_reason(exc)}", original, redirects
            ) from None
        return b"".join(chunks), decoder.exceeded


def _checked_url(url: str, original: str, redirects: list[Hop]) -> str:
    try:
        return normalize_url(url)
    except InvalidURL as exc:
        raise FetchFailure(FailureKind.INVALID_URL, str(exc), original, redirects) from None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _ms_since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def fetch_sync(settings: Settings, url: str, **kwargs: object) -> FetchResult:
    """One fetch from synchronous code (article ingest)."""

    async def run() -> FetchResult:
        async with Fetcher(settings, max_connections=4) as fetcher:
            return await fetcher.fetch(url, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(run())
