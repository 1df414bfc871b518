"""Decoding a body to text with the charsets of the web only.

A server names the charset, and Python's codec registry holds far more than charsets:
``punycode`` is quadratic (a 300 KB page held the event loop for 10-16 s), ``rot13`` and
``hex`` are not text codecs at all, ``undefined`` always fails. Only the labels of the WHATWG
Encoding Standard that Python implements are honoured; any other label is ignored as browsers
ignore it, and the body falls back to UTF-8, then windows-1252 (what browsers assume).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from functools import lru_cache

WEB_CODECS = frozenset(
    {
        "utf-8", "utf-16", "utf-16-le", "utf-16-be", "ascii", "iso8859-1", "iso8859-11",
        "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5", "iso8859-6", "iso8859-7",
        "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16",
        "cp866", "cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255",
        "cp1256", "cp1257", "cp1258", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic",
        "tis-620", "gbk", "gb2312", "gb18030", "big5", "big5hkscs", "euc_jp", "iso2022_jp",
        "shift_jis", "cp932", "euc_kr", "cp949",
    }
)  # fmt: skip
"""Python's canonical names (``codecs.lookup(label).name``) of the web's text encodings."""
FALLBACK = "cp1252"
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-zA-Z0-9_.:-]{1,40})""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@lru_cache(maxsize=256)
def web_codec(label: str | None) -> str | None:
    """The Python codec for a charset label, if it names one of the web's encodings."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except (LookupError, ValueError):
        return None
    return name if name in WEB_CODECS else None


def sniff_charset(body: bytes) -> str | None:
    """A charset the document declares itself (``<meta charset>``) in its first 4 KiB."""
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None


def decode_body(
    body: bytes,
    declared: str | None,
    *,
    html: bool,
    guess: Callable[[bytes], str | None] | None = None,
) -> str:
    """The text of ``body``: BOM, declared charset, in-document declaration, UTF-8, then
    ``guess`` (a charset detector, for saved files) or cp1252; a guess is a web codec too."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return body.decode(bom_codec, errors="replace")
    codec = web_codec(declared) or (web_codec(sniff_charset(body)) if html else None)
    if codec is not None:
        return body.decode(codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        guessed = web_codec(guess(body)) if guess is not None else None
        return body.decode(guessed or FALLBACK, errors="replace")
