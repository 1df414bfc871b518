"""Fitting and cross-validating the check-worthiness weights (a development tool).

Needs scikit-learn (a dev extra); scoring at run time does not. The ClaimBuster sentences
(GPL-3.0) are read from the corpus folder and never copied into the repository; only the
fitted weights are shipped, with their provenance in the weights file.

    python -m tracker.extraction.training ../shared/corpus/checkworthy/kfold_25ncs.csv
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tracker.extraction.evaluation import Scores
from tracker.extraction.features import sentence_features
from tracker.extraction.model import WEIGHTS_FILE, LinearModel

REGULARIZATION_C = 3.0
KEPT_WEIGHTS = 5000
FOLDS = 4
SEED = 0
PROVENANCE = (
    "Fitted on the ClaimBuster check-worthiness data (kfold_25ncs.csv, 9,674 sentences from US "
    "presidential debates, labels CFS=1 / NCS=0) from utaresearch/claimbuster-spotter, "
    "GPL-3.0. The sentences are not shipped, only these weights derived from them."
)


def read_labelled(path: Path) -> tuple[list[str], list[int]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [int(row["label"]) for row in rows]


def fit(sentences: Sequence[str], labels: Sequence[int], keep: int = KEPT_WEIGHTS) -> LinearModel:
    """Logistic regression (balanced classes) keeping the ``keep`` largest weights."""
    return fit_features([sentence_features(sentence) for sentence in sentences], labels, keep)


def fit_features(
    feature_sets: Sequence[set[str]], labels: Sequence[int], keep: int = KEPT_WEIGHTS
) -> LinearModel:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = []
    for features in feature_sets:
        value = 1.0 / math.sqrt(len(features)) if features else 0.0
        rows.append(dict.fromkeys(features, value))
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform(rows)
    classifier = LogisticRegression(
        C=REGULARIZATION_C, max_iter=3000, class_weight="balanced", random_state=SEED
    ).fit(matrix, list(labels))
    weights = dict(zip(vectorizer.feature_names_, classifier.coef_[0].tolist(), strict=True))
    largest = sorted(weights.items(), key=lambda item: -abs(item[1]))[:keep]
    return LinearModel(
        round(float(classifier.intercept_[0]), 4),
        {name: round(weight, 4) for name, weight in sorted(largest) if round(weight, 4)},
    )


def score(labels: Sequence[int], predicted: Sequence[bool]) -> Scores:
    tp = sum(1 for label, guess in zip(labels, predicted, strict=True) if label and guess)
    fp = sum(1 for label, guess in zip(labels, predicted, strict=True) if not label and guess)
    fn = sum(1 for label, guess in zip(labels, predicted, strict=True) if label and not guess)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


def cross_validate(
    sentences: Sequence[str],
    labels: Sequence[int],
    decide: Callable[[LinearModel, str], bool],
    folds: int = FOLDS,
) -> Scores:
    """Stratified k-fold: each sentence is judged by weights fitted without it."""
    from sklearn.model_selection import StratifiedKFold

    predicted = [False] * len(sentences)
    features = [sentence_features(sentence) for sentence in sentences]
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    for train, test in splitter.split(sentences, labels):
        model = fit_features([features[i] for i in train], [labels[i] for i in train])
        for i in test:
            predicted[i] = decide(model, sentences[i])
    return score(labels, predicted)


def main(argv: Sequence[str]) -> None:
    from tracker.extraction.detector import is_checkworthy

    if len(argv) != 1:
        raise SystemExit("usage: python -m tracker.extraction.training PATH/kfold_25ncs.csv")
    sentences, labels = read_labelled(Path(argv[0]))
    scores = cross_validate(sentences, labels, is_checkworthy)
    model = fit(sentences, labels)
    meta = {
        "provenance": PROVENANCE,
        "license": "GPL-3.0 (derived from the ClaimBuster data)",
        "model": f"logistic regression, C={REGULARIZATION_C}, balanced classes, "
        f"{KEPT_WEIGHTS} largest weights kept",
        "cross_validated": f"{FOLDS}-fold stratified (seed {SEED}): {scores}",
    }
    data = LinearModel(model.bias, model.weights, meta).to_json()
    WEIGHTS_FILE.write_text(json.dumps(data, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    sys.stdout.write(f"{FOLDS}-fold cross-validated: {scores}\nwrote {WEIGHTS_FILE}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
