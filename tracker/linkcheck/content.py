"""What a page says: its title, main text, a fingerprint of it, and evidence matching.

:func:`match_evidence` takes a page's text and an evidence spec (what a claim says the source
should contain) and returns a verdict and the passage where it was found; it touches neither
the network nor the database, so the checker can run it wherever it judges pages.

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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import lxml.etree
import lxml.html

from tracker.extraction.figures import locate_figures

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
_MATCH_TOKEN = re.compile(r"\d{1,3}(?:[,.' ]\d{3})+(?!\d)|\w+|%")
_SEPARATOR = re.compile(r"[,.' ]")
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


def _match_words(text: str) -> list[tuple[str, int]]:
    """The words of ``text`` as evidence is compared, with where each starts: case folded,
    Unicode compatibility forms, thousands separators dropped ("1,250,000" = "1250000"), and
    one spelling of the percent sign ("12.5 per cent" = "12.5 %" = "12.5 percent")."""
    words: list[tuple[str, int]] = []
    for match in _MATCH_TOKEN.finditer(unicodedata.normalize("NFKC", text)):
        word = match.group().casefold()
        if word[0].isdigit():
            word = _SEPARATOR.sub("", word)
        elif word == "%":
            word = "percent"
        elif word == "cent" and words and words[-1][0] == "per":
            words[-1] = ("percent", words[-1][1])
            continue
        words.append((word, match.start()))
    return words


FOUND = "found"
PARTLY_FOUND = "partly_found"
MISSING = "missing"
NOTHING_TO_MATCH = "nothing_to_match"
EVIDENCE_STATES = (FOUND, PARTLY_FOUND, MISSING, NOTHING_TO_MATCH)
PASSAGE_CHARS = 320
"""About how much of the source is kept as the passage where the evidence was found."""
_NEAR = 400


@dataclass(frozen=True)
class EvidenceMatch:
    """The verdict on one claim's evidence in one page, and where on the page it was found."""

    state: str
    passage: str | None = None

    @property
    def found(self) -> bool | None:
        """The old yes/no (kept for credibility and reports): None when nothing to match."""
        return None if self.state == NOTHING_TO_MATCH else self.state == FOUND


class _PageIndex:
    """The words and figures of one page, with their positions, built once per page."""

    def __init__(self, text: str) -> None:
        self.text = unicodedata.normalize("NFKC", text[:MAX_TEXT_CHARS]).translate(_QUOTES)
        self.words: list[str] = []
        self.starts: list[int] = []
        self.first: dict[str, list[int]] = {}
        for word, start in _match_words(self.text):
            self.first.setdefault(word, []).append(len(self.words))
            self.words.append(word)
            self.starts.append(start)
        self.figures = locate_figures(self.text)

    def phrase(self, phrase: str) -> list[int]:
        """Character positions where the words of ``phrase`` occur in sequence."""
        wanted = [word for word, _start in _match_words(phrase)]
        if not wanted:
            return []
        size = len(wanted)
        return [
            self.starts[index]
            for index in self.first.get(wanted[0], ())
            if self.words[index : index + size] == wanted
        ]

    def figure(self, wanted: Mapping[str, Any]) -> list[int]:
        """Positions of figures equal to ``wanted`` in value and unit, however written."""
        value = float(wanted.get("value", 0.0))
        kind, unit = wanted.get("kind"), wanted.get("unit")
        tolerance = max(abs(value) * 1e-6, 1e-9)
        return [
            start
            for figure, start, _end in self.figures
            if abs(figure.value - value) <= tolerance
            and (figure.kind == kind or {figure.kind, kind} <= {"number", "year"})
            and (figure.unit == unit or kind == "number")
        ]

    def passage(self, center: int) -> str:
        """The sentence-ish stretch of text around ``center``."""
        start = max(0, center - PASSAGE_CHARS // 2)
        end = min(len(self.text), center + PASSAGE_CHARS // 2)
        before = max(self.text.rfind(". ", start, center), self.text.rfind("\n", start, center))
        if before != -1:
            start = before + 2
        after = self.text.find(". ", center, end)
        if after != -1:
            end = after + 1
        return _squash(self.text[start:end])


@lru_cache(maxsize=4)
def _index(page_text: str) -> _PageIndex:
    return _PageIndex(page_text)


def match_evidence(page_text: str, spec: Mapping[str, Any] | None) -> EvidenceMatch:
    """Whether ``page_text`` says what ``spec`` (an EvidenceSpec as JSON) asks for.

    Figures must be found with their value and unit, in any spelling; quotes as word
    sequences; terms as words. ``found``: every figure and quote, and most terms (all of
    them but a third when there is nothing else); ``partly_found``: some of it; ``missing``:
    none. The passage is the stretch of the page where most of what was found sits together.
    """
    figures = list((spec or {}).get("figures") or ())
    quotes = [str(q) for q in (spec or {}).get("quotes") or ()]
    terms = [str(t) for t in (spec or {}).get("terms") or ()]
    if not (figures or quotes or terms):
        return EvidenceMatch(NOTHING_TO_MATCH)
    page = _index(page_text)
    required = [page.figure(f) for f in figures] + [page.phrase(q) for q in quotes]
    optional = [page.phrase(t) for t in terms]
    found_required = sum(1 for positions in required if positions)
    found_terms = sum(1 for positions in optional if positions)
    if not found_required and not found_terms:
        return EvidenceMatch(MISSING)
    if required:
        complete = found_required == len(required) and 2 * found_terms >= len(optional)
    else:
        complete = 3 * found_terms >= 2 * len(optional) and found_terms >= min(2, len(optional))
    weighted = [(positions, 3) for positions in required] + [
        (positions, 1) for positions in optional
    ]
    candidates = [p for positions, _ in weighted for p in positions[:50]]
    center = max(
        candidates,
        key=lambda c: sum(w for ps, w in weighted if any(abs(p - c) <= _NEAR for p in ps)),
    )
    return EvidenceMatch(FOUND if complete else PARTLY_FOUND, page.passage(center))
