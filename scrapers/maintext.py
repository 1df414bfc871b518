"""Main-text extraction: trafilatura and readability-lxml, one chosen per page.

trafilatura in precision mode keeps the least boilerplate, but now and then stops early and
returns only part of a long article. readability-lxml picks the article's container as a
whole, so it rarely truncates. When trafilatura's text holds less than :data:`SUSPICIOUS` of
the words in the page's ``<p>`` elements, we also run readability (slower, so only then) and
take its text if it is much longer (:data:`LONGER`) *and* contains most of trafilatura's
(:data:`COVERAGE`, by word 4-grams): trafilatura missed part of the same article. On the
article-extraction benchmark this beats either library alone (``benchmarks/extraction.py``).
"""

from __future__ import annotations

import logging
import re
from collections import Counter

import lxml.etree
import lxml.html
import trafilatura
from lxml.html import HtmlElement
from readability import Document
from readability.readability import Unparseable

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\w+", re.UNICODE)
SUSPICIOUS = 0.5
LONGER = 1.5
COVERAGE = 0.5
MIN_WORDS = 10
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "br", "pre")
# readability logs every page it finds hard at INFO; keep our logs readable.
logging.getLogger("readability.readability").setLevel(logging.WARNING)
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """Word n-gram multiset over ``\\w+`` tokens (the upstream benchmark's unit)."""
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + size]) for i in range(max(len(tokens) - size + 1, 0)))


def trafilatura_text(html: str) -> str:
    return trafilatura.extract(html, favor_precision=True, include_comments=False) or ""


def readability_text(html: str) -> str:
    """readability's article, one line per block element."""
    try:
        summary = Document(html).summary(html_partial=True)
        tree = lxml.html.fromstring(summary)
    except (Unparseable, ValueError, lxml.etree.ParserError) as exc:
        log.debug("readability found no article: %s", exc)
        return ""
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return str(tree.text_content())


def _paragraphs(text: str) -> list[str]:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return [line for line in lines if line]


def choose(primary: str, fallback: str) -> list[str]:
    """``primary``'s paragraphs, unless ``fallback`` is the same article, only longer."""
    primary_words = len(_TOKEN.findall(primary))
    fallback_words = len(_TOKEN.findall(fallback))
    if fallback_words > LONGER * primary_words:
        own = shingles(primary)
        shared = sum((own & shingles(fallback)).values())
        if not own or shared >= COVERAGE * sum(own.values()):
            return _paragraphs(fallback)
    return _paragraphs(primary)


def paragraph_words(tree: HtmlElement) -> int:
    return sum(len(_TOKEN.findall(p.text_content())) for p in tree.iter("p"))


def extract_main_text(html: str, tree: HtmlElement | None = None) -> list[str]:
    """The article body of ``html`` (parsed as ``tree``) as whitespace-normalized paragraphs."""
    primary = trafilatura_text(html)
    if tree is None:
        tree = lxml.html.fromstring(html)
    if len(_TOKEN.findall(primary)) >= SUSPICIOUS * paragraph_words(tree):
        chosen = _paragraphs(primary)
    else:
        chosen = choose(primary, readability_text(html))
    if not chosen:
        # Short or badly broken pages: both refuse; trafilatura's recall mode keeps what it can.
        chosen = _paragraphs(trafilatura.extract(html, favor_recall=True) or "")
    if sum(len(_TOKEN.findall(paragraph)) for paragraph in chosen) < MIN_WORDS:
        return []  # a lone menu item or error line is not an article
    return chosen
