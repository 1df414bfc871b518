"""One request, one response head: aiohttp does the HTTP/1.1, we configure and wrap it.

aiohttp was chosen by measurement (``benchmarks/http_clients.py``, figures in the README): its
llhttp-based parser frames responses at a fraction of the CPU of httpx's pure-Python h11, and
judged the hostile suite right. All framing (status line, headers, chunked and length-delimited
bodies, keep-alive and its refusal for HTTP/1.0 and broken responses) is the library's; this
module sets it up the way a link checker needs it:

* the SSRF guard as the connector's resolver and socket factory (:mod:`tracker.http.guard`);
* bounded heads: 16 KiB per header line, 128 header lines;
* no automatic decompression (:mod:`tracker.http.decode` does it, capped), no cookies, no
  environment proxies, no redirects (the fetcher follows them by hand);
* TLS with a CA bundle from the settings, ``$SSL_CERT_FILE``/``$SSL_CERT_DIR``, or certifi;
* every library error translated into a :class:`TransportError` whose message keeps the reason
  (an expired certificate, a name mismatch and an unknown issuer read differently).
"""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

import aiohttp
import certifi
from multidict import CIMultiDictProxy
from yarl import URL

from tracker.errors import InvalidInput
from tracker.http.guard import BlockedAddress, GuardedResolver, guarded_socket
from tracker.settings import Settings

MAX_LINE = 16 * 1024
MAX_HEADERS = 128
READ_BUFFER = 256 * 1024


class FailureKind(StrEnum):
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    INVALID_URL = "invalid_url"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    PROTOCOL = "protocol"


class TransportError(Exception):
    """No response (or no complete body): ``kind`` says why, the message says how."""

    def __init__(self, kind: FailureKind, message: str, *, unanswered: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.unanswered = unanswered
        """The server closed the connection before a byte of answer: worth sending again."""


@dataclass
class Reply:
    """A response whose head has arrived; the body streams from :attr:`chunks`."""

    status: int
    version: tuple[int, int]
    headers: CIMultiDictProxy[str]
    chunks: Callable[[], AsyncIterator[bytes]]
    """The body as sent (still content- and transfer-coded, chunked framing removed)."""
    release: Callable[[], None]
    """Done with the response: the connection goes back to the pool only if it is reusable
    (the body was read to its end, keep-alive was offered), and is closed otherwise."""
    reason: str = ""
    """The status line's reason phrase, as sent."""
    raw_headers: tuple[tuple[bytes, bytes], ...] = ()
    """The response's header lines as received, in order (what a WARC capture records)."""
    request_headers: tuple[tuple[str, str], ...] = ()
    """The header lines the library actually sent (Host and the rest)."""


class Transport(Protocol):
    async def send(
        self, method: str, url: str, headers: Mapping[str, str], *, body: bytes | None = None
    ) -> Reply: ...

    async def aclose(self) -> None: ...


@lru_cache(maxsize=8)
def _tls_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=cafile, capath=capath)
    context.set_alpn_protocols(["http/1.1"])
    return context


def tls_context(settings: Settings) -> ssl.SSLContext:
    """Trust: the ``ca_bundle`` setting, else ``$SSL_CERT_FILE``/``$SSL_CERT_DIR``, else certifi."""
    cafile = settings.ca_bundle or os.environ.get("SSL_CERT_FILE") or None
    capath = None if cafile else os.environ.get("SSL_CERT_DIR") or None
    if cafile is None and capath is None:
        cafile = certifi.where()
    try:
        return _tls_context(cafile, capath)
    except (OSError, ssl.SSLError) as exc:
        raise InvalidInput(f"cannot load the CA certificates {cafile or capath}: {exc}") from None


class AiohttpTransport:
    """aiohttp's client session, guarded and bounded; one per :class:`Fetcher`."""

    def __init__(self, settings: Settings, *, max_connections: int) -> None:
        guarded = not settings.allow_private_networks
        connector = aiohttp.TCPConnector(
            limit=max_connections,
            ssl=tls_context(settings),
            resolver=GuardedResolver() if guarded else None,
            socket_factory=guarded_socket if guarded else None,
            keepalive_timeout=15,
        )
        self.session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            requote_redirect_url=False,
            timeout=aiohttp.ClientTimeout(total=None),  # one deadline per fetch, set by its caller
            max_line_size=MAX_LINE,
            max_field_size=MAX_LINE,
            max_headers=MAX_HEADERS,
            read_bufsize=READ_BUFFER,
        )

    async def send(
        self, method: str, url: str, headers: Mapping[str, str], *, body: bytes | None = None
    ) -> Reply:
        try:
            response = await self.session.request(
                method, URL(url, encoded=True), headers=headers, data=body, allow_redirects=False
            )
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            raise translate(exc, url) from None
        version = response.version
        return Reply(
            status=response.status,
            version=(version.major, version.minor) if version else (1, 1),
            headers=response.headers,
            chunks=lambda: _body(response, url),
            release=response.release,
            reason=response.reason or "",
            raw_headers=response.raw_headers,
            request_headers=tuple(response.request_info.headers.items()),
        )

    async def aclose(self) -> None:
        await self.session.close()


async def _body(response: aiohttp.ClientResponse, url: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.content.iter_any():
            yield chunk
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        response.close()
        raise translate(exc, url, body=True) from None
    except BaseException:
        response.close()  # cancelled (the deadline): never leave the transport to the GC
        raise


def translate(exc: BaseException, url: str, *, body: bool = False) -> TransportError:  # noqa: PLR0911 - one return per kind of failure
    """The library's exception as a failure kind and a one-line reason."""
    unreachable = FailureKind.UNREACHABLE
    cause = getattr(exc, "os_error", None)
    if isinstance(exc, BlockedAddress) or isinstance(cause, BlockedAddress):
        return TransportError(FailureKind.INVALID_URL, str(cause or exc))
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return TransportError(
            unreachable,
            f"TLS certificate of {exc.host} refused: {_tls_reason(exc.certificate_error)}",
        )
    if isinstance(exc, aiohttp.ClientConnectorSSLError | aiohttp.ClientSSLError):
        return TransportError(
            unreachable, f"TLS failure with {exc.host}: {_tls_reason(cause or exc)}"
        )
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return TransportError(
            unreachable, f"DNS lookup of {exc.host} failed: {_reason(cause or exc)}"
        )
    if isinstance(exc, aiohttp.ClientConnectorError):
        return TransportError(
            unreachable, f"cannot connect to {exc.host}:{exc.port}: {_reason(cause or exc)}"
        )
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        where = "inside the body" if body else "without answering"
        return TransportError(
            unreachable, f"{url}: the server closed the connection {where}", unanswered=not body
        )
    if isinstance(exc, aiohttp.ClientPayloadError):
        return TransportError(FailureKind.PROTOCOL, f"{url}: broken body: {_reason(exc)}")
    if isinstance(exc, aiohttp.ClientResponseError):
        return TransportError(
            FailureKind.PROTOCOL, f"{url}: not valid HTTP: {_reason(exc.message)}"
        )
    if isinstance(exc, aiohttp.InvalidURL | ValueError):
        return TransportError(FailureKind.INVALID_URL, f"cannot request {url}: {_reason(exc)}")
    return TransportError(unreachable, f"{url}: {_reason(exc)}")


_SPACE = re.compile(r"\s+")


def _reason(exc: object) -> str:
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    text = _SPACE.sub(" ", text).strip()
    return text[:200] or type(exc).__name__


def _tls_reason(exc: object) -> str:
    """What was wrong with the certificate: OpenSSL's verify message when there is one."""
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return str(exc.verify_message)
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason)
    return _reason(exc)
