"""What the claim-detector services return: labels written, a refit and its scores."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.extraction.evaluation import Scores


@dataclass(frozen=True)
class LabelExport:
    """Reviewers' decisions written as labels: how many, how many of them claims, where."""

    labels: int
    claims: int
    path: str


@dataclass(frozen=True)
class ModelFit:
    """A refit on the newsroom's labels: F1 before (shipped model) and after (the refit),
    both cross-validated by article, and where the refit is stored."""

    labels: int
    claims: int
    before: Scores
    after: Scores
    path: str


@dataclass(frozen=True)
class ModelReset:
    """Back to the shipped detector: the refit removed, or None when there was none."""

    removed: str | None
