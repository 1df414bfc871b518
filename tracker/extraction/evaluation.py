"""Scoring against the shared corpus, with the upstream benchmarks' own metrics.

Main text: the article-extraction benchmark's metric (scrapinghub, MIT): word 4-gram
shingles over ``\\w+`` tokens as multisets, TP/FP/FN normalized per page, precision and
recall averaged over pages, F1 the harmonic mean of those averages.

The corpus lives outside the repository (``../shared/corpus`` from the project root, or
from a folder above it) and is never copied into it; :func:`corpus_dir` finds it or None.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_TOKEN = re.compile(r"\w+", re.UNICODE)
SHINGLE = 4
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def corpus_dir() -> Path | None:
    """``../shared/corpus`` from the project root (or from a folder above it, for worktrees)."""
    for folder in PROJECT_ROOT.parents:
        path = folder / "shared" / "corpus"
        if path.is_dir():
            return path
    return None


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    grams = (tuple(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1)))
    return Counter(gram for gram in grams if gram)


def page_counts(expected: str, predicted: str) -> tuple[float, float, float]:
    """Normalized (tp, fp, fn) of one page."""
    truth, guess = _shingles(expected), _shingles(predicted)
    tp = float(sum((truth & guess).values()))
    fp = float(sum((guess - truth).values()))
    fn = float(sum((truth - guess).values()))
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1, for main text and for check-worthiness alike."""

    precision: float
    recall: float
    f1: float

    def __str__(self) -> str:
        return f"P {self.precision:.3f}  R {self.recall:.3f}  F1 {self.f1:.3f}"


def text_scores(pairs: list[tuple[str, str]]) -> Scores:
    """Upstream scores over (expected, predicted) page texts."""
    return scores_from_counts([page_counts(expected, predicted) for expected, predicted in pairs])


def scores_from_counts(counts: list[tuple[float, float, float]]) -> Scores:
    """Upstream scores from per-page normalized (tp, fp, fn) (see :func:`page_counts`)."""
    precisions, recalls = [], []
    for tp, fp, fn in counts:
        if tp + fp > 0:
            precisions.append(1.0 if fp == fn == 0 else tp / (tp + fp))
        if tp + fn > 0:
            recalls.append(1.0 if fp == fn == 0 else tp / (tp + fn))
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


@dataclass(frozen=True)
class CorpusPage:
    key: str
    url: str
    path: Path
    expected: str


def article_pages(corpus: Path) -> list[CorpusPage]:
    """The annotated pages of ``corpus/articles`` in a stable order."""
    folder = corpus / "articles"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        CorpusPage(key, entry["url"], folder / "html" / f"{key}.html", entry["articleBody"])
        for key, entry in sorted(truth.items())
    ]
