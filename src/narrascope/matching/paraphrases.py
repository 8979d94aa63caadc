"""The third rung of the matching ladder: the same claim in other words.

Texts are compared by their shared-encoder vectors (:mod:`narrascope.encoder`, cosine) in an
approximate nearest-neighbour index (HNSW, usearch), so a new document is compared with its
nearest neighbours only, never with every document. The index lives in files beside the store
(``save``/``open``: the graph, the vectors, the document ids in JSON), so it is built once and
grows with the corpus instead of being rebuilt per query. The graph only proposes neighbours;
each match carries the cosine measured again on the stored vectors (half precision: within
about 0.001 of full).
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Container, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.encoder import DIM, ENCODER_ID, Vectors

__all__ = ["NEIGHBOURS", "Paraphrase", "ParaphraseIndex", "half"]

NEIGHBOURS = 20
"""How many nearest documents a query looks at before the similarity threshold."""

EXPANSION = 160
"""How many candidates the HNSW search keeps while it walks the graph. usearch's default, 64, lost
a tenth of the planted paraphrases at 300,000 documents (bench corpus: recall 0.90); 128 keeps
0.956 at 2.4 ms per document, 200 keeps 0.982 at 3.4 ms (side by side, one vector at a time); at
1,000,000 documents placing a document cost 3.3 ms of the 5 ms budget in all one vector at a
time (planted recall 0.84), 1.8 ms with blocks added on two threads (0.92; not kept, see
``flush``), 2.0 ms with blocks on one thread into the 8-bit graph, copies kept out of it (0.91;
0.98 after re-clustering). 160 with :data:`EXPANSION_ADD`, below."""
EXPANSION_ADD = 96
"""How many candidates an insertion keeps while it looks for the new vector's neighbours
(usearch's default 128). Insertions run on one thread, searches on every core, so a search that
looks a little further pays for a graph built a little faster: bench corpus, 3 days' density,
planted recall and ms per document with (insertion, search) at (128, 128) against (96, 160):
100,000 documents 0.99975 / 0.60 against 0.99957 / 0.53; 300,000 (9 days) 0.9892 / 0.80 against
0.9903 / 0.76 ((96, 128): 0.9989 / 0.50 at 100,000; (112, 128): 0.99955 / 0.55)."""


GRAPH_DTYPE = "i8"
"""The graph's own copy of the vectors: 8-bit, a quarter of float32 and cheaper to walk (against
half precision at 50,000 documents: search -25 %, inserts -37 %, planted recall the same); it
only proposes neighbours, which are measured on the half-precision vectors kept beside it."""
SCALE = 127.0
"""The graph holds each unit vector times this, rounded to 8 bits (no component of a unit vector
is clipped), and compares them by inner product: the cosine's ranking at a quarter less per
insertion than usearch's own 8-bit cosine, which works out both norms at every step (60,000
vectors: 20.3 s against 26.6 s, the same neighbours found)."""
MARGIN = 0.05
"""The graph's cosines (8-bit) are off by 0.0026 on average, at most 0.017 (four million pairs of
CheckThat! and EUvsDisinfo texts): its hits this far below the threshold are measured again,
those further are not."""
FORMAT = 3
"""Of the saved index: 3 holds scaled 8-bit vectors compared by inner product (2: usearch's 8-bit
cosine; 1 kept the vectors in the graph alone)."""

SAME = 0.97
"""A vector this close (cosine) to its nearest match is not put in the graph: the matched document
stands for it there, as for an exact repeat (a later text finds that one instead). Near copies
the word rungs miss cost no insertion and no longer crowd a query's neighbours: bench corpus
(100,000 documents, 3 days) 84,736 → 67,840 graph entries, graph inserts 32.8 → 25.1 s, planted
recall 0.9992 → 0.9997; CheckThat! 2020 claim clusters the same at 0.95 to 0.98."""

BUFFER = 256
"""Vectors held beside the graph, searched exactly, before they go into it in one batch."""

THREADS = 0
"""Threads for the graph's batched searches (0: one per core); adds take one, see ``flush``."""


@dataclass(frozen=True)
class Paraphrase:
    """An indexed document the query says again in other words, and the cosine similarity."""

    id: str
    similarity: float
    rung: str = "paraphrase"


class ParaphraseIndex:
    """Document vectors in an HNSW index; ``add`` returns what a new vector repeats, then indexes it.

    The graph takes new vectors in blocks of :data:`BUFFER`, and is searched for many documents at
    once (on every core). Until a block is full its vectors wait in a buffer beside the graph, and
    a query reads both: the graph's nearest neighbours and every buffered vector (both measured
    on the stored half-precision vectors, in double precision), so a document is matched against
    everything added before it, and candidates still never come from all pairs in a window (the
    buffer holds the last few hundred documents at most). The blocks fall at the same documents
    however the documents are batched, and go in on one thread, so the graph, and what its
    approximate search finds, is the same in every run over the same documents.

    A vector the index already holds (an agency copy republished word for word encodes to the
    same vector), or one at :data:`SAME` or closer to its nearest match, is not put in the graph:
    the document shares the earlier one's entry (:meth:`entry`), so copies neither cost a graph
    insertion nor crowd a query's nearest neighbours with the same text; a query finds the
    document that holds the entry. Whether a document takes an entry depends only on what was
    added before it, so it is decided the same way when a store's documents are replayed
    (``query`` False: the index still looks, it only does not answer). A
    document the caller already knows to be a copy (``keep`` False: the copy rungs found it) is
    kept out of the graph the same way even when its vector differs a little: a later text finds
    the one it copies (its own vector is still kept, for measuring: :meth:`vectors`).
    """

    def __init__(
        self,
        threshold: float = 0.8,
        index: Any = None,
        ids: list[str] | None = None,
        shared: dict[int, int] | None = None,
        aside: Sequence[int] = (),
        vectors: np.ndarray | None = None,
    ) -> None:
        Index = _usearch()

        self.threshold = threshold
        self._graph = index if index is not None else Index(ndim=DIM, metric="ip", dtype=GRAPH_DTYPE)
        self._graph.expansion_search, self._graph.expansion_add = EXPANSION, EXPANSION_ADD
        self.ids: list[str] = ids or []
        self.key_of = {document_id: key for key, document_id in enumerate(self.ids)}
        """Document id → its position in :attr:`ids` (its key in the graph unless it shares one)."""
        self._shared = shared or {}
        """Position of a document whose vector an earlier one holds → that one's key."""
        self._aside = set(aside)
        """Positions of the documents kept out of the graph (copies)."""
        self._vectors = _Rows(vectors)
        """Every document's vector (half precision), by position: what similarities are measured on."""
        self._waiting = 0
        """How many vectors were added after the graph's last batch: the first rows of ..."""
        self._rows = np.empty((2 * BUFFER, DIM), dtype=np.float32)
        """... these vectors (room kept for a batch, so adding one does not copy the others) ..."""
        self._row_keys = np.empty(2 * BUFFER, dtype=np.int64)
        """... and their keys."""
        self._holder: dict[int, int] = {}
        """Hash of a half-precision vector → the key holding it."""
        for first in range(0, len(self.ids), 65536):
            last = min(first + 65536, len(self.ids))
            keys = [k for k in range(first, last) if k not in self._shared and k not in self._aside]
            for key, half in zip(keys, self._vectors.get(keys).astype(np.float16), strict=True):
                self._holder.setdefault(hash(half.tobytes()), key)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def index(self) -> Any:
        """The usearch index holding every vector added (the buffer is flushed into it first, which
        starts the graph's next block early: for saving, after the adds); keys are positions in
        :attr:`ids`, see :meth:`entry`. It holds the vectors in its own 8-bit form
        (:func:`_eight_bit`): search it through :meth:`nearest`."""
        self.flush()
        return self._graph

    def entry(self, document_id: str) -> int | None:
        """The key of the graph entry holding the document's vector (its own, or the earlier
        document's whose vector it repeats; None for a copy kept aside)."""
        position = self.key_of[document_id]
        return None if position in self._aside else self._shared.get(position, position)

    def vectors(self, document_ids: Sequence[str]) -> Vectors:
        """The stored (half-precision) vectors of the documents, one row each."""
        return self._vectors.get([self.key_of[i] for i in document_ids])

    @property
    def _buffer(self) -> Vectors:
        """The vectors waiting for the graph's next batch."""
        return self._rows[: self._waiting]

    @property
    def _buffer_keys(self) -> np.ndarray:
        return self._row_keys[: self._waiting]

    def flush(self) -> None:
        """Add the buffered vectors to the graph in one batch, in order, on one thread: the graph
        (and so what an approximate search finds) depends only on the documents added and their
        order, so a run resumed after a crash finds what an uninterrupted one does."""
        if self._waiting:
            self._graph.add(self._buffer_keys, _eight_bit(self._buffer), threads=1)
            self._waiting = 0

    def _wait(self, keys: np.ndarray, vectors: Vectors) -> None:
        """Put vectors in the buffer (it grows when one call brings more than it has room for)."""
        end = self._waiting + len(keys)
        if end > len(self._rows):
            self._rows = np.concatenate([self._buffer, np.empty((end, DIM), dtype=np.float32)])
            self._row_keys = np.concatenate([self._buffer_keys, np.empty(end, dtype=np.int64)])
        self._rows[self._waiting : end], self._row_keys[self._waiting : end] = vectors, keys
        self._waiting = end

    def query(self, vector: Vectors, neighbours: int = NEIGHBOURS) -> list[Paraphrase]:
        """Indexed documents at or above the threshold, most similar first."""
        query = half(np.asarray(vector, dtype=np.float32).reshape(1, DIM))
        keys, cosines = self._measure(query, self._search(query, neighbours))
        exact = _cosines(query.astype(np.float64), self._buffer.astype(np.float64))
        return self._nearest(keys[0], cosines[0], exact[0], self._buffer_keys, neighbours)

    def add(self, document_id: str, vector: Vectors, query: bool = True, keep: bool = True) -> list[Paraphrase]:
        """Index one document's vector; return its paraphrases among those added before it (nothing
        when *query* is False). A copy (*keep* False) is kept aside, see the class doc."""
        return self.add_many([document_id], np.asarray(vector).reshape(1, DIM), [query], [keep])[0]

    def add_many(
        self,
        document_ids: Sequence[str],
        vectors: Vectors,
        query: Sequence[bool] | None = None,
        keep: Sequence[bool] | None = None,
    ) -> list[list[Paraphrase]]:
        """Index the documents in order; each one's paraphrases among all those added before it,
        the earlier ones of this call included (nothing for a document whose *query* is False;
        those whose *keep* is False are copies, kept aside: never found by the later ones).
        The graph is searched for many documents at once: for all those up to the one that may
        fill the buffer (each, in order, then takes an entry or shares one), then, once the
        graph has taken a full buffer, for the next ones."""
        ids = list(document_ids)
        if (repeated := first_repeated(ids, self.key_of)) is not None:
            raise ValueError(f"document {repeated} is already in the index")
        halves = np.asarray(vectors, dtype=np.float32).reshape(len(ids), DIM).astype(np.float16)
        added = halves.astype(np.float32)
        asked = np.ones(len(ids), dtype=bool) if query is None else np.asarray(query, dtype=bool)
        kept = np.ones(len(ids), dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
        first = len(self.ids)
        for document_id in ids:
            self.key_of[document_id] = len(self.ids)
            self.ids.append(document_id)
        self._vectors.extend(halves)
        self._aside.update((first + np.flatnonzero(~kept)).tolist())
        digests = [hash(h.tobytes()) for h in halves]
        # which may take an entry of their own: an upper bound (kept, and not a vector an earlier
        # call's document holds); whether they do is decided in order, below
        maybe = kept.copy()
        for k in np.flatnonzero(kept).tolist():
            maybe[k] = self._holding(digests[k], halves[k]) is None
        found: list[list[Paraphrase]] = [[] for _ in ids]
        start = 0
        while start < len(ids):  # up to the text that may fill the buffer, then the graph takes it
            filled = np.cumsum(maybe[start:])
            room = BUFFER - self._waiting
            end = start + int(np.searchsorted(filled, room)) + 1 if filled[-1] >= room else len(ids)
            rows = start + np.flatnonzero((asked | maybe)[start:end])  # whether it enters depends on what it finds
            keys, cosines = self._measure(added[rows], self._search(added[rows], NEIGHBOURS))
            before = self._waiting
            entering = start + np.flatnonzero(maybe[start:end])
            self._wait(first + entering, added[entering])
            exact = _cosines(added[rows].astype(np.float64), self._buffer.astype(np.float64))
            column = dict(zip(entering.tolist(), range(before, self._waiting), strict=True))
            visible = list(range(before))  # buffered before the text: those that took an entry
            row = dict(zip(rows.tolist(), range(len(rows)), strict=True))
            for i in range(start, end):
                matches: list[Paraphrase] = []
                if i in row:
                    r, seen = row[i], np.asarray(visible, dtype=np.int64)
                    matches = self._nearest(keys[r], cosines[r], exact[r, seen], self._row_keys[seen], NEIGHBOURS)
                    found[i] = matches if asked[i] else []
                if kept[i] and self._enters(first + i, digests[i], halves[i], matches):
                    visible.append(column[i])
            self._unwait(before, visible[before:])
            if self._waiting >= BUFFER:
                self.flush()
            start = end
        return found

    def _holding(self, digest: int, half: np.ndarray) -> int | None:
        """The key of the entry holding exactly this (half-precision) vector, if one does."""
        holder = self._holder.get(digest)
        if holder is not None and np.array_equal(self._vectors.get([holder])[0], half):
            return holder
        return None

    def _enters(self, key: int, digest: int, half: np.ndarray, matches: list[Paraphrase]) -> bool:
        """Whether a kept document takes an entry of its own; if not, it is recorded as sharing
        the entry of the vector it repeats, or of its nearest match at :data:`SAME` or above."""
        holder = self._holding(digest, half)
        if holder is None and matches and matches[0].similarity >= SAME:
            holder = self.key_of[matches[0].id]
        if holder is not None:
            self._shared[key] = holder
            return False
        self._holder.setdefault(digest, key)
        return True

    def _unwait(self, before: int, entered: list[int]) -> None:
        """Keep, of the buffer's rows from *before* on, only those at *entered* (in order)."""
        rows = np.asarray(entered, dtype=np.int64)
        end = before + len(rows)
        self._rows[before:end], self._row_keys[before:end] = self._rows[rows], self._row_keys[rows]
        self._waiting = end

    def nearest(self, queries: Vectors, neighbours: int, threads: int = THREADS) -> tuple[np.ndarray, np.ndarray]:
        """The graph's *neighbours* nearest entries to each query (keys, -1 where it has fewer)
        and their cosines as the graph estimates them (see :data:`MARGIN`), every document added
        so far included (for re-clustering: the buffer goes into the graph first)."""
        self.flush()
        return self._search(queries, neighbours, threads)

    def _search(self, queries: Vectors, neighbours: int, threads: int = THREADS) -> tuple[np.ndarray, np.ndarray]:
        """The graph's nearest (keys, estimated cosines) for each query, -1 keys where it has fewer."""
        count = min(neighbours, len(self._graph))
        if not count or not len(queries):
            empty = np.full((len(queries), 0), -1, dtype=np.int64)
            return empty, np.zeros(empty.shape, dtype=np.float32)
        found = self._graph.search(_eight_bit(queries), count, threads=threads)  # one query: trimmed, no counts
        keys = np.asarray(found.keys, dtype=np.int64).reshape(len(queries), -1)
        distances = np.asarray(found.distances, dtype=np.float32).reshape(len(queries), -1)
        counts = np.asarray(getattr(found, "counts", [len(np.atleast_1d(found.keys))])).reshape(len(queries))
        keys[np.arange(keys.shape[1]) >= counts[:, None]] = -1
        return keys, (1.0 - distances) / np.float32(SCALE * SCALE)

    @property
    def _bar(self) -> float:
        """What rounds to the threshold: nothing below it can match."""
        return self.threshold - 0.00005

    def _measure(self, queries: Vectors, searched: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The graph's hits for each query (keys, -1 for none) and their cosines measured again on
        the stored vectors, in double precision (-inf for those too far to be worth it)."""
        keys, estimates = searched
        cosines = np.full(keys.shape, -np.inf)
        hit = (keys >= 0) & (estimates >= self._bar - MARGIN)
        if hit.any():
            wide = queries.astype(np.float64)[np.nonzero(hit)[0]]
            cosines[hit] = _paired_cosines(wide, self._vectors.get(keys[hit]).astype(np.float64))
        return keys, cosines

    def _nearest(
        self, keys: np.ndarray, cosines: np.ndarray, exact: np.ndarray, buffered: np.ndarray, neighbours: int
    ) -> list[Paraphrase]:
        """One query's *neighbours* nearest among the graph's hits (*keys*, *cosines*) and the
        buffered vectors it may see (*buffered* keys, *exact* cosines), those at or above the
        threshold, most similar first: a pair scores the same whether the graph or the buffer
        held the earlier text."""
        hits = np.flatnonzero((keys >= 0) & (cosines >= self._bar))
        near = np.flatnonzero(exact >= self._bar)
        pairs = list(zip(cosines[hits].tolist(), keys[hits].tolist(), strict=True))
        pairs += zip(exact[near].tolist(), buffered[near].tolist(), strict=True)
        nearest = heapq.nlargest(neighbours, pairs)
        matches = [Paraphrase(self.ids[k], round(c, 4)) for c, k in nearest if round(c, 4) >= self.threshold]
        return sorted(matches, key=lambda p: (-p.similarity, p.id))

    def save(self, path: Path, encoder_id: str = ENCODER_ID) -> None:
        """Write the index to *path* and its ids and settings to ``<path>.json``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.index.save(str(path))
        self._vectors.save(path.with_name(path.name + ".vectors.npy"))
        meta = {
            "format": FORMAT,
            "encoder": encoder_id,
            "threshold": self.threshold,
            "ids": self.ids,
            "shared": sorted(self._shared.items()),
            "aside": sorted(self._aside),
        }
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
            if meta.get("format") != FORMAT:
                raise StoreError(f"{path}: the paraphrase index is of an older format; rebuild it")
            index = Index.restore(str(path))
            shared = {int(position): int(key) for position, key in meta["shared"]}
            aside = [int(position) for position in meta["aside"]]
            vectors = np.load(path.with_name(path.name + ".vectors.npy"), allow_pickle=False)
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as error:
            raise StoreError(f"{path}: cannot open the paraphrase index: {error}") from error
        n = len(meta["ids"])
        if index is None or len(index) + len(shared) + len(aside) != n or vectors.shape != (n, DIM):
            raise StoreError(f"{path}: the paraphrase index and its ids do not agree; rebuild it")
        return cls(float(meta["threshold"]), index, list(meta["ids"]), shared, aside, vectors)


class _Rows:
    """Half-precision vectors by position, in blocks: growing never copies what is stored."""

    BLOCK = 65536

    def __init__(self, vectors: np.ndarray | None = None) -> None:
        self._blocks: list[np.ndarray] = []
        self._count = 0
        if vectors is not None:
            self.extend(vectors)

    def __len__(self) -> int:
        return self._count

    def extend(self, vectors: np.ndarray) -> None:
        done = 0
        while done < len(vectors):
            if self._count == len(self._blocks) * self.BLOCK:
                self._blocks.append(np.empty((self.BLOCK, DIM), dtype=np.float16))
            offset = self._count % self.BLOCK
            take = min(self.BLOCK - offset, len(vectors) - done)
            self._blocks[-1][offset : offset + take] = vectors[done : done + take]
            done, self._count = done + take, self._count + take

    def get(self, positions: Sequence[int] | np.ndarray) -> Vectors:
        """The vectors at *positions*, as float32 rows."""
        wanted = np.asarray(positions, dtype=np.int64)
        if len(wanted) and (wanted.min() < 0 or wanted.max() >= self._count):
            raise IndexError("no vector at that position")
        out = np.empty((len(wanted), DIM), dtype=np.float32)
        blocks = wanted // self.BLOCK
        for block in np.unique(blocks).tolist():
            here = blocks == block
            out[here] = self._blocks[block][wanted[here] % self.BLOCK]
        return out

    def save(self, path: Path) -> None:
        """Write the vectors as one ``.npy`` array, block by block (no copy of them all in memory)."""
        out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float16, shape=(self._count, DIM))
        for k, block in enumerate(self._blocks):
            first = k * self.BLOCK
            out[first : min(first + self.BLOCK, self._count)] = block[: self._count - first]
        out.flush()
        del out


def first_repeated(ids: list[str], known: Container[str]) -> str | None:
    """The first of *ids* already *known* or repeated earlier in *ids* (None when all are new)."""
    seen: set[str] = set()
    for i in ids:
        if i in known or i in seen:
            return i
        seen.add(i)
    return None


def half(vectors: Vectors) -> Vectors:
    """*vectors* rounded to the half precision they are stored in (stores and this index keep
    them so; assignments are made on the stored values)."""
    rounded: Vectors = np.asarray(vectors, dtype="<f2").astype(np.float32)
    return rounded


def _eight_bit(vectors: Vectors) -> np.ndarray:
    """The graph's form of vectors: each row scaled to unit length, times :data:`SCALE`, rounded
    and clipped to 8 bits (a zero vector stays zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    units = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    eight: np.ndarray = np.clip(np.rint(units * SCALE), -127, 127).astype(np.int8)
    return eight


def _paired_cosines(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Cosine of each row of *left* with the same row of *right* (zero vectors: cosine 0)."""
    norms = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    products = np.einsum("ij,ij->i", left, right)
    cosines: np.ndarray = np.divide(products, norms, out=np.zeros_like(products), where=norms > 0)
    return cosines


def _cosines(queries: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Cosine of every query with every vector (zero vectors: cosine 0)."""
    norms = np.linalg.norm(queries, axis=1)[:, None] * np.linalg.norm(vectors, axis=1)[None, :]
    products = queries @ vectors.T
    cosines: np.ndarray = np.divide(products, norms, out=np.zeros_like(products), where=norms > 0)
    return cosines


def _usearch() -> Any:
    """usearch's ``Index``, imported after onnxruntime: importing onnxruntime after usearch (2.26,
    with onnxruntime 1.32) kills the process with a segmentation fault."""
    import onnxruntime  # noqa: F401
    from usearch.index import Index

    return Index
