"""The hedge model: how likely a sentence is to be uncertain (hedged, weasel-worded).

A logistic regression over binary features: lower-cased word unigrams and bigrams, plus the
certainty cues of :mod:`narrascope.annotators.certainty` (their kinds and the cues
themselves). Trained on WikiWeasel by :mod:`narrascope.training.hedges`; the weights are a
JSON file (feature → weight), so inference is a dictionary lookup and needs neither
scikit-learn nor pickles. ``uncertainty(text)`` is the model's probability of the uncertain
class; ``certainty = 1 − uncertainty``.

Where the regression is unsure (its probability in ``BAND``) an English sentence goes to a
fine-tuned MiniLM classifier (``hedges.onnx``, int8, trained by
:mod:`narrascope.training.hedge_encoder`), whose probability then stands for the sentence's: it
reads what bags of words miss ("it is unclear whether" against "it is clear that") and costs an
encoder pass, spent only on the sentences that need it (:func:`gated`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.annotators.certainty import FoundCue, find_cues
from narrascope.errors import ModelError

__all__ = ["BAND", "FinetunedHedges", "HedgeModel", "features", "gated", "load_hedge_model", "probability"]

BAND = (0.3, 0.7)
"""The regression's probabilities for which the fine-tuned classifier decides."""
MAX_TOKENS = 96
"""The fine-tuned classifier reads a sentence's first 96 word pieces (as it was trained)."""

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


def gated(regression: float, finetuned: float, band: tuple[float, float] = BAND) -> float:
    """The hedge probability of a sentence: the fine-tuned classifier's where the regression's
    lies in *band*, the regression's elsewhere. With a threshold inside *band* a sentence the
    regression is sure of keeps its decision."""
    return finetuned if band[0] <= regression <= band[1] else regression


class FinetunedHedges:
    """The fine-tuned classifier on onnxruntime, with the model's own WordPiece tokenizer (the
    shared encoder's pinned file). Sentences are scored one at a time: with int8 weights the
    activations are quantised per call, so in a batch a score would depend on its neighbours."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        from tokenizers import Tokenizer

        from narrascope.encoder import encoder_files
        from narrascope.models import onnx_session

        try:
            self.session = onnx_session(path, threads)
            self.tokenizer = Tokenizer.from_file(str(encoder_files()[1]))
        except Exception as error:  # onnxruntime and tokenizers raise their own error types
            raise ModelError(f"{path}: cannot load the fine-tuned hedge classifier: {error}") from error
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        """Probability that each text is uncertain, in input order."""
        out = []
        for text in texts:
            ids = np.asarray([self.tokenizer.encode(text or " ").ids], dtype=np.int64)
            (probability,) = self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
            out.append(float(probability.reshape(-1)[0]))
        return out


class HedgeModel:
    """Weights and threshold read from ``hedges.json``, and the fine-tuned classifier it names
    (see module doc)."""

    def __init__(self, path: Path) -> None:
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            self.weights: dict[str, float] = data["weights"]
            self.bias = float(data["bias"])
            self.threshold = float(data["threshold"])
            tuned = data.get("finetuned")
            low, high = tuned.get("band", BAND) if tuned else BAND
            self.band = (float(low), float(high))
            classifier = path.parent / str(tuned["file"]) if tuned else None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ModelError(f"{path}: cannot read the hedge model: {error}") from error
        self.meta: dict[str, Any] = {k: v for k, v in data.items() if k != "weights"}
        self.finetuned = FinetunedHedges(classifier) if classifier is not None else None
        kind = "hedges-lr+minilm" if tuned else "hedges-lr"
        self.version = f"{kind} {data.get('trained_on', '')} {len(self.weights)} features".strip()

    def uncertainty(self, text: str, language: str = "en", cues: list[FoundCue] | None = None) -> float:
        """Probability that *text* is uncertain (0 … 1): the regression's, or where it is unsure
        and the text is English, the fine-tuned classifier's (:func:`gated`)."""
        found = probability(self.weights, self.bias, features(text, language, cues))
        if self.finetuned is None or language != "en" or not self.band[0] <= found <= self.band[1]:
            return found
        return self.finetuned.probabilities([text])[0]

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
