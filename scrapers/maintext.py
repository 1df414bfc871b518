"""Main-text extraction: trafilatura, with readability-lxml when trafilatura falls short.

trafilatura in precision mode keeps the least boilerplate, but now and then stops early and
returns only part of a long article, or keeps a short site notice ("This article was
originally published on ...") instead of the article. readability-lxml picks the article's
container as a whole, so it rarely truncates. The rule (:class:`Rule`):

1. drop site notices from trafilatura's text;
2. keep it when it holds at least :attr:`Rule.suspicious` of the words of the page's ``<p>``
   elements and at least :data:`SHORT_WORDS` words;
3. otherwise run readability (slower, so only then) and take its text if it is
   :attr:`Rule.longer` times longer *and* either contains :attr:`Rule.coverage` of
   trafilatura's word 4-grams (trafilatura missed part of the same article) or trafilatura
   kept fewer than :data:`SHORT_WORDS` words (a notice or a caption is not an article).

The numbers were chosen by 5-fold cross-validation on the 150 pages of the article-extraction
benchmark among a small grid, and the figure reported is the held-out one
(``benchmarks/extraction.py`` prints both).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass

import lxml.etree
import lxml.html
import trafilatura
from lxml.html import HtmlElement

from scrapers.boilerplate import is_notice

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"\w+", re.UNICODE)
MIN_WORDS = 10
SHORT_WORDS = 60
"""Fewer words than this is no article when a longer one is on the page."""
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "br", "pre")
# readability logs every page it finds hard at INFO; keep our logs readable.
logging.getLogger("readability.readability").setLevel(logging.WARNING)
logging.getLogger("trafilatura").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Rule:
    """When readability's text replaces trafilatura's (see the module docstring)."""

    suspicious: float = 0.5
    longer: float = 1.5
    coverage: float = 0.3


RULE = Rule()


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """Word n-gram multiset over ``\\w+`` tokens (the upstream benchmark's unit)."""
    tokens = _TOKEN.findall(text)
    return Counter(tuple(tokens[i : i + size]) for i in range(max(len(tokens) - size + 1, 0)))


def trafilatura_text(html: str) -> str:
    return trafilatura.extract(html, favor_precision=True, include_comments=False) or ""


def readability_text(html: str) -> str:
    """readability's article, one line per block element."""
    from readability import Document  # imported only for the pages that need it
    from readability.readability import Unparseable

    try:
        summary = Document(html).summary(html_partial=True)
        tree = lxml.html.fromstring(summary)
    except (Unparseable, ValueError, lxml.etree.ParserError) as exc:
        log.debug("readability found no article: %s", exc)
        return ""
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return str(tree.text_content())


def paragraphs(text: str) -> list[str]:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return [line for line in lines if line]


def without_notices(text: str) -> str:
    return "\n".join(line for line in paragraphs(text) if not is_notice(line))


def words(text: str) -> int:
    return len(_TOKEN.findall(text))


def needs_fallback(primary: str, page_words: int, rule: Rule = RULE) -> bool:
    count = words(primary)
    return count < rule.suspicious * page_words or count < SHORT_WORDS


def choose(primary: str, fallback: str, rule: Rule = RULE) -> str:
    """``primary``, unless ``fallback`` is the same article only longer, or ``primary`` is
    too short to be an article."""
    primary_words = words(primary)
    if words(fallback) > rule.longer * primary_words:
        if primary_words < SHORT_WORDS:
            return fallback
        own = shingles(primary)
        shared = sum((own & shingles(fallback)).values())
        if not own or shared >= rule.coverage * sum(own.values()):
            return fallback
    return primary


def paragraph_words(tree: HtmlElement) -> int:
    return sum(words(p.text_content()) for p in tree.iter("p"))


def extract_main_text(html: str, tree: HtmlElement | None = None) -> list[str]:
    """The article body of ``html`` (parsed as ``tree``) as whitespace-normalized paragraphs."""
    primary = without_notices(trafilatura_text(html))
    if tree is None:
        tree = lxml.html.fromstring(html)
    chosen = primary
    if needs_fallback(primary, paragraph_words(tree)):
        chosen = choose(primary, readability_text(html))
    found = paragraphs(chosen)
    if not found:
        # Short or badly broken pages: both refuse; trafilatura's recall mode keeps what it can.
        found = paragraphs(trafilatura.extract(html, favor_recall=True) or "")
    if sum(words(paragraph) for paragraph in found) < MIN_WORDS:
        return []  # a lone menu item or error line is not an article
    return found
