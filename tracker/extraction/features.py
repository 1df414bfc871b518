"""The check-worthiness features of one sentence: one definition for training and scoring.

Word unigrams and bigrams and character 4-grams within words (digits folded to ``0``, so
"69%" and "12%" share features), and the cues a fact-checker reads a sentence by, which carry
over to topics and wordings the training data never saw:

- against a claim: hedges ("might", "perhaps", "it's possible"), modals and the future
  ("will", "would", "have to"), questions, first-person intentions ("I will", "we want"),
  second-person appeals, evaluative words;
- for a claim: attribution ("said", "reported", "found", "according to"), past-tense events,
  figures, dates, names (capitalised words inside the sentence), quotations, comparisons.

Words inside quotation marks are the speaker's, not the writer's: "He said: 'I would ...'"
reports what was said, so the cues are read with quoted spans masked.
"""

from __future__ import annotations

import itertools
import re

from tracker.extraction.figures import FIGURE

_WORD = re.compile(r"\w+|[%$€£?]")
_DIGIT = re.compile(r"\d")
_QUOTED = re.compile(
    '["\u201c\u201d][^"\u201c\u201d]{3,}["\u201c\u201d]'
    "|(?<!\\w)['\u2018][^'\u2018\u2019]{12,}['\u2019](?!\\w)"
)
ATTRIBUTION = re.compile(
    r"\b(according to|survey(?:s|ed)?|polls?|study|studies|report(?:s|ed)?|data|statistics|"
    r"census|found that|findings?|show(?:s|ed|n)?|estimated?|announced|declared|confirmed|"
    r"revealed|said|says|told|stated|testified|wrote|published|documented|records? show)\b",
    re.IGNORECASE,
)
COMPARISON = re.compile(
    r"\b(more|less|fewer|higher|lower|larger|smaller|largest|biggest|smallest|highest|lowest|"
    r"most|least|increased?|decreased?|doubled|tripled|halved|rose|fell|grew|dropped|"
    r"declined|times as|than)\b",
    re.IGNORECASE,
)
DATE = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|"
    r"december|(?:19|20)\d\d|last (?:year|month|week)|yesterday|ago|in the \d0s)\b",
    re.IGNORECASE,
)
QUOTE = re.compile(r"[\"“”].{12,}[\"“”]")
HEDGE = re.compile(
    r"\b(might|may|could|perhaps|maybe|possibly|possible|probably|likely|unlikely|seems?|"
    r"appears? to|suggests?|potentially|presumably|supposedly|arguably|apparently|"
    r"i think|i believe|i guess|i suspect|i hope|i feel|we think|we believe|in my (?:view|opinion)|"
    r"it'?s (?:possible|likely|conceivable)|chance that|scenario|if)\b",
    re.IGNORECASE,
)
FUTURE = re.compile(
    r"\b(will|won'?t|shall|would|wouldn'?t|'ll|going to|gonna|has to|have to|had better|"
    r"need to|needs to|should|shouldn'?t|must|ought to|is to|are to)\b|\w'll\b",
    re.IGNORECASE,
)
INTENTION = re.compile(
    r"\b(i|we)(?:'m| am| are|'re)? (?:will|'ll|going to|gonna|want to|intend to|plan to|"
    r"promise|would like to|am determined|are determined|pledge)|\b(?:i|we)'ll\b|\blet'?s\b|"
    r"\blet me\b|\blet us\b",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|me|my|mine|we|we're|we've|us|our|ours)\b", re.I)
SECOND_PERSON = re.compile(r"\b(you|your|you're|yours)\b", re.IGNORECASE)
EVALUATIVE = re.compile(
    r"\b(good|bad|great|terrible|awful|wonderful|best|worst|wrong|right|shameful|disgrace\w*|"
    r"ridiculous|absurd|outrageous|important|crucial|wise|foolish|better|worse|fair|unfair|"
    r"obviously|clearly|of course|frankly|truly|really|very|so much|believe|feel|hope|"
    r"proud|ashamed|love|hate|wish|deserve|great deal)\b",
    re.IGNORECASE,
)
PAST = re.compile(
    r"\b(was|were|had|did|didn'?t|wasn'?t|weren'?t|went|took|got|gave|made|came|became|began|"
    r"won|lost|spent|paid|cut|rose|fell|grew|led|left|sent|sold|bought|built|brought|"
    r"held|kept|met|ran|saw|knew|thought|wrote|voted|signed|passed|has been|have been|"
    r"\w{3,}ed)\b",
    re.IGNORECASE,
)
# Modality that hedges the writer's own clause: a modal or hedge among the first words of the
# main clause (after an optional introductory phrase ending in a comma). "Trump might be
# unable to ...", "In that case, he might ..." are hedged; "He voted against a law that would
# ..." and "He said he would ..." are not.
_HEDGE_WORDS = (
    r"(?:might|could|would|may|perhaps|possibly|probably|likely|unlikely|possible|possibility|"
    r"scenario|chance|will|has to|have to|\w+'ll)"
)
MAIN_HEDGE = re.compile(
    r"^\W*(?:[^,]{0,80},\s*)?(?:[\w'\u2019-]+\s+){0,5}?" + _HEDGE_WORDS + r"\b",
    re.IGNORECASE,
)
REPORTING = re.compile(
    r"\b(said|says|told|reported|according|announced|declared|argued|warned|added|"
    r"noted|wrote|predicted|expects?|believes?|claimed|suggested|stated|testified)\b",
    re.IGNORECASE,
)
NEGATION = re.compile(r"\b(not|no|never|nobody|nothing|n't)\b|\w+n't\b", re.IGNORECASE)
_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][a-z]+|\b[A-Z]{2,}\b")
_QUESTION_START = re.compile(
    r"^\W*(who|what|when|where|why|how|which|is|are|do|does|did|can|could|would|should|will|"
    r"isn'?t|aren'?t|don'?t|doesn'?t|didn'?t|won'?t|wouldn'?t|have|has)\b",
    re.IGNORECASE,
)
CUE_PATTERNS: dict[str, re.Pattern[str]] = {
    "attribution": ATTRIBUTION,
    "comparison": COMPARISON,
    "date": DATE,
    "hedge": HEDGE,
    "future": FUTURE,
    "intention": INTENTION,
    "first_person": FIRST_PERSON,
    "second_person": SECOND_PERSON,
    "evaluative": EVALUATIVE,
    "past": PAST,
    "negation": NEGATION,
}


def mask_quotes(sentence: str) -> str:
    """``sentence`` with quoted words replaced by a placeholder (the speaker's, not ours)."""
    return _QUOTED.sub(' "Q" ', sentence)


def main_clause_hedged(sentence: str) -> bool:
    """Whether the writer's own clause is hedged: a modal or hedge before any reporting
    verb or "that" (quoted words masked)."""
    masked = mask_quotes(sentence)
    hedge = MAIN_HEDGE.search(masked)
    if hedge is None:
        return False
    reported = REPORTING.search(masked)
    return reported is None or hedge.end() <= reported.start()


def sentence_features(sentence: str) -> set[str]:
    """Binary features of ``sentence`` (names are stable: they key the shipped weights)."""
    lowered = _DIGIT.sub("0", sentence.lower())
    words = _WORD.findall(lowered)
    features = {"w:" + word for word in words}
    features.update(f"b:{first} {second}" for first, second in itertools.pairwise(words))
    for token in lowered.split():  # character 4-grams: inflections and unseen words
        padded = f" {token} "
        features.update("c:" + padded[i : i + 4] for i in range(max(1, len(padded) - 3)))
    features.update(cue_features(sentence))
    return features


def cue_features(sentence: str) -> set[str]:
    masked = mask_quotes(sentence)
    cues = {f"f:{name}" for name, pattern in CUE_PATTERNS.items() if pattern.search(masked)}
    if _DIGIT.search(sentence):
        cues.add("f:digit")
    if FIGURE.search(sentence):
        cues.add("f:figure")
    if QUOTE.search(sentence):
        cues.add("f:quote")
    stripped = masked.rstrip()
    if stripped.endswith("?") or (_QUESTION_START.search(masked) and not stripped.endswith(".")):
        cues.add("f:question")
    if stripped.endswith("!"):
        cues.add("f:exclamation")
    names = len(_NAME.findall(masked))
    cues.add("f:names0" if not names else "f:names1" if names == 1 else "f:names2+")
    length = len(sentence.split())
    cues.add("f:len<6" if length < 6 else "f:len<15" if length < 15 else "f:len>=15")
    crossed = sorted(cues & _CROSSED)
    cues.update(f"x:{a[2:]}+{b[2:]}" for a, b in itertools.combinations(crossed, 2))
    return cues


_CROSSED = frozenset(
    {"f:past", "f:attribution", "f:hedge", "f:future", "f:digit", "f:first_person",
     "f:names2+", "f:question", "f:quote", "f:evaluative"}
)  # fmt: skip
