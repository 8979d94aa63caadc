"""Check-worthiness: how much a sentence looks like a factual claim a fact-checker would check.

A fine-tuned all-MiniLM-L6-v2 (mean pooling and a linear head, trained on CheckThat! 2024 Task 1
English by :mod:`narrascope.training.checkworthy`), exported to ONNX with its matrix
multiplications quantised to int8. It runs on onnxruntime with the model's own WordPiece
tokenizer; no torch. Sentences are cut at ``max_len`` tokens and scored one at a time: with
int8 weights the activations are quantised per call, so in a batch a sentence's score would
depend on its neighbours (by up to 0.13 measured); alone it is always the same, and on this
model it is no slower (no padding). ``score`` is the model's probability; ``threshold``
(chosen on CheckThat dev) turns it into a yes/no.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from narrascope.errors import ModelError

__all__ = ["CheckworthyModel", "load_checkworthy_model", "model_dir"]

MODEL_FILE = "checkworthy.onnx"


class CheckworthyModel:
    """The ONNX classifier, its tokenizer and its threshold (``meta.json``)."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        try:
            self.meta: dict[str, Any] = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            self.session = onnxruntime.InferenceSession(
                str(path / MODEL_FILE), options, providers=["CPUExecutionProvider"]
            )
            self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        except Exception as error:  # onnxruntime and tokenizers raise their own error types
            raise ModelError(f"{path}: cannot load the check-worthiness model: {error}") from error
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=int(self.meta.get("max_len", 64)))
        self.threshold = float(self.meta["threshold"])
        self.version = f"checkworthy-minilm {self.meta.get('variant', '')} thr {self.threshold:.2f}".strip()

    def scores(self, texts: Sequence[str]) -> list[float]:
        """Probability that each text is check-worthy, in input order (each scored on its own)."""
        import numpy as np

        out = []
        for text in texts:
            ids = np.asarray([self.tokenizer.encode(text or " ").ids], dtype=np.int64)
            probability = self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0]
            out.append(float(probability.reshape(-1)[0]))
        return out


def model_dir() -> Path:
    """Directory of the bundled model (``resources/models/checkworthy``)."""
    return Path(str(resources.files("narrascope.resources").joinpath("models") / "checkworthy"))


@lru_cache(maxsize=1)
def load_checkworthy_model() -> CheckworthyModel:
    """The bundled check-worthiness model, loaded once per process."""
    path = model_dir()
    if not (path / MODEL_FILE).is_file():
        raise ModelError(f"the check-worthiness model is missing from {path}; see its MODEL_CARD.md to rebuild it")
    return CheckworthyModel(path)
