"""The check-worthiness features of one sentence: one definition for training and scoring.

Character n-grams inside word boundaries (robust to inflection and to words never seen in
training), word unigrams and bigrams, and a few cues fact-checkers look for: figures,
attributions, quotations, dates. Digits are folded to ``0`` so "69%" and "12%" share features.
"""

from __future__ import annotations

import itertools
import re

from tracker.extraction.figures import FIGURE

_WORD = re.compile(r"\w+|[%$€£]")
_DIGIT = re.compile(r"\d")
ATTRIBUTION = re.compile(
    r"\b(according to|survey|poll|study|studies|report(?:s|ed)?|data|statistics|census|"
    r"found that|showed?|shows|estimated?|announced|declared|said|says|told)\b",
    re.IGNORECASE,
)
COMPARISON = re.compile(
    r"\b(more|less|fewer|higher|lower|largest|biggest|smallest|highest|lowest|most|least|"
    r"increased?|decreased?|doubled|tripled|rose|fell|grew|dropped|times)\b",
    re.IGNORECASE,
)
DATE = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december|(?:19|20)\d\d|last year|yesterday)\b",
    re.IGNORECASE,
)
QUOTE = re.compile(r"[\"“”].{12,}[\"“”]")
_CHAR_SIZES = (3, 4, 5)


def sentence_features(sentence: str) -> set[str]:
    """Binary features of ``sentence`` (names are stable: they key the shipped weights)."""
    lowered = _DIGIT.sub("0", sentence.lower())
    features: set[str] = set()
    for token in lowered.split():
        padded = f" {token} "
        for size in _CHAR_SIZES:
            if len(padded) <= size:
                features.add("c:" + padded)
                break
            features.update("c:" + padded[i : i + size] for i in range(len(padded) - size + 1))
    words = _WORD.findall(lowered)
    features.update("w:" + word for word in words)
    features.update(f"b:{first} {second}" for first, second in itertools.pairwise(words))
    features.update(cue_features(sentence))
    return features


def cue_features(sentence: str) -> set[str]:
    cues = set()
    if _DIGIT.search(sentence):
        cues.add("f:digit")
    if FIGURE.search(sentence):
        cues.add("f:figure")
    if ATTRIBUTION.search(sentence):
        cues.add("f:attribution")
    if COMPARISON.search(sentence):
        cues.add("f:comparison")
    if DATE.search(sentence):
        cues.add("f:date")
    if QUOTE.search(sentence):
        cues.add("f:quote")
    if sentence.rstrip().endswith("?"):
        cues.add("f:question")
    length = len(sentence.split())
    cues.add("f:len<6" if length < 6 else "f:len<15" if length < 15 else "f:len>=15")
    return cues
