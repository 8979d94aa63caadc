"""The hedge model: how likely a sentence is to be uncertain (hedged, weasel-worded).

A logistic regression over binary features: lower-cased word unigrams and bigrams, plus the
certainty cues of :mod:`narrascope.annotators.certainty` (their kinds and the cues
themselves). Trained on WikiWeasel by :mod:`narrascope.training.hedges`; the weights are a
JSON file (feature → weight), so inference is a dictionary lookup and needs neither
scikit-learn nor pickles. ``uncertainty(text)`` is the model's probability of the uncertain
class; ``certainty = 1 − uncertainty``.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from narrascope.annotators.certainty import FoundCue, find_cues
from narrascope.errors import ModelError

__all__ = ["HedgeModel", "features", "load_hedge_model", "probability"]

_TOKEN = re.compile(r"\w+|[^\w\s]")


def features(text: str, language: str = "en", cues: list[FoundCue] | None = None) -> set[str]:
    """The binary features of one sentence (*cues*: its certainty cues, when already found)."""
    tokens = _TOKEN.findall(text.lower())
    found = {f"w:{t}" for t in tokens}
    found |= {f"b:{a} {b}" for a, b in pairwise(tokens)}
    cues = find_cues(text, language) if cues is None else cues
    found |= {f"cue:{c.kind}" for c in cues} | {f"cuew:{c.cue}" for c in cues}
    if not cues:
        found.add("cue:none")
    return found


def probability(weights: dict[str, float], bias: float, found: set[str]) -> float:
    """The logistic model's probability of the uncertain class for one sentence's features."""
    score = bias + sum(weights.get(f, 0.0) for f in found)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


class HedgeModel:
    """Weights and threshold read from ``hedges.json`` (see module doc)."""

    def __init__(self, path: Path) -> None:
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            self.weights: dict[str, float] = data["weights"]
            self.bias = float(data["bias"])
            self.threshold = float(data["threshold"])
        except (OSError, ValueError, KeyError) as error:
            raise ModelError(f"{path}: cannot read the hedge model: {error}") from error
        self.meta: dict[str, Any] = {k: v for k, v in data.items() if k != "weights"}
        self.version = f"hedges-lr {data.get('trained_on', '')} {len(self.weights)} features".strip()

    def uncertainty(self, text: str, language: str = "en", cues: list[FoundCue] | None = None) -> float:
        """Probability that *text* is uncertain (0 … 1)."""
        return probability(self.weights, self.bias, features(text, language, cues))

    def is_hedged(self, text: str, language: str = "en") -> bool:
        return self.uncertainty(text, language) >= self.threshold


def model_path() -> Path:
    return Path(str(resources.files("narrascope.resources").joinpath("models") / "hedges" / "hedges.json"))


@lru_cache(maxsize=1)
def load_hedge_model() -> HedgeModel:
    """The bundled hedge model (``resources/models/hedges/hedges.json``), loaded once per process."""
    path = model_path()
    if not path.is_file():
        raise ModelError(
            f"the hedge model is missing from {path}; rebuild it with `narrascope train hedges --data FILE`"
        )
    return HedgeModel(path)
