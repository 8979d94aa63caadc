"""The technique tagger: the shared encoder's top layers, fine-tuned to mark persuasive words.

The pipeline runs one encoder pass (the check-worthiness model, :mod:`.checkworthy`) and keeps,
for every input run, the states after its layer :data:`~.checkworthy.LOWER_LAYER`
(``Run.lower``). This tagger is a copy of all-MiniLM-L6-v2's layers above that one (2 to 6) with
a per-word-piece head, fine-tuned on SemEval-2023 Task 3 English train to say whether a word
piece lies inside a persuasion-technique span (:mod:`narrascope.training.technique_tagger`). It
reads those lower states, so a document costs five transformer layers here, not a second
tokenisation and six-layer pass (the deeper the fine-tuned part, the better the spans: see the
model card). ONNX with int8 weights on onnxruntime; no torch. Each run is tagged on its own: the
activations are quantised per call, so in a batch a run's probabilities would depend on its
neighbours (and padding made batches slower: with two layers, 30 documents took 0.83 s one run
at a time, 1.03 s in batches of 32). A token's probability is the mean of its word pieces'.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from narrascope.errors import ModelError

__all__ = ["TechniqueTagger"]


class TechniqueTagger:
    """``tagger.onnx``: inputs ``states`` (1 × pieces × width, the lower states of one run) and
    ``attention_mask``; output ``logits`` (1 × pieces)."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        from narrascope.models import onnx_session

        try:
            self.session = onnx_session(path, threads)
        except Exception as error:  # onnxruntime raises its own error types
            raise ModelError(f"{path}: cannot load the technique tagger: {error}") from error

    def probabilities(self, runs: Sequence[Any], tokens: int) -> npt.NDArray[np.float32]:
        """Each of a doc's *tokens* probability of lying inside a technique span, from the
        :class:`~narrascope.annotators.checkworthy.Run` s of its shared pass (0 for tokens no
        word piece falls in, such as spaces)."""
        total = np.zeros(tokens, dtype=np.float64)
        counts = np.zeros(tokens, dtype=np.float64)
        for run in runs:
            (logits,) = self.session.run(
                None, {"states": run.lower[None], "attention_mask": np.ones((1, len(run.lower)), dtype=np.int64)}
            )
            pieces = 1.0 / (1.0 + np.exp(-logits[0, 1 : 1 + len(run.rows)].astype(np.float64)))  # no [CLS], [SEP]
            np.add.at(total, run.rows, pieces)
            np.add.at(counts, run.rows, 1.0)
        return np.where(counts > 0, total / np.maximum(counts, 1.0), 0.0).astype(np.float32)
