"""A small linear model over named features, scored in pure Python.

The weights are learned offline by ``tools/train_fields.py`` from the development corpus and shipped as
``weights.json`` (a few hundred kilobytes). At run time there is no numpy and no network: a field's score
for each class is the class bias plus the weights of the features it shows; the winner's softmax
probability says how sure the model is, and ``classify.py`` declines to name a type below a threshold.

Only features seen on several different sites were kept at training time, so the model cannot key on
one site's field names. Weights are stored sparsely (feature -> [(class index, weight)]), small weights
dropped, which keeps both the file and the per-field work small.

The file is read on first use, not at import, and cached for the life of the process.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WEIGHTS_PATH = Path(__file__).with_name("weights.json")


class ModelFileError(ValueError):
    """The weights file is missing, malformed, or of another format version."""


@dataclass(frozen=True)
class LinearModel:
    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: dict[str, dict[int, float]]
    threshold: float  # below this winning probability, say nothing

    def scores(self, features: list[str]) -> list[float]:
        totals = list(self.bias)
        weights = self.weights
        for feature in features:
            row = weights.get(feature)
            if row:
                for index, weight in row.items():
                    totals[index] += weight
        return totals

    def probabilities(self, features: list[str]) -> list[float]:
        scores = self.scores(features)
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def contributions(self, features: list[str], class_index: int) -> list[tuple[str, float]]:
        """How much each feature pushed towards one class, strongest first (for the reason shown)."""
        out = []
        for feature in features:
            row = self.weights.get(feature)
            if row and class_index in row:
                out.append((feature, row[class_index]))
        return sorted(out, key=lambda item: -item[1])

    @classmethod
    def from_json(cls, data: dict) -> LinearModel:
        if data.get("format") != 1:
            raise ModelFileError(f"unknown weights format {data.get('format')!r}")
        classes = tuple(data["classes"])
        bias = tuple(float(b) for b in data["bias"])
        if len(bias) != len(classes):
            raise ModelFileError("bias and classes differ in length")
        weights: dict[str, dict[int, float]] = {}
        for feature, row in data["weights"].items():
            pairs = {int(i): float(w) for i, w in row}
            if any(not 0 <= i < len(classes) for i in pairs):
                raise ModelFileError(f"class index out of range for feature {feature!r}")
            weights[feature] = pairs
        return cls(classes=classes, bias=bias, weights=weights, threshold=float(data["threshold"]))


@cache
def load_model(path: Path = WEIGHTS_PATH) -> LinearModel:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelFileError(f"cannot read field model {path}: {error}") from error
    return LinearModel.from_json(data)
