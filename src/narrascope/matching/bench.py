"""`narrascope bench corpus`: the cost of placing documents in clusters as they arrive, at scale.

Synthetic documents with precomputed vectors (no encoder in the loop, so what is timed is the
clustering): stories, each a base text and a base unit vector, are retold by outlets as exact
copies (other case and spacing), near copies (a tenth of the words changed) and paraphrases
(other words, the base vector plus noise: cosine about 0.9 to it). Every document is added to
:class:`~narrascope.matching.clusters.Clusters` in time order; the figures are the amortised
milliseconds per document, the peak memory of the process, the pairwise precision and recall of
the clusters against the planted stories (a check that the timed work is the real work), and the
time of the coordination detector over the outlets that published in the same clusters.
"""

from __future__ import annotations

import resource
import sys
import time
from typing import Any

import numpy as np

from narrascope.encoder import DIM

__all__ = ["bench_corpus", "synthetic_corpus"]

WORDS = 100
"""Words per synthetic document."""
VOCABULARY = 20_000
OUTLETS = 200


def synthetic_corpus(docs: int, seed: int = 0) -> dict[str, Any]:
    """Texts, unit vectors, story labels, outlets and times (seconds) of *docs* documents."""
    rng = np.random.default_rng(seed)
    stories = max(1, docs // 5)
    base_vectors = rng.standard_normal((stories, DIM)).astype(np.float32)
    base_vectors /= np.linalg.norm(base_vectors, axis=1, keepdims=True)
    base_words = rng.integers(0, VOCABULARY, size=(stories, WORDS))
    # most stories are retold a few times, a hundredth of them about ten times as often (big
    # news); no story takes over the corpus, as none does in a real one
    popular = rng.random(docs) < 0.1
    story = np.where(popular, rng.integers(0, max(1, stories // 100), size=docs), rng.integers(0, stories, size=docs))
    story = rng.permutation(stories)[story]  # popular stories spread over the whole period
    kind = rng.choice(3, size=docs, p=[0.3, 0.2, 0.5])  # exact copy, near copy, paraphrase
    starts = rng.uniform(0, 30 * 86400, size=stories)
    times = starts[story] + rng.exponential(6 * 3600, size=docs)
    noise = rng.standard_normal((docs, DIM)).astype(np.float32) * 0.022
    vectors = base_vectors[story] + np.where(kind[:, None] == 2, noise, 0.0).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = []
    for i in range(docs):
        words = base_words[story[i]].copy()
        if kind[i] == 1:
            changed = rng.choice(WORDS, size=WORDS // 10, replace=False)
            words[changed] = rng.integers(0, VOCABULARY, size=len(changed))
        elif kind[i] == 2:
            words = rng.integers(0, VOCABULARY, size=WORDS)
        text = " ".join(f"w{w}" for w in words)
        texts.append(text.upper() if kind[i] == 0 and i % 2 else text)
    order = np.argsort(times, kind="stable")
    return {
        "texts": [texts[i] for i in order],
        "vectors": vectors[order],
        "stories": story[order],
        "outlets": rng.integers(0, OUTLETS, size=docs)[order],
        "times": times[order],
    }


def _peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def bench_corpus(docs: int, seed: int = 0, window: float = 3600.0) -> dict[str, Any]:
    from narrascope.coordination.actions import from_records
    from narrascope.coordination.detect import Settings, detect
    from narrascope.evaluation.clustering import pairwise
    from narrascope.matching.clusters import Clusters

    corpus = synthetic_corpus(docs, seed)
    clusters = Clusters(prefix="S", threshold=0.8, centroid_threshold=0.7)
    started = time.perf_counter()
    assigned = [
        clusters.add(str(i), text, vector).cluster
        for i, (text, vector) in enumerate(zip(corpus["texts"], corpus["vectors"], strict=True))
    ]
    assignment_s = time.perf_counter() - started
    scores = pairwise(assigned, [str(s) for s in corpus["stories"]])
    actions = from_records(
        [f"outlet{o}" for o in corpus["outlets"]], assigned, [float(t) for t in corpus["times"]], list(range(docs))
    )
    started = time.perf_counter()
    found = detect(actions, Settings(window=window, permutations=200))
    coordination_s = time.perf_counter() - started
    return {
        "docs": docs,
        "assignment.ms_per_doc": 1000 * assignment_s / max(docs, 1),
        "assignment.seconds": assignment_s,
        "clusters": len(clusters),
        "planted_stories": len(set(corpus["stories"].tolist())),
        "planted.pairwise_precision": scores["pairwise.precision"],
        "planted.pairwise_recall": scores["pairwise.recall"],
        "coordination.seconds": coordination_s,
        "coordination.window_s": window,
        "coordination.edges": len(found.edges),
        "peak_memory_mb": _peak_mb(),
        "model": "narrascope Clusters (exact, MinHash LSH, HNSW) over synthetic documents",
    }
