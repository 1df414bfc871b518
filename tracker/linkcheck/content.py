"""What a page says: its title, main text, a fingerprint of it, and evidence matching.

The fingerprint is a 64-bit simhash of word 3-shingles of the main text (navigation, headers,
footers and scripts removed), so a changed date or ad slot leaves it within a few bits while an
edited article moves it far. Binary documents (PDF, images) get an exact hash instead.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import lxml.etree
import lxml.html

MAX_TEXT_CHARS = 500_000
SIMILAR_BITS = 3
"""Simhashes at most this many bits apart are the same content."""

_NOISE_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "head")
_CHROME_TAGS = ("nav", "header", "footer", "aside", "form")
_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_THOUSANDS = re.compile(r"(?<=\d)[,.' ](?=\d{3}(?!\d))")
_PERCENT = re.compile(r"\s*(?:%|\bper ?cent\b)")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Page:
    """The text of a fetched document, as far as we understand it."""

    title: str
    headings: tuple[str, ...]
    main_text: str
    full_text: str


def read_page(text: str, *, html: bool) -> Page:
    """Title, top headings, main text and all visible text of an HTML or text document."""
    text = text[: MAX_TEXT_CHARS * 4]
    if not html:
        plain = _squash(text)
        return Page("", (), plain, plain)
    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", text, count=1) or "<html/>")
    except (lxml.etree.ParserError, ValueError):
        return Page("", (), "", "")
    title = _squash(" ".join(root.xpath("//title//text()")))
    headings = tuple(_squash(h.text_content()) for h in root.xpath("//h1")[:3])
    for element in root.iter(*_NOISE_TAGS):
        element.drop_tree()
    body = root.find("body")
    full = _squash(body.text_content() if body is not None else root.text_content())
    main_candidates = root.xpath("//article | //main | //*[@role='main']")
    if main_candidates:
        main = _squash(" ".join(el.text_content() for el in main_candidates))
    else:
        for element in root.iter(*_CHROME_TAGS):
            element.drop_tree()
        main = _squash(root.text_content())
    return Page(title, headings, main[:MAX_TEXT_CHARS], full[:MAX_TEXT_CHARS])


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def text_fingerprint(text: str) -> str:
    """The simhash of ``text`` as 16 hex digits."""
    words = _WORD.findall(text.lower())
    shingles = (
        [" ".join(words[i : i + 3]) for i in range(len(words) - 2)] if len(words) >= 3 else words
    )
    if not shingles:
        return "0" * 16
    bits = [
        format(int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest()), "064b")
        for s in shingles
    ]
    half = len(bits) / 2
    # Column sums over the 64 bit positions, computed by zip/count in C rather than a loop.
    value = "".join("1" if column.count("1") > half else "0" for column in zip(*bits, strict=True))
    return f"{int(value, 2):016x}"


def binary_fingerprint(body: bytes) -> str:
    return "b:" + hashlib.sha256(body).hexdigest()[:40]


def fingerprints_differ(first: str | None, current: str | None) -> bool:
    """Whether ``current`` differs materially from ``first`` (both known)."""
    if not first or not current:
        return False
    if first.startswith("b:") or current.startswith("b:"):
        return first != current
    return distance(first, current) > SIMILAR_BITS


def distance(first: str, second: str) -> int:
    return (int(first, 16) ^ int(second, 16)).bit_count()


def normalize_for_match(text: str) -> str:
    """Case, whitespace, thousands separators and the percent sign made uniform."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    text = _SPACE.sub(" ", text)
    text = _THOUSANDS.sub("", text)
    text = _PERCENT.sub("%", text)
    return text.strip()


def evidence_present(evidence: str, normalized_page: str) -> bool:
    """Whether the evidence (already stripped of nothing) occurs in the normalized page text."""
    needle = normalize_for_match(evidence)
    return bool(needle) and needle in normalized_page
