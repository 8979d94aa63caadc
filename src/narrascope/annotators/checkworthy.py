"""Check-worthiness: how much a sentence looks like a factual claim a fact-checker would check.

A fine-tuned all-MiniLM-L6-v2 (mean pooling and a linear head, trained on CheckThat! 2024 Task 1
English by :mod:`narrascope.training.checkworthy`), exported to ONNX with its matrix
multiplications quantised to int8. It runs on onnxruntime with the model's own WordPiece
tokenizer; no torch. Sentences are cut at ``max_len`` tokens and scored one at a time: with
int8 weights the activations are quantised per call, so in a batch a sentence's score would
depend on its neighbours (by up to 0.13 measured); alone it is always the same, and on this
model it is no slower (no padding). ``score`` is the model's probability; ``threshold``
(chosen on CheckThat dev) turns it into a yes/no.

The same model is the pipeline's one shared encoder pass (:meth:`CheckworthyModel.read`): its
scores go to the claims layer and its last hidden states to the quote and technique taggers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from narrascope.errors import ModelError
from narrascope.model import WORD

__all__ = ["CheckworthyModel", "Reading", "Run", "load_checkworthy_model", "model_dir", "token_states", "units"]

MODEL_FILE = "checkworthy.onnx"
CLS, SEP = 101, 102
"""The WordPiece ids of ``[CLS]`` and ``[SEP]``."""
WIDTH = 384
"""The width of the model's hidden states."""
LOWER_LAYER = 1
"""The layer whose states the model also gives as its ``lower`` output: a tagger can fine-tune
copies of the layers above it (the technique tagger) and share the pass below. A model's
``meta.json`` says which layer its output is (``lower_layer``); a model whose layer differs is
refused, since a tagger fed another layer's states gives wrong probabilities without failing."""
EARLIER_LOWER_LAYER = 4
"""The layer of a model whose ``meta.json`` does not say (the split until 2026-11-30)."""

States = npt.NDArray[np.float32]


def units(text: str, sentences: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The claim units of a text: its sentences (character spans from the parse) cut at line
    breaks, trimmed of space, keeping those with a word. A parse sentence sometimes runs over a
    paragraph break (a headline into the first line); a claim never does."""
    out = []
    for start, end in sentences:
        for piece in re.finditer(r"[^\n]+", text[start:end]):
            lo, hi = start + piece.start(), start + piece.end()
            while lo < hi and text[lo].isspace():
                lo += 1
            while hi > lo and text[hi - 1].isspace():
                hi -= 1
            if WORD.search(text[lo:hi]):
                out.append((lo, hi))
    return out


@dataclass(frozen=True)
class Run:
    """One input of the shared pass (a claim unit, or a ``max_len`` piece of a long one)."""

    lower: States
    """The states of layer :data:`LOWER_LAYER`, one row per word piece, ``[CLS]`` and ``[SEP]`` included."""
    rows: npt.NDArray[np.int64]
    """The parse token each word piece (between ``[CLS]`` and ``[SEP]``) falls in."""


@dataclass(frozen=True)
class Reading:
    """What one pass of the model over a parsed English article leaves (never serialised): the
    pipeline runs it once and every layer reads it (DESIGN.md, "How speed is counted")."""

    tokens: States
    """One row per token of the parse: the mean of its word pieces' last hidden states (zeros for
    tokens without pieces, such as spaces)."""
    units: list[tuple[int, int]]
    """The claim units read (:func:`units` of the parse's sentences)."""
    scores: list[float]
    """Each unit's check-worthiness, as :meth:`CheckworthyModel.scores` gives its text."""
    runs: list[Run]
    """Every input run, in order, with its lower states (empty when the model has no ``lower`` output)."""


class CheckworthyModel:
    """The ONNX classifier, its tokenizer and its threshold (``meta.json``)."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        from tokenizers import Tokenizer

        from narrascope.models import onnx_session

        try:
            self.meta: dict[str, Any] = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            self.session = onnx_session(path / MODEL_FILE, threads)
            self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
            self.digest = hashlib.sha256((path / MODEL_FILE).read_bytes()).hexdigest()[:12]
            """Names what the token states were read with (caches of them are kept under it)."""
        except Exception as error:  # onnxruntime and tokenizers raise their own error types
            raise ModelError(f"{path}: cannot load the check-worthiness model: {error}") from error
        self.tokenizer.no_padding()
        self.max_len = int(self.meta.get("max_len", 64))
        self.tokenizer.enable_truncation(max_length=self.max_len)
        self._pieces = Tokenizer.from_str(self.tokenizer.to_str())  # for read: never truncates
        self._pieces.no_truncation()
        self.threshold = float(self.meta["threshold"])
        self.outputs = [output.name for output in self.session.get_outputs()]
        self.has_states = "hidden" in self.outputs
        layer = int(self.meta.get("lower_layer", EARLIER_LOWER_LAYER))
        if "lower" in self.outputs and layer != LOWER_LAYER:
            raise ModelError(
                f"{path}: its lower output is layer {layer}'s, the technique tagger reads layer {LOWER_LAYER}'s;"
                " re-expose it (narrascope.training.checkworthy.expose_lower)"
            )
        self.version = f"checkworthy-minilm {self.meta.get('variant', '')} thr {self.threshold:.2f}".strip()

    def scores(self, texts: Sequence[str]) -> list[float]:
        """Probability that each text is check-worthy, in input order (each scored on its own)."""
        return [self._run(self.tokenizer.encode(text or " ").ids)[0] for text in texts]

    def read(self, docs: Sequence[Any]) -> list[Reading]:
        """The shared pass over parsed English documents: each claim unit is run once, on its own,
        in pieces of ``max_len`` word pieces; its score is the first piece's (what :meth:`scores`
        gives its text, which is cut there), and every piece's hidden states go to the tokens
        they fall in. A tagger reads those states as frozen features beside its own."""
        if not self.has_states:
            raise ModelError(
                "this check-worthiness model has no 'hidden' output; re-export it (narrascope train checkworthy)"
            )
        out = []
        step = self.max_len - 2  # [CLS] and [SEP]
        for doc in docs:
            starts = np.array([token.idx for token in doc], dtype=np.int64)
            tokens = np.zeros((len(doc), WIDTH), dtype=np.float32)
            counts = np.zeros(len(doc), dtype=np.float32)
            spans = units(doc.text, [(s.start_char, s.end_char) for s in doc.sents])
            scores: list[float] = []
            runs: list[Run] = []
            for lo, hi in spans:
                encoding = self._pieces.encode(doc.text[lo:hi], add_special_tokens=False)
                offsets = lo + np.array([start for start, _ in encoding.offsets], dtype=np.int64)
                for at in range(0, max(len(encoding.ids), 1), step):
                    ids = encoding.ids[at : at + step]
                    probability, hidden, lower = self._run([CLS, *ids, SEP])
                    if at == 0:
                        scores.append(probability)
                    rows = np.clip(np.searchsorted(starts, offsets[at : at + step], side="right") - 1, 0, None)
                    np.add.at(tokens, rows, hidden[1 : 1 + len(ids)])
                    np.add.at(counts, rows, 1.0)
                    if lower is not None:
                        runs.append(Run(lower, rows))
            seen = counts > 0
            tokens[seen] /= counts[seen, None]
            out.append(Reading(tokens, spans, scores, runs))
        return out

    def _run(self, ids: list[int]) -> tuple[float, States, States | None]:
        """The probability, the last hidden states (pieces × width) and, when the model gives
        them, the lower states of one input."""
        feed = np.asarray([ids], dtype=np.int64)
        given = self.session.run(None, {"input_ids": feed, "attention_mask": np.ones_like(feed)})
        found = dict(zip(self.outputs, given, strict=True))
        hidden = found.get("hidden")
        states = np.asarray(hidden[0], dtype=np.float32) if hidden is not None else np.zeros((0, WIDTH), np.float32)
        lower = found.get("lower")
        return float(found["prob"].reshape(-1)[0]), states, None if lower is None else np.asarray(lower[0], np.float32)


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


def token_states(docs: Sequence[Any]) -> list[States]:
    """Each parsed doc's token states from the shared pass (:meth:`CheckworthyModel.read`), for a
    model run outside the pipeline, which would otherwise have left them in ``Work.encoded``."""
    return [reading.tokens for reading in load_checkworthy_model().read(docs)]
