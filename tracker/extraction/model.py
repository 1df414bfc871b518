"""A linear check-worthiness model: shipped weights, scored in pure Python (nothing hosted)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tracker.extraction.features import sentence_features

WEIGHTS_FILE = Path(__file__).with_name("checkworthy_weights.json")


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression over binary, L2-normalized features (see ``features.py``)."""

    bias: float
    weights: dict[str, float]
    meta: dict[str, Any] = field(default_factory=dict)

    def probability(self, sentence: str) -> float:
        features = sentence_features(sentence)
        if not features:
            return 0.0
        total = sum(self.weights.get(name, 0.0) for name in features)
        margin = self.bias + total / math.sqrt(len(features))
        return 1.0 / (1.0 + math.exp(-max(min(margin, 50.0), -50.0)))

    @property
    def threshold(self) -> float:
        """The decision threshold chosen with the weights (by cross-validation)."""
        return float(self.meta.get("threshold", 0.5))

    def to_json(self) -> dict[str, Any]:
        return {**self.meta, "bias": self.bias, "weights": self.weights}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        meta = {key: value for key, value in data.items() if key not in ("bias", "weights")}
        return cls(
            float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()}, meta
        )


@lru_cache(maxsize=1)
def shipped_model() -> LinearModel:
    return LinearModel.from_json(json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")))
