"""Check-worthiness: which sentences of an article are claims worth checking, and what kind.

Every sentence gets a kind. A claim is a sentence the linear model (``model.py``: shipped
weights, or the newsroom's refit) scores at or above its threshold, or one that backs an
in-body citation with an unhedged clause (see :func:`cited_assertion`); it is then a
statistic, quote, attribution, comparison or event. Anything else is not a claim and says why:
a question, prediction, speculation, opinion or rhetoric. Site boilerplate, fragments and
headings are never claims.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.enums import ClaimKind, NotClaimKind
from tracker.extraction.features import (
    ATTRIBUTION,
    COMPARISON,
    EVALUATIVE,
    FIRST_PERSON,
    FUTURE,
    HEDGE,
    INTENTION,
    QUOTE,
    main_clause_hedged,
    mask_quotes,
)
from tracker.extraction.figures import Figure, find_figures
from tracker.extraction.model import LinearModel, shipped_model
from tracker.extraction.sentences import Sentence, split_sentences

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
# Clause boundaries: punctuation, and the conjunctions that open a new assertion.
_CLAUSE_BREAK = re.compile(
    r"[,;:\u2014\u2013()]|\s-\s|\b(?:but|while|whereas|although|though|so that|which|and then|"
    r"plus|because|unless)\b",
    re.IGNORECASE,
)
# Quoted words are someone's speech (not a title) when a speech verb introduces them or they
# speak in the first or second person.
_QUOTED_SPAN = re.compile('["\u201c]([^"\u201c\u201d]{3,})["\u201d]')
_SPEECH_VERB = re.compile(
    r"\b(said|says|say|told|tells|asked|added|threatened|declared|stated|wrote|tweeted|"
    r"quipped|warned|promised|insisted|replied|argued|claimed|called it)\b",
    re.IGNORECASE,
)
_SPEAKER = re.compile(r"\b(I|we|you|my|our|me|us)\b")


def _is_speech(sentence: str) -> bool:
    for match in _QUOTED_SPAN.finditer(sentence):
        before = sentence[max(0, match.start() - 40) : match.start()]
        after = sentence[match.end() : match.end() + 30]
        if _SPEECH_VERB.search(before) or _SPEECH_VERB.search(after):
            return True
        if _SPEAKER.search(match.group(1)):
            return True
    return False


_COMPARED = re.compile(r"\bthan\b|\b\w+est\b")
_CONDITIONAL = re.compile(r"\b(if|unless|whether|in case)\b", re.IGNORECASE)


@dataclass
class ClaimCandidate:
    text: str
    start: int
    end: int
    score: float
    kind: ClaimKind
    figures: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class LabelledSentence:
    """One sentence of an article with the detector's verdict on it."""

    sentence: Sentence
    score: float
    is_claim: bool
    kind: ClaimKind | NotClaimKind


def is_boilerplate(sentence: str) -> bool:
    return bool(BOILERPLATE.search(sentence))


def is_heading(sentence: str) -> bool:
    """Section headings ("3. Trump's Prior Rhetoric ...") end without sentence punctuation."""
    return not _SENTENCE_END.search(sentence)


def passes_gate(sentence: str) -> bool:
    """Fragments and site boilerplate are never claims, whatever the model says."""
    return len(sentence.split()) >= MIN_WORDS and not is_boilerplate(sentence)


def model_says_claim(sentence: str, score: float, threshold: float) -> bool:
    """The model's verdict, except that a sentence whose own clause is hedged ("Trump might
    ...", "This could ...") and has no figure is not a claim, whatever its words."""
    if score < threshold or not passes_gate(sentence):
        return False
    if not main_clause_hedged(sentence):
        return True
    return any(figure.kind != "year" for figure in find_figures(sentence))


def checkworthiness(sentence: str, model: LinearModel | None = None) -> float:
    """Probability-like score in [0, 1]; boilerplate and fragments score 0."""
    if not passes_gate(sentence):
        return 0.0
    return (model or shipped_model()).probability(sentence)


def is_checkworthy(model: LinearModel, sentence: str) -> bool:
    """The decision the benchmark scores, with the weights (and threshold) under test."""
    return model_says_claim(sentence, checkworthiness(sentence, model), model.threshold)


def claim_kind(sentence: str, figures: list[Figure]) -> ClaimKind:
    """What kind of claim a check-worthy sentence is (the first that applies)."""
    if any(figure.kind != "year" for figure in figures):
        return ClaimKind.STATISTIC
    if QUOTE.search(sentence) and _is_speech(sentence):
        return ClaimKind.QUOTE
    if ATTRIBUTION.search(sentence):
        return ClaimKind.ATTRIBUTION
    if COMPARISON.search(mask_quotes(sentence)) and _COMPARED.search(sentence):
        return ClaimKind.COMPARISON
    return ClaimKind.EVENT


def not_claim_kind(sentence: str) -> NotClaimKind:
    """Why a sentence is not a claim: its strongest sign, questions first."""
    masked = mask_quotes(sentence)
    if masked.rstrip().endswith("?"):
        return NotClaimKind.QUESTION
    if INTENTION.search(masked) or (FUTURE.search(masked) and not HEDGE.search(masked)):
        return NotClaimKind.PREDICTION
    if HEDGE.search(masked) or _CONDITIONAL.search(masked):
        return NotClaimKind.SPECULATION
    if EVALUATIVE.search(masked) or FIRST_PERSON.search(masked):
        return NotClaimKind.OPINION
    return NotClaimKind.RHETORIC


def cited_assertion(sentence: Sentence, cited: Sequence[int]) -> bool:
    """Whether a citation in ``sentence`` sits in a clause that asserts rather than hedges.

    Writers link the words a source backs. "Even though <a>most now meet</a> that target,
    they might ..." asserts its cited clause whatever the rest says; "as explained <a>here</a>"
    in a prediction does too, while "<a>Israel and Iran</a> might be plotting" does not.
    """
    text = sentence.text
    if text.rstrip().endswith("?"):
        return False
    breaks = [0, *(m.start() for m in _CLAUSE_BREAK.finditer(text)), len(text)]
    for offset in cited:
        position = offset - sentence.start
        if not 0 <= position < len(text):
            continue
        start = max(b for b in breaks if b <= position)
        end = min(b for b in breaks if b > position)
        clause = mask_quotes(text[start:end])
        if len(clause.split()) < 3:
            continue
        if not (HEDGE.search(clause) or FUTURE.search(clause) or _CONDITIONAL.search(clause)):
            return True
    return False


def label_sentences(
    text: str,
    sentences: Sequence[Sentence] | None = None,
    *,
    cited: Sequence[int] = (),
    model: LinearModel | None = None,
) -> list[LabelledSentence]:
    """Every sentence of ``text`` (headings excepted) with its score, verdict and kind.

    ``cited`` holds the offsets of the article's citations in ``text``.
    """
    model = model or shipped_model()
    ordered = sorted(cited)
    labelled = []
    scores: dict[str, float] = {}
    for sentence in sentences if sentences is not None else split_sentences(text):
        if is_heading(sentence.text):
            continue
        if sentence.text not in scores:  # repeated sentences are scored once
            scores[sentence.text] = checkworthiness(sentence.text, model)
        score = scores[sentence.text]
        inside = ordered[bisect_left(ordered, sentence.start) : bisect_left(ordered, sentence.end)]
        is_claim = model_says_claim(sentence.text, score, model.threshold) or (
            bool(inside) and passes_gate(sentence.text) and cited_assertion(sentence, inside)
        )
        kind: ClaimKind | NotClaimKind = (
            claim_kind(sentence.text, find_figures(sentence.text))
            if is_claim
            else not_claim_kind(sentence.text)
        )
        labelled.append(LabelledSentence(sentence, score, is_claim, kind))
    return labelled


def detect_claims(
    text: str,
    sentences: Sequence[Sentence] | None = None,
    *,
    cited: Sequence[int] = (),
    model: LinearModel | None = None,
) -> list[ClaimCandidate]:
    """The claims of ``text``, in order."""
    candidates = []
    for item in label_sentences(text, sentences, cited=cited, model=model):
        if not item.is_claim or not isinstance(item.kind, ClaimKind):
            continue
        figures = find_figures(item.sentence.text)
        candidates.append(
            ClaimCandidate(
                text=item.sentence.text,
                start=item.sentence.start,
                end=item.sentence.end,
                score=round(item.score, 4),
                kind=item.kind,
                figures=[figure.as_dict() for figure in figures],
            )
        )
    return candidates
