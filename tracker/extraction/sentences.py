"""Sentence segmentation with character offsets, so claims and citations share positions.

pysbd is a rule-based segmenter (the Golden Rules set): it keeps abbreviations ("Dr.", "U.S."),
decimals ("3.5") and quoted sentences together, and needs no model download.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pysbd

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# pysbd is quadratic on very long runs without punctuation; longer blocks are cut first.
_MAX_BLOCK = 5000
# A sentence end followed by more text; without one a block is a single sentence.
_INNER_END = re.compile("[.!?;:\u2026][\"'\u201d\u2019)\\]]*\\s+\\S|\\n")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=True)


@lru_cache(maxsize=8)
def split_sentences(text: str) -> tuple[Sentence, ...]:
    """Sentences of ``text`` with their offsets; paragraphs never share a sentence.

    Cached: the scraper (to place citations) and the claim detector split the same body.
    """
    sentences: list[Sentence] = []
    for block_start, block in _blocks(text):
        if not _INNER_END.search(block.strip()):
            # No sentence end inside the block: one sentence, pysbd (~1 ms a call) skipped.
            stripped = block.strip()
            start = block_start + len(block) - len(block.lstrip())
            sentences.append(Sentence(stripped, start, start + len(stripped)))
            continue
        for span in _segmenter().segment(block):
            raw = span.sent
            stripped = raw.strip()
            if not stripped:
                continue
            start = block_start + span.start + (len(raw) - len(raw.lstrip()))
            sentences.append(Sentence(stripped, start, start + len(stripped)))
    return tuple(sentences)


def _blocks(text: str) -> list[tuple[int, str]]:
    blocks: list[tuple[int, str]] = []
    position = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[position:end]
        for offset in range(0, len(piece), _MAX_BLOCK):
            chunk = piece[offset : offset + _MAX_BLOCK]
            if chunk.strip():
                blocks.append((position + offset, chunk))
        position = match.end() if match else len(text)
    return blocks


def sentence_at(sentences: Sequence[Sentence], offset: int) -> Sentence | None:
    """The sentence that contains character ``offset`` (or the closest one before it)."""
    index = bisect_right(sentences, offset, key=lambda sentence: sentence.start)
    return sentences[index - 1] if index else None
