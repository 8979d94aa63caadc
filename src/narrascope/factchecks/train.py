"""Fit the claim-matching models on the CheckThat! 2020 Task 2 train split (only train).

For every train query (normalised and cut into parts as :class:`~.match.Matcher` does), both
rungs propose candidates exactly as it does at run time; each candidate is one row of
:func:`~.match.rung_features`, labelled 1 when it (or a duplicate of it) is a right answer.
The claim-matching encoder (:mod:`narrascope.training.claim_encoder`) is fine-tuned on the
train pairs; its cosines are cross-fitted, so the fusion model learns how far to trust them on
queries the encoder never saw: each fifth of the queries gets its cosines from an encoder tuned
on the other four fifths (exported to int8 as shipped), and the shipped encoder is tuned on all.
A logistic regression on those rows is the fusion model. Its quality is measured by 5-fold
cross-validation grouped by query (MAP@5 on held-out queries, the same folds), and its
threshold is the probability that maximises F1 of the out-of-fold pair decisions.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.encoder import DIM, Vectors
from narrascope.factchecks.fusion import MODEL_FILE, FusionModel
from narrascope.factchecks.match import Matcher, rung_features
from narrascope.factchecks.posts import normalise

__all__ = ["BASE_FEATURES", "FEATURES", "fit", "train_claim_matching"]

BASE_FEATURES = (
    "bm25",
    "cos_claim",
    "cos_title",
    "cos_claim_gap",
    "cos_title_gap",
    "part_claim",
    "part_title",
    "part_claim_gap",
    "part_title_gap",
)
TUNED_FEATURES = tuple(
    f"tuned_{name}{gap}" for name in ("claim", "title", "part_claim", "part_title") for gap in ("", "_gap")
)
FEATURES = BASE_FEATURES + TUNED_FEATURES
C = 1.0
FOLDS = 5
NEGATIVES = 5
"""Wrong candidates per query, the untrained matcher's best-scored, offered to the encoder."""


@dataclass
class Query:
    """One train query's candidates: the base features, the labels, and what the encoder needs."""

    text: str
    rows: Any
    base: np.ndarray
    labels: np.ndarray
    relevant: int
    positives: list[int]
    negatives: list[int]


def _queries(data: Path, cache: Path | None) -> tuple[Matcher, list[Query]]:
    from narrascope.evaluation.claim_matching import query_vectors, read_task, record_vectors

    task = read_task(data, "train")
    untrained = FusionModel(BASE_FEATURES, (0.0,) * len(BASE_FEATURES), 0.0)
    matcher = Matcher(task.records, *record_vectors(task.records, cache), model=untrained)
    rows_of: dict[str, list[int]] = {}
    for row, record in enumerate(matcher.records):
        for same in (record, *matcher.duplicates.get(row, [])):
            rows_of.setdefault(same.source_id or same.id, []).append(row)
    judged = [q for q in task.qrels if q in task.queries]
    vectors, parts = query_vectors([task.queries[q] for q in judged], cache)
    out = []
    for q, vector, part in zip(judged, vectors, parts, strict=True):
        found = matcher.candidates(task.queries[q], vector)
        named = rung_features(found.bm25, found.cos_claim, found.cos_title, *matcher.part_cosines(found, vector, part))
        base = np.column_stack([named[f] for f in BASE_FEATURES])
        right = task.qrels[q]
        labels = np.array(
            [
                any((r.source_id or r.id) in right for r in (matcher.records[i], *matcher.duplicates.get(i, [])))
                for i in found.rows.tolist()
            ],
            dtype=bool,
        )
        baseline = base[:, 0] + base[:, 1] + base[:, 2]
        wrong = [int(found.rows[i]) for i in np.argsort(-baseline, kind="stable") if not labels[i]]
        positives = sorted({row for source in right for row in rows_of.get(source, [])})
        text = normalise(task.queries[q])
        out.append(Query(text, found.rows, base, labels, len(right), positives, wrong[:NEGATIVES]))
    return matcher, out


def _pairs(matcher: Matcher, queries: list[Query]) -> list[Any]:
    from narrascope.training.claim_encoder import Pair

    def texts(row: int) -> tuple[str, str]:
        record = matcher.records[row]
        return record.claim, record.title or record.claim

    return [Pair(q.text, tuple(map(texts, q.positives)), tuple(map(texts, q.negatives))) for q in queries]


def _tuned_features(encoder: Any, matcher: Matcher, queries: list[Query]) -> list[np.ndarray]:
    """The tuned cosines of *queries*' candidates by *encoder* (an ``Encoder`` of an exported model)."""
    from narrascope.factchecks.match import Candidates, grouped
    from narrascope.factchecks.matching_encoder import record_texts
    from narrascope.factchecks.posts import parts

    texts = [t for r in matcher.records for t in record_texts(r.claim, r.title)]
    matcher.tuned_vectors = encoder.encode(texts).reshape(len(matcher.records), 2 * DIM)
    split = [parts(q.text) for q in queries]
    encoded: Vectors = encoder.encode([q.text for q in queries] + [p for found in split for p in found])
    vectors, part_vectors = encoded[: len(queries)], grouped(encoded[len(queries) :], split)
    out = []
    for query, vector, part in zip(queries, vectors, part_vectors, strict=True):
        empty = np.zeros(len(query.rows), dtype=np.float32)
        found = Candidates(query.rows, empty, empty, empty, frozenset(), frozenset())
        named = rung_features(empty, empty, empty, tuned=matcher.tuned_cosines(found, vector, part))
        out.append(np.column_stack([named[f] for f in TUNED_FEATURES]))
    return out


def _tuned_encoder(matcher: Matcher, queries: list[Query], path: Path, threads: int) -> Any:
    """An encoder fine-tuned on *queries*, exported to *path* and loaded as shipped."""
    from narrascope.encoder import Encoder, encoder_files
    from narrascope.training.claim_encoder import export, finetune

    model = finetune(_pairs(matcher, queries), threads=threads, log=lambda line: print(f"  {line}", file=sys.stderr))
    return Encoder(export(model, path), encoder_files()[1], threads=threads)


def _map5(scores: list[np.ndarray], labels: list[np.ndarray], relevant: list[int]) -> float:
    total = 0.0
    for score, label, n in zip(scores, labels, relevant, strict=True):
        hits = label[np.argsort(-score, kind="stable")[:5]]
        total += sum(hits[: k + 1].sum() / (k + 1) for k in range(len(hits)) if hits[k]) / n
    return total / len(scores)


def fit(features: list[np.ndarray], labels: list[np.ndarray]) -> tuple[Any, list[np.ndarray], float, float]:
    """A logistic regression over every query's candidate rows; the out-of-fold probabilities of
    a :data:`FOLDS`-fold cross-validation grouped by query; the probability that maximises F1 of
    those pair decisions (the threshold), and that F1."""
    from sklearn.linear_model import LogisticRegression

    folds = np.arange(len(features)) % FOLDS
    held_out: list[np.ndarray] = [np.zeros(0)] * len(features)
    for fold in range(FOLDS):
        train = [i for i in range(len(features)) if folds[i] != fold]
        fitted = LogisticRegression(C=C, max_iter=2000).fit(
            np.vstack([features[i] for i in train]), np.concatenate([labels[i] for i in train])
        )
        for i in np.flatnonzero(folds == fold):
            held_out[i] = fitted.predict_proba(features[i])[:, 1]
    oof, gold = np.concatenate(held_out), np.concatenate(labels)
    best_f1, threshold = 0.0, 0.5
    for t in np.unique(np.round(oof, 3)):
        tp = float((gold & (oof >= t)).sum())
        f1 = 2 * tp / max(float((oof >= t).sum()) + float(gold.sum()), 1.0)
        if f1 > best_f1:
            best_f1, threshold = f1, float(t)
    return LogisticRegression(C=C, max_iter=2000).fit(np.vstack(features), gold), held_out, threshold, best_f1


def train_claim_matching(data: Path, output: Path, cache: Path | None = None, threads: int = 2) -> dict[str, Any]:
    """Tune the encoder and fit the fusion model on ``data``/train; write ``output``/encoder.onnx
    and ``output``/fusion.json, and return the figures."""
    from sklearn import __version__ as sklearn_version

    from narrascope.factchecks.matching_encoder import ENCODER_FILE, matching_id
    from narrascope.training.claim_encoder import require_torch

    require_torch()  # before minutes of candidate search, not after
    matcher, queries = _queries(data, cache)
    folds = np.arange(len(queries)) % FOLDS
    tuned: list[np.ndarray] = [np.zeros(0)] * len(queries)
    with tempfile.TemporaryDirectory(prefix="narrascope-claim-matching-") as work:
        for fold in range(FOLDS):
            print(f"fold {fold + 1}/{FOLDS}: tuning the encoder on the other folds", file=sys.stderr)
            inside = [q for q, f in zip(queries, folds, strict=True) if f != fold]
            held = [i for i in range(len(queries)) if folds[i] == fold]
            encoder = _tuned_encoder(matcher, inside, Path(work) / f"fold{fold}.onnx", threads)
            for i, found in zip(held, _tuned_features(encoder, matcher, [queries[i] for i in held]), strict=True):
                tuned[i] = found
    print("tuning the shipped encoder on every train query", file=sys.stderr)
    output.mkdir(parents=True, exist_ok=True)
    _tuned_encoder(matcher, queries, output / ENCODER_FILE, threads)
    features = [np.hstack([q.base, t]) for q, t in zip(queries, tuned, strict=True)]
    labels, relevant = [q.labels for q in queries], [q.relevant for q in queries]
    final, held_out, threshold, best_f1 = fit(features, labels)
    figures = {
        "queries": len(features),
        "candidates_per_query": round(float(np.mean([len(f) for f in features])), 1),
        "candidate_recall": round(float(np.mean([label.any() for label in labels])), 4),
        "cv_map@5": round(float(_map5(held_out, labels, relevant)), 4),
        "cv_map@5_bm25": round(float(_map5([f[:, 0] for f in features], labels, relevant)), 4),
        "cv_pair_f1_at_threshold": round(best_f1, 4),
    }
    encoder_id = matching_id(output / ENCODER_FILE)
    model = FusionModel(
        features=FEATURES,
        weights=tuple(round(float(w), 6) for w in final.coef_[0]),
        bias=round(float(final.intercept_[0]), 6),
        threshold=round(threshold, 3),
        version=f"claim-matching-lr {dt.date.today().isoformat()}",
        meta={
            "trained_on": "CheckThat! 2020 Task 2 train split (tweets → verified claims), nothing else",
            "logistic_regression_C": C,
            "scikit_learn": sklearn_version,
            "encoder": "all-MiniLM-L6-v2-int8",
            "matching_encoder": f"{encoder_id} (MiniLM fine-tuned, int8; cosines cross-fitted, {FOLDS} folds)",
            "queries": "posts.normalise (links dropped, handles and hashtags split); part cosines over posts.segments",
            "train_figures": figures,
        },
    )
    (output / MODEL_FILE).write_text(model.to_json(), encoding="utf-8")
    return {**figures, "threshold": model.threshold, "output": str(output / MODEL_FILE)}
