"""What a cited source should say for a claim: its figures, quoted words and key names.

For each claim-citation pair the spec holds what the claim asserts near the citation, in a
form a source page can be searched for whatever its spelling: figures normalized with their
units ("69%" matches "69 percent", "69 per cent", "sixty-nine percent"), quoted words split
at editorial insertions ("I would encourage [Russia] to ..."), and key names and terms. Never
the anchor words alone (a link's words are often generic: "here", "most now"), never a
phrase that is the citing article's own title, never the quoted anchor of another citation.
A claim with nothing concrete gets an empty spec: "nothing to match".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.extraction.figures import Figure, find_figures

_QUOTED = re.compile(r"[\"“]([^\"“”]{3,400})[\"”]")
_INSERTION = re.compile(r"\[[^\]]*\]|\.\.\.|\u2026|\s[-\u2013\u2014]\s")
_WORD = re.compile(r"\w+")
_BRACKETED = re.compile(r"\[[^\]]*\]")
_NAME = re.compile(
    r"\b(?:[A-Z][\w'\u2019.-]*|[A-Z]{2,}\w*)(?:[ /-](?:(?:of|the|and|for|de|von)[ ])?"
    r"(?:[A-Z][\w'\u2019.-]*|\d+\b))*"
)
_CLAUSE_BREAK = re.compile(
    r"[,;:\u2014\u2013()]|\b(?:but|while|whereas|although|though|which|because|after|"
    r"before|as|plus|and the|so)\b"
)


# Capitalised words that start sentences or are too common to identify a source.
def _words(text: str) -> list[str]:
    return text.split()


_COMMON = frozenset(
    _words(
        """a an the this that these those it its he she they we i you his her their our my your
    there here in on at by for from with and but or as if when while after before even though
    although since because so yet also however moreover meanwhile still then now today
    yesterday another other some most many much more all both each every no not one two
    what who which where why how january february march april may june july august september
    october november december monday tuesday wednesday thursday friday saturday sunday
    mr mrs ms dr"""
    )
)
_STOPWORDS = _COMMON | frozenset(
    _words(
        """is are was were be been being has have had do does did will would could should might
    must can shall than then them him us me of to into onto about over under again further
    once only own same very just don't doesn't didn't won't isn't aren't wasn't weren't
    said says say told reported according also like well way lot lots thing things make made
    take taken give given going get got new first last long great little good high during
    earlier later before after within without because"""
    )
)
_POSSESSIVE = re.compile(r"['\u2019]s?$")
MAX_TERMS = 6
CONTEXT_CHARS = 400
# A clause that points back at a quantity stated before it.
_ANAPHOR = re.compile(
    r"\b(?:that|this|these|those|the same|such an?)\s+(?:target|figure|number|level|goal|"
    r"threshold|rate|amount|share|percentage|limit|benchmark|pledge|sum|total|minimum|maximum)s?\b",
    re.IGNORECASE,
)
MIN_QUOTE_WORDS = 2
MIN_TERM_LETTERS = 6


@dataclass(frozen=True)
class EvidenceSpec:
    """What the cited page should contain. Empty: nothing concrete to look for."""

    figures: tuple[dict[str, Any], ...] = ()
    quotes: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.figures or self.quotes or self.terms)

    def summary(self) -> str:
        """One line for people: the figures as written, the quotes, then the terms."""
        parts = [str(f["text"]) for f in self.figures]
        parts += [f"“{quote}”" for quote in self.quotes]
        parts += list(self.terms)
        return " · ".join(parts) if parts else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "figures": list(self.figures),
            "quotes": list(self.quotes),
            "terms": list(self.terms),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> EvidenceSpec:
        if not data:
            return cls()
        return cls(
            tuple(dict(f) for f in data.get("figures", ())),
            tuple(str(q) for q in data.get("quotes", ())),
            tuple(str(t) for t in data.get("terms", ())),
        )


def _key(text: str) -> str:
    return " ".join(word.casefold() for word in _WORD.findall(text))


def _figure(figure: Figure) -> dict[str, Any]:
    return {"text": figure.text, "kind": figure.kind, "value": figure.value, "unit": figure.unit}


def _clause(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The clause of ``sentence`` around characters ``start``..``end``."""
    breaks = [0, *(m.start() for m in _CLAUSE_BREAK.finditer(sentence)), len(sentence)]
    before = max((b for b in breaks if b <= start), default=0)
    after = min((b for b in breaks if b >= end), default=len(sentence))
    return before, after


def quote_pieces(quote: str) -> list[str]:
    """Quoted words a source would print, split where the citing writer inserted or cut."""
    pieces = (" ".join(piece.split()) for piece in _INSERTION.split(quote))
    return [
        piece.strip(" ,.;:") for piece in pieces if len(_WORD.findall(piece)) >= MIN_QUOTE_WORDS
    ]


def evidence_spec(
    sentence: str,
    anchor: tuple[int, int],
    *,
    others: Sequence[tuple[int, int]] = (),
    title: str | None = None,
    context: str = "",
) -> EvidenceSpec:
    """The spec for the citation whose anchor spans ``anchor`` (offsets in ``sentence``).

    ``others`` are the anchors of the sentence's other citations: what they quote is theirs.
    ``title`` is the citing article's own title: never evidence. ``context`` is the text just
    before the sentence: when the citation's clause points back at a quantity ("most now meet
    <u>that target</u>"), the figures are the ones it points at.
    """
    start, end = _widen(anchor, others)
    anchor_words = set(_key(sentence[start:end]).split())
    title_key = _key(title or "")
    clause = _clause(sentence, start, end)
    near = sentence[clause[0] : clause[1]]
    everyone = [anchor, *others]
    groups = [(start, end), *{_widen(o, everyone) for o in others} - {(start, end)}]

    def mine(begin: int, finish: int) -> bool:
        """Whether a figure or quote at begin..finish is closest to this citation."""
        distances = [max(a - finish, begin - b, 0) for a, b in groups]
        return distances[0] == min(distances)

    figures = [f for f in find_figures(sentence[start:end]) if f.kind != "year"]
    if not figures:
        figures = [
            f
            for f, (begin, finish) in _located_figures(sentence)
            if f.kind != "year"
            and mine(begin, finish)
            and not any(a <= begin and finish <= b for a, b in groups[1:])
        ]
    if not figures and context and _ANAPHOR.search(near):
        figures = [f for f in find_figures(context[-CONTEXT_CHARS:]) if f.kind != "year"]
    quotes: list[str] = []
    for match in _QUOTED.finditer(sentence):
        begin, finish = match.start(1), match.end(1)
        if any(begin <= a and b <= finish + 1 for a, b in groups[1:]):
            continue  # another citation's quoted anchor (a title, a phrase) is its evidence
        if title_key and _key(match.group(1)) in title_key:
            continue  # the citing article's headline is not what the source says
        if (begin <= start and end <= finish) or mine(begin, finish):
            quotes.extend(quote_pieces(match.group(1)))
    content = not figures and not quotes
    # Words the citing writer inserted into a quote ("[Russia]") are not the source's.
    near, whole = _BRACKETED.sub(" ", near), _BRACKETED.sub(" ", sentence)
    terms = _terms(near if len(_WORD.findall(near)) >= 4 else whole, quotes, content=content)
    if not figures and not quotes and {_key(t) for t in terms} <= anchor_words | {""}:
        terms = _terms(whole, quotes, content=True)  # never the anchor's words alone
    return EvidenceSpec(
        tuple(_figure(f) for f in figures),
        tuple(dict.fromkeys(quotes)),
        tuple(terms[:MAX_TERMS]),
    )


def _widen(anchor: tuple[int, int], others: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """Anchors side by side ("<a>prior</a> <a>rhetoric</a>") cite one phrase together."""
    start, end = anchor
    changed = True
    while changed:
        changed = False
        for other_start, other_end in others:
            if 0 <= other_start - end <= 1 and other_end > end:
                end, changed = other_end, True
            if 0 <= start - other_end <= 1 and other_start < start:
                start, changed = other_start, True
    return start, end


def _located_figures(sentence: str) -> list[tuple[Figure, tuple[int, int]]]:
    located = []
    cursor = 0
    for figure in find_figures(sentence):
        begin = sentence.find(figure.text, cursor)
        if begin < 0:
            continue
        located.append((figure, (begin, begin + len(figure.text))))
        cursor = begin + len(figure.text)
    return located


def _terms(text: str, quotes: Sequence[str], *, content: bool) -> list[str]:
    """Names (capitalised words and acronyms, not a sentence's opening word), then, when
    there is no figure or quote to look for, long content words."""
    quoted = {word for quote in quotes for word in _key(quote).split()}
    found: list[str] = []
    seen: set[str] = set()
    for match in _NAME.finditer(text):
        name = _POSSESSIVE.sub("", match.group().strip(" .-/'\u2019"))
        words = _key(name).split()
        while words and words[0] in _COMMON:
            words = words[1:]
            name = name.split(" ", 1)[1] if " " in name else ""
        if not words or set(words) <= quoted:
            continue
        if " ".join(words) not in seen:
            seen.add(" ".join(words))
            seen.update(words)
            found.append(name)
    if not content:
        return found
    for word in _WORD.findall(text):
        lowered = word.casefold()
        if (
            len(word) >= MIN_TERM_LETTERS
            and word.isalpha()
            and lowered not in _STOPWORDS
            and lowered not in quoted
            and lowered not in seen
            and not lowered.endswith("ly")
        ):
            seen.add(lowered)
            found.append(lowered)
    return found


def spec_from_text(text: str) -> EvidenceSpec:
    """A reviewer's own evidence text: its figures if it has any, else the words as a quote."""
    figures = [f for f in find_figures(text) if f.kind != "year"]
    if figures and len(_WORD.findall(text)) <= 4:
        return EvidenceSpec(figures=tuple(_figure(f) for f in figures))
    words = " ".join(text.split())
    return EvidenceSpec(quotes=(words,)) if words else EvidenceSpec()
