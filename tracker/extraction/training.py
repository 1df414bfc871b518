"""Fitting and cross-validating the check-worthiness weights (a development tool).

Needs scikit-learn (a dev extra); scoring at run time does not. Training data: the ClaimBuster
debate sentences (GPL-3.0, read from the corpus folder and never copied into the repository)
and our own labelled opinion-heavy sentences (``tests/fixtures/claims``).

Every figure is held out: folds keep a document's sentences together (a debate for
ClaimBuster, approximated by blocks of 1,000 consecutive sentence ids; a page or speech for
ours), and the regularization strength and the decision threshold are chosen inside each
training part by an inner cross-validation (nested CV), never on the fold being scored.

    python -m tracker.extraction.training ../shared/corpus/checkworthy/kfold_25ncs.csv
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.extraction.evaluation import PROJECT_ROOT, Scores
from tracker.extraction.features import sentence_features
from tracker.extraction.model import WEIGHTS_FILE, LinearModel

C_GRID = (0.3, 1.0, 3.0)
THRESHOLDS = tuple(round(0.3 + 0.025 * step, 3) for step in range(17))  # 0.30 .. 0.70
KEPT_WEIGHTS = 20000
OUTER_FOLDS = 5
INNER_FOLDS = 4
DEBATE_BLOCK = 1000
MIN_NO_DIGIT_RECALL = 0.70
OWN_SET = PROJECT_ROOT / "tests" / "fixtures" / "claims" / "opinion_sentences.csv"
PROVENANCE = (
    "Fitted on the ClaimBuster check-worthiness data (kfold_25ncs.csv, 9,674 sentences from US "
    "presidential debates, labels CFS=1 / NCS=0) from utaresearch/claimbuster-spotter, "
    "GPL-3.0, and on fact-tracker's own 448 labelled opinion-heavy sentences "
    "(tests/fixtures/claims). The sentences are not shipped, only these weights."
)
_DIGIT = re.compile(r"\d")


@dataclass
class Labelled:
    """Sentences with labels and the document each comes from."""

    sentences: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sentences)

    def take(self, indexes: Sequence[int]) -> Labelled:
        return Labelled(
            [self.sentences[i] for i in indexes],
            [self.labels[i] for i in indexes],
            [self.groups[i] for i in indexes],
        )

    def __add__(self, other: Labelled) -> Labelled:
        return Labelled(
            self.sentences + other.sentences,
            self.labels + other.labels,
            self.groups + other.groups,
        )


def read_claimbuster(path: Path) -> Labelled:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return Labelled(
        [row["text"] for row in rows],
        [int(row["label"]) for row in rows],
        [f"debate-{int(row['sentence_id']) // DEBATE_BLOCK}" for row in rows],
    )


def read_own(path: Path = OWN_SET) -> Labelled:
    """Our labelled sentences (``text``, ``label`` and ``group`` columns, as exported too)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return Labelled(
        [row["text"] for row in rows],
        [int(row["label"]) for row in rows],
        [row.get("group") or f"row-{n}" for n, row in enumerate(rows)],
    )


def _matrix(feature_sets: Sequence[set[str]], vectorizer: Any, *, fit: bool) -> Any:
    rows = [
        dict.fromkeys(features, 1.0 / math.sqrt(len(features)) if features else 0.0)
        for features in feature_sets
    ]
    return vectorizer.fit_transform(rows) if fit else vectorizer.transform(rows)


def _fit(feature_sets: Sequence[set[str]], labels: Sequence[int], c: float) -> tuple[Any, Any]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer()
    matrix = _matrix(feature_sets, vectorizer, fit=True)
    classifier = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    classifier.fit(matrix, list(labels))
    return vectorizer, classifier


def _probabilities(model: tuple[Any, Any], feature_sets: Sequence[set[str]]) -> list[float]:
    vectorizer, classifier = model
    return [
        float(p)
        for p in classifier.predict_proba(_matrix(feature_sets, vectorizer, fit=False))[:, 1]
    ]


def score(labels: Sequence[int], predicted: Sequence[bool]) -> Scores:
    tp = sum(1 for label, guess in zip(labels, predicted, strict=True) if label and guess)
    fp = sum(1 for label, guess in zip(labels, predicted, strict=True) if not label and guess)
    fn = sum(1 for label, guess in zip(labels, predicted, strict=True) if label and not guess)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def _group_folds(groups: Sequence[str], folds: int) -> list[list[int]]:
    """Indexes of each test fold; a group never straddles two folds."""
    from sklearn.model_selection import GroupKFold

    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    return [list(test) for _, test in splitter.split(list(groups), groups=list(groups))]


def choose(
    data: Labelled, features: Sequence[set[str]], extra: Labelled | None = None
) -> tuple[float, float]:
    """(C, threshold) with the best inner cross-validated F1 on ``data`` among those whose
    recall on claims without digits reaches :data:`MIN_NO_DIGIT_RECALL` (``extra`` is always
    in the training part: the other data set)."""
    best = (-1.0, C_GRID[0], 0.5)
    extra_features = [sentence_features(s) for s in extra.sentences] if extra else []
    folds = _group_folds(data.groups, INNER_FOLDS)
    for c in C_GRID:
        probabilities = [0.0] * len(data)
        for test in folds:
            held = set(test)
            train = [i for i in range(len(data)) if i not in held]
            model = _fit(
                [features[i] for i in train] + extra_features,
                [data.labels[i] for i in train] + (extra.labels if extra else []),
                c,
            )
            for index, probability in zip(
                test, _probabilities(model, [features[i] for i in test]), strict=True
            ):
                probabilities[index] = probability
        for threshold in THRESHOLDS:
            decided = [
                _decide(sentence, p, threshold)
                for sentence, p in zip(data.sentences, probabilities, strict=True)
            ]
            f1 = score(data.labels, decided).f1
            # The product needs claims without figures found too: below the floor of recall
            # on them, a setting only counts if no setting reaches it.
            merit = f1 + (1.0 if _no_digit_recall(data, decided) >= MIN_NO_DIGIT_RECALL else 0.0)
            if merit > best[0]:
                best = (merit, c, threshold)
    return best[1], best[2]


@dataclass(frozen=True)
class Evaluation:
    """Held-out figures of one data set."""

    name: str
    scores: Scores
    no_digit_recall: float
    chosen: list[tuple[float, float]]

    def __str__(self) -> str:
        picks = ", ".join(f"C={c} t={t}" for c, t in self.chosen)
        return (
            f"{self.name}: {self.scores}  recall on claims without digits "
            f"{self.no_digit_recall:.3f}  (chosen per fold: {picks})"
        )


def nested_cv(name: str, data: Labelled, other: Labelled | None = None) -> Evaluation:
    """Outer group folds of ``data``; each fold judged by a model fitted on the rest of
    ``data`` plus all of ``other``, with C and threshold chosen by an inner CV."""
    features = [sentence_features(s) for s in data.sentences]
    other_features = [sentence_features(s) for s in other.sentences] if other else []
    predicted = [False] * len(data)
    chosen = []
    for test in _group_folds(data.groups, OUTER_FOLDS):
        held = set(test)
        train = [i for i in range(len(data)) if i not in held]
        part = data.take(train)
        c, threshold = choose(part, [features[i] for i in train], other)
        chosen.append((c, threshold))
        model = _fit(
            [features[i] for i in train] + other_features,
            part.labels + (other.labels if other else []),
            c,
        )
        probabilities = _probabilities(model, [features[i] for i in test])
        for index, probability in zip(test, probabilities, strict=True):
            predicted[index] = _decide(data.sentences[index], probability, threshold)
    return Evaluation(
        name, score(data.labels, predicted), _no_digit_recall(data, predicted), chosen
    )


def group_cv(
    name: str, data: Labelled, other: Labelled | None, *, c: float, threshold: float
) -> Evaluation:
    """Like :func:`nested_cv` with C and the threshold fixed (the shipped ones): quicker,
    for tests and ``benchmarks/claims.py --quick``."""
    features = [sentence_features(s) for s in data.sentences]
    other_features = [sentence_features(s) for s in other.sentences] if other else []
    predicted = [False] * len(data)
    for test in _group_folds(data.groups, OUTER_FOLDS):
        held = set(test)
        train = [i for i in range(len(data)) if i not in held]
        model = _fit(
            [features[i] for i in train] + other_features,
            [data.labels[i] for i in train] + (other.labels if other else []),
            c,
        )
        probabilities = _probabilities(model, [features[i] for i in test])
        for index, probability in zip(test, probabilities, strict=True):
            predicted[index] = _decide(data.sentences[index], probability, threshold)
    return Evaluation(name, score(data.labels, predicted), _no_digit_recall(data, predicted), [])


def _decide(sentence: str, probability: float, threshold: float) -> bool:
    from tracker.extraction.detector import model_says_claim

    return model_says_claim(sentence, probability, threshold)


def _no_digit_recall(data: Labelled, predicted: Sequence[bool]) -> float:
    claims = [
        guess
        for sentence, label, guess in zip(data.sentences, data.labels, predicted, strict=True)
        if label and not _DIGIT.search(sentence)
    ]
    return sum(claims) / len(claims) if claims else 0.0


def fit_shipped(
    data: Labelled, c: float, threshold: float, keep: int = KEPT_WEIGHTS
) -> LinearModel:
    """The model to ship: fitted on everything, the ``keep`` largest weights kept."""
    vectorizer, classifier = _fit([sentence_features(s) for s in data.sentences], data.labels, c)
    weights = dict(zip(vectorizer.feature_names_, classifier.coef_[0].tolist(), strict=True))
    largest = sorted(weights.items(), key=lambda item: -abs(item[1]))[:keep]
    return LinearModel(
        round(float(classifier.intercept_[0]), 4),
        {name: round(weight, 4) for name, weight in sorted(largest) if round(weight, 4)},
        {"threshold": threshold},
    )


def main(argv: Sequence[str]) -> None:
    if len(argv) != 1:
        raise SystemExit("usage: python -m tracker.extraction.training PATH/kfold_25ncs.csv")
    debates = read_claimbuster(Path(argv[0]))
    own = read_own()
    on_debates = nested_cv("ClaimBuster kfold_25ncs.csv", debates, own)
    sys.stdout.write(f"{on_debates}\n")
    on_own = nested_cv("own opinion-heavy set", own, debates)
    sys.stdout.write(f"{on_own}\n")
    everything = debates + own
    c, threshold = choose(everything, [sentence_features(s) for s in everything.sentences])
    model = fit_shipped(everything, c, threshold)
    meta: dict[str, Any] = {
        "provenance": PROVENANCE,
        "license": "GPL-3.0 (derived from the ClaimBuster data)",
        "model": f"logistic regression, C={c}, balanced classes, {KEPT_WEIGHTS} largest weights "
        f"kept; C and threshold chosen by {INNER_FOLDS}-fold group cross-validation",
        "threshold": threshold,
        "c": c,
        "cross_validated": f"nested, {OUTER_FOLDS} outer group folds: {on_debates}; {on_own}",
    }
    data = LinearModel(model.bias, model.weights, meta).to_json()
    WEIGHTS_FILE.write_text(json.dumps(data, indent=0) + "\n", encoding="utf-8")
    sys.stdout.write(f"chosen on everything: C={c} threshold={threshold}\nwrote {WEIGHTS_FILE}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
