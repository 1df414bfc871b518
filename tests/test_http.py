"""The shared HTTP layer against real local servers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import ipaddress
import time
import zlib

import pytest

from tests.support.hostile import drip, response, silent
from tests.support.rawserver import Answer, RawServer
from tests.support.server import LocalServer, Reply, endless, html, redirect
from tracker.http import (
    FailureKind,
    Fetcher,
    FetchFailure,
    FetchResult,
    fetch_sync,
    is_public_address,
)
from tracker.http.charset import decode_body, web_codec
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


# ---------------------------------------------------------------- defects of the first release


def _fetch_all(settings: Settings, urls: list[str], **kwargs: object) -> list[FetchResult]:
    async def run() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return [await fetcher.fetch(url, **kwargs) for url in urls]  # type: ignore[arg-type]

    return asyncio.run(run())


def test_bytes_after_a_response_never_become_the_next_response(settings: Settings) -> None:
    """A server that sends more than its Content-Length: the excess is not an answer."""
    smuggled = b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nforged!"
    with RawServer() as server:
        server.route(
            "/first",
            Answer(
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" + smuggled, keep_alive=True
            ),
        )
        first, second = _fetch_all(settings, [server.url("/first"), server.url("/second")])
    assert first.body == b"hello"
    assert second.status == 404  # the server's real answer (its fallback), not "forged!"
    assert second.body == b"not found"


def test_http10_responses_do_not_go_back_to_the_pool(settings: Settings) -> None:
    with RawServer() as server:
        answer = Answer(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", keep_alive=True)
        server.route("/a", answer)
        server.route("/b", answer)
        results = _fetch_all(settings, [server.url("/a"), server.url("/b")])
        ports = [request.client_port for request in server.requests]
    assert [result.body for result in results] == [b"ok", b"ok"]
    assert len(set(ports)) == 2


def test_head_connections_are_reused(http_server: LocalServer, settings: Settings) -> None:
    http_server.route("/doc.pdf", Reply(body=b"%PDF-1.4 ...", content_type="application/pdf"))
    results = _fetch_all(settings, [http_server.url("/doc.pdf")] * 3, method="HEAD")
    assert [result.status for result in results] == [200, 200, 200]
    assert [request.method for request in http_server.requests] == ["HEAD"] * 3
    assert len({request.client_port for request in http_server.requests}) == 1


def test_deadline_during_a_redirect_body_closes_the_connection(settings: Settings) -> None:
    """The redirect's body drips forever and its target never answers: the deadline ends the
    fetch, and the connections are closed then, not left to the garbage collector (pytest
    turns an unclosed transport's ResourceWarning into a failure)."""
    with RawServer() as server:
        server.route(
            "/moved",
            Answer(
                script=drip(
                    b"HTTP/1.1 301 Moved\r\nLocation: /silent\r\nContent-Length: 100000\r\n\r\n",
                    b"x",
                    0.05,
                )
            ),
        )
        server.route("/silent", Answer(script=silent))
        with pytest.raises(FetchFailure) as caught:
            fetch_sync(settings.with_overrides(timeout=0.5), server.url("/moved"))
        assert caught.value.kind is FailureKind.TIMEOUT
        assert [hop.location for hop in caught.value.redirects] == ["/silent"]
        gc.collect()
        for _ in range(50):
            if server.open_connections == 0:
                break
            time.sleep(0.05)
        assert server.open_connections == 0


def test_header_values_with_control_characters_are_never_sent(settings: Settings) -> None:
    with RawServer() as server:
        server.route("/p", Answer(response()))
        [result] = _fetch_all(
            settings,
            [server.url("/p")],
            headers={"If-None-Match": '"x"\nX-Injected: 1', "If-Modified-Since": "yesterday"},
        )
        [request] = server.requests
    assert result.status == 200
    assert b"X-Injected" not in request.head
    assert b"If-None-Match" not in request.head
    assert b"If-Modified-Since: yesterday" in request.head


@pytest.mark.parametrize(
    ("location", "requested"),
    [
        ("/caf\u00e9".encode(), "/caf%C3%A9"),  # raw UTF-8, as sent by many servers
        (b"/caf\xe9", "/caf%E9"),  # a stray latin-1 byte
        (b"/a b?q=x y", "/a%20b?q=x%20y"),
    ],
)
def test_raw_bytes_in_location_are_escaped_not_misread(
    settings: Settings, location: bytes, requested: str
) -> None:
    with RawServer() as server:
        server.route("/old", Answer(b"HTTP/1.1 301 Moved\r\nLocation: " + location + b"\r\n\r\n"))
        server.route(requested, Answer(response()))
        result = fetch_sync(settings, server.url("/old"))
    assert result.status == 200
    assert result.final_url == server.url(requested)


def test_raw_utf8_host_in_location_becomes_punycode(settings: Settings) -> None:
    with RawServer() as server:
        server.route(
            "/old",
            Answer(b"HTTP/1.1 302 Found\r\nLocation: http://b\xc3\xbccher.invalid/x\r\n\r\n"),
        )
        with pytest.raises(FetchFailure) as caught:
            fetch_sync(settings, server.url("/old"))
    assert caught.value.kind is FailureKind.UNREACHABLE
    assert "xn--bcher-kva.invalid" in str(caught.value)


@pytest.mark.parametrize("location", [b"", b"   "])
def test_redirect_without_a_target_is_a_failure(settings: Settings, location: bytes) -> None:
    with RawServer() as server:
        server.route("/old", Answer(b"HTTP/1.1 301 Moved\r\nLocation: " + location + b"\r\n\r\n"))
        with pytest.raises(FetchFailure) as caught:
            fetch_sync(settings, server.url("/old"))
    assert caught.value.kind is FailureKind.PROTOCOL
    assert "without a Location" in str(caught.value)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("64:ff9b:1::a00:1", False),  # local-use NAT64
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:a00:1::1", False),  # 6to4 of 10.0.0.1
        ("2002:808:808::1", True),  # 6to4 of 8.8.8.8
        ("::127.0.0.1", False),  # IPv4-compatible
        ("::10.0.0.1", False),
        ("::ffff:0:127.0.0.1", False),  # IPv4-translated (SIIT)
        ("::ffff:0:192.168.0.1", False),
        ("::ffff:0:8.8.8.8", True),
        ("::ffff:10.0.0.1", False),  # IPv4-mapped
        ("fec0::1", False),  # deprecated site-local
        ("fec0::8.8.8.8", False),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
    ],
)
def test_ipv6_forms_embedding_ipv4_are_judged_by_the_ipv4(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("host", ["2130706434", "0x7f000002", "127.2", "[::ffff:127.0.0.2]"])
def test_guard_checks_the_address_actually_connected_to(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, host: str
) -> None:
    """Spellings of 127.0.0.2 that resolve without looking like it: the guard sits on the
    socket, so whatever the spelling, the address dialled is the address checked."""
    from tracker.http import guard

    monkeypatch.setattr(
        guard, "is_public_address", lambda address: address == ipaddress.ip_address("127.0.0.1")
    )
    with LocalServer(host="127.0.0.2") as internal:
        internal.route("/secret", html("secret", "metadata"))
        strict = settings.with_overrides(allow_private_networks=False)
        with pytest.raises(FetchFailure) as caught:
            fetch_sync(strict, f"http://{host}:{internal.port}/secret")
        assert caught.value.kind is FailureKind.INVALID_URL
        # Refused by the guard on the socket, or by the URL library as a non-canonical IPv4.
        assert "non-public address" in str(caught.value) or "canonical" in str(caught.value)
        assert internal.hits["/secret"] == 0


def test_charsets_that_are_not_text_encodings_are_ignored() -> None:
    body = ("<p>" + "plain ascii words " * 20_000 + "</p>").encode()
    for label in ("punycode", "rot13", "undefined", "base64", "utf-7", "unicode_escape"):
        assert web_codec(label) is None
        assert decode_body(body, label, html=True) == body.decode()
    assert web_codec("latin1") == "iso8859-1"
    assert web_codec("Windows-1250") == "cp1250"
    assert decode_body("café".encode("cp1252"), None, html=False) == "café"
