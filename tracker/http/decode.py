"""Content decoding with a hard cap on the decompressed size (gzip bombs stop at the cap)."""

from __future__ import annotations

import zlib


class CappedDecoder:
    """Decodes gzip/deflate incrementally and never produces more than ``limit`` bytes.

    ``zlib``'s ``max_length`` bounds each step's output, so a tiny compressed chunk cannot
    expand into gigabytes in memory before the cap is noticed. Once the cap is reached,
    ``exceeded`` is set and the output stops there; the caller stops reading.
    """

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.exceeded = False
        encoding = (content_encoding or "").strip().lower()
        self._raw_deflate_fallback = encoding == "deflate"
        self._zlib: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()

    def feed(self, chunk: bytes) -> bytes:
        if self._zlib is None:
            return self._account(chunk)
        room = self.limit - self.size + 1
        try:
            out = self._zlib.decompress(chunk, room)
        except zlib.error:
            if not (self._raw_deflate_fallback and self.size == 0):
                raise
            # Some servers send raw deflate without the zlib header.
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._zlib.decompress(chunk, room)
        self._raw_deflate_fallback = False
        if self._zlib.unconsumed_tail:
            self.exceeded = True
        return self._account(out)

    def flush(self) -> bytes:
        if self._zlib is None or self.exceeded:
            return b""
        return self._account(self._zlib.flush(self.limit - self.size + 1))

    def _account(self, data: bytes) -> bytes:
        room = self.limit - self.size
        if len(data) > room:
            self.exceeded = True
            data = data[:room]
        self.size += len(data)
        return data
