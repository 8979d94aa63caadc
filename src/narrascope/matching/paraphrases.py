"""The third rung of the matching ladder: the same claim in other words.

Texts are compared by their shared-encoder vectors (:mod:`narrascope.encoder`, cosine) in an
approximate nearest-neighbour index (HNSW, usearch), so a new document is compared with its
nearest neighbours only, never with every document. The index lives in one file beside the
store (``save``/``open``) with the document ids in a JSON file next to it, so it is built once
and grows with the corpus instead of being rebuilt per query. Each match carries the cosine
similarity measured on the stored vectors (half precision: within about 0.001 of full).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.encoder import DIM, ENCODER_ID, Vectors

__all__ = ["NEIGHBOURS", "Paraphrase", "ParaphraseIndex"]

NEIGHBOURS = 20
"""How many nearest documents a query looks at before the similarity threshold."""

EXPANSION = 128
"""How many candidates the HNSW search keeps while it walks the graph. usearch's default, 64, lost
a tenth of the planted paraphrases at 300,000 documents (bench corpus: recall 0.90); 128 keeps
0.956 at 2.4 ms per document, 200 keeps 0.982 at 3.4 ms (side by side); at 1,000,000 documents
128 costs 3.3 ms of the 5 ms budget, where 200 would take most of the rest."""


@dataclass(frozen=True)
class Paraphrase:
    """An indexed document the query says again in other words, and the cosine similarity."""

    id: str
    similarity: float
    rung: str = "paraphrase"


class ParaphraseIndex:
    """Document vectors in an HNSW index; ``add`` returns what a new vector repeats, then indexes it."""

    def __init__(self, threshold: float = 0.8, index: Any = None, ids: list[str] | None = None) -> None:
        Index = _usearch()

        self.threshold = threshold
        self.index = index if index is not None else Index(ndim=DIM, metric="cos", dtype="f16")
        self.index.expansion_search = EXPANSION
        self.ids: list[str] = ids or []
        self.key_of = {document_id: key for key, document_id in enumerate(self.ids)}
        """Document id → its key in the HNSW index (its position in :attr:`ids`)."""

    def __len__(self) -> int:
        return len(self.ids)

    def query(self, vector: Vectors, neighbours: int = NEIGHBOURS) -> list[Paraphrase]:
        """Indexed documents at or above the threshold, most similar first."""
        if not self.ids:
            return []
        found = self.index.search(np.asarray(vector, dtype=np.float32), min(neighbours, len(self.ids)))
        out = []
        for key, distance in zip(np.atleast_1d(found.keys), np.atleast_1d(found.distances), strict=True):
            similarity = round(1.0 - float(distance), 4)
            if similarity >= self.threshold:
                out.append(Paraphrase(self.ids[int(key)], similarity))
        return sorted(out, key=lambda p: (-p.similarity, p.id))

    def add(self, document_id: str, vector: Vectors, query: bool = True) -> list[Paraphrase]:
        """Index one document's vector; return its paraphrases among those added before it (nothing
        when *query* is False)."""
        if document_id in self.key_of:
            raise ValueError(f"document {document_id} is already in the index")
        found = self.query(vector) if query else []
        self.index.add(len(self.ids), np.asarray(vector, dtype=np.float32))
        self.key_of[document_id] = len(self.ids)
        self.ids.append(document_id)
        return found

    def add_many(self, document_ids: Sequence[str], vectors: Vectors) -> list[list[Paraphrase]]:
        return [self.add(i, v) for i, v in zip(document_ids, vectors, strict=True)]

    def save(self, path: Path, encoder_id: str = ENCODER_ID) -> None:
        """Write the index to *path* and its ids and settings to ``<path>.json``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.index.save(str(path))
        meta = {"encoder": encoder_id, "threshold": self.threshold, "ids": self.ids}
        path.with_name(path.name + ".json").write_text(json.dumps(meta) + "\n", encoding="utf-8")

    @classmethod
    def open(cls, path: Path, encoder_id: str = ENCODER_ID) -> ParaphraseIndex:
        """The index saved at *path* (a clear error when it is missing, damaged or of another encoder)."""
        from narrascope.store.store import StoreError

        Index = _usearch()

        try:
            meta = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
            if meta.get("encoder") != encoder_id:
                raise StoreError(f"{path}: built with the encoder {meta.get('encoder')!r}, not {encoder_id}")
            index = Index.restore(str(path))
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            raise StoreError(f"{path}: cannot open the paraphrase index: {error}") from error
        if index is None or len(index) != len(meta["ids"]):
            raise StoreError(f"{path}: the paraphrase index and its ids do not agree; rebuild it")
        return cls(float(meta["threshold"]), index, list(meta["ids"]))


def _usearch() -> Any:
    """usearch's ``Index``, imported after onnxruntime: importing onnxruntime after usearch (2.26,
    with onnxruntime 1.32) kills the process with a segmentation fault."""
    import onnxruntime  # noqa: F401
    from usearch.index import Index

    return Index
