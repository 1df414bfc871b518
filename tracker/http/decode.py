"""Content and transfer codings, decoded with a hard cap on the output (bombs stop at the cap).

A body may carry several codings (``Content-Encoding: gzip, gzip``, ``Transfer-Encoding:
gzip, chunked``); they are undone in the reverse order of their listing, each step streaming
and bounded: zlib's ``max_length`` and brotli's ``output_buffer_limit`` stop a tiny compressed
chunk from expanding into gigabytes before the cap is noticed. The decompressors are zlib and
the maintained ``brotli`` bindings: nothing here parses a format of its own.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Protocol

import brotli

KNOWN = frozenset({"gzip", "x-gzip", "deflate", "br", "identity"})


class DecodeError(Exception):
    """The body is not valid in the coding it declares (or the coding is unknown)."""


class _Step(Protocol):
    def feed(self, data: bytes, limit: int) -> bytes: ...

    def backlog(self) -> bool:
        """Whether input is left over that a larger limit would have turned into output."""
        ...

    def finish(self) -> None:
        """Raise :class:`DecodeError` if the stream ended before its end marker."""
        ...


class _Zlib:
    def __init__(self, coding: str) -> None:
        self._raw_fallback = coding == "deflate"
        wbits = zlib.MAX_WBITS | 16 if coding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._z = zlib.decompressobj(wbits)
        self._started = False

    def feed(self, data: bytes, limit: int) -> bytes:
        if self._z.unconsumed_tail:
            data = self._z.unconsumed_tail + data
        try:
            out = self._z.decompress(data, limit)
        except zlib.error as exc:
            if not (self._raw_fallback and not self._started):
                raise DecodeError(f"undecodable body: {exc}") from None
            # Some servers send raw deflate without the zlib header.
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            try:
                out = self._z.decompress(data, limit)
            except zlib.error as raw_exc:
                raise DecodeError(f"undecodable body: {raw_exc}") from None
        self._started = True
        return out

    def backlog(self) -> bool:
        return bool(self._z.unconsumed_tail)

    def finish(self) -> None:
        if self._started and not self._z.eof:
            raise DecodeError("compressed body ends before its end")


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def feed(self, data: bytes, limit: int) -> bytes:
        try:
            return bytes(self._d.process(data, output_buffer_limit=max(limit, 1)))
        except brotli.error as exc:
            raise DecodeError(f"undecodable brotli body: {exc}") from None

    def backlog(self) -> bool:
        return not self._d.can_accept_more_data()

    def finish(self) -> None:
        if not self._d.is_finished():
            raise DecodeError("brotli body ends before its end")


def codings(*headers: str | None) -> list[str]:
    """The codings named by header values, in the order they were applied."""
    names = []
    for header in headers:
        for item in (header or "").split(","):
            name = item.strip().lower()
            if name and name != "identity":
                names.append(name)
    return names


class CappedDecoder:
    """Undoes ``codings`` (applied in that order) and never produces more than ``limit`` bytes.

    Once the cap is reached, ``exceeded`` is set and output stops there; the caller stops
    reading. An unknown coding raises :class:`DecodeError` unless ``opaque_unknown``, in which
    case decoding stops at it (a content coding we cannot undo leaves the document opaque,
    not the response broken).
    """

    def __init__(self, applied: Sequence[str], limit: int, *, opaque_unknown: bool = False) -> None:
        self.limit = limit
        self.size = 0
        self.exceeded = False
        self._steps: list[_Step] = []
        for name in reversed(applied):
            if name in ("gzip", "x-gzip", "deflate"):
                self._steps.append(_Zlib(name))
            elif name == "br":
                self._steps.append(_Brotli())
            elif opaque_unknown:
                break  # the layers outside it are undone, the rest stays as it came
            else:
                raise DecodeError(f"unsupported coding {name!r}")

    def feed(self, chunk: bytes) -> bytes:
        data = chunk
        room = self.limit - self.size + 1
        for step in self._steps:
            data = step.feed(data, room)
            if step.backlog():
                self.exceeded = True
        return self._account(data)

    def flush(self) -> bytes:
        """The end of the body: check every coding ended properly."""
        if not self.exceeded:
            for step in self._steps:
                step.finish()
        return b""

    def _account(self, data: bytes) -> bytes:
        room = self.limit - self.size
        if len(data) > room:
            self.exceeded = True
            data = data[:room]
        self.size += len(data)
        return data
