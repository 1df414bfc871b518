"""The claim detector on ../shared/corpus/checkworthy (ClaimBuster, GPL-3.0).

Scores the check-worthy class (precision, recall, F1), one sentence at a time, for the
baseline rule "the sentence has a digit" and for our detector. The detector's weights are
fitted on this same data, so it is scored by stratified 4-fold cross-validation: each
sentence is judged by weights fitted without it (never train-on-test). The shipped weights,
fitted on all of it, are also timed.

    .venv/bin/python benchmarks/claims.py
"""

from __future__ import annotations

import re
import time

from tracker.extraction.detector import checkworthiness, is_checkworthy
from tracker.extraction.evaluation import corpus_dir
from tracker.extraction.training import (
    FOLDS,
    cross_validate,
    read_labelled,
    score,
)

DIGIT = re.compile(r"\d")


def main() -> None:
    corpus = corpus_dir()
    if corpus is None:
        raise SystemExit("../shared/corpus not found next to the project: nothing to measure")
    sentences, labels = read_labelled(corpus / "checkworthy" / "kfold_25ncs.csv")
    print(f"check-worthy class on {len(sentences)} sentences ({sum(labels)} check-worthy):")
    baseline = score(labels, [bool(DIGIT.search(s)) for s in sentences])
    print(f"  {'has a digit (baseline)':34} {baseline}")
    started = time.perf_counter()
    ours = cross_validate(sentences, labels, is_checkworthy)
    seconds = time.perf_counter() - started
    print(f"  {f'detector, {FOLDS}-fold cross-validated':34} {ours}  ({seconds:.0f} s to fit)")
    print(f"  F1 ratio to the baseline: {ours.f1 / baseline.f1:.2f}")
    started = time.perf_counter()
    for sentence in sentences:
        checkworthiness(sentence)
    per = (time.perf_counter() - started) * 1e6 / len(sentences)
    print(f"  shipped weights: {per:.0f} µs per sentence, scored one at a time")


if __name__ == "__main__":
    main()
