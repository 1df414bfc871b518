"""Citations of an HTML page: the links inside the blocks that yield the article's text.

The main text and its citations come from the same blocks (see :mod:`scrapers.blocks`): each
link keeps the position it has in its block, so a navigation link whose words happen to occur
in the body ("Health" in "Drug Use and Health") is never placed there, and the linked words
stay in the sentence. Links in page furniture (navigation, tag lists, share bars, related
stories, bylines, footers) and paragraphs that are only links are not citations.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from scrapers.base import ScrapedCitation
from scrapers.blocks import align, read_runs
from scrapers.boilerplate import is_notice
from tracker.extraction.sentences import sentence_at, split_sentences
from tracker.urls import try_normalize_url

PARAGRAPH_BREAK = "\n\n"
_WORD = re.compile(r"\w")


def body_and_citations(
    root: HtmlElement, paragraphs: list[str], base_url: str | None
) -> tuple[str, list[ScrapedCitation]]:
    """The body text rebuilt from ``root``'s blocks for ``paragraphs``, and its citations."""
    body = [paragraph for paragraph in align(paragraphs, read_runs(root)) if paragraph.text]
    text = PARAGRAPH_BREAK.join(paragraph.text for paragraph in body)
    sentences = split_sentences(text)
    citations: list[ScrapedCitation] = []
    offset = 0
    for paragraph in body:
        notice = is_notice(paragraph.text)
        for link in paragraph.links:
            url = try_normalize_url(link.href, base_url) if link.citable and not notice else None
            if url is None:
                continue  # furniture, javascript:, mailto:, in-page fragments, malformed
            start = offset + link.start
            word = _WORD.search(text, start, offset + link.end)
            sentence = sentence_at(sentences, word.start() if word else start)
            citations.append(
                ScrapedCitation(
                    anchor_text=text[start : offset + link.end],
                    sentence=sentence.text if sentence else "",
                    offset=start,
                    url=url,
                    raw_url=link.href,
                )
            )
        offset += len(paragraph.text) + len(PARAGRAPH_BREAK)
    return text, citations
