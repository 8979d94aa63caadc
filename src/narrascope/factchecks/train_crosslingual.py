"""Fit the cross-lingual rung's scores on the CheckThat! 2020 Task 2 train split (only train).

Each train tweet (normalised as the matcher does) is embedded by multilingual-e5, its
:data:`~.crosslingual.NEAREST` nearest records by e5 cosine are its candidates, and each is a
row of :func:`~.crosslingual.features` labelled 1 when it (or a duplicate of it) is a right
answer. A logistic regression on those rows is the model, measured by 5-fold cross-validation
grouped by query (MAP@5 on held-out queries, the e5 rung alone) with its threshold the
probability that maximises F1 of the out-of-fold pair decisions, as for the fusion model.
The pairs are English: see :mod:`.crosslingual` for what that means across languages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.encoder import DIM, MULTILINGUAL_ID, encode_cached
from narrascope.factchecks.crosslingual import MODEL_FILE, NEAREST, features, record_text
from narrascope.factchecks.fusion import FusionModel
from narrascope.factchecks.match import Matcher
from narrascope.factchecks.posts import normalise
from narrascope.factchecks.train import C, _map5, fit

__all__ = ["FEATURES", "train_crosslingual"]

FEATURES = ("e5", "e5_gap")


def _rows(data: Path, cache: Path | None) -> tuple[list[np.ndarray], list[np.ndarray], list[int]]:
    from narrascope.evaluation.claim_matching import read_task

    task = read_task(data, "train")
    empty = np.zeros((len(task.records), DIM), dtype=np.float32)
    matcher = Matcher(
        task.records, empty, empty, model=FusionModel(("bm25",), (0.0,), 0.0)
    )  # its records, deduplicated
    every = encode_cached([record_text(r) for r in task.records], cache, encoder_id=MULTILINGUAL_ID)
    row_of = {r.id: i for i, r in enumerate(task.records)}
    vectors = every[[row_of[r.id] for r in matcher.records]]
    judged = [q for q in task.qrels if q in task.queries]
    queries = encode_cached([normalise(task.queries[q]) for q in judged], cache, encoder_id=MULTILINGUAL_ID)
    found, labels, relevant = [], [], []
    for q, query in zip(judged, queries, strict=True):
        cosines = vectors @ query
        rows = np.argsort(-cosines, kind="stable")[:NEAREST]
        named = features(cosines[rows])
        found.append(np.column_stack([named[f] for f in FEATURES]))
        right = task.qrels[q]
        labels.append(
            np.array(
                [
                    any((r.source_id or r.id) in right for r in (matcher.records[i], *matcher.duplicates.get(i, [])))
                    for i in rows.tolist()
                ],
                dtype=bool,
            )
        )
        relevant.append(len(right))
    return found, labels, relevant


def train_crosslingual(data: Path, output: Path, cache: Path | None = None) -> dict[str, Any]:
    """Fit on ``data``/train, write ``output``/crosslingual.json, and return the figures."""
    from sklearn import __version__ as sklearn_version

    found, labels, relevant = _rows(data, cache)
    final, held_out, threshold, best_f1 = fit(found, labels)
    figures = {
        "queries": len(found),
        "candidates_per_query": NEAREST,
        "candidate_recall": round(float(np.mean([label.any() for label in labels])), 4),
        "cv_map@5": round(float(_map5(held_out, labels, relevant)), 4),
        "cv_pair_f1_at_threshold": round(best_f1, 4),
    }
    model = FusionModel(
        features=FEATURES,
        weights=tuple(round(float(w), 6) for w in final.coef_[0]),
        bias=round(float(final.intercept_[0]), 6),
        candidates=0,
        dense=NEAREST,
        threshold=round(threshold, 3),
        version=f"claim-matching-crosslingual-lr {dt.date.today().isoformat()}",
        meta={
            "trained_on": "CheckThat! 2020 Task 2 train split (English tweets → English verified claims), nothing else",
            "logistic_regression_C": C,
            "scikit_learn": sklearn_version,
            "encoder": MULTILINGUAL_ID,
            "records": "claim and title, one text",
            "queries": "posts.normalise (links dropped, handles and hashtags split)",
            "train_figures": figures,
        },
    )
    output.mkdir(parents=True, exist_ok=True)
    (output / MODEL_FILE).write_text(model.to_json(), encoding="utf-8")
    return {**figures, "threshold": model.threshold, "output": str(output / MODEL_FILE)}
