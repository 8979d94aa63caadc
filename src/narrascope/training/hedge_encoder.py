"""Fine-tune MiniLM to tell uncertain sentences from certain ones, and cross-validate the gated
hedge model it completes.

The logistic regression of :mod:`narrascope.annotators.hedging` is sure of most sentences and
unsure of about a third; the fine-tuned classifier reads those better (word order, scope: "it
is unclear whether" against "it is clear that") but costs an encoder pass, so the shipped model
asks it only where the regression's probability lies in ``BAND``. Starts from all-MiniLM-L6-v2
(:func:`narrascope.training.minilm.classifier`); the positive class is weighted by its rarity
(BCE ``pos_weight`` = negatives / positives); AdamW, 6 % warm-up then linear decay. Exported to
ONNX with the probability as output and quantised to int8, as it ships; the cross-validation
scores each fold with that int8 file, so it measures what a user runs. Needs the ``train`` extra
and ``torch==2.13.0``; about 10 minutes a fold on two cores.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from narrascope.annotators.hedging import BAND, MAX_TOKENS, FinetunedHedges, gated
from narrascope.evaluation.binary import prf
from narrascope.training.claim_encoder import require_torch

__all__ = [
    "EPOCHS",
    "LEARNING_RATE",
    "band_thresholds",
    "best_gated_threshold",
    "export",
    "finetune",
    "score_folds",
]

EPOCHS = 2
LEARNING_RATE = 5e-5
BATCH = 32
WARM_UP = 0.06


def finetune(
    texts: Sequence[str],
    labels: Sequence[int],
    seed: int = 0,
    threads: int = 2,
    log: Callable[[str], None] | None = None,
) -> Any:
    """The fine-tuned torch classifier (see module doc), in eval mode."""
    torch = require_torch()
    from tokenizers import Tokenizer

    from narrascope.training.minilm import classifier, optimiser, padded, pretrained_dir

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    tokenizer = Tokenizer.from_file(str(pretrained_dir() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    encoded = tokenizer.encode_batch(list(texts))
    positives = sum(labels)
    weight = torch.tensor((len(labels) - positives) / max(1, positives))
    model = classifier(dropout=0.1)
    model.train()
    adamw, schedule = optimiser(model, LEARNING_RATE, EPOCHS * ((len(texts) + BATCH - 1) // BATCH), WARM_UP)
    started = time.monotonic()
    order = list(range(len(texts)))
    for epoch in range(EPOCHS):
        rng.shuffle(order)
        for begin in range(0, len(order), BATCH):
            batch = order[begin : begin + BATCH]
            logits = model(*padded([encoded[i] for i in batch]))
            target = torch.tensor([float(labels[i]) for i in batch])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, pos_weight=weight)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            adamw.step()
            schedule.step()
            adamw.zero_grad()
        if log is not None:
            log(f"epoch {epoch + 1}/{EPOCHS}: loss {loss.item():.3f}, {time.monotonic() - started:.0f} s")
    model.eval()
    return model


def export(model: Any, path: Path) -> Path:
    """*model* as int8 ONNX at *path* (opset 17; inputs ``input_ids``, ``attention_mask``; output
    ``prob``), the form :class:`narrascope.annotators.hedging.FinetunedHedges` runs."""
    require_torch()
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class Probability(torch.nn.Module):  # type: ignore[misc]
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return torch.sigmoid(self.inner(input_ids, attention_mask))

    work = Path(tempfile.mkdtemp(prefix="narrascope-hedges-"))
    try:
        fp32 = work / "fp32.onnx"
        ids = torch.tensor([[101, 1037, 2460, 2742, 1012, 102], [101, 2023, 102, 0, 0, 0]])
        mask = (ids != 0).long()
        axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}, "prob": {0: "batch"}}
        torch.onnx.export(
            Probability(model).eval(), (ids, mask), str(fp32), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask"], output_names=["prob"], dynamic_axes=axes,
        )  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path


def band_thresholds(thresholds: Sequence[float]) -> list[float]:
    """The candidate thresholds inside ``BAND``: there the gated decision and ``probability ≥
    threshold`` agree for every sentence, in the band or out of it."""
    return [t for t in thresholds if BAND[0] <= t <= BAND[1]]


def best_gated_threshold(
    labels: Sequence[int], regression: Sequence[float], finetuned: Sequence[float], thresholds: Sequence[float]
) -> float:
    """The threshold on the fine-tuned probability that maximises F1 of the gated decisions."""
    return max(
        band_thresholds(thresholds),
        key=lambda t: prf(labels, [gated(r, f) >= t for r, f in zip(regression, finetuned, strict=True)])["f1"],
    )


def score_folds(
    texts: Sequence[str],
    labels: Sequence[int],
    folds: Sequence[tuple[Sequence[int], Sequence[int]]],
    threads: int = 2,
    log: Callable[[str], None] | None = None,
) -> list[float]:
    """Each sentence's probability from the int8 classifier fine-tuned without its fold."""
    scores = [0.0] * len(texts)
    work = Path(tempfile.mkdtemp(prefix="narrascope-hedge-folds-"))
    try:
        for number, (train, test) in enumerate(folds, 1):
            model = finetune([texts[i] for i in train], [labels[i] for i in train], threads=threads, log=log)
            runner = FinetunedHedges(export(model, work / f"fold{number}.onnx"), threads=threads)
            for i, p in zip(test, runner.probabilities([texts[i] for i in test]), strict=True):
                scores[i] = p
            if log is not None:
                log(f"fold {number}/{len(folds)} scored")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return scores
