"""Citations of an HTML page: the links whose anchor lies inside the extracted body.

The body text comes from the main-text extractor, which drops markup; we map each ``<a href>``
of the page back to it by the anchor text and the words just before it in its block. Links
in navigation, share bars, related-article lists or footers do not occur in the body and are
therefore not citations.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml.html import HtmlElement

from scrapers.base import ScrapedCitation
from tracker.extraction.sentences import Sentence, sentence_at
from tracker.urls import try_normalize_url

_BLOCK_TAGS = frozenset(
    {"p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "td", "dd", "dt", "div",
     "figcaption", "section", "article", "pre", "body"}
)  # fmt: skip
_CONTEXT = 60
_SKIPPED = frozenset({"script", "style", "noscript", "template"})


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _block_of(element: HtmlElement) -> HtmlElement:
    parent = element.getparent()
    while parent is not None and parent.tag not in _BLOCK_TAGS:
        parent = parent.getparent()
    return parent if parent is not None else element


def _text_before(block: HtmlElement, anchor: HtmlElement) -> str:
    """The text of ``block`` that precedes ``anchor`` in document order."""
    pieces: list[str] = []

    def walk(node: HtmlElement) -> bool:
        if node is anchor:
            return True
        if isinstance(node.tag, str) and node.tag not in _SKIPPED and node.text:
            pieces.append(node.text)
        for child in node:
            if walk(child):
                return True
            if child.tail:
                pieces.append(child.tail)
        return False

    walk(block)
    return "".join(pieces)


def find_citations(
    tree: HtmlElement, body: str, sentences: Sequence[Sentence], base_url: str | None
) -> list[ScrapedCitation]:
    """Links of ``tree`` that appear in ``body``, in body order, one per anchor occurrence."""
    citations: list[ScrapedCitation] = []
    used: set[int] = set()
    cursor = 0
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        anchor_text = _collapse(anchor.text_content())
        if not href or not anchor_text:
            continue
        offset = _locate(body, _text_before(_block_of(anchor), anchor), anchor_text, cursor, used)
        if offset is None:
            continue
        url = try_normalize_url(href, base_url)
        if url is None:
            continue  # javascript:, mailto:, in-page fragments and malformed URLs
        used.add(offset)
        cursor = offset + len(anchor_text)
        sentence = sentence_at(sentences, offset)
        citations.append(
            ScrapedCitation(
                anchor_text=anchor_text,
                sentence=sentence.text if sentence else "",
                offset=offset,
                url=url,
                raw_url=href,
            )
        )
    citations.sort(key=lambda citation: citation.offset)
    return citations


def _locate(body: str, before: str, anchor_text: str, cursor: int, used: set[int]) -> int | None:
    """Offset of ``anchor_text`` in ``body`` where it follows the same words as on the page."""
    context = _collapse(before)[-_CONTEXT:]
    for width in (len(context), 20, 0):
        prefix = context[len(context) - width :] if width else ""
        joiner = " " if prefix and before[-1:].isspace() else ""
        needle = f"{prefix}{joiner}{anchor_text}" if prefix else anchor_text
        for start in (cursor, 0):
            index = body.find(needle, start)
            while index != -1:
                offset = index + len(needle) - len(anchor_text)
                if offset not in used:
                    return offset
                index = body.find(needle, index + 1)
        if not prefix and len(anchor_text) < 4:
            return None  # a short bare anchor ("here") alone is too ambiguous to place
    return None
