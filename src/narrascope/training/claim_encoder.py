"""Fine-tune MiniLM so that a claim lies near the fact-check that checks it, and export it to ONNX.

The shared encoder places texts by topic: "Pelosi stammers through a news conference" and "a
video shows Nancy Pelosi slurring her speech" are near, but so is every other Pelosi record.
Trained on CheckThat! 2020 train pairs (tweet → the verified claim it matches), with the other
records of the batch and the baseline's best-scored wrong candidates as negatives (contrastive
loss, scale 20), the encoder learns what *matching* means. Starts from all-MiniLM-L6-v2
(:func:`narrascope.training.minilm.classifier`); the record side is its claim or, three times in
ten, its title, as the matcher compares both. Exported with the last hidden states as output, so
:class:`narrascope.encoder.Encoder` runs it (mean pooling, unit length), and quantised to int8.
Needs the ``train`` extra and ``torch==2.13.0``.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrascope.errors import NarrascopeError

__all__ = ["EPOCHS", "LEARNING_RATE", "Pair", "export", "finetune", "require_torch"]

EPOCHS = 2
LEARNING_RATE = 3e-5
BATCH = 32
SCALE = 20.0
TITLE_SHARE = 0.3
MAX_TOKENS = 128


@dataclass(frozen=True)
class Pair:
    """A claim (normalised, as the matcher sees it) with the records that check it and the wrong
    records the untrained matcher ranked highest; each record as (claim, title)."""

    query: str
    positives: tuple[tuple[str, str], ...]
    negatives: tuple[tuple[str, str], ...]


def require_torch() -> Any:
    """torch, or a one-line error saying how to install what training needs."""
    try:
        import onnx  # noqa: F401  (the export needs it)
        import torch
    except ImportError as error:
        raise NarrascopeError(
            f"training needs the train extra and torch: pip install -e '.[train]' torch==2.13.0 ({error})"
        ) from None
    return torch


def _tokenizer() -> Any:
    from tokenizers import Tokenizer

    from narrascope.training.minilm import pretrained_dir

    tokenizer = Tokenizer.from_file(str(pretrained_dir() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    return tokenizer


def _embedder(model: Any) -> Callable[[Sequence[str]], Any]:
    """Texts → unit mean-pooled vectors of *model*, with gradients."""
    torch = require_torch()
    from narrascope.training.minilm import padded

    tokenizer = _tokenizer()

    def embed(texts: Sequence[str]) -> Any:
        ids_t, mask_t = padded(tokenizer.encode_batch(list(texts)))
        states = model.states(ids_t, mask_t)
        weights = mask_t.unsqueeze(-1).to(states.dtype)
        pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)

    return embed


def finetune(
    pairs: Sequence[Pair],
    epochs: int = EPOCHS,
    learning_rate: float = LEARNING_RATE,
    seed: int = 0,
    threads: int = 2,
    log: Callable[[str], None] | None = None,
) -> Any:
    """The fine-tuned torch model (see module doc): AdamW, 10 % warm-up then linear decay."""
    torch = require_torch()
    from narrascope.training.minilm import classifier, optimiser

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = classifier(dropout=0.1)
    model.train()
    embed = _embedder(model)
    usable = [p for p in pairs if p.positives]
    adamw, schedule = optimiser(model, learning_rate, epochs * ((len(usable) + BATCH - 1) // BATCH), 0.1)
    started = time.monotonic()
    order = list(usable)
    for epoch in range(epochs):
        rng.shuffle(order)
        for begin in range(0, len(order), BATCH):
            batch = order[begin : begin + BATCH]
            side = 1 if rng.random() < TITLE_SHARE else 0  # 0: the records' claims, 1: their titles
            records = [rng.choice(p.positives)[side] for p in batch]
            records += [rng.choice(p.negatives)[side] for p in batch if p.negatives]
            scores = SCALE * embed([p.query for p in batch]) @ embed(records).T
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            adamw.step()
            schedule.step()
            adamw.zero_grad()
        if log is not None:
            log(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.3f}, {time.monotonic() - started:.0f} s")
    model.eval()
    return model


def export(model: Any, path: Path) -> Path:
    """*model* as int8 ONNX at *path* (opset 17; inputs ``input_ids``, ``attention_mask``; output
    the last hidden states), the form :class:`narrascope.encoder.Encoder` runs."""
    require_torch()
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class Hidden(torch.nn.Module):  # type: ignore[misc]
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            return self.inner.states(input_ids, attention_mask)

    work = Path(tempfile.mkdtemp(prefix="narrascope-claim-encoder-"))
    try:
        fp32 = work / "fp32.onnx"
        ids = torch.tensor([[101, 1037, 2460, 2742, 1012, 102], [101, 2023, 102, 0, 0, 0]])
        mask = (ids != 0).long()
        axes = {name: {0: "batch", 1: "seq"} for name in ("input_ids", "attention_mask", "hidden")}
        torch.onnx.export(
            Hidden(model).eval(), (ids, mask), str(fp32), dynamo=False, opset_version=17,
            input_names=["input_ids", "attention_mask"], output_names=["hidden"], dynamic_axes=axes,
        )  # fmt: skip
        path.parent.mkdir(parents=True, exist_ok=True)
        quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return path
