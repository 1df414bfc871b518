"""The newsroom's own claim detector: reviewers' decisions as labels, a refit, a reset.

Rejected claims are sentences that are not claims (label 0); claims a reviewer added or gave
a verdict are claims (label 1). :func:`fit` refits the detector on them, starting from the
shipped model (which summarizes the shipped training data: its weights are the prior the
refit is pulled towards), and reports F1 on the newsroom's labels before and after, both
cross-validated by article. The refit is stored beside the database and used from then on;
:func:`reset` deletes it. Pure Python: no training library is needed at run time.
"""

from __future__ import annotations

import csv
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from tracker.enums import VERDICTS, ClaimStatus
from tracker.errors import InvalidInput
from tracker.extraction.evaluation import Scores
from tracker.extraction.features import sentence_features
from tracker.extraction.model import LinearModel, shipped_model
from tracker.extraction.views import ModelFit

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tracker.settings import Settings

MODEL_FILE = "claims-model.json"
FOLDS = 5
MIN_LABELS = 10
L2 = 1.0
EPOCHS = 60
LEARNING_RATE = 0.5
SEED = 0


@dataclass(frozen=True)
class Label:
    text: str
    label: int
    group: str
    reason: str
    claim_id: int | None = None


def model_path(settings: Settings) -> Path:
    """Where the refit lives: ``claims_model_path``, else beside the SQLite file, else in the
    user data folder (PostgreSQL)."""
    from tracker.setting_sources import data_dir

    if settings.claims_model_path:
        return Path(settings.claims_model_path)
    url = settings.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        database = Path(url.removeprefix("sqlite:///"))
        return database.with_name(f"{database.stem}.{MODEL_FILE}")
    return data_dir() / MODEL_FILE


def model_for(settings: Settings) -> LinearModel:
    """The refit when there is one, else the shipped model."""
    path = model_path(settings)
    if not path.is_file():
        return shipped_model()
    return _load(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: int) -> LinearModel:
    try:
        return LinearModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError) as exc:
        raise InvalidInput(f"cannot read the refitted claim model {path}: {exc}") from None


def newsroom_labels(session: Session) -> list[Label]:
    """Reviewers' decisions as labels, one per claim."""
    from tracker.models import Claim

    labels = []
    rows = session.execute(
        select(Claim.id, Claim.article_id, Claim.text, Claim.status, Claim.created_by)
    ).all()
    for claim_id, article_id, text, status, created_by in rows:
        if status == ClaimStatus.REJECTED:
            labels.append(Label(text, 0, f"article-{article_id}", "rejected", claim_id))
        elif created_by != "extractor":
            labels.append(Label(text, 1, f"article-{article_id}", "added by a reviewer", claim_id))
        elif status in VERDICTS:
            labels.append(Label(text, 1, f"article-{article_id}", f"verdict {status}", claim_id))
    return labels


def write_labels(labels: Sequence[Label], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["claim_id", "group", "label", "reason", "text"])
        for item in labels:
            writer.writerow([item.claim_id or "", item.group, item.label, item.reason, item.text])


def read_labels(path: Path) -> list[Label]:
    """Labels from a CSV with ``text`` and ``label`` columns (``group`` optional)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None
    labels = []
    for number, row in enumerate(rows, start=2):
        text, value = (row.get("text") or "").strip(), (row.get("label") or "").strip()
        if not text or value not in ("0", "1"):
            raise InvalidInput(f"{path}:{number}: need a text and a label of 0 or 1")
        labels.append(Label(text, int(value), row.get("group") or f"file-{number}", "file"))
    return labels


def refit(base: LinearModel, labels: Sequence[Label]) -> LinearModel:
    """``base`` plus a correction fitted on ``labels`` (L2-pulled towards no correction)."""
    rows: list[tuple[list[str], float, float, int]] = []
    for item in labels:
        features = sentence_features(item.text)
        scale = 1.0 / math.sqrt(len(features)) if features else 0.0
        margin = base.bias + scale * sum(base.weights.get(f, 0.0) for f in features)
        rows.append((sorted(features), scale, margin, item.label))
    positives = sum(1 for row in rows if row[3]) or 1
    negatives = (len(rows) - positives) or 1
    weight = {1: len(rows) / (2 * positives), 0: len(rows) / (2 * negatives)}
    delta: dict[str, float] = {}
    squares: dict[str, float] = {}
    bias = 0.0
    rng = random.Random(SEED)  # noqa: S311 - a reproducible shuffle, not a secret
    order = list(range(len(rows)))
    for _epoch in range(EPOCHS):
        rng.shuffle(order)
        for index in order:
            names, scale, margin, label = rows[index]
            z = margin + bias + scale * sum(delta.get(f, 0.0) for f in names)
            probability = 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
            error = (probability - label) * weight[label]
            # AdaGrad: each weight gets its own step, so rare words move as much as the bias.
            for name, raw in (("", error), *((f, error * scale) for f in names)):
                old = bias if not name else delta.get(name, 0.0)
                gradient = raw + L2 * old / len(rows)
                squares[name] = squares.get(name, 0.0) + gradient * gradient
                step = LEARNING_RATE * gradient / (math.sqrt(squares[name]) + 1e-8)
                if name:
                    delta[name] = old - step
                else:
                    bias = old - step
    weights = dict(base.weights)
    for feature, change in delta.items():
        if abs(change) >= 1e-4:
            weights[feature] = round(weights.get(feature, 0.0) + change, 4)
    meta = {**base.meta, "refit": f"{len(rows)} newsroom labels", "threshold": base.threshold}
    return LinearModel(round(base.bias + bias, 4), weights, meta)


def _scores(labels: Sequence[Label], predicted: Sequence[bool]) -> Scores:
    from tracker.extraction.training import score  # pure Python, no scikit-learn needed

    return score([item.label for item in labels], predicted)


def cross_validated(base: LinearModel, labels: Sequence[Label]) -> Scores:
    """F1 of refitting: each label judged by a refit on the other articles' labels."""
    groups = sorted({item.group for item in labels})
    fold_of = {group: n % FOLDS for n, group in enumerate(groups)}
    predicted = [False] * len(labels)
    for fold in range(min(FOLDS, len(groups))):
        train = [item for item in labels if fold_of[item.group] != fold]
        model = refit(base, train) if train else base
        for index, item in enumerate(labels):
            if fold_of[item.group] == fold:
                predicted[index] = model.probability(item.text) >= model.threshold
    return _scores(labels, predicted)


def fit(settings: Settings, labels: Sequence[Label]) -> ModelFit:
    """Refit on ``labels`` (the newsroom's, and any extra), store it, report F1 before and
    after."""
    if len(labels) < MIN_LABELS or len({item.label for item in labels}) < 2:
        raise InvalidInput(
            f"{len(labels)} labels: a refit needs at least {MIN_LABELS}, with both claims "
            "(verdicts, reviewer-added claims) and rejected claims"
        )
    base = shipped_model()
    before = _scores(labels, [base.probability(i.text) >= base.threshold for i in labels])
    after = cross_validated(base, labels)
    model = refit(base, labels)
    path = model_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = model.to_json()
    data["refit_cross_validated"] = f"before {before}; after {after}"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data) + "\n", encoding="utf-8")
    temporary.replace(path)
    return ModelFit(len(labels), sum(i.label for i in labels), before, after, str(path))


def reset(settings: Settings) -> Path | None:
    """Go back to the shipped model; the path of the refit removed, or None if there was none."""
    path = model_path(settings)
    if not path.is_file():
        return None
    path.unlink()
    return path
