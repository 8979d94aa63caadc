"""How fast one claim is matched against a large collection of fact-check records.

The records are synthetic (claims and titles drawn from a Zipf-distributed vocabulary of 20,000
words, as in ``bench search``; random unit vectors, since encoding 100,000 texts would take an
hour and the cost of the search does not depend on what the vectors say; the same for the
claim-matching encoder's). The queries are real encoder passes: each is eight to fifteen words
of one record plus a few other words, so BM25 always has postings to walk. Reported beside a
bare pass of the shared encoder over the same queries, the cost the matching adds to the one
encoder pass an article gets anyway (the claim-matching encoder's pass is part of that cost).
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

import numpy as np

from narrascope.encoder import DIM, load_encoder
from narrascope.factchecks.match import Matcher
from narrascope.factchecks.records import FactCheck

__all__ = ["bench_match"]


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]


def bench_match(records: int = 100_000, queries: int = 50, seed: int = 0) -> dict[str, Any]:
    """Median and 95th-percentile milliseconds per claim: encoding it, matching it given its
    vector, and both; ``ratio.vs_encoder`` is the whole over the bare encoder pass."""
    rng = random.Random(seed)
    vocabulary = [f"{a}{b}" for a in ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo") for b in range(2500)]
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    claims = [" ".join(rng.choices(vocabulary, weights, k=rng.randint(10, 25))) for _ in range(records)]
    collection = [FactCheck(claim=c, title=" ".join(rng.choices(vocabulary, weights, k=8))) for c in claims]
    generator = np.random.default_rng(seed)
    vectors = generator.standard_normal((4 * records, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    tuned = vectors[2 * records :].reshape(records, 2 * DIM)
    started = time.perf_counter()
    matcher = Matcher(collection, vectors[:records], vectors[records : 2 * records], tuned_vectors=tuned)
    build = time.perf_counter() - started
    texts = []
    for _ in range(queries):
        words = claims[rng.randrange(records)].split()
        texts.append(" ".join(rng.sample(words, min(len(words), rng.randint(8, 15))) + rng.sample(vocabulary, 3)))
    encoder = load_encoder()
    encoder.encode(texts[:2])  # first-call allocation is not what is measured
    matcher.match(texts[0])
    encode, search, total = [], [], []
    for text in texts:
        started = time.perf_counter()
        vector = encoder.encode([text])[0]
        encoded = time.perf_counter()
        matcher.match(text, top=5, vector=vector)
        done = time.perf_counter()
        encode.append(1000 * (encoded - started))
        search.append(1000 * (done - encoded))
        started = time.perf_counter()
        matcher.match(text, top=5)
        total.append(1000 * (time.perf_counter() - started))
    result: dict[str, Any] = {"records": records, "queries": queries, "index_build_s": round(build, 2)}
    for name, samples in (("match", total), ("search", search), ("encode", encode)):
        median, p95 = _ms(samples)
        result[f"{name}.median_ms"], result[f"{name}.p95_ms"] = round(median, 2), round(p95, 2)
    result["ratio.vs_encoder"] = round(result["match.median_ms"] / max(result["encode.median_ms"], 1e-9), 2)
    result["model"] = matcher.model.version
    return result
