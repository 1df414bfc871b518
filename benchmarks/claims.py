"""The claim detector, cross-validated: ClaimBuster debates and our opinion-heavy set.

Prints, for each data set, precision, recall and F1 of the check-worthy class and the recall
on claims without a digit, for the baseline rule "the sentence has a digit" and for the
detector. The detector is scored by nested, group-aware cross-validation
(``tracker.extraction.training.nested_cv``): 5 outer folds that keep a debate (ClaimBuster,
blocks of 1,000 consecutive sentence ids) or a page/speech (ours) together; inside each
training part, C and the threshold are chosen by a 4-fold inner CV. Nothing is tuned on the
sentences being scored. Then the speed of the shipped model, one sentence at a time on one
core, beside the digit rule.

    .venv/bin/python benchmarks/claims.py            # several minutes (6 on a quiet 2-core machine)
    .venv/bin/python benchmarks/claims.py --quick    # the shipped C and threshold, 5 group folds
"""

from __future__ import annotations

import re
import sys
import time

from tracker.extraction.detector import checkworthiness, is_checkworthy
from tracker.extraction.evaluation import corpus_dir
from tracker.extraction.model import shipped_model
from tracker.extraction.training import (
    Labelled,
    group_cv,
    nested_cv,
    read_claimbuster,
    read_own,
    score,
)

DIGIT = re.compile(r"\d")


def baseline(name: str, data: Labelled) -> None:
    predicted = [bool(DIGIT.search(s)) for s in data.sentences]
    positives = sum(data.labels)
    print(f"{name}: {len(data)} sentences, {positives} check-worthy")
    shown = score(data.labels, predicted)
    print(f"  {'has a digit (baseline)':32} {shown}  recall without digits 0.000")


def main(argv: list[str]) -> None:
    corpus = corpus_dir()
    if corpus is None:
        raise SystemExit("../shared/corpus not found next to the project: nothing to measure")
    quick = "--quick" in argv
    debates = read_claimbuster(corpus / "checkworthy" / "kfold_25ncs.csv")
    own = read_own()
    model = shipped_model()
    for name, data, other in (("kfold_25ncs.csv", debates, own), ("own set", own, debates)):
        baseline(name, data)
        started = time.perf_counter()
        if quick:
            result = group_cv(
                name, data, other, c=float(model.meta.get("c", 3.0)), threshold=model.threshold
            )
            how = "5 group folds, shipped C/threshold"
        else:
            result = nested_cv(name, data, other)
            how = "nested group CV"
        seconds = time.perf_counter() - started
        print(
            f"  {'detector, ' + how:32} {result.scores}  recall without digits "
            f"{result.no_digit_recall:.3f}  ({seconds:.0f} s)"
        )
        if result.chosen:
            print(
                f"    chosen per outer fold: {', '.join(f'C={c} t={t}' for c, t in result.chosen)}"
            )
    sentences = debates.sentences
    started = time.perf_counter()
    for sentence in sentences:
        is_checkworthy(model, sentence)
    ours = len(sentences) / (time.perf_counter() - started)
    started = time.perf_counter()
    for sentence in sentences:
        DIGIT.search(sentence)
    digit = len(sentences) / (time.perf_counter() - started)
    checkworthiness(sentences[0])
    print(
        f"speed, one sentence at a time on one core: {ours:,.0f} sentences/s "
        f"(the digit rule: {digit:,.0f}/s; target >= 1,000/s)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
