"""Check-worthiness: which sentences of an article are claims worth checking, and what kind.

A sentence is a candidate when the shipped linear model (fitted on ClaimBuster, see
``model.py``) puts it above :data:`THRESHOLD` and it is not site boilerplate. The kind and the
evidence (the figure or quoted phrase a cited source should contain) come from simple rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.enums import ClaimKind
from tracker.extraction.features import ATTRIBUTION, DATE, QUOTE
from tracker.extraction.figures import Figure, find_figures
from tracker.extraction.model import LinearModel, shipped_model
from tracker.extraction.sentences import Sentence, split_sentences

THRESHOLD = 0.5
MIN_WORDS = 5
BOILERPLATE = re.compile(
    r"copyright|©|all rights reserved|\bshare (?:this|the|button)|share widely|\brepost\b|"
    r"subscribe|newsletter|\bbecome a (?:member|subscriber|patron)|membership|disclaimer|"
    r"follow us|cookies?\b|sign up|click (?:here|the)|featured image|originally published|"
    r"original source of this article|comment on|media inquiries|contact:|e-?books|fair use|"
    r"donate|support (?:us|our work)|terms of (?:use|service)|privacy policy",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile("[.!?\u2026][\"'\u201d\u2019)\\]]*$")
_QUOTED = re.compile(r"[\"“]([^\"“”]{8,300})[\"”]")


@dataclass
class ClaimCandidate:
    text: str
    start: int
    end: int
    score: float
    kind: ClaimKind
    figures: list[dict[str, Any]] = field(default_factory=list)


def is_boilerplate(sentence: str) -> bool:
    return bool(BOILERPLATE.search(sentence))


def is_heading(sentence: str) -> bool:
    """Section headings ("3. Trump's Prior Rhetoric ...") end without sentence punctuation."""
    return not _SENTENCE_END.search(sentence)


def checkworthiness(sentence: str, model: LinearModel | None = None) -> float:
    """Probability-like score in [0, 1]; boilerplate and fragments score 0."""
    if len(sentence.split()) < MIN_WORDS or is_boilerplate(sentence):
        return 0.0
    return (model or shipped_model()).probability(sentence)


def is_checkworthy(model: LinearModel, sentence: str) -> bool:
    """The decision the benchmark scores, with the weights under test."""
    return checkworthiness(sentence, model) >= THRESHOLD


def claim_kind(sentence: str, figures: list[Figure]) -> ClaimKind:
    if any(figure.kind != "year" for figure in figures):
        return ClaimKind.STATISTIC
    if QUOTE.search(sentence):
        return ClaimKind.QUOTE
    if ATTRIBUTION.search(sentence):
        return ClaimKind.ATTRIBUTION
    if DATE.search(sentence):
        return ClaimKind.EVENT
    return ClaimKind.OTHER


def detect_claims(
    text: str, sentences: Sequence[Sentence] | None = None, *, threshold: float = THRESHOLD
) -> list[ClaimCandidate]:
    """The check-worthy sentences of ``text``, in order."""
    candidates = []
    scores: dict[str, float] = {}
    for sentence in sentences if sentences is not None else split_sentences(text):
        if is_heading(sentence.text):
            continue
        if sentence.text not in scores:  # repeated sentences are scored once
            scores[sentence.text] = checkworthiness(sentence.text)
        score = scores[sentence.text]
        if score < threshold:
            continue
        figures = find_figures(sentence.text)
        candidates.append(
            ClaimCandidate(
                text=sentence.text,
                start=sentence.start,
                end=sentence.end,
                score=round(score, 4),
                kind=claim_kind(sentence.text, figures),
                figures=[figure.as_dict() for figure in figures],
            )
        )
    return candidates


def evidence_for(sentence: str, anchor_text: str) -> str:
    """What a cited source should contain for this sentence: a figure, a quote, or the anchor.

    A figure inside the anchor wins; then an anchor the sentence quotes; then the sentence's
    most specific figure (percentages and money before bare numbers); then a quoted phrase;
    else the anchor text itself.
    """
    in_anchor = [f for f in find_figures(anchor_text) if f.kind != "year"]
    if in_anchor:
        return in_anchor[0].text
    anchor = anchor_text.strip()
    if anchor and any(f"{o}{anchor}{c}" in sentence for o, c in ('""', "“”")):
        return anchor
    figures = find_figures(sentence)
    for kinds in (("percent", "money"), ("number",)):
        chosen = [figure for figure in figures if figure.kind in kinds]
        if chosen:
            return chosen[0].text
    quoted = _QUOTED.search(sentence)
    if quoted:
        return quoted.group(1).strip()
    return anchor_text.strip()
