"""`narrascope bench corpus`: the cost of placing documents in clusters as they arrive, at scale.

Synthetic documents with precomputed vectors (no encoder in the loop, and the texts made outside
the timed calls, so what is timed is the clustering): stories, each a base text and a base unit
vector, are retold by outlets as exact copies (other case and spacing), near copies (a tenth of
the words changed) and paraphrases (other words), their vectors the base vector plus
:data:`NOISE`. The documents are added to :class:`~narrascope.matching.clusters.Clusters` in time
order, :data:`BATCH` at a time as an ingest batch adds them; the figures are the amortised
milliseconds per document, the peak memory of the process, the pairwise precision and recall of
the clusters against the planted stories (a check that the timed work is the real work), the
same after re-clustering (and its time), and the time of the coordination detector over the
outlets that published in the same clusters (as they were assigned).
"""

from __future__ import annotations

import itertools
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from narrascope.encoder import DIM

__all__ = ["SyntheticCorpus", "bench_corpus", "synthetic_corpus"]

IntArray = npt.NDArray[np.int64]

WORDS = 100
"""Words per synthetic document."""
VOCABULARY = 20_000
OUTLETS = 200
NOISE = np.array([0.0, 0.008, 0.022], dtype=np.float32)
"""Noise per dimension added to the story's vector: an exact copy encodes to the same vector, a
near copy moves it a little (cosine about 0.99), a paraphrase further (about 0.92)."""
BATCH = 256
"""Documents placed per call, as an ingest batch places them."""
DAYS = 30.0
"""Days the synthetic corpus spans by default, whatever its size: its density (documents per
window) grows with the number of documents, and so does the cost of anything comparing every
pair within a window."""


@dataclass(frozen=True)
class SyntheticCorpus:
    """Stories and who retold them when; each document's text and vector are made as it is read,
    so a million documents cost the stories' base texts and vectors, not a copy per document."""

    seed: int
    stories: IntArray
    """Story of each document, documents in time order."""
    kinds: IntArray
    """0 exact copy, 1 near copy, 2 paraphrase."""
    outlets: IntArray
    times: npt.NDArray[np.float64]
    base_words: npt.NDArray[np.int32]
    base_vectors: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return len(self.stories)

    def documents(self, chunk: int = 4096) -> Iterator[tuple[str, npt.NDArray[np.float32]]]:
        """(text, unit vector) of every document in time order, the same for the same seed and chunk."""
        for first in range(0, len(self), chunk):
            rng = np.random.default_rng([self.seed, first])
            story, kind = self.stories[first : first + chunk], self.kinds[first : first + chunk]
            noise = rng.standard_normal((len(story), DIM), dtype=np.float32)
            vectors = self.base_vectors[story] + noise * NOISE[kind][:, None]
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            for k in range(len(story)):
                words = self.base_words[story[k]].copy()
                if kind[k] == 1:
                    changed = rng.choice(WORDS, size=WORDS // 10, replace=False)
                    words[changed] = rng.integers(0, VOCABULARY, size=len(changed))
                elif kind[k] == 2:
                    words = rng.integers(0, VOCABULARY, size=WORDS)
                text = " ".join(f"w{w}" for w in words.tolist())
                yield (text.upper() if kind[k] == 0 and (first + k) % 2 else text), vectors[k]


def synthetic_corpus(docs: int, seed: int = 0, days: float = DAYS) -> SyntheticCorpus:
    """*docs* documents retelling stories (exact copies in another case, near copies,
    paraphrases), the stories starting over *days*."""
    rng = np.random.default_rng(seed)
    stories = max(1, docs // 5)
    base_vectors = rng.standard_normal((stories, DIM), dtype=np.float32)
    base_vectors /= np.linalg.norm(base_vectors, axis=1, keepdims=True)
    base_words = rng.integers(0, VOCABULARY, size=(stories, WORDS), dtype=np.int32)
    # most stories are retold a few times, a hundredth of them about ten times as often (big
    # news); no story takes over the corpus, as none does in a real one
    popular = rng.random(docs) < 0.1
    story = np.where(popular, rng.integers(0, max(1, stories // 100), size=docs), rng.integers(0, stories, size=docs))
    story = rng.permutation(stories)[story]  # popular stories spread over the whole period
    kind = rng.choice(3, size=docs, p=[0.3, 0.2, 0.5])  # exact copy, near copy, paraphrase
    starts = rng.uniform(0, days * 86400, size=stories)
    times = starts[story] + rng.exponential(6 * 3600, size=docs)
    outlets = rng.integers(0, OUTLETS, size=docs)
    order = np.argsort(times, kind="stable")
    return SyntheticCorpus(seed, story[order], kind[order], outlets[order], times[order], base_words, base_vectors)


def _batches(
    documents: Iterator[tuple[str, npt.NDArray[np.float32]]], size: int
) -> Iterator[tuple[list[str], npt.NDArray[np.float32]]]:
    """The documents *size* at a time, as an ingest batch brings them (texts, stacked vectors)."""
    while chunk := list(itertools.islice(documents, size)):
        yield [text for text, _ in chunk], np.stack([vector for _, vector in chunk])


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def bench_corpus(docs: int, seed: int = 0, window: float = 3600.0, days: float = DAYS) -> dict[str, Any]:
    from narrascope.coordination.actions import from_records
    from narrascope.coordination.detect import Settings, detect
    from narrascope.evaluation.clustering import pairwise
    from narrascope.matching.clusters import Clusters
    from narrascope.matching.reclustering import recluster

    corpus = synthetic_corpus(docs, seed, days)
    clusters = Clusters(prefix="S", threshold=0.8, centroid_threshold=0.7)
    assigned: list[str] = []
    assignment_s = 0.0  # placing the documents, not making them
    for texts, vectors in _batches(corpus.documents(), BATCH):
        ids = [str(i) for i in range(len(assigned), len(assigned) + len(texts))]
        started = time.perf_counter()
        assigned += [a.cluster for a in clusters.add_many(ids, texts, vectors)]
        assignment_s += time.perf_counter() - started
    gold = [str(s) for s in corpus.stories.tolist()]
    scores = pairwise(assigned, gold)
    opened = len(clusters)
    started = time.perf_counter()
    merges = recluster(clusters)
    recluster_s = time.perf_counter() - started
    merged = pairwise([clusters.cluster_of[str(i)] for i in range(docs)], gold)
    actions = from_records(
        [f"outlet{o}" for o in corpus.outlets.tolist()], assigned, corpus.times.tolist(), list(range(docs))
    )
    started = time.perf_counter()
    found = detect(actions, Settings(window=window, permutations=200))
    coordination_s = time.perf_counter() - started
    return {
        "docs": docs,
        "days": days,
        "assignment.ms_per_doc": 1000 * assignment_s / max(docs, 1),
        "assignment.seconds": assignment_s,
        "clusters": opened,
        "planted_stories": len(set(corpus.stories.tolist())),
        "planted.pairwise_precision": scores["pairwise.precision"],
        "planted.pairwise_recall": scores["pairwise.recall"],
        "recluster.seconds": recluster_s,
        "recluster.merges": len(merges),
        "recluster.clusters": len(clusters),
        "recluster.pairwise_precision": merged["pairwise.precision"],
        "recluster.pairwise_recall": merged["pairwise.recall"],
        "coordination.seconds": coordination_s,
        "coordination.window_s": window,
        "coordination.edges": len(found.edges),
        "peak_memory_mb": _peak_mb(),
        "model": "narrascope Clusters (exact, MinHash LSH, HNSW) over synthetic documents",
    }
