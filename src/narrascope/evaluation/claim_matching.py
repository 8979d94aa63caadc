"""Score claim matching on the CheckThat! 2020 Task 2 layout (claim → already verified claim).

``verified_claims.docs.tsv`` (vclaim_id, vclaim, title) are the records; ``<split>/tweets.queries.tsv``
(tweet_id, tweet_content) the claims to match; ``<split>/tweet-vclaim-pairs.qrels`` (TREC qrels:
tweet_id 0 vclaim_id 1) the right answers. The metrics are the task's own: MAP@k with the
official denominator (every relevant record of the query, found or not) and MRR over the
whole returned ranking.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrascope.encoder import DIM, ENCODER_ID, Vectors, encode_cached
from narrascope.errors import InputError
from narrascope.factchecks.bm25 import BM25
from narrascope.factchecks.fusion import FusionModel, load_fusion_model
from narrascope.factchecks.importers import read_records
from narrascope.factchecks.match import Match, Matcher, grouped, reads_tuned
from narrascope.factchecks.posts import normalise, parts
from narrascope.factchecks.records import FactCheck

__all__ = [
    "Task",
    "average_precision",
    "evaluate_claim_matching",
    "query_vectors",
    "read_task",
    "reciprocal_rank",
    "record_vectors",
    "score_rankings",
    "tuned_record_vectors",
]

KS = (1, 3, 5)


def average_precision(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """AP@k: the precision at each relevant record within the first *k*, summed, over the number
    of relevant records (so a query whose two answers are both missed scores 0, one found at 1 scores 0.5)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, item in enumerate(ranked[:k], start=1):
        if item in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def reciprocal_rank(ranked: Sequence[str], relevant: set[str]) -> float:
    """1 / the rank of the first relevant record; 0 when none was returned."""
    return next((1.0 / rank for rank, item in enumerate(ranked, start=1) if item in relevant), 0.0)


def score_rankings(rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]]) -> dict[str, float]:
    """MAP@1/3/5 and MRR over every query of *qrels* (a query without a ranking scores 0)."""
    n = len(qrels)
    if not n:
        raise InputError("no queries with relevance judgements to score")
    out = {f"map@{k}": sum(average_precision(rankings.get(q, []), rel, k) for q, rel in qrels.items()) / n for k in KS}
    out["mrr"] = sum(reciprocal_rank(rankings.get(q, []), rel) for q, rel in qrels.items()) / n
    out["n"] = float(n)
    return out


@dataclass(frozen=True)
class Task:
    """One split: the records, the queries (id → text) and their relevant records' source ids."""

    records: list[FactCheck]
    queries: dict[str, str]
    qrels: dict[str, set[str]]


def _rows(path: Path, width: int) -> list[list[str]]:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = [r for r in csv.reader(handle, delimiter="\t") if r]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{path}: cannot read: {error}") from error
    if any(len(r) < width for r in rows):
        raise InputError(f"{path}: expected {width} tab-separated columns on every line")
    return rows


def read_task(data: Path, split: str) -> Task:
    """The records and one split's queries and qrels, in the CheckThat! 2020 Task 2 layout."""
    qrels_path = data / split / "tweet-vclaim-pairs.qrels"
    for path in (data / "verified_claims.docs.tsv", data / split / "tweets.queries.tsv", qrels_path):
        if not path.is_file():
            raise InputError(f"no such file: {path} (expected the CheckThat! 2020 Task 2 layout)")
    records = read_records(data / "verified_claims.docs.tsv", "checkthat")
    queries = {r[0]: r[1] for r in _rows(data / split / "tweets.queries.tsv", 2)[1:]}
    qrels: dict[str, set[str]] = {}
    try:
        lines = qrels_path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{qrels_path}: cannot read: {error}") from error
    for line in lines:
        fields = line.split()  # TREC qrels: tabs or spaces
        if len(fields) >= 4 and fields[3] != "0":
            qrels.setdefault(fields[0], set()).add(fields[2])
    if not qrels:
        raise InputError(f"{qrels_path}: no relevance judgements (tweet_id 0 vclaim_id 1)")
    return Task(records, queries, qrels)


def record_vectors(records: Sequence[FactCheck], cache: Path | None = None) -> tuple[Vectors, Vectors]:
    """The claim and title vectors of *records*, as the store computes them (a record without a
    title gets its claim's vector), through the vector cache."""
    claims = encode_cached([r.claim for r in records], cache)
    titles = encode_cached([r.title or r.claim for r in records], cache)
    return claims, titles


def tuned_record_vectors(records: Sequence[FactCheck], cache: Path | None = None) -> Vectors:
    """The records' claim and title vectors by the claim-matching encoder, as the store keeps
    them (2 × ``DIM`` a row), through the vector cache."""
    from narrascope.factchecks.matching_encoder import matching_id, record_texts

    texts = [text for r in records for text in record_texts(r.claim, r.title)]
    return encode_cached(texts, cache, matching_id()).reshape(len(records), 2 * DIM)


def query_vectors(
    texts: Sequence[str], cache: Path | None = None, encoder_id: str = ENCODER_ID
) -> tuple[Vectors, list[Vectors | None]]:
    """The vectors of *texts* as :class:`Matcher` encodes them (normalised), and of their parts
    when they have two or more (else None), by *encoder_id*, through the vector cache."""
    split = [parts(normalise(t)) for t in texts]
    vectors = encode_cached([normalise(t) for t in texts], cache, encoder_id)
    return vectors, grouped(encode_cached([p for found in split for p in found], cache, encoder_id), split)


def ranked_ids(match: Match) -> list[str]:
    """A match as the ranking lists it: the record, then its duplicates (all are records)."""
    return [r.source_id or r.id for r in (match.record, *match.duplicates)]


def evaluate_claim_matching(
    data: Path, split: str, model: FusionModel | None = None, cache: Path | None = None
) -> dict[str, dict[str, Any]]:
    """The fused matcher and plain BM25 (over the same records, in the same run) on one split."""
    task = read_task(data, split)
    model = model or load_fusion_model()
    tuned = tuned_record_vectors(task.records, cache) if reads_tuned(model) else None
    matcher = Matcher(task.records, *record_vectors(task.records, cache), model=model, tuned_vectors=tuned)
    judged = [q for q in task.qrels if q in task.queries]
    texts = [task.queries[q] for q in judged]
    vectors, parts = query_vectors(texts, cache)
    by_tuned: list[tuple[Vectors, Vectors | None] | None] = [None] * len(texts)
    if matcher.uses_tuned:
        from narrascope.factchecks.matching_encoder import matching_id

        by_tuned = list(zip(*query_vectors(texts, cache, matching_id()), strict=True))
    fused = {
        q: [i for m in matcher.match(t, top=1000, vector=v, parts=p, tuned=u) for i in ranked_ids(m)]
        for q, t, v, p, u in zip(judged, texts, vectors, parts, by_tuned, strict=True)
    }
    plain = BM25([f"{r.claim} {r.title or ''}" for r in task.records])
    ids = [r.source_id or r.id for r in task.records]
    bm25 = {q: [ids[i] for i in plain.top(t, 1000)[0]] for q, t in zip(judged, texts, strict=True)}
    return {
        "narrascope": {**score_rankings(fused, task.qrels), "model": matcher.model.version},
        "BM25 (this run)": {**score_rankings(bm25, task.qrels), "model": "BM25 k1 1.2 b 0.75, claim + title"},
    }
