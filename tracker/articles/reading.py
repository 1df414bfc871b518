"""An article's text cut for reading: each claim's sentence marked, the rest in sentences.

Claims are placed first, where they are (their ``position``, else the first place their text
appears after the previous claim); the text between claims is cut into sentences by a plain
punctuation rule. No sentence segmenter runs here: an article page is read far more often
than it is ingested, and pysbd costs ~10 ms a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from tracker.articles.views import ReadingSegment
from tracker.review.views import ClaimSummary

_SENTENCE_END = re.compile("(?<=[.!?\u2026])[\"'\u201d\u2019)\\]]*\\s+|\\s*\\n\\s*")


def reading_segments(
    text: str, claims: Iterable[ClaimSummary]
) -> tuple[tuple[ReadingSegment, ...], tuple[int, ...]]:
    """The segments, and the claims that could not be placed in ``text``."""
    placed: list[tuple[int, int, int]] = []
    unplaced: list[int] = []
    done = 0
    ordered = sorted(claims, key=lambda c: (c.position is None, c.position or 0, c.id))
    for claim in ordered:
        start = -1
        if claim.position is not None and text.startswith(claim.text, claim.position):
            start = claim.position
        elif claim.text:
            start = text.find(claim.text, done)
        if start < done or not claim.text:
            unplaced.append(claim.id)
            continue
        placed.append((start, start + len(claim.text), claim.id))
        done = start + len(claim.text)
    segments: list[ReadingSegment] = []
    cursor = 0
    for start, end, claim_id in placed:
        segments += _sentences(text, cursor, start)
        segments.append(ReadingSegment(text[start:end], start, claim_id))
        cursor = end
    segments += _sentences(text, cursor, len(text))
    return tuple(segments), tuple(unplaced)


def _sentences(text: str, start: int, end: int) -> Iterator[ReadingSegment]:
    """``text[start:end]`` as sentences (with their offsets) and the spaces between them."""
    cursor = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.start() > cursor:
            yield ReadingSegment(text[cursor : match.start()], cursor, None)
        if match.end() > match.start():
            yield ReadingSegment(text[match.start() : match.end()], None, None)
        cursor = match.end()
    if cursor < end:
        piece = text[cursor:end]
        stripped = piece.rstrip()
        if stripped:
            leading = len(stripped) - len(stripped.lstrip())
            if leading:
                yield ReadingSegment(piece[:leading], None, None)
            yield ReadingSegment(stripped.lstrip(), cursor + leading, None)
        if len(stripped) < len(piece):
            yield ReadingSegment(piece[len(stripped) :], None, None)
