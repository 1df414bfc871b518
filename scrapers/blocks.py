"""The page as runs of block text with their links, and the main text mapped back onto them.

A *run* is the text of one block element (a paragraph, list item, heading, cell...) up to the
next block boundary or ``<br>``, whitespace collapsed, with the character span of every link
inside it. The main-text extractor (trafilatura, readability or a site's container) decides
*which* text is the article; :func:`align` finds each of its paragraphs among the runs by
their word sequence and rebuilds the paragraph from the runs. Every link then sits at its
own position in the text it came from: nothing is found again by searching for its anchor
words, and words the extractor dropped with a link (trafilatura drops some inline link
wrappers) come back.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml.html import HtmlElement

BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
     "div", "dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
     "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
     "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "br"}
)  # fmt: skip
SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "head", "select", "option",
     "textarea", "button", "object", "embed", "title", "meta", "link"}
)  # fmt: skip
CHROME_TAGS = frozenset({"nav", "aside", "footer", "header", "menu", "form"})
# Class or id words of page furniture: a link in there is never a citation.
CHROME_WORDS = frozenset(
    {"share", "sharing", "social", "related", "tags", "tag", "taglist", "breadcrumb",
     "breadcrumbs", "byline", "author", "authors", "newsletter", "subscribe", "subscription",
     "promo", "comments", "comment", "nav", "navbar", "navigation", "menu", "sidebar", "footer",
     "topics", "keywords", "recirc", "recommended", "more", "trending", "popular", "outbrain",
     "taboola", "signup", "follow", "masthead", "header", "pagination", "categories", "tweet",
     "embed", "instagram"}
)  # fmt: skip
CONTAINER_SHARE = 0.4
"""A furniture-looking element holding more of the main text than this is its container."""
LINK_LIST_SHARE = 0.8
"""A run whose words are nearly all link text is a list of links, not prose that cites."""
CLUSTER = 3
MAX_GAP = 40
"""Words a paragraph's next word may lie beyond its last one (a dropped link, a footnote)."""
MAX_SKIPPED = 2
"""Words outside links a paragraph may lack against its run and still be that run."""
_TOKEN = re.compile(r"\w+")
_CLASS_WORD = re.compile(r"[a-z]+")


@dataclass
class Anchor:
    start: int
    end: int
    href: str
    element: HtmlElement


@dataclass
class Run:
    text: str
    owner: HtmlElement
    anchors: list[Anchor] = field(default_factory=list)
    clusters: list[tuple[int, int]] = field(default_factory=list)
    """Spans of :data:`CLUSTER` or more links back to back (a widget, such as a hover card
    of related headlines, that an extractor may have kept inside a paragraph)."""


@dataclass(frozen=True)
class PlacedLink:
    """A link inside a body paragraph: ``start``/``end`` index the paragraph's text."""

    start: int
    end: int
    href: str
    citable: bool


@dataclass(frozen=True)
class BodyParagraph:
    text: str
    links: tuple[PlacedLink, ...] = ()


class _RunBuilder:
    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.chars: list[str] = []
        self.length = 0
        self.pending_space = False
        self.anchors: list[Anchor] = []
        self.open: list[tuple[HtmlElement, int | None, int]] = []  # anchor, start, run number

    def add(self, text: str | None) -> None:
        if not text:
            return
        if text[0].isspace():
            self.pending_space = True
        for number, piece in enumerate(text.split()):
            if (number or self.pending_space) and self.length:
                self.chars.append(" ")
                self.length += 1
            self.pending_space = False
            self._start_open_anchors()
            self.chars.append(piece)
            self.length += len(piece)
        if text[-1].isspace():
            self.pending_space = True

    def _start_open_anchors(self) -> None:
        for index, (element, start, number) in enumerate(self.open):
            if start is None and number == len(self.runs):
                self.open[index] = (element, self.length, number)

    def open_anchor(self, element: HtmlElement) -> None:
        self.open.append((element, None, len(self.runs)))

    def close_anchor(self, element: HtmlElement) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            opened, start, number = self.open[index]
            if opened is element:
                del self.open[index]
                if start is not None and number == len(self.runs) and self.length > start:
                    href = (element.get("href") or "").strip()
                    last = self.anchors[-1] if self.anchors else None
                    if last is not None and _split_link(last, element, href, start):
                        last.end = self.length  # one link split over several <a> elements
                    else:
                        self.anchors.append(Anchor(start, self.length, href, element))
                return

    def flush(self, owner: HtmlElement) -> None:
        if self.length:
            text = "".join(self.chars)
            self.runs.append(Run(text, owner, self.anchors, _clusters(text, self.anchors)))
        self.chars, self.length, self.pending_space, self.anchors = [], 0, False, []


def _split_link(last: Anchor, element: HtmlElement, href: str, start: int) -> bool:
    """Whether ``element`` continues the link ``last`` ("<a>Arte</a><a>mis m</a>..."): same
    target, nothing between them, and side by side in the markup."""
    if last.href != href or start - last.end > 1:
        return False
    parent = last.element.getparent()
    above = element.getparent()
    return above is parent or (above is not None and above.getparent() is parent)


def _clusters(text: str, anchors: list[Anchor]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    group: list[Anchor] = []
    for anchor in [*anchors, None]:
        if anchor is not None and group and not text[group[-1].end : anchor.start].strip():
            group.append(anchor)
            continue
        if len(group) >= CLUSTER and (group[0].start > 0 or group[-1].end < len(text)):
            # Prose names what the widget is about with its first link ("Rep. <a>Name</a>
            # <card of links>"): that link stays.
            first = group[1] if group[0].start > 0 and len(group) > CLUSTER else group[0]
            found.append((first.start, group[-1].end))
        group = [anchor] if anchor is not None else []
    return found


def read_runs(root: HtmlElement) -> list[Run]:
    """The runs of ``root`` in document order (an iterative walk: pages nest deeply)."""
    builder = _RunBuilder()
    owners: list[HtmlElement] = [root]
    stack: list[tuple[HtmlElement, bool]] = [(root, False)]
    while stack:
        element, leaving = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else ""
        if leaving:
            if tag in BLOCK_TAGS:
                builder.flush(owners.pop())
            elif tag == "a":
                builder.close_anchor(element)
            builder.add(element.tail)
            continue
        if not tag or tag in SKIPPED_TAGS:
            builder.add(element.tail)  # comments, processing instructions, scripts
            continue
        if tag in BLOCK_TAGS:
            builder.flush(owners[-1])
            owners.append(element)
        elif tag == "a" and element.get("href"):
            builder.open_anchor(element)
        builder.add(element.text)
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    builder.flush(owners[-1] if owners else root)
    return builder.runs


def _is_chrome_element(element: HtmlElement) -> bool:
    if element.tag in CHROME_TAGS:
        return True
    names = f"{element.get('class') or ''} {element.get('id') or ''} {element.get('role') or ''}"
    if not names.strip():
        return False
    words = set(_CLASS_WORD.findall(names.lower()))
    return bool(words & CHROME_WORDS) or "navigation" in names.lower()


class _Stream:
    """Every word of every run, in order, with where it sits."""

    def __init__(self, runs: list[Run]) -> None:
        self.runs = runs
        self.words: list[str] = []
        self.run_of: list[int] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.linked: list[bool] = []
        self.first_word: list[int] = []  # per run: index of its first word
        self.positions: dict[str, list[int]] = defaultdict(list)
        for number, run in enumerate(runs):
            self.first_word.append(len(self.words))
            spans = sorted((a.start, a.end) for a in run.anchors)
            for match in _TOKEN.finditer(run.text.casefold()):
                self.positions[match.group()].append(len(self.words))
                self.words.append(match.group())
                self.run_of.append(number)
                self.starts.append(match.start())
                self.ends.append(match.end())
                self.linked.append(any(s <= match.start() < e for s, e in spans))
        self.first_word.append(len(self.words))

    def run_words(self, number: int) -> range:
        return range(self.first_word[number], self.first_word[number + 1])


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.casefold())


def _match_at(stream: _Stream, position: int, words: list[str]) -> tuple[list[int], int] | None:
    """Stream indexes matching ``words`` from ``position``, skipping link words (and a few
    others) the extractor dropped; None when the paragraph is not there."""
    matched: list[int] = []
    skipped = 0
    index = position
    limit = len(stream.words)
    for word in words:
        while index < limit and stream.words[index] != word:
            if not stream.linked[index]:
                skipped += 1
                if skipped > MAX_SKIPPED:
                    return None
            index += 1
            if matched and index - matched[-1] > MAX_GAP:
                return None
        if index >= limit:
            return None
        matched.append(index)
        index += 1
    return matched, skipped


def _find(stream: _Stream, words: list[str], cursor: int, chrome: list[bool]) -> list[int] | None:
    """Where the paragraph ``words`` is in the stream: exact first, after the cursor first,
    outside page furniture first."""
    candidates = stream.positions.get(words[0], [])
    if not candidates:
        return None
    split = bisect_left(candidates, cursor)
    ordered = candidates[split:] + candidates[:split]
    size = len(words)
    first_exact = None
    for position in ordered:
        if stream.words[position : position + size] == words:
            if not chrome[stream.run_of[position]]:
                return list(range(position, position + size))
            if first_exact is None:
                first_exact = position
    if first_exact is not None:
        return list(range(first_exact, first_exact + size))
    fuzzy: list[tuple[int, int, list[int]]] = []
    for rank, position in enumerate(ordered[:200]):
        found = _match_at(stream, position, words)
        if found is not None:
            matched, skipped = found
            fuzzy.append((skipped + (2 if chrome[stream.run_of[position]] else 0), rank, matched))
    return min(fuzzy)[2] if fuzzy else None


class _FurnitureAbove:
    """The furniture-looking elements at or above an element (nearest first), cached: runs
    share ancestors, and a walk up is iterative because pages nest deeper than recursion."""

    def __init__(self) -> None:
        self.cache: dict[HtmlElement, list[HtmlElement]] = {}

    def __call__(self, element: HtmlElement) -> list[HtmlElement]:
        chain = []
        node: HtmlElement | None = element
        while node is not None and node not in self.cache:
            chain.append(node)
            node = node.getparent()
        above = self.cache[node] if node is not None else []
        for item in reversed(chain):
            above = [item, *above] if _is_chrome_element(item) else above
            self.cache[item] = above
        return self.cache[element]


def align(paragraphs: list[str], runs: list[Run]) -> list[BodyParagraph]:
    """The main text's paragraphs rebuilt from the runs they came from, with their links."""
    stream = _Stream(runs)
    deep_chrome = _FurnitureAbove()
    chrome = [bool(deep_chrome(run.owner)) for run in runs]
    matches: list[list[int] | None] = []
    cursor = 0
    for paragraph in paragraphs:
        words = _tokens(paragraph)
        found = _find(stream, words, cursor, chrome) if words else None
        matches.append(found)
        if found:
            cursor = found[-1] + 1
    # Furniture that holds much of the main text is the article's container, not furniture.
    main_words: dict[HtmlElement, int] = defaultdict(int)
    total = 0
    for found in matches:
        for index in found or ():
            total += 1
            for element in deep_chrome(runs[stream.run_of[index]].owner):
                main_words[element] += 1
    furniture = {e for e, count in main_words.items() if count <= CONTAINER_SHARE * total}
    return [
        _rebuild(stream, found, furniture, deep_chrome) if found else BodyParagraph(paragraph)
        for paragraph, found in zip(paragraphs, matches, strict=True)
    ]


def _kept_spans(stream: _Stream, matched: list[int]) -> dict[int, list[tuple[int, int]]]:
    """Per run, the character spans of the paragraph: the matched words and what lies
    between them, except stretches the extractor left out. A left-out stretch that is exactly
    one link's words (an inline link wrapper the extractor dropped) is kept."""
    spans: dict[int, list[tuple[int, int]]] = {}
    runs = stream.runs
    for number in dict.fromkeys(stream.run_of[i] for i in matched):
        words = stream.run_words(number)
        mine = [i for i in matched if stream.run_of[i] == number]
        text = runs[number].text
        start = 0 if mine[0] == words.start else stream.starts[mine[0]]
        pieces: list[tuple[int, int]] = []
        for before, after in itertools.pairwise(mine):
            if after == before + 1 or _one_link(stream, number, before + 1, after):
                continue
            pieces.append((start, stream.ends[before]))
            start = stream.ends[after - 1]
        if mine[-1] == words.stop - 1:
            end = len(text)
        else:
            end = stream.ends[mine[-1]]
            while end < len(text) and not text[end].isspace():
                end += 1
        pieces.append((start, end))
        spans[number] = _without(pieces, runs[number].clusters)
    return spans


def _without(spans: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    for hole_start, hole_end in holes:
        kept = []
        for start, end in spans:
            if hole_end <= start or end <= hole_start:
                kept.append((start, end))
                continue
            if start < hole_start:
                kept.append((start, hole_start))
            if hole_end < end:
                kept.append((hole_end, end))
        spans = kept
    return [(start, end) for start, end in spans if end > start]


def _one_link(stream: _Stream, number: int, first: int, stop: int) -> bool:
    begin, finish = stream.starts[first], stream.ends[stop - 1]
    return any(
        a.start <= begin and finish <= a.end and a.start >= stream.ends[first - 1]
        for a in stream.runs[number].anchors
    )


def _rebuild(
    stream: _Stream,
    matched: list[int],
    furniture: set[HtmlElement],
    chrome_of: Callable[[HtmlElement], list[HtmlElement]],
) -> BodyParagraph:
    pieces: list[str] = []
    links: list[PlacedLink] = []
    offset = 0
    for number, spans in _kept_spans(stream, matched).items():
        run = stream.runs[number]
        words = stream.run_words(number)
        is_furniture = any(e in furniture for e in chrome_of(run.owner))
        linked = sum(1 for i in words if stream.linked[i])
        citable = not is_furniture and linked < LINK_LIST_SHARE * len(words)
        for start, end in spans:
            if pieces:
                offset += 1
            pieces.append(run.text[start:end].strip())
            shift = offset - start - (len(run.text[start:end]) - len(run.text[start:end].lstrip()))
            links.extend(
                PlacedLink(a.start + shift, a.end + shift, a.href, citable)
                for a in run.anchors
                if a.start >= start and a.end <= end
            )
            offset += len(pieces[-1])
    return BodyParagraph(" ".join(pieces), tuple(links))
