"""Which HTTP stack under the checker: httpx, httpx over aiohttp, or aiohttp itself.

Each stack is plugged into the same Fetcher (our deadline, redirects, caps and decoding), so
only the HTTP/1.1 machinery differs:

* ``httpx``: httpx.AsyncClient with its own transport (httpcore + h11, pure Python);
* ``httpx-aiohttp``: httpx.AsyncClient over aiohttp (the httpx-aiohttp transport);
* ``aiohttp``: aiohttp's ClientSession (llhttp, in C), what tracker/http/transport.py uses.

Three measurements, each printed as a table:

1. CPU per request: 3,000 GETs of a 200-byte page and 300 of a 160 KB corpus page, keep-alive,
   64 at a time, from a local server in another process (CPU of this process only; median
   of 3 runs, the stacks interleaved).
2. The hostile suite (tests/support/hostile.py): every case through the checker on each
   stack; how many outcomes are right, and how many checks crashed.
3. Bomb memory: a 1 GiB gzip bomb (1 MiB on the wire) read under a 1 MiB cap, in a fresh
   process per stack: peak RSS growth with the stack's own decompression, and with ours.

    python benchmarks/http_clients.py [--requests 3000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import resource
import statistics
import subprocess
import sys
import tempfile
import zlib
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import aiohttp  # noqa: E402
import httpx  # noqa: E402
import httpx_aiohttp  # noqa: E402
import link_check  # noqa: E402
from multidict import CIMultiDict, CIMultiDictProxy  # noqa: E402

from tracker.http import Fetcher  # noqa: E402
from tracker.http.transport import (  # noqa: E402
    AiohttpTransport,
    FailureKind,
    Reply,
    Transport,
    TransportError,
    translate,
)
from tracker.settings import Settings, load_settings  # noqa: E402

STACKS = ("httpx", "httpx-aiohttp", "aiohttp")
BOMB_ZEROS = 1024**3
BOMB_CAP = 1024**2


# ---------------------------------------------------------------- the httpx-based transports


class HttpxTransport:
    """httpx's client as a Transport (streaming, no redirects, no decoding)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._closing: set[asyncio.Task[None]] = set()

    async def send(self, method: str, url: str, headers: Mapping[str, str]) -> Reply:
        request = self.client.build_request(method, url, headers=dict(headers))
        try:
            response = await self.client.send(request, stream=True)
        except (httpx.HTTPError, httpx.InvalidURL, aiohttp.ClientError, OSError, ValueError) as exc:
            # httpx parses a redirect's Location even when not following it: InvalidURL.
            raise _translate(exc, url) from None
        version = response.http_version.removeprefix("HTTP/")
        major, _, minor = version.partition(".")
        major, minor = int(major or 0), int(minor or 0)
        return Reply(
            status=response.status_code,
            version=(major, minor),  # type: ignore[has-type]
            headers=CIMultiDictProxy(CIMultiDict(response.headers.multi_items())),
            chunks=lambda: _raw(response, url),
            release=lambda: self._close(response),
        )

    def _close(self, response: httpx.Response) -> None:
        task = asyncio.ensure_future(response.aclose())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        await asyncio.gather(*self._closing, return_exceptions=True)
        await self.client.aclose()


async def _raw(response: httpx.Response, url: str) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except (httpx.HTTPError, aiohttp.ClientError, OSError) as exc:
        raise _translate(exc, url, body=True) from None


def _translate(exc: BaseException, url: str, *, body: bool = False) -> TransportError:
    """httpx's errors as failure kinds (httpx-aiohttp's carry the aiohttp error as cause)."""
    cause = exc.__cause__
    if isinstance(cause, aiohttp.ClientError | OSError):
        return translate(cause, url, body=body)
    if isinstance(exc, aiohttp.ClientError | OSError):
        return translate(exc, url, body=body)
    text = " ".join(str(exc).split())[:200] or type(exc).__name__
    if isinstance(exc, httpx.RemoteProtocolError) and "without sending" in text:
        return TransportError(FailureKind.UNREACHABLE, f"{url}: {text}", unanswered=not body)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.DecodingError):
        return TransportError(FailureKind.PROTOCOL, f"{url}: {text}")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL | ValueError):
        return TransportError(FailureKind.INVALID_URL, f"{url}: {text}")
    return TransportError(FailureKind.UNREACHABLE, f"{url}: {text}")


def make_transport(stack: str, settings: Settings) -> Transport:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    if stack == "httpx":
        client = httpx.AsyncClient(limits=limits, timeout=None, trust_env=False)
        return HttpxTransport(client)
    ours = AiohttpTransport(settings, max_connections=200)
    if stack == "httpx-aiohttp":
        transport = httpx_aiohttp.AiohttpTransport(client=ours.session)
        return HttpxTransport(httpx.AsyncClient(transport=transport, timeout=None))
    return ours


# ---------------------------------------------------------------- 1. CPU per request


def cpu_per_request(stack: str, urls: list[str]) -> float:
    """Milliseconds of this process's CPU per fetch (body read, our policy included)."""
    settings = load_settings(allow_private_networks=True, concurrency=64)

    async def run() -> float:
        limit = asyncio.Semaphore(64)
        async with Fetcher(settings, transport=make_transport(stack, settings)) as fetcher:

            async def one(url: str) -> None:
                async with limit:
                    result = await fetcher.fetch(url)
                    assert result.status == 200

            await asyncio.gather(*(one(url) for url in urls[:100]))  # warm the pool
            before = resource.getrusage(resource.RUSAGE_SELF)
            await asyncio.gather(*(one(url) for url in urls))
            after = resource.getrusage(resource.RUSAGE_SELF)
        used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return 1000 * used / len(urls)

    return asyncio.run(run())


# ---------------------------------------------------------------- 2. the hostile suite


def hostile_suite(stack: str) -> tuple[int, int, int]:
    """(right, crashed, cases) for every hostile case checked on ``stack``."""
    from tests.support.hostile import BODY_CAP, TIMEOUT_SECONDS, cases, serve_cases
    from tests.support.rawserver import RawServer
    from tracker.linkcheck.checker import Checker, CheckResult, LinkJob

    settings = load_settings(
        allow_private_networks=True,
        timeout=TIMEOUT_SECONDS,
        max_retries=0,
        max_body_bytes=BODY_CAP,
        archive_url="",
        memento_archives=(),
    )
    every = cases()

    async def run(urls: dict[str, str]) -> list[CheckResult | BaseException]:
        async with Fetcher(settings, transport=make_transport(stack, settings)) as fetcher:
            checker = Checker(fetcher, settings)
            return await asyncio.gather(
                *(checker.check(LinkJob(n, urls[case.name])) for n, case in enumerate(every)),
                return_exceptions=True,
            )

    with RawServer() as server:
        results = asyncio.run(run(serve_cases(server)))
    crashed = sum(not hasattr(result, "outcome") for result in results)
    right = sum(
        getattr(result, "outcome", None) is case.expect
        for case, result in zip(every, results, strict=True)
    )
    return right, crashed, len(every)


# ---------------------------------------------------------------- 3. bomb memory


def bomb_peak(stack: str, mode: str, bomb_file: str) -> float:
    """Peak RSS growth (MiB) reading the bomb under the cap, in this (fresh) process."""
    from tests.support.rawserver import Answer, RawServer

    data = Path(bomb_file).read_bytes()
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(data)
    settings = load_settings(allow_private_networks=True, max_body_bytes=BOMB_CAP)

    async def native(url: str) -> int:
        """The stack's own decompression, stopped at the cap."""
        size = 0
        if stack == "aiohttp":
            async with (
                aiohttp.ClientSession() as session,
                session.get(url) as response,
            ):
                async for chunk in response.content.iter_any():
                    size += len(chunk)
                    if size >= BOMB_CAP:
                        break
            return size
        transport: Any = None
        if stack == "httpx-aiohttp":
            transport = httpx_aiohttp.AiohttpTransport()
        async with (
            httpx.AsyncClient(transport=transport, timeout=None) as client,
            client.stream("GET", url) as response,
        ):
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size >= BOMB_CAP:
                    break
        return size

    async def ours(url: str) -> int:
        async with Fetcher(settings, transport=make_transport(stack, settings)) as fetcher:
            result = await fetcher.fetch(url)
            return len(result.body)

    with RawServer() as server:
        url = server.route("/bomb", Answer(head + data))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = asyncio.run(native(url) if mode == "native" else ours(url))
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert size >= BOMB_CAP
    return (after - before) / 1024


# ---------------------------------------------------------------- running it all


def start_web(links: int) -> tuple[int, Any]:
    port = link_check.free_port()
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    server = context.Process(
        target=link_check.serve, args=(port, links, ready, "real", 0.0), daemon=True
    )
    server.start()
    if not ready.wait(60):
        sys.exit("the local web did not start")
    return port, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--bomb", nargs=3, metavar=("STACK", "MODE", "FILE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.bomb:
        print(json.dumps(bomb_peak(*args.bomb)))
        return

    port, server = start_web(args.requests)
    small = [link_check.url_of(port, n, path="t") for n in range(args.requests)]
    large = [link_check.url_of(port, n, path="r") for n in range(max(args.requests // 10, 64))]
    cpu: dict[tuple[str, str], list[float]] = {}
    try:
        for _ in range(args.runs):
            for stack in STACKS:
                cpu.setdefault((stack, "200 B"), []).append(cpu_per_request(stack, small))
                cpu.setdefault((stack, "160 KB"), []).append(cpu_per_request(stack, large))
    finally:
        server.terminate()
        server.join(5)
    print(f"CPU per request, ms (median of {args.runs}; {args.requests} small, {len(large)} large)")
    print(f"{'stack':<16}{'200 B page':>12}{'160 KB page':>13}{'vs aiohttp':>12}")
    base = statistics.median(cpu[("aiohttp", "200 B")])
    for stack in STACKS:
        small_ms = statistics.median(cpu[(stack, "200 B")])
        large_ms = statistics.median(cpu[(stack, "160 KB")])
        print(f"{stack:<16}{small_ms:>12.3f}{large_ms:>13.3f}{small_ms / base:>11.1f}x")

    print("\nThe hostile suite through the checker (right outcomes; checks that crashed)")
    for stack in STACKS:
        right, crashed, total = hostile_suite(stack)
        print(f"{stack:<16}{right:>5}/{total} right{crashed:>6} crashed")

    print(f"\nA gzip bomb ({BOMB_ZEROS >> 30} GiB of zeros) read under a {BOMB_CAP >> 20} MiB cap:")
    print("peak RSS growth, MiB")
    with tempfile.NamedTemporaryFile(suffix=".gz") as bomb:
        compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        block = b"\0" * (64 * 1024**2)
        for _ in range(BOMB_ZEROS // len(block)):
            bomb.write(compressor.compress(block))
        bomb.write(compressor.flush())
        bomb.flush()
        print(
            f"{'stack':<16}{'its own decoding':>18}{'our capped decoder':>20}"
            f"   ({Path(bomb.name).stat().st_size >> 10} KiB on the wire)"
        )
        for stack in STACKS:
            peaks = [
                json.loads(
                    subprocess.run(
                        [sys.executable, __file__, "--bomb", stack, mode, bomb.name],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                )
                for mode in ("native", "ours")
            ]
            print(f"{stack:<16}{peaks[0]:>18.1f}{peaks[1]:>20.1f}")


if __name__ == "__main__":
    main()
