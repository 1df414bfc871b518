"""What a page says: its title, main text, a fingerprint of it, and evidence matching.

The fingerprint is a bottom-k MinHash sketch (the 16 smallest 32-bit hashes) of the word
3-shingles of the main text (navigation, headers, footers and scripts removed). Two sketches
estimate the Jaccard similarity of the texts, so a changed date or ad slot keeps them similar
while a rewritten article does not. (A 64-bit simhash was tried first: with evenly weighted
shingles a one-word edit flipped several bits, too noisy to tell edits from rewrites.) Binary
documents (PDF, images) get an exact hash instead.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import lxml.etree
import lxml.html

MAX_TEXT_CHARS = 500_000
SKETCH_SIZE = 16
SAME_CONTENT = 0.75
"""Estimated Jaccard similarity at or above which two texts are the same content."""
_BLOCK_TAGS = (
    "p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "tr", "td", "th", "table",
    "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "main", "header", "footer",
    "nav", "aside", "blockquote", "pre", "figure", "figcaption", "title",
)  # fmt: skip

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
    for element in root.iter(*_BLOCK_TAGS):
        # Block boundaries separate words: "<h1>Head</h1><p>Body" reads "Head Body".
        element.tail = " " + element.tail if element.tail else " "
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
    """The sketch of ``text``: up to 16 sorted 32-bit shingle hashes, as hex."""
    words = _WORD.findall(text.lower())
    shingles = (
        {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}
        if len(words) >= 3
        else {" ".join(words)}
    )
    hashes = sorted(
        {int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest()) for s in shingles}
    )
    return "".join(f"{value:08x}" for value in hashes[:SKETCH_SIZE])


def binary_fingerprint(body: bytes) -> str:
    return "b:" + hashlib.sha256(body).hexdigest()[:40]


def similarity(first: str, second: str) -> float:
    """Estimated Jaccard similarity of the texts behind two sketches (1.0: the same)."""
    a, b = _sketch(first), _sketch(second)
    union = sorted(a | b)[:SKETCH_SIZE]
    if not union:
        return 1.0
    return sum(1 for value in union if value in a and value in b) / len(union)


def _sketch(fingerprint: str) -> set[int]:
    return {int(fingerprint[i : i + 8], 16) for i in range(0, len(fingerprint), 8)}


def same_text(first: str | None, second: str | None) -> bool:
    """Whether two text fingerprints say "the same content" (binary ones must be equal)."""
    if first is None or second is None:
        return False
    if first.startswith("b:") or second.startswith("b:"):
        return first == second
    return similarity(first, second) >= SAME_CONTENT


def fingerprints_differ(first: str | None, current: str | None) -> bool:
    """Whether ``current`` differs materially from ``first`` (both known)."""
    if not first or not current:
        return False
    return not same_text(first, current)


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
