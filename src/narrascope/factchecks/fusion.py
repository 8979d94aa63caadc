"""The claim-matching fusion model: a logistic regression over the rung scores, stored as JSON.

Tiny on purpose (a weight per feature and a bias): it is fitted on the CheckThat! 2020 train
split by :mod:`narrascope.factchecks.train`, and its output is a probability that a
candidate record checks the claim, so a report can show matches above one threshold whatever
the collection. The JSON also carries the retrieval settings (BM25 ``k1``/``b``, how many
candidates each rung proposes) so the model and the index it was fitted with travel together.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.encoder import Vectors
from narrascope.errors import ModelError

__all__ = ["MODEL_FILE", "FusionModel", "load_fusion_model", "model_dir"]

MODEL_FILE = "fusion.json"


@dataclass(frozen=True)
class FusionModel:
    """Features, their weights and the bias; ``threshold`` is where a match is worth showing."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    candidates: int = 100
    """How many BM25 candidates are re-ranked."""
    dense: int = 20
    """How many nearest records by the embedding rung join them."""
    k1: float = 1.2
    b: float = 0.75
    threshold: float = 0.5
    version: str = "claim-matching"
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def score(self, features: dict[str, Vectors]) -> Vectors:
        """The probability of a match for each candidate."""
        logit = np.full(len(next(iter(features.values()))), self.bias, dtype=np.float64)
        for name, weight in zip(self.features, self.weights, strict=True):
            logit += weight * features[name]
        return (1.0 / (1.0 + np.exp(-logit))).astype(np.float32)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> FusionModel:
        data = json.loads(text)
        data["features"], data["weights"] = tuple(data["features"]), tuple(data["weights"])
        return cls(**data)


def model_dir() -> Path:
    """Directory of the bundled model (``resources/models/claim_matching``)."""
    return Path(str(resources.files("narrascope.resources").joinpath("models") / "claim_matching"))


@lru_cache(maxsize=4)
def load_fusion_model(path: Path | None = None) -> FusionModel:
    """The fusion model at *path* (a folder or the JSON file), by default the bundled one."""
    path = path or model_dir()
    file = path / MODEL_FILE if path.is_dir() else path
    try:
        return FusionModel.from_json(file.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise ModelError(f"cannot load the claim-matching model {file}: {error}; see its MODEL_CARD.md") from error
