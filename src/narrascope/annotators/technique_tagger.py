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

The tagger is most of the layer's time, and most runs hold no technique at all (73 % of the
runs of SemEval-2023 English train hold no token of a gold span). So a tagger may come in
*stages* (``tagger.stages`` in ``meta.json``): the first layer, the second, the other three,
each stage with its own head, trained together. A run leaves after a stage whose head gives
none of its word pieces that stage's *exit* probability (``tagger.exits``), keeping that
head's probabilities; only the runs that may hold a technique pay for all five layers. A model
with one ``tagger.file`` has a single stage. Older models may instead say a *floor*
(``tagger.floor``): a run where the finder's regression gives no token that much is not read,
its tokens keep the regression's probability (:func:`quiet_runs`); the model card measures
both.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from narrascope.errors import ModelError

__all__ = ["TechniqueTagger", "quiet_runs", "token_means"]


def quiet_runs(runs: Sequence[Any], regression: npt.NDArray[Any], floor: float) -> list[bool]:
    """Which *runs* the tagger skips: those where the regression's probability (*regression*, one
    per token of the doc) reaches *floor* on none of their tokens (none, at a floor of 0)."""
    if floor <= 0:
        return [False] * len(runs)
    return [len(run.rows) == 0 or float(regression[run.rows].max()) < floor for run in runs]


class TechniqueTagger:
    """The tagger's stages, each an ONNX graph with inputs ``states`` (1 × pieces × width) and
    ``attention_mask``; outputs ``logits`` (1 × pieces) and, but for the last, the ``states``
    the next stage reads. *exits*: one probability per stage but the last (0: no run leaves
    there)."""

    def __init__(self, paths: Path | Sequence[Path], exits: Sequence[float] = (), threads: int = 1) -> None:
        from narrascope.models import onnx_session

        stages = [paths] if isinstance(paths, Path) else list(paths)
        if len(exits) != len(stages) - 1:
            raise ModelError(
                f"a technique tagger of {len(stages)} stages takes {len(stages) - 1} exits, not {len(exits)}"
            )
        try:
            self.sessions = [onnx_session(path, threads) for path in stages]
        except Exception as error:  # onnxruntime raises its own error types
            raise ModelError(f"{stages[0].parent}: cannot load the technique tagger: {error}") from error
        self.exits = [float(e) for e in exits]

    def run_probabilities(self, run: Any) -> npt.NDArray[np.float64]:
        """The probability of each word piece of one run (``[CLS]`` and ``[SEP]`` left out), from
        the first stage whose exit it stays under, or the last."""
        states, mask = run.lower[None], np.ones((1, len(run.lower)), dtype=np.int64)
        for stage, session in enumerate(self.sessions):
            logits, *rest = session.run(None, {"states": states, "attention_mask": mask})
            pieces: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-logits[0, 1 : 1 + len(run.rows)].astype(np.float64)))
            if stage == len(self.exits) or float(pieces.max(initial=0.0)) < self.exits[stage] or not rest:
                break
            states = rest[0]
        return pieces

    def probabilities(
        self, runs: Sequence[Any], tokens: int, regression: npt.NDArray[Any] | None = None, floor: float = 0.0
    ) -> npt.NDArray[np.float32]:
        """Each of a doc's *tokens* probability of lying inside a technique span, from the
        :class:`~narrascope.annotators.checkworthy.Run` s of its shared pass (0 for tokens no
        word piece falls in, such as spaces). With the *regression*'s probabilities (one per
        token) and a *floor*, the :func:`quiet_runs` are not read and their tokens take the
        regression's probability."""
        skipped = quiet_runs(runs, regression, floor) if regression is not None else [False] * len(runs)
        pieces = [
            regression[run.rows] if skip and regression is not None else self.run_probabilities(run)
            for run, skip in zip(runs, skipped, strict=True)
        ]
        return token_means(runs, pieces, tokens)

    def at(
        self, runs: Sequence[Any], tokens: int, indices: Sequence[int], regression: npt.NDArray[Any], floor: float
    ) -> npt.NDArray[np.float32]:
        """:meth:`probabilities` of the tokens at *indices* (the finder's tokens), given the
        regression's probabilities of those same tokens: what the finder mixes."""
        full = np.zeros(tokens, dtype=np.float64)
        full[indices] = regression
        return self.probabilities(runs, tokens, full, floor)[indices]


def token_means(runs: Sequence[Any], pieces: Sequence[npt.NDArray[Any]], tokens: int) -> npt.NDArray[np.float32]:
    """Each of *tokens* mean probability over its word pieces in *runs* (*pieces*: one array
    per run, a value per piece); 0 for tokens without pieces."""
    total = np.zeros(tokens, dtype=np.float64)
    counts = np.zeros(tokens, dtype=np.float64)
    for run, values in zip(runs, pieces, strict=True):
        np.add.at(total, run.rows, values)
        np.add.at(counts, run.rows, 1.0)
    return np.where(counts > 0, total / np.maximum(counts, 1.0), 0.0).astype(np.float32)
