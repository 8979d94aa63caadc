"""The claim-matching encoder: MiniLM fine-tuned to put a claim near the fact-check that checks it.

The shared encoder places texts by topic, so every record about the same person or event sits
near a claim. This one was fine-tuned on CheckThat! 2020 train pairs (tweet → the verified claim
it matches; :mod:`narrascope.training.claim_encoder`), so its cosine says "checks this claim"
rather than "is about the same thing". It is a third rung's evidence beside BM25 and the shared
encoder's cosines (the fusion model weighs all three). Int8 ONNX in the repository
(``resources/models/claim_matching/encoder.onnx``, model card beside it), run by the shared
:class:`~narrascope.encoder.Encoder` code with the shared tokenizer. A record's vectors (of its
claim and of its title, end to end) are kept in ``factcheck_vectors`` under this encoder's id,
which names the model file's hash: a retrained encoder never compares with stale vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from narrascope.encoder import DIM, Encoder, Vectors, encoder_files
from narrascope.errors import ModelError
from narrascope.factchecks.fusion import model_dir
from narrascope.factchecks.records import FactCheck
from narrascope.factchecks.store import embed_missing, stored_vectors
from narrascope.store.store import Store

__all__ = [
    "ENCODER_FILE",
    "PREFIX",
    "embed_records",
    "load_matching_encoder",
    "matching_id",
    "record_texts",
    "record_vectors",
]

ENCODER_FILE = "encoder.onnx"
PREFIX = "claim-matching-minilm-"
"""Every version of this encoder's id starts so; the rest is the model file's hash."""


def _file() -> Path:
    return model_dir() / ENCODER_FILE


@lru_cache(maxsize=4)
def matching_id(path: Path | None = None) -> str:
    """The id of the encoder in the model file at *path* (the shipped one by default), as its
    stored vectors name it: known without loading the model."""
    path = path or _file()
    if not path.is_file():
        raise ModelError(f"the claim-matching encoder {path} is missing; reinstall narrascope")
    return PREFIX + hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=1)
def load_matching_encoder() -> Encoder:
    """The encoder (loaded once per process); its ``version`` is :func:`matching_id`."""
    version = matching_id()
    encoder = Encoder(_file(), encoder_files()[1])
    encoder.version = version
    return encoder


def record_texts(claim: str, title: str | None) -> list[str]:
    """What is encoded of a record: its claim and its title (its claim again when untitled)."""
    return [claim, title or claim]


def embed_records(store: Store, batch_size: int = 64, progress: Callable[[int], None] | None = None) -> int:
    """Give the stored records that have no vectors by this encoder theirs; returns how many."""
    return embed_missing(store, matching_id(), load_matching_encoder, record_texts, batch_size, progress)


def record_vectors(store: Store, records: Sequence[FactCheck]) -> Vectors:
    """The vectors of *records* (the matcher's, in its order; claim then title, 2 × ``DIM`` a
    row), embedding first any stored record that has none yet (one imported before this encoder)."""
    version = matching_id()
    stored = stored_vectors(store, version)
    if any(record.id not in stored for record in records):
        embed_records(store)
        stored = stored_vectors(store, version)
    missing = [record.id for record in records if record.id not in stored]
    if missing:  # a record the store does not hold: the caller's list is not the store's
        raise ModelError(f"{len(missing)} records have no claim-matching vectors in the store")
    blob = b"".join(stored[record.id] for record in records)
    return np.frombuffer(blob, dtype="<f4").reshape(-1, 2 * DIM).astype(np.float32)
