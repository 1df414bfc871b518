"""Raw responses made by hypothesis, served by a raw-socket server, through the real client:
the checker records an outcome for every one and ``ingest`` either loads a document or
refuses with a one-line error. Never a traceback."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.support.hostile import PAGE
from tests.support.rawserver import Answer, RawServer
from tracker.articles.documents import load_document
from tracker.enums import CheckOutcome
from tracker.errors import FetchError, InvalidInput
from tracker.http import Fetcher
from tracker.linkcheck.checker import Checker, CheckResult, Evidence, LinkJob
from tracker.settings import Settings, load_settings

LINE_ENDS = st.sampled_from([b"\r\n", b"\n"])
VERSIONS = st.sampled_from(
    [b"HTTP/1.1", b"HTTP/1.0", b"HTTP/1.1", b"HTTP/2", b"http/1.1", b"HTTP/9.9", b"ICY", b""]
)
STATUSES = st.one_of(
    st.integers(100, 599).map(lambda n: str(n).encode()),
    st.sampled_from(
        ["2²0".encode(), b"20", b"2000", b"-200", b"0x1f4", b"", b"999", "٢٠٠".encode()]
    ),
)
SAFE_BYTES = st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
INTERESTING_VALUES = {
    b"Content-Length": [b"0", b"5", b"99999", b"-1", "²".encode(), b"5, 6", b"+5", b"1e3"],
    b"Transfer-Encoding": [
        b"chunked",
        b"gzip, chunked",
        b"identity",
        b"x-martian",
        b"chunked, gzip",
    ],
    b"Content-Encoding": [b"gzip", b"br", b"deflate", b"gzip, gzip", b"x-martian", b""],
    b"Content-Type": [
        b"text/html",
        b"text/html; charset=punycode",
        b"text/html; charset=utf-7",
        b"text/plain; charset=rot13",
        b"application/pdf",
        b"text/html\x1b]0;x\x07",
    ],
    b"Location": ["/café".encode(), b"/caf\xe9", b"", b"javascript:x", b"//[::1]/", b"/p"],
    b"Retry-After": ["²".encode(), b"99999999999999999999", b"-5", b"Mon, 99 Foo"],
    b"ETag": [b'"a\x01b"', b'"' + b"e" * 900 + b'"', b'W/"x"'],
    b"Last-Modified": [b"x" * 400, b"Wed, 21 Oct 2015 07:28:00 GMT"],
    b"Connection": [b"close", b"keep-alive", b"upgrade"],
}
HEADERS = st.lists(
    st.one_of(
        st.sampled_from(sorted(INTERESTING_VALUES)).flatmap(
            lambda name: st.sampled_from(INTERESTING_VALUES[name]).map(lambda v: (name, v))
        ),
        st.tuples(st.sampled_from([b"X-Junk", b"X Junk", b"", b"X-\x00"]), SAFE_BYTES),
    ),
    max_size=8,
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["page", "gzip", "chunked", "bad-chunked", "raw"]))
    if kind == "page":
        return PAGE
    if kind == "gzip":
        return gzip.compress(PAGE)
    if kind == "chunked":
        return b"%x\r\n%s\r\n0\r\n\r\n" % (len(PAGE), PAGE)
    if kind == "bad-chunked":
        size = draw(st.sampled_from([b"-5", b"0x5", b"+5", b"ffffffffffffffffffff", b"zz"]))
        return size + b"\r\nhello\r\n0\r\n\r\n"
    return draw(st.binary(max_size=400))


@st.composite
def raw_responses(draw: st.DrawFn) -> bytes:
    end = draw(LINE_ENDS)
    status_line = draw(VERSIONS) + b" " + draw(STATUSES) + b" " + draw(SAFE_BYTES)
    lines = [status_line] + [name + b": " + value for name, value in draw(HEADERS)]
    return end.join(lines) + end + end + draw(bodies())


@pytest.fixture(scope="module")
def generated_web() -> Iterator[tuple[RawServer, list[bytes]]]:
    """One server whose /generated answer is whatever the current example put in the list."""
    current: list[bytes] = [b""]
    with RawServer() as server:
        server.route("/generated", lambda _request: Answer(current[0]))
        server.route("/p", Answer(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
        yield server, current


def _settings() -> Settings:
    return load_settings(timeout=1.0, max_retries=0, max_body_bytes=64 * 1024)


async def _check(settings: Settings, url: str) -> CheckResult:
    job = LinkJob(1, url, evidence=(Evidence(1, 1, "69% of readers", checked=False),))
    async with Fetcher(settings) as fetcher:
        return await Checker(fetcher, settings).check(job)


@hypothesis_settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=raw_responses())
def test_generated_responses_get_an_outcome_and_never_a_traceback(
    generated_web: tuple[RawServer, list[bytes]], raw: bytes
) -> None:
    server, current = generated_web
    current[0] = raw
    settings = _settings()
    url = server.url("/generated")
    result = asyncio.run(_check(settings, url))
    assert isinstance(result.outcome, CheckOutcome)
    assert "internal error" not in (result.error or "")
    assert "\n" not in (result.error or "")
    refusal = _ingest_refusal(settings, url)
    assert refusal is None or (refusal and "\n" not in refusal)


def _ingest_refusal(settings: Settings, url: str) -> str | None:
    """What ``ingest`` would say when it refuses the URL (None: a document was loaded)."""
    try:
        document = load_document(settings, url)
    except (FetchError, InvalidInput) as refused:
        return str(refused)
    assert isinstance(document.text, str)
    return None
