"""The shared HTTP layer against real local servers."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import ipaddress
import zlib

import pytest

from tests.support.server import LocalServer, Reply, endless, html, redirect
from tracker.http import (
    FailureKind,
    Fetcher,
    FetchFailure,
    FetchResult,
    fetch_sync,
    is_public_address,
)
from tracker.settings import Settings


def test_fetch_records_redirect_chain(http_server: LocalServer, settings: Settings) -> None:
    http_server.route("/old", redirect("/middle", 301))
    http_server.route("/middle", redirect("/new", 302))
    http_server.route("/new", html("New", "<p>here</p>"))
    result = fetch_sync(settings, http_server.url("/old"))
    assert result.status == 200
    assert result.final_url == http_server.url("/new")
    assert [(hop.status, hop.location) for hop in result.redirects] == [
        (301, "/middle"),
        (302, "/new"),
    ]
    assert not result.permanently_redirected
    assert "here" in result.text()


def test_redirect_loop_is_detected(http_server: LocalServer, settings: Settings) -> None:
    http_server.route("/a", redirect("/b"))
    http_server.route("/b", redirect("/a"))
    with pytest.raises(FetchFailure) as caught:
        fetch_sync(settings, http_server.url("/a"))
    assert caught.value.kind is FailureKind.REDIRECT_LOOP
    assert len(caught.value.redirects) == 2
    assert http_server.hits["/a"] == 1


def test_redirect_limit(http_server: LocalServer, settings: Settings) -> None:
    for hop in range(20):
        http_server.route(f"/r{hop}", redirect(f"/r{hop + 1}"))
    with pytest.raises(FetchFailure) as caught:
        fetch_sync(settings.with_overrides(max_redirects=5), http_server.url("/r0"))
    assert caught.value.kind is FailureKind.TOO_MANY_REDIRECTS
    assert http_server.hits["/r7"] == 0


def test_slow_server_times_out(http_server: LocalServer, settings: Settings) -> None:
    http_server.route("/slow", Reply(body="late", delay=3))
    with pytest.raises(FetchFailure) as caught:
        fetch_sync(settings.with_overrides(timeout=0.5), http_server.url("/slow"))
    assert caught.value.kind is FailureKind.TIMEOUT


def test_slow_drip_body_hits_the_deadline(http_server: LocalServer, settings: Settings) -> None:
    http_server.route("/drip", Reply(body=endless(b"x" * 10), chunk_delay=0.05))
    with pytest.raises(FetchFailure) as caught:
        fetch_sync(settings.with_overrides(timeout=0.5), http_server.url("/drip"))
    assert caught.value.kind is FailureKind.TIMEOUT


def test_endless_body_is_cut_at_the_cap(http_server: LocalServer, settings: Settings) -> None:
    http_server.route("/endless", Reply(body=endless()))
    result = fetch_sync(
        settings.with_overrides(max_body_bytes=200_000), http_server.url("/endless")
    )
    assert result.truncated
    assert len(result.body) == 200_000


def test_gzip_bomb_stops_at_the_cap(http_server: LocalServer, settings: Settings) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    http_server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    result = fetch_sync(settings.with_overrides(max_body_bytes=1_000_000), http_server.url("/bomb"))
    assert result.truncated
    assert len(result.body) == 1_000_000


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS])
def test_deflate_with_and_without_zlib_header(
    http_server: LocalServer, settings: Settings, wbits: int
) -> None:
    compressor = zlib.compressobj(wbits=wbits)
    body = compressor.compress(b"<p>deflated page</p>") + compressor.flush()
    http_server.route("/d", Reply(body=body, headers={"Content-Encoding": "deflate"}))
    result = fetch_sync(settings, http_server.url("/d"))
    assert result.body == b"<p>deflated page</p>"
    assert not result.truncated


def test_charset_from_header_and_meta(http_server: LocalServer, settings: Settings) -> None:
    http_server.route(
        "/latin", Reply(body="café".encode("latin-1"), content_type="text/plain; charset=latin-1")
    )
    meta_page = '<html><head><meta charset="windows-1251"></head><body>Привет</body></html>'
    http_server.route(
        "/meta", Reply(body=meta_page.encode("windows-1251"), content_type="text/html")
    )
    assert fetch_sync(settings, http_server.url("/latin")).text() == "café"
    assert "Привет" in fetch_sync(settings, http_server.url("/meta")).text()


def test_ssrf_guard_refuses_loopback_by_default(http_server: LocalServer) -> None:
    http_server.route("/x", html("x", "secret"))
    strict = Settings(allow_private_networks=False, timeout=2)
    for url in (http_server.url("/x"), f"http://localhost:{http_server.port}/x"):
        with pytest.raises(FetchFailure) as caught:
            fetch_sync(strict, url)
        assert caught.value.kind is FailureKind.INVALID_URL
        assert "non-public address" in str(caught.value)
    assert http_server.hits["/x"] == 0


def test_connection_refused_is_unreachable(settings: Settings) -> None:
    with pytest.raises(FetchFailure) as caught:
        fetch_sync(settings, "http://127.0.0.1:1/")
    assert caught.value.kind is FailureKind.UNREACHABLE


def test_non_http_redirect_target_is_invalid(http_server: LocalServer, settings: Settings) -> None:
    http_server.route("/ftp", redirect("ftp://example.org/file"))
    with pytest.raises(FetchFailure) as caught:
        fetch_sync(settings, http_server.url("/ftp"))
    assert caught.value.kind is FailureKind.INVALID_URL
    assert len(caught.value.redirects) == 1


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:8.8.8.8", True),
    ],
)
def test_public_address_classification(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


def test_chunked_body_and_keep_alive(http_server: LocalServer, settings: Settings) -> None:
    parts = [b"<p>one</p>", b"<p>two</p>", b"<p>three</p>"]
    http_server.route("/chunked", Reply(body=iter(parts), headers={"Transfer-Encoding": "chunked"}))
    http_server.route("/next", html("Next", "<p>after</p>"))

    async def run() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            first = await fetcher.fetch(http_server.url("/chunked"))
            second = await fetcher.fetch(http_server.url("/next"))
            return [first, second]

    first, second = asyncio.run(run())
    assert first.body == b"".join(parts)
    assert "after" in second.text()
    assert len(http_server.requests) == 2
    assert len({request.client_port for request in http_server.requests}) == 1


def test_head_and_not_modified_have_no_body(http_server: LocalServer, settings: Settings) -> None:
    http_server.route("/h", html("H", "<p>body</p>"))
    http_server.route("/304", Reply(304, content_type=None, headers={"ETag": '"x"'}))
    head = fetch_sync(settings, http_server.url("/h"), method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert head.headers["content-type"].startswith("text/html")
    not_modified = fetch_sync(settings, http_server.url("/304"))
    assert not_modified.status == 304
    assert not_modified.headers.get("ETAG") == '"x"'
    assert "etag" in not_modified.headers


def test_server_closing_idle_connections_is_survived(
    http_server: LocalServer, settings: Settings
) -> None:
    http_server.route("/bye", html("Bye", "<p>x</p>", headers={"Connection": "close"}))

    async def run() -> list[int]:
        async with Fetcher(settings) as fetcher:
            return [(await fetcher.fetch(http_server.url("/bye"))).status for _ in range(3)]

    assert asyncio.run(run()) == [200, 200, 200]


@pytest.mark.parametrize(
    "answer_bytes",
    [
        b"SSH-2.0-OpenSSH\r\n\r\n",  # not HTTP
        b"HTTP/1.1 200 OK\r\n" + b"X-Filler: " + b"a" * 200_000,  # endless headers
        b"HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n",
    ],
)
def test_garbage_response_is_a_protocol_failure(settings: Settings, answer_bytes: bytes) -> None:
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def answer() -> None:
        connection, _ = listener.accept()
        connection.recv(4096)
        # The client may hang up first, as it should on endless headers.
        with contextlib.suppress(OSError):
            connection.sendall(answer_bytes)
        connection.close()

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    with pytest.raises(FetchFailure) as caught:
        fetch_sync(settings, f"http://127.0.0.1:{port}/")
    assert caught.value.kind is FailureKind.PROTOCOL
    thread.join(2)
    listener.close()
