"""The hostile web: every way a server can answer badly, as raw bytes, with the outcome it earns.

Each :class:`Case` is served by :class:`~tests.support.rawserver.RawServer` at ``/case/<name>``
and names the outcome the checker must record for it. The same cases drive the hostile-server
tests (through ``check_links`` and ``ingest URL``) and ``benchmarks/http_clients.py``, which
compares HTTP stacks on them. Expectations follow RFC 9110/9112: what a recipient must reject
is a failure (``unreachable``: the server did not speak HTTP), what it may accept is accepted
when the common clients (browsers, curl) accept it.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from tests.support.rawserver import Answer, RawRequest, RawServer, Script
from tracker.enums import CheckOutcome

OK = CheckOutcome.OK
REDIRECTED = CheckOutcome.REDIRECTED
NOT_FOUND = CheckOutcome.NOT_FOUND
SERVER_ERROR = CheckOutcome.SERVER_ERROR
TIMEOUT = CheckOutcome.TIMEOUT
UNREACHABLE = CheckOutcome.UNREACHABLE
INVALID_URL = CheckOutcome.INVALID_URL
LOOP = CheckOutcome.REDIRECT_LOOP
RATE_LIMITED = CheckOutcome.RATE_LIMITED

TIMEOUT_SECONDS = 4.0
"""The per-request timeout the hostile suite runs with: slow cases exceed it. 2 s let fast
cases time out on a machine loaded to 7 runnable processes per core; 4 s has the margin."""
BODY_CAP = 512 * 1024
"""The body cap the hostile suite runs with: bombs and endless bodies exceed it."""
SCRIPT_LIMIT_SECONDS = 20.0
"""No script writes for longer than this, whatever the client does."""

TEXT = "The survey found that 69% of readers agree, the statistics office said on Tuesday."
PAGE = (
    "<!doctype html><html><head><title>Hostile case</title></head><body><article>"
    f"<h1>A story</h1><p>{TEXT}</p></article></body></html>"
).encode()


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    answer: Answer
    expect: CheckOutcome
    ingests: bool | None = None
    """Whether ``ingest URL`` stores an article (default: the check is ok and the body whole)."""
    body: bytes | None = None
    """The decoded body a fetch must return, when the case checks decoding."""

    @property
    def path(self) -> str:
        return f"/case/{self.name}"

    @property
    def should_ingest(self) -> bool:
        if self.ingests is not None:
            return self.ingests
        return self.expect in (OK, REDIRECTED)


def response(
    head: bytes | str = "HTTP/1.1 200 OK",
    *headers: str,
    body: bytes = PAGE,
    length: bool = True,
    content_type: str | None = "text/html; charset=utf-8",
) -> bytes:
    """A response: status line, headers (Content-Type and Content-Length unless told not to)."""
    lines = [head.encode("latin-1") if isinstance(head, str) else head]
    if content_type is not None:
        lines.append(f"Content-Type: {content_type}".encode())
    lines.extend(header.encode("utf-8", "surrogateescape") for header in headers)
    if length:
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def chunked(*chunks: bytes, head: str = "HTTP/1.1 200 OK", extra: str = "") -> bytes:
    """A well-framed chunked response (``extra``: more header lines, CRLF-separated)."""
    framed = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
    headers = ["Content-Type: text/html", "Transfer-Encoding: chunked"]
    if extra:
        headers.append(extra)
    return response(head, *headers, body=framed, length=False, content_type=None)


def one_chunk(data: bytes, *headers: str) -> bytes:
    """A 200 whose body is ``data`` in a single chunk (``headers`` name the codings)."""
    framed = b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)
    return response("HTTP/1.1 200 OK", *headers, body=framed, length=False)


# ---------------------------------------------------------------- scripts (time-based hostility)


def _until(deadline: float) -> Iterator[None]:
    while time.monotonic() < deadline:
        yield


def delayed(data: bytes, delay: float) -> Script:
    """The whole answer, after ``delay`` seconds."""

    def script(sock: socket.socket, _request: RawRequest) -> None:
        time.sleep(delay)
        sock.sendall(data)

    return script


def drip(head: bytes, piece: bytes, interval: float) -> Script:
    """The head, then ``piece`` every ``interval`` seconds (a slow or endless body)."""

    def script(sock: socket.socket, _request: RawRequest) -> None:
        sock.sendall(head)
        for _ in _until(time.monotonic() + SCRIPT_LIMIT_SECONDS):
            sock.sendall(piece)
            if interval:
                time.sleep(interval)

    return script


def silent(sock: socket.socket, _request: RawRequest) -> None:
    """Accept the request and never answer (until the client leaves)."""
    sock.settimeout(SCRIPT_LIMIT_SECONDS)
    with contextlib.suppress(TimeoutError):
        sock.recv(1)


def reset(sock: socket.socket, _request: RawRequest) -> None:
    """Abort the connection with a TCP reset."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def nothing(_sock: socket.socket, _request: RawRequest) -> None:
    """Close the connection without a byte."""


# ---------------------------------------------------------------- bodies


@cache
def bomb(kind: str) -> bytes:
    """64 MiB of zeros, compressed (kilobytes on the wire)."""
    zeros = b"\0" * (64 * 1024 * 1024)
    if kind == "gzip":
        return gzip.compress(zeros, compresslevel=9)
    if kind == "deflate":
        return zlib.compress(zeros, 9)
    if kind == "br":
        import brotli

        return bytes(brotli.compress(zeros, quality=5))
    if kind == "gzip, gzip":
        return gzip.compress(gzip.compress(zeros, compresslevel=9), compresslevel=9)
    raise ValueError(kind)


def brotli_page() -> bytes:
    import brotli

    return bytes(brotli.compress(PAGE))


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _page_in(charset: str, *, meta: bool = False, size: int = 0) -> bytes:
    """A page declaring ``charset`` (in the header, or in a meta tag), ``size`` bytes long."""
    filler = ("<p>" + "word " * 20 + "</p>") * max(1, size // 110)
    head = f'<meta charset="{charset}">' if meta else ""
    text = f"<!doctype html><html><head>{head}<title>Charset</title></head><body><p>{TEXT}</p>"
    return (text + filler + "</body></html>").encode("ascii")


# ---------------------------------------------------------------- the cases


def _framing() -> list[Case]:
    f = "framing"
    cases = [
        Case("content-length", f, Answer(response()), OK, body=PAGE),
        Case("chunked", f, Answer(chunked(PAGE[:50], PAGE[50:])), OK, body=PAGE),
        Case(
            "chunk-extension",
            f,
            Answer(
                response(
                    "HTTP/1.1 200 OK",
                    "Transfer-Encoding: chunked",
                    body=b"%x;name=value\r\n%s\r\n0\r\n\r\n" % (len(PAGE), PAGE),
                    length=False,
                )
            ),
            OK,
            body=PAGE,
        ),
        Case(
            "chunk-trailers",
            f,
            Answer(chunked(PAGE)[: -len(b"\r\n")] + b"X-Trailer: yes\r\n\r\n"),
            OK,
            body=PAGE,
        ),
        Case("close-delimited", f, Answer(response(length=False)), OK, body=PAGE),
        Case(
            "http10-close-delimited",
            f,
            Answer(response("HTTP/1.0 200 OK", length=False)),
            OK,
            body=PAGE,
        ),
        Case("http10-content-length", f, Answer(response("HTTP/1.0 200 OK")), OK, body=PAGE),
        Case(
            "both-chunked-and-length",
            f,
            Answer(
                chunked(PAGE, extra="Content-Length: 5"),
            ),
            UNREACHABLE,
            ingests=False,
        ),
        Case(
            "short-body",
            f,
            Answer(
                response(body=PAGE).replace(
                    b"Content-Length: %d" % len(PAGE), b"Content-Length: 99999"
                )
            ),
            UNREACHABLE,
        ),
        Case(
            "chunked-cut-short",
            f,
            Answer(
                response(
                    "HTTP/1.1 200 OK",
                    "Transfer-Encoding: chunked",
                    body=b"ffff\r\nabc",
                    length=False,
                )
            ),
            UNREACHABLE,
        ),
        Case("empty-body-200", f, Answer(response(body=b"")), OK, ingests=False),
        Case(
            "no-content-204-with-body",
            f,
            Answer(b"HTTP/1.1 204 No Content\r\n\r\n"),
            OK,
            ingests=False,
        ),
        Case("interim-100", f, Answer(b"HTTP/1.1 100 Continue\r\n\r\n" + response()), OK),
        Case(
            "interim-103",
            f,
            Answer(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" + response()),
            OK,
        ),
        Case(
            "chunked-zero-only",
            f,
            Answer(
                response(
                    "HTTP/1.1 200 OK", "Transfer-Encoding: chunked", body=b"0\r\n\r\n", length=False
                )
            ),
            OK,
            ingests=False,
        ),
    ]
    bad_sizes = {
        "chunk-size-negative": b"-5",
        "chunk-size-hex-prefix": b"0x5",
        "chunk-size-plus": b"+5",
        "chunk-size-underscore": b"0_5",
        "chunk-size-huge": b"f" * 40,
        "chunk-size-missing": b"",
        "chunk-size-not-hex": b"zz",
        "chunk-size-unicode-digit": "²".encode(),
    }
    for name, size in bad_sizes.items():
        body = size + b"\r\nhello\r\n0\r\n\r\n"
        head = response("HTTP/1.1 200 OK", "Transfer-Encoding: chunked", body=body, length=False)
        cases.append(Case(name, f, Answer(head), UNREACHABLE))
    cases.append(
        Case(
            "chunk-longer-than-size",
            f,
            Answer(
                response(
                    "HTTP/1.1 200 OK",
                    "Transfer-Encoding: chunked",
                    body=b"3\r\nhello\r\n0\r\n\r\n",
                    length=False,
                )
            ),
            UNREACHABLE,
        )
    )
    bad_lengths = {
        "length-conflicting-list": "5, 6",
        "length-negative": "-1",
        "length-plus": "+5",
        "length-hex": "0x10",
        "length-float": "1e3",
        "length-unicode-digit": "²",
        "length-space-inside": "1 0",
        "length-huge": "9" * 40,
    }
    for name, value in bad_lengths.items():
        raw = response(body=PAGE, length=False).replace(
            b"\r\n\r\n", f"\r\nContent-Length: {value}\r\n\r\n".encode(), 1
        )
        cases.append(Case(name, f, Answer(raw), UNREACHABLE))
    cases.append(
        Case(
            "length-conflicting-headers",
            f,
            Answer(response("HTTP/1.1 200 OK", "Content-Length: 3", body=PAGE)),
            UNREACHABLE,
        )
    )
    return cases


def _status_lines() -> list[Case]:
    s = "status"
    good = {
        "status-no-reason": (b"HTTP/1.1 200", OK),
        "status-empty-reason": (b"HTTP/1.1 200 ", OK),
        "status-long-reason": (b"HTTP/1.1 200 " + b"very " * 500 + b"good", OK),
        "status-utf8-reason": ("HTTP/1.1 200 Très bien".encode(), OK),
        "status-404": (b"HTTP/1.1 404 Not Found", NOT_FOUND),
        "status-410": (b"HTTP/1.1 410 Gone", NOT_FOUND),
        "status-500": (b"HTTP/1.1 500 Internal Server Error", SERVER_ERROR),
        "status-503": (b"HTTP/1.1 503 Service Unavailable", SERVER_ERROR),
        "status-999": (b"HTTP/1.1 999 Request denied", SERVER_ERROR),
        "status-429": (b"HTTP/1.1 429 Too Many Requests", RATE_LIMITED),
        # RFC 9112 4: a client SHOULD ignore the reason phrase, whatever it holds.
        "status-nul-in-reason": (b"HTTP/1.1 200 O\x00K", OK),
    }
    cases = [
        Case(name, s, Answer(response(head)), outcome) for name, (head, outcome) in good.items()
    ]
    bad = {
        "status-unicode-digit": "HTTP/1.1 2²0 OK".encode(),
        "status-four-digits": b"HTTP/1.1 2000 OK",
        "status-two-digits": b"HTTP/1.1 20 OK",
        "status-negative": b"HTTP/1.1 -200 OK",
        "status-letters": b"HTTP/1.1 abc OK",
        "status-missing": b"HTTP/1.1",
        "status-http2-version": b"HTTP/2 200 OK",
        "status-http09-version": b"HTTP/0.9 200 OK",
        "status-icy": b"ICY 200 OK",
        "status-lowercase-protocol": b"http/1.1 200 OK",
        "status-no-space": b"HTTP/1.1200 OK",
    }
    cases += [Case(name, s, Answer(response(head)), UNREACHABLE) for name, head in bad.items()]
    cases += [
        Case("status-no-head-at-all", s, Answer(PAGE), UNREACHABLE),
        Case("status-ssh-banner", s, Answer(b"SSH-2.0-OpenSSH_9.6\r\n\r\n"), UNREACHABLE),
        Case("status-binary-garbage", s, Answer(bytes(range(256)) * 4), UNREACHABLE),
        Case("status-empty-answer", s, Answer(script=nothing), UNREACHABLE),
        Case("status-reset", s, Answer(script=reset), UNREACHABLE),
    ]
    return cases


def _headers() -> list[Case]:
    h = "headers"
    long_date = "Wed, 21 Oct 2015 07:28:00 GMT" + " (local time)" * 400
    return [
        Case(
            "header-obs-fold",
            h,
            Answer(
                response(
                    "HTTP/1.1 200 OK",
                    "X-Folded: first\r\n  second",
                    "Cache-Control: no-cache\r\n\tprivate",
                )
            ),
            OK,
            body=PAGE,
        ),
        Case("header-bare-lf", h, Answer(response().replace(b"\r\n", b"\n")), OK, body=PAGE),
        Case(
            "header-mixed-line-endings",
            h,
            Answer(response().replace(b"\r\n", b"\n", 2)),
            OK,
            body=PAGE,
        ),
        Case(
            "header-long-last-modified",
            h,
            Answer(response("HTTP/1.1 200 OK", f"Last-Modified: {long_date}")),
            OK,
        ),
        Case(
            "header-long-etag", h, Answer(response("HTTP/1.1 200 OK", f'ETag: "{"e" * 3000}"')), OK
        ),
        Case(
            "header-control-chars-in-etag",
            h,
            Answer(response("HTTP/1.1 200 OK", 'ETag: "a\x01b\x1b[31mc"')),
            OK,
        ),
        Case(
            "header-escape-in-content-type",
            h,
            Answer(response(content_type="text/html\x1b]0;pwned\x07; charset=utf-8")),
            OK,
            ingests=False,  # not a content type of an article
        ),
        Case(
            "header-long-content-type",
            h,
            Answer(response(content_type="text/html; x=" + "y" * 5000)),
            OK,
        ),
        Case(
            "header-latin1-value",
            h,
            Answer(
                response(b"HTTP/1.1 200 OK", body=PAGE).replace(
                    b"\r\n\r\n", b"\r\nX-Name: caf\xe9\r\n\r\n", 1
                )
            ),
            OK,
        ),
        # RFC 9112 5.1: whitespace before the colon is how responses are split; refused.
        Case(
            "header-space-before-colon",
            h,
            Answer(response("HTTP/1.1 200 OK", "X-Odd : value")),
            UNREACHABLE,
        ),
        Case(
            "header-no-colon",
            h,
            Answer(response("HTTP/1.1 200 OK", "this line has no colon")),
            UNREACHABLE,
        ),
        Case(
            "header-nul-in-value",
            h,
            Answer(response("HTTP/1.1 200 OK", "X-Nul: a\x00b")),
            UNREACHABLE,
        ),
        Case(
            "header-huge-single",
            h,
            Answer(response("HTTP/1.1 200 OK", "X-Huge: " + "a" * 200_000)),
            UNREACHABLE,
        ),
        Case(
            "header-too-many",
            h,
            Answer(response("HTTP/1.1 200 OK", *(f"X-H{i}: v" for i in range(5000)))),
            UNREACHABLE,
        ),
        Case(
            "retry-after-unicode-digit",
            h,
            Answer(response("HTTP/1.1 503 Busy", "Retry-After: ²")),
            SERVER_ERROR,
        ),
        Case(
            "retry-after-huge",
            h,
            Answer(response("HTTP/1.1 429 Slow down", "Retry-After: " + "9" * 100)),
            RATE_LIMITED,
        ),
        Case(
            "retry-after-negative",
            h,
            Answer(response("HTTP/1.1 503 Busy", "Retry-After: -5")),
            SERVER_ERROR,
        ),
        Case(
            "retry-after-garbage-date",
            h,
            Answer(response("HTTP/1.1 503 Busy", "Retry-After: Mon, 99 Foo 20x5 25:61:61 GMT")),
            SERVER_ERROR,
        ),
        Case("content-type-garbage", h, Answer(response(content_type=";;;=;=")), OK),
        Case("content-type-missing", h, Answer(response(content_type=None)), OK),
        Case(
            "set-cookie-flood",
            h,
            Answer(
                response(
                    "HTTP/1.1 200 OK", *(f"Set-Cookie: c{i}={'x' * 100}; Path=/" for i in range(50))
                )
            ),
            OK,
        ),
        Case(
            "connection-close-header",
            h,
            Answer(response("HTTP/1.1 200 OK", "Connection: close")),
            OK,
        ),
        Case(
            "keep-alive-with-timeout",
            h,
            Answer(response("HTTP/1.1 200 OK", "Keep-Alive: timeout=0")),
            OK,
        ),
    ]


def _encoded(name: str, body: bytes, *codings: str) -> Case:
    """The page, coded as the Content-Encoding lines ``codings`` say: decoded, it is PAGE."""
    headers = (f"Content-Encoding: {coding}" for coding in codings)
    return Case(
        name, "encodings", Answer(response("HTTP/1.1 200 OK", *headers, body=body)), OK, body=PAGE
    )


def _encodings() -> list[Case]:
    e = "encodings"
    gz = gzip.compress(PAGE)
    cases = [
        _encoded("gzip", gz, "gzip"),
        _encoded("x-gzip", gz, "x-gzip"),
        _encoded("gzip-gzip", gzip.compress(gz), "gzip, gzip"),
        _encoded("gzip-gzip-two-headers", gzip.compress(gz), "gzip", "gzip"),
        _encoded("deflate-zlib", zlib.compress(PAGE), "deflate"),
        _encoded("deflate-raw", raw_deflate(PAGE), "deflate"),
        _encoded("identity", PAGE, "identity"),
        _encoded("brotli", brotli_page(), "br"),
        Case(
            "transfer-encoding-gzip-chunked",
            e,
            Answer(one_chunk(gz, "Transfer-Encoding: gzip, chunked")),
            OK,
            body=PAGE,
        ),
        Case(
            "gzip-chunked-content-encoding",
            e,
            Answer(one_chunk(gz, "Content-Encoding: gzip", "Transfer-Encoding: chunked")),
            OK,
            body=PAGE,
        ),
        Case(
            "gzip-corrupt",
            e,
            Answer(
                response(
                    "HTTP/1.1 200 OK",
                    "Content-Encoding: gzip",
                    body=b"\x1f\x8b\x08\x00garbage" * 10,
                )
            ),
            UNREACHABLE,
        ),
        Case(
            "brotli-corrupt",
            e,
            Answer(
                response(
                    "HTTP/1.1 200 OK", "Content-Encoding: br", body=b"\xff\xff\xff garbage" * 10
                )
            ),
            UNREACHABLE,
        ),
        Case(
            "gzip-truncated",
            e,
            Answer(response("HTTP/1.1 200 OK", "Content-Encoding: gzip", body=gz[: len(gz) // 2])),
            UNREACHABLE,
        ),
        Case(
            "unknown-content-encoding",
            e,
            Answer(
                response("HTTP/1.1 200 OK", "Content-Encoding: x-martian", body=b"\x00\x01\x02")
            ),
            OK,
            ingests=False,
        ),
        Case(
            "transfer-encoding-unknown",
            e,
            Answer(response("HTTP/1.1 200 OK", "Transfer-Encoding: x-martian", length=False)),
            UNREACHABLE,
        ),
    ]
    for kind in ("gzip", "deflate", "br", "gzip, gzip"):
        name = "bomb-" + kind.replace(", ", "-")
        cases.append(
            Case(
                name,
                "bombs",
                Answer(response("HTTP/1.1 200 OK", f"Content-Encoding: {kind}", body=bomb(kind))),
                OK,
                ingests=False,
            )
        )
    framed = bomb("gzip")
    cases.append(
        Case(
            "bomb-gzip-chunked",
            "bombs",
            Answer(one_chunk(framed, "Content-Encoding: gzip", "Transfer-Encoding: chunked")),
            OK,
            ingests=False,
        )
    )
    cases.append(
        Case(
            "bomb-transfer-encoding-gzip",
            "bombs",
            Answer(one_chunk(framed, "Transfer-Encoding: gzip, chunked")),
            OK,
            ingests=False,
        )
    )
    return cases


def _charsets() -> list[Case]:
    c = "charsets"
    codecs = [
        "punycode", "utf-7", "rot13", "base64", "hex", "zlib", "bz2", "uu", "quopri", "idna",
        "unicode_escape", "raw_unicode_escape", "undefined", "mbcs", "no-such-charset",
    ]  # fmt: skip
    cases = []
    for codec in codecs:
        name = "charset-" + "".join(ch if ch.isalnum() else "-" for ch in codec).strip("-")
        size = 300_000 if codec == "punycode" else 2000
        body = _page_in("ascii", size=size)
        cases.append(
            Case(
                name, c, Answer(response(body=body, content_type=f"text/html; charset={codec}")), OK
            )
        )
    cases.append(
        Case(
            "charset-meta-punycode",
            c,
            Answer(
                response(
                    body=_page_in("punycode", meta=True, size=300_000), content_type="text/html"
                )
            ),
            OK,
        )
    )
    text_page = (
        "<!doctype html><html><head><title>Charset</title></head>"
        f"<body><p>Zażółć gęślą jaźń. {TEXT}</p></body></html>"
    )
    for charset in (
        "utf-8",
        "iso-8859-2",
        "windows-1250",
        "utf-16",
        "latin2",
        "gb18030",
        "shift_jis",
    ):
        try:
            body = text_page.encode(charset)
        except UnicodeEncodeError:
            body = text_page.encode(charset, "xmlcharrefreplace")
        name = "charset-real-" + charset.replace("_", "-")
        cases.append(
            Case(
                name,
                c,
                Answer(response(body=body, content_type=f"text/html; charset={charset}")),
                OK,
            )
        )
    cases.append(
        Case(
            "charset-declared-utf8-invalid-bytes",
            c,
            Answer(response(body=PAGE + b"\xff\xfe\xc3(", content_type="text/html; charset=utf-8")),
            OK,
        )
    )
    return cases


def _locations() -> list[Case]:
    loc = "location"

    def moved(location: bytes, status: bytes = b"301 Moved Permanently") -> Answer:
        return Answer(
            b"HTTP/1.1 " + status + b"\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n"
        )

    return [
        Case("location-relative", loc, moved(b"/target/page"), REDIRECTED),
        Case("location-absolute", loc, moved(b"{origin}/target/page"), REDIRECTED),
        Case("location-302", loc, moved(b"/target/page", b"302 Found"), OK),
        Case("location-raw-utf8-path", loc, moved("/target/café".encode()), REDIRECTED),
        Case("location-latin1-byte-path", loc, moved(b"/target/caf\xe9"), REDIRECTED),
        Case("location-space-in-path", loc, moved(b"/target/a b"), REDIRECTED),
        Case("location-raw-utf8-host", loc, moved("http://bücher.invalid/".encode()), UNREACHABLE),
        Case("location-empty", loc, moved(b""), UNREACHABLE),
        Case("location-blank", loc, moved(b"   "), UNREACHABLE),
        Case(
            "location-missing",
            loc,
            Answer(b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n"),
            UNREACHABLE,
        ),
        Case("location-javascript", loc, moved(b"javascript:alert(1)"), INVALID_URL),
        Case("location-ftp", loc, moved(b"ftp://example.org/file"), INVALID_URL),
        Case("location-control-char", loc, moved(b"/target/\x01page"), INVALID_URL),
        Case("location-too-long", loc, moved(b"/target/" + b"a" * 10_000), INVALID_URL),
        Case("location-credentials", loc, moved(b"http://user:pw@127.0.0.1/"), INVALID_URL),
        Case("location-bad-port", loc, moved(b"http://127.0.0.1:99999/"), INVALID_URL),
        Case("location-self-loop", loc, moved(b"/case/location-self-loop"), LOOP),
        Case(
            "location-endless-body",
            loc,
            Answer(
                script=drip(
                    b"HTTP/1.1 301 Moved\r\nLocation: /target/page\r\n\r\n", b"x" * 65536, 0.0
                )
            ),
            REDIRECTED,
        ),
        Case(
            "location-slow-body",
            loc,
            Answer(
                script=drip(
                    b"HTTP/1.1 301 Moved\r\nLocation: /target/page\r\n"
                    b"Content-Length: 100000\r\n\r\n",
                    b"x",
                    0.05,
                )
            ),
            REDIRECTED,
        ),
        Case("location-to-404", loc, moved(b"/missing/page"), NOT_FOUND),
    ]


def _slow() -> list[Case]:
    s = "slow"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
    return [
        Case("slow-head", s, Answer(script=delayed(response(), TIMEOUT_SECONDS + 2)), TIMEOUT),
        Case("slow-silent", s, Answer(script=silent), TIMEOUT),
        Case(
            "slow-drip-body",
            s,
            Answer(script=drip(head + b"Content-Length: 100000\r\n\r\n", b"x", 0.05)),
            TIMEOUT,
        ),
        Case(
            "slow-header-bytes",
            s,
            Answer(script=drip(b"HTTP/1.1 200 OK\r\nX-Slow: ", b"a", 0.05)),
            TIMEOUT,
        ),
        Case(
            "endless-close-delimited",
            s,
            Answer(script=drip(head + b"\r\n" + PAGE, b"<p>more</p>" * 6000, 0.0)),
            OK,
            ingests=False,
        ),
        Case(
            "endless-chunked",
            s,
            Answer(
                script=drip(
                    head + b"Transfer-Encoding: chunked\r\n\r\n",
                    b"ffff\r\n" + b"y" * 0xFFFF + b"\r\n",
                    0.0,
                )
            ),
            OK,
            ingests=False,
        ),
        Case(
            "endless-headers",
            s,
            Answer(script=drip(b"HTTP/1.1 200 OK\r\n", b"X-More: " + b"a" * 1000 + b"\r\n", 0.0)),
            UNREACHABLE,
        ),
        Case(
            "endless-status-line",
            s,
            Answer(script=drip(b"HTTP/1.1 200 ", b"O" * 65536, 0.0)),
            UNREACHABLE,
        ),
        Case(
            "endless-interim",
            s,
            Answer(script=drip(b"", b"HTTP/1.1 100 Continue\r\n\r\n", 0.001)),
            TIMEOUT,
        ),
    ]


def _targets() -> dict[str, Answer]:
    """Where the redirect cases lead."""
    page = Answer(response())
    return {
        "/target/page": page,
        "/target/caf%C3%A9": page,
        "/target/caf%E9": page,
        "/target/a%20b": page,
    }


@cache
def cases() -> tuple[Case, ...]:
    every = [
        *_framing(),
        *_status_lines(),
        *_headers(),
        *_encodings(),
        *_charsets(),
        *_locations(),
        *_slow(),
    ]
    names = [case.name for case in every]
    assert len(names) == len(set(names)), "case names must be unique"
    return tuple(every)


def serve_cases(server: RawServer) -> dict[str, str]:
    """Route every case (and the redirect targets) on ``server``; case name -> URL."""
    for path, answer in _targets().items():
        server.route(path, answer)
    return {case.name: server.route(case.path, case.answer) for case in cases()}
