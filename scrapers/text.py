"""Plain-text and Markdown articles: links, bare URLs and ``<u>anchor</u>`` markers.

Saved articles often lose their links; what survives is the underlined anchor text, kept as
``<u>...</u>``. Each marker becomes a citation with its anchor text and sentence but no URL
(unresolved), for a reviewer to fill in with ``fact-tracker citations resolve``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from scrapers.base import ScrapedArticle, ScrapedCitation
from scrapers.boilerplate import is_notice, is_separator
from tracker.errors import InvalidInput
from tracker.extraction.sentences import sentence_at, split_sentences
from tracker.urls import try_normalize_url

_MARKUP = re.compile(
    r"<u>(?P<underline>.+?)</u>"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)"
    r"|<(?P<autolink>https?://[^>\s]+)>"
    r"|(?P<bare>\bhttps?://[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"])",
    re.IGNORECASE | re.DOTALL,
)
_HEADING = re.compile(r"^#{1,6}\s+")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_BYLINE = re.compile(r"^by\s+(?P<rest>.+)$", re.IGNORECASE | re.DOTALL)
_LONG_DATE = re.compile(r"\b([A-Z][a-z]+ \d{1,2}, \d{4})\b")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
MAX_TITLE_CHARS = 200
MAX_BYLINE_WORDS = 80


@dataclass
class _Marker:
    anchor: str
    url: str | None
    raw_url: str | None


class TextScraper:
    """``markdown`` also strips headings and emphasis markers; both read the same link forms."""

    def __init__(self, name: str = "text") -> None:
        self.name = name

    def parse(self, document: str, url: str | None) -> ScrapedArticle:
        if not document.strip():
            raise InvalidInput("the document is empty")
        if "\x00" in document:
            raise InvalidInput("the document is binary, not text")
        paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(document.replace("\r\n", "\n"))]
        paragraphs = [p for p in paragraphs if p]
        title = None
        if paragraphs and _looks_like_title(paragraphs[0]):
            title = _clean(_HEADING.sub("", paragraphs.pop(0)))
            title = _MARKUP.sub(_marker_text, title)
        authors: list[str] = []
        published = None
        site_name = None
        byline = _BYLINE.match(paragraphs[0]) if paragraphs else None
        if byline and len(paragraphs[0].split()) <= MAX_BYLINE_WORDS:
            paragraphs.pop(0)
            authors, site_name, published = _read_byline(byline.group("rest"))
        body_parts: list[str] = []
        markers: list[tuple[int, _Marker]] = []
        length = 0
        for paragraph in paragraphs:
            if is_separator(paragraph) or is_notice(_MARKUP.sub(_marker_text, paragraph)):
                continue
            text, found = _render(paragraph, url, markdown=self.name == "markdown")
            if not text:
                continue
            if body_parts:
                length += 2
            markers.extend((length + offset, marker) for offset, marker in found)
            body_parts.append(text)
            length += len(text)
        body = "\n\n".join(body_parts)
        sentences = split_sentences(body)
        citations = []
        for offset, marker in markers:
            sentence = sentence_at(sentences, offset)
            citations.append(
                ScrapedCitation(
                    anchor_text=marker.anchor,
                    sentence=sentence.text if sentence else "",
                    offset=offset,
                    url=marker.url,
                    raw_url=marker.raw_url,
                )
            )
        return ScrapedArticle(
            text=body,
            scraper=self.name,
            title=title,
            authors=authors,
            site_name=site_name,
            published_at=published,
            url=url,
            citations=citations,
        )


def _looks_like_title(paragraph: str) -> bool:
    if paragraph.startswith("# "):
        return True
    return "\n" not in paragraph and len(paragraph) <= MAX_TITLE_CHARS and paragraph[-1] not in ".:"


def _marker_text(match: re.Match[str]) -> str:
    return str(
        match.group("underline")
        or match.group("label")
        or match.group("autolink")
        or match.group(0)
    )


def _clean(text: str) -> str:
    return " ".join(_EMPHASIS.sub(r"\2", text).split())


def _render(
    paragraph: str, base: str | None, *, markdown: bool
) -> tuple[str, list[tuple[int, _Marker]]]:
    """The paragraph's plain text and the offsets of its link markers in it."""
    if markdown:
        paragraph = _HEADING.sub("", paragraph)
        paragraph = _EMPHASIS.sub(r"\2", paragraph)
    pieces: list[str] = []
    found: list[tuple[int, _Marker]] = []
    position = 0
    length = 0
    for match in _MARKUP.finditer(paragraph):
        before = paragraph[position : match.start()]
        pieces.append(before)
        length += len(before)
        anchor = " ".join(_marker_text(match).split())
        if match.group("underline"):
            marker = _Marker(anchor, None, None)
        else:
            raw = match.group("target") or match.group("autolink") or match.group("bare")
            marker = _Marker(anchor, try_normalize_url(raw, base), raw)
        if match.group("underline") or marker.url is not None:
            found.append((length, marker))
        pieces.append(anchor)
        length += len(anchor)
        position = match.end()
    pieces.append(paragraph[position:])
    raw_text = "".join(pieces)
    # Collapse whitespace while keeping each marker's offset.
    text, offsets = _collapse_with_map(raw_text)
    return text, [(offsets[offset], marker) for offset, marker in found]


def _collapse_with_map(text: str) -> tuple[str, list[int]]:
    out: list[str] = []
    mapping: list[int] = []
    pending_space = False
    for char in text:
        if char.isspace():
            pending_space = bool(out)
            mapping.append(len(out) + (1 if pending_space else 0))
            continue
        if pending_space:
            out.append(" ")
            pending_space = False
        mapping.append(len(out))
        out.append(char)
    mapping.append(len(out))
    return "".join(out), mapping


def _read_byline(rest: str) -> tuple[list[str], str | None, datetime | None]:
    """Author, publisher and date from "By <u>Name</u> Publisher, Month D, YYYY ..."."""
    underlined = re.match(r"\s*<u>(.+?)</u>", rest)
    plain = _MARKUP.sub(_marker_text, rest)
    if underlined:
        author = " ".join(underlined.group(1).split())
    else:
        author = re.split(r",|\bon\b|\n", plain, maxsplit=1)[0].strip()
    after = plain[plain.find(author) + len(author) :] if author in plain else plain
    site = re.match(r"\s*([A-Z][\w.]*(?: [A-Z][\w.]*){0,3}),", after)
    published = None
    if date := _LONG_DATE.search(plain):
        try:
            published = datetime.strptime(date.group(1), "%B %d, %Y").replace(tzinfo=UTC)
        except ValueError:
            published = None
    return ([author] if author else []), (site.group(1) if site else None), published
