"""Fit the claim-matching fusion model on the CheckThat! 2020 Task 2 train split (only train).

For every train query (normalised and cut into parts as :class:`~.match.Matcher` does), both
rungs propose candidates exactly as it does at run time; each candidate is one row of
:func:`~.match.rung_features`, labelled 1 when it (or a duplicate of it) is a right answer. A
logistic regression on those rows is the model. Its quality is measured by 5-fold
cross-validation grouped by query (MAP@5 on held-out queries), and its threshold is the
probability that maximises F1 of the out-of-fold pair decisions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.factchecks.fusion import MODEL_FILE, FusionModel
from narrascope.factchecks.match import Matcher, rung_features

__all__ = ["FEATURES", "fit", "train_claim_matching"]

FEATURES = (
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
C = 1.0
FOLDS = 5


def _rows(data: Path, cache: Path | None) -> tuple[list[np.ndarray], list[np.ndarray], list[int]]:
    from narrascope.evaluation.claim_matching import query_vectors, read_task, record_vectors

    task = read_task(data, "train")
    untrained = FusionModel(FEATURES, (0.0,) * len(FEATURES), 0.0)
    matcher = Matcher(task.records, *record_vectors(task.records, cache), model=untrained)
    judged = [q for q in task.qrels if q in task.queries]
    vectors, parts = query_vectors([task.queries[q] for q in judged], cache)
    features, labels, relevant = [], [], []
    for q, vector, part in zip(judged, vectors, parts, strict=True):
        found = matcher.candidates(task.queries[q], vector)
        named = rung_features(found.bm25, found.cos_claim, found.cos_title, *matcher.part_cosines(found, vector, part))
        features.append(np.column_stack([named[f] for f in FEATURES]))
        right = task.qrels[q]
        labels.append(
            np.array(
                [
                    any((r.source_id or r.id) in right for r in (matcher.records[i], *matcher.duplicates.get(i, [])))
                    for i in found.rows.tolist()
                ],
                dtype=bool,
            )
        )
        relevant.append(len(right))
    return features, labels, relevant


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


def train_claim_matching(data: Path, output: Path, cache: Path | None = None) -> dict[str, Any]:
    """Fit on ``data``/train, write ``output``/fusion.json, and return the figures."""
    from sklearn import __version__ as sklearn_version

    features, labels, relevant = _rows(data, cache)
    final, held_out, threshold, best_f1 = fit(features, labels)
    figures = {
        "queries": len(features),
        "candidates_per_query": round(float(np.mean([len(f) for f in features])), 1),
        "candidate_recall": round(float(np.mean([label.any() for label in labels])), 4),
        "cv_map@5": round(float(_map5(held_out, labels, relevant)), 4),
        "cv_map@5_bm25": round(float(_map5([f[:, 0] for f in features], labels, relevant)), 4),
        "cv_pair_f1_at_threshold": round(best_f1, 4),
    }
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
            "queries": "posts.normalise (links dropped, handles and hashtags split); part cosines over posts.segments",
            "train_figures": figures,
        },
    )
    output.mkdir(parents=True, exist_ok=True)
    (output / MODEL_FILE).write_text(model.to_json(), encoding="utf-8")
    return {**figures, "threshold": model.threshold, "output": str(output / MODEL_FILE)}
