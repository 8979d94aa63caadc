"""Score claim-level clusters against gold labels (``narrascope eval clustering``).

The input is a CSV or JSON Lines file of short texts (claims, titles) with a gold label; the
texts are clustered as they would arrive (in date order when a date column is given, else in
file order) by :class:`~narrascope.matching.clusters.Clusters` over the shared encoder's vectors,
and the clusters are compared with the labels: pairwise precision, recall and F1 (over all
pairs of texts: same cluster vs same label), the adjusted Rand index and the V-measure. Rows
without a label are clustered (they are part of the corpus) but not scored.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrascope.encoder import ENCODER_ID
from narrascope.errors import InputError
from narrascope.matching.clusters import CENTROID_THRESHOLD, THRESHOLD

__all__ = ["Row", "evaluate_clustering", "pairwise", "read_rows", "score_clusters"]


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    label: str
    date: str = ""


def _records(path: Path) -> list[dict[str, Any]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start}); convert it first") from None
    if "\x00" in text:
        raise InputError(f"{path}: binary data, not CSV or JSON Lines")
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        out = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(f"{path}, line {number}: not valid JSON ({error.msg})") from None
            if not isinstance(record, dict):
                raise InputError(f"{path}, line {number}: expected a JSON object")
            out.append(record)
        return out
    try:
        return list(csv.DictReader(io.StringIO(text)))
    except csv.Error as error:
        raise InputError(f"{path}: not valid CSV ({error})") from None


def read_rows(
    path: Path,
    text_col: str,
    label_col: str,
    id_col: str | None = None,
    date_col: str | None = None,
    other_cols: Sequence[str | None] = (),
) -> list[Row]:
    """The file's rows, in date order when *date_col* is given (ties keep file order); every
    named column must exist."""
    records = _records(path)
    if not records:
        raise InputError(f"{path}: no rows")
    for column in (text_col, label_col, id_col, date_col, *other_cols):
        if column is not None and column not in records[0]:
            raise InputError(f"{path}: no column {column!r} (columns: {', '.join(map(str, records[0]))})")
    rows = [
        Row(
            id=str(record.get(id_col) if id_col else number),
            text=str(record.get(text_col) or ""),
            label=str(record.get(label_col) or ""),
            date=str(record.get(date_col) or "") if date_col else "",
        )
        for number, record in enumerate(records)
    ]
    if len({row.id for row in rows}) != len(rows):
        raise InputError(f"{path}: the id column {id_col!r} repeats ids")
    return sorted(rows, key=lambda row: row.date) if date_col else rows


def _pairs(counts: Any) -> int:
    return sum(n * (n - 1) // 2 for n in counts)


def pairwise(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    """Pairwise precision, recall and F1: of the pairs put together, how many share a label; of the
    pairs sharing a label, how many were put together (computed from counts, not over pairs)."""
    together = _pairs(Counter(zip(predicted, gold, strict=True)).values())
    predicted_pairs, gold_pairs = _pairs(Counter(predicted).values()), _pairs(Counter(gold).values())
    precision = together / predicted_pairs if predicted_pairs else 0.0
    recall = together / gold_pairs if gold_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairwise.precision": precision, "pairwise.recall": recall, "pairwise.f1": f1}


def score_clusters(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    return {
        **pairwise(predicted, gold),
        "ari": float(adjusted_rand_score(gold, predicted)),
        "v_measure": float(v_measure_score(gold, predicted)),
        "clusters": len(set(predicted)),
        "gold_clusters": len(set(gold)),
        "n": len(gold),
    }


def evaluate_clustering(
    rows: Sequence[Row],
    threshold: float = THRESHOLD,
    centroid_threshold: float = CENTROID_THRESHOLD,
    encoder_id: str = ENCODER_ID,
) -> dict[str, dict[str, Any]]:
    """Cluster *rows* and score them: the whole ladder (``narrascope``), the same after
    re-clustering, and its copy rungs alone."""
    from narrascope.encoder import encode_cached
    from narrascope.matching.clusters import Clusters
    from narrascope.matching.reclustering import recluster

    vectors = encode_cached([row.text for row in rows], encoder_id=encoder_id)
    scored = [i for i, row in enumerate(rows) if row.label]
    if not scored:
        raise InputError("no row has a label to score against")
    gold = [rows[i].label for i in scored]
    out = {}
    systems = {"narrascope": (threshold, centroid_threshold), "copies only": (2.0, 2.0)}
    for name, (paraphrase, centroid) in systems.items():
        clusters = Clusters(threshold=paraphrase, centroid_threshold=centroid)
        assigned = clusters.add_many([row.id for row in rows], [row.text for row in rows], vectors)
        out[name] = score_clusters([assigned[i].cluster for i in scored], gold)
        if name == "narrascope":  # and after `narrascope recluster`
            recluster(clusters)
            out["narrascope, re-clustered"] = score_clusters([clusters.cluster_of[rows[i].id] for i in scored], gold)
    out["narrascope"].update(
        {"threshold": threshold, "centroid_threshold": centroid_threshold, "model": f"ladder + {encoder_id}"}
    )
    return out
