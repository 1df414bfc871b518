"""Figures in a sentence, normalized: percentages, money, quantities with scale words, years.

The normalized value lets a reviewer (and the evidence check) compare "2 percent", "2%" and
"two per cent" as one figure; ``text`` keeps the spelling the article used, which is the
evidence a cited source should contain.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

_UNITS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_UNIT_VALUES = {word: n for n, word in enumerate(_UNITS, start=1)}
_TEN_VALUES = {word: n * 10 for n, word in enumerate(_TENS, start=2)}
_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₽": "RUB", "₹": "INR"}
_CURRENCY_WORDS = {
    "dollars": "USD",
    "dollar": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "pounds": "GBP",
    "rubles": "RUB",
    "roubles": "RUB",
    "yuan": "CNY",
}

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# "sixty-nine", "sixty nine", "nineteen", "a hundred": one compact pattern (a list of every
# spelling compiles ten times slower, and start-up counts).
_WORDNUM = (
    rf"(?:{'|'.join(_TENS)})(?:[-\s](?:{'|'.join(_UNITS[:9])}))?"
    rf"|(?:{'|'.join(sorted(_UNITS, key=len, reverse=True))})(?:\shundred)?|(?:a\s)?hundred"
)
_SCALE = r"(?:thousand|million|billion|trillion|bn|mn|tn|[kmb])\b"
FIGURE = re.compile(
    rf"""
    (?P<money>(?P<cur>[$€£¥₽₹])\s?(?P<mnum>{_NUM})(?:\s?(?P<mscale>{_SCALE}))?)
    | (?P<percent>(?P<pnum>{_NUM}|\b(?:{_WORDNUM}))\s?(?:%|\s?per\s?cent\b|\s?percent\b))
    | (?P<quantity>\b(?P<qnum>{_NUM})(?:\s?(?P<qscale>{_SCALE}))?
        (?:\s(?P<qcur>dollars?|euros?|pounds|rubles|roubles|yuan)\b)?)
    """,
    re.IGNORECASE | re.VERBOSE,
)
_YEAR = re.compile(r"^(?:1[5-9]|20)\d\d$")
# "Article 5", "Section 230", "No. 10": labels, not quantities.
_LABEL_BEFORE = re.compile(
    r"\b(?:article|section|chapter|clause|paragraph|point|no\.|number|resolution|step|phase)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    text: str
    kind: str  # percent | money | year | number
    value: float
    unit: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _number(text: str) -> float:
    words = re.split(r"[-\s]+", text.lower().strip())
    if words[0].isalpha():
        value = 0
        for word in words:
            if word == "hundred":
                value = (value or 1) * 100
            else:
                value += _TEN_VALUES.get(word, _UNIT_VALUES.get(word, 0))
        return float(value)
    return float(text.replace(",", ""))


def _scaled(value: float, scale: str | None) -> float:
    if not scale:
        return value
    return value * _SCALES.get(scale.lower(), 1.0)


def find_figures(sentence: str) -> list[Figure]:
    """Every figure in ``sentence``, in order of appearance."""
    return list(_sentence_figures(sentence))


@lru_cache(maxsize=4096)
def _sentence_figures(sentence: str) -> tuple[Figure, ...]:
    """Cached: kind, evidence and the detector read the figures of one sentence repeatedly."""
    return tuple(figure for figure, _start, _end in locate_figures(sentence))


def locate_figures(text: str) -> list[tuple[Figure, int, int]]:
    """Every figure in ``text`` with where it is (the evidence check reads whole pages)."""
    figures: list[tuple[Figure, int, int]] = []
    for match in FIGURE.finditer(text):
        figure = _figure(match, text)
        if figure is not None:
            figures.append((figure, match.start(), match.end()))
    return figures


def _figure(match: re.Match[str], text: str) -> Figure | None:
    shown = match.group(0).strip()
    if match.group("money"):
        value = _scaled(_number(match.group("mnum")), match.group("mscale"))
        return Figure(shown, "money", value, _CURRENCIES[match.group("cur")])
    if match.group("percent"):
        return Figure(shown, "percent", _number(match.group("pnum")), "%")
    number = match.group("qnum")
    if _LABEL_BEFORE.search(text[max(0, match.start() - 20) : match.start()]):
        return None
    currency = match.group("qcur")
    value = _scaled(_number(number), match.group("qscale"))
    if currency:
        return Figure(shown, "money", value, _CURRENCY_WORDS[currency.lower()])
    if _YEAR.match(number) and not match.group("qscale"):
        return Figure(shown, "year", value)
    return Figure(shown, "number", value)
