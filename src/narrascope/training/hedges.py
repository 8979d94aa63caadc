"""Train the hedge model on WikiWeasel (``text,label`` CSV; 1 = uncertain) and cross-validate it.

The features are :func:`narrascope.annotators.hedging.features`; a feature is kept when it
occurs in at least ``MIN_DF`` training sentences. scikit-learn's logistic regression
(balanced classes) fits the weights, which are written as JSON. Beside it, unless told
otherwise, the fine-tuned classifier that decides where the regression is unsure
(:mod:`narrascope.training.hedge_encoder`). The shipped threshold is the best on grouped
out-of-fold probabilities of the training file; the cross-validated figures
(:func:`cross_validate`) choose each fold's threshold without the sentences it is scored on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from narrascope.annotators.hedging import BAND, features, gated, probability
from narrascope.errors import InputError
from narrascope.evaluation.binary import prf
from narrascope.training.sparse import binary_matrix, counted_vocabulary

__all__ = ["GROUP_SIZE", "cross_validate", "fit", "read_labelled", "train_hedges"]

MIN_DF = 2
C = 0.1
GROUP_SIZE = 50
"""Cross-validation keeps blocks of this many consecutive rows together. The file has no article
ids; where consecutive rows come from one article the blocks keep most of it in one fold (the
WikiWeasel copy here is sorted by label, so there a block is a run of one label and an article's
certain and uncertain sentences can land in different folds)."""
THRESHOLDS = tuple(round(0.2 + 0.025 * i, 3) for i in range(25))


def read_labelled(path: Path) -> tuple[list[str], list[int]]:
    """Texts and 0/1 labels of a ``text,label`` CSV."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{path}: cannot read: {error}") from error
    if not rows or not {"text", "label"} <= set(rows[0]):
        raise InputError(f"{path}: expected a CSV with the columns text,label")
    try:
        return [r["text"].strip() for r in rows], [int(r["label"]) for r in rows]
    except ValueError as error:
        raise InputError(f"{path}: label must be 0 or 1: {error}") from error


def fit(texts: Sequence[str], labels: Sequence[int]) -> tuple[dict[str, float], float]:
    """Weights (feature → weight, zeros dropped) and bias of a model trained on *texts*."""
    from sklearn.linear_model import LogisticRegression

    rows = [features(t) for t in texts]
    vocabulary = counted_vocabulary(rows, MIN_DF)
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    model.fit(binary_matrix(rows, vocabulary), list(labels))
    weights = {f: round(float(model.coef_[0][i]), 5) for f, i in vocabulary.items()}
    return {f: w for f, w in weights.items() if w != 0.0}, float(model.intercept_[0])


def _probabilities(texts: Sequence[str], weights: dict[str, float], bias: float) -> list[float]:
    return [probability(weights, bias, features(text)) for text in texts]


def _groups(n: int, k: int) -> list[int]:
    groups = [i // GROUP_SIZE for i in range(n)]
    if len(set(groups)) < k:
        raise InputError(f"too few sentences for {k} folds of {GROUP_SIZE}-sentence blocks")
    return groups


def _out_of_fold(texts: Sequence[str], labels: Sequence[int], groups: Sequence[int], k: int) -> list[float]:
    """Probabilities of each sentence from a model that did not see its group (grouped K-fold)."""
    from sklearn.model_selection import GroupKFold

    folds = list(GroupKFold(k).split(texts, labels, groups))
    if any(len({labels[i] for i in train}) < 2 for train, _ in folds):
        raise InputError("a cross-validation fold has sentences of one class only; the file needs both labels")
    probabilities = [0.0] * len(texts)
    for train, test in folds:
        weights, bias = fit([texts[i] for i in train], [labels[i] for i in train])
        for i, p in zip(test, _probabilities([texts[i] for i in test], weights, bias), strict=True):
            probabilities[i] = p
    return probabilities


def best_threshold(labels: Sequence[int], probabilities: Sequence[float]) -> float:
    return max(THRESHOLDS, key=lambda t: prf(labels, [p >= t for p in probabilities])["f1"])


def _folds(
    texts: Sequence[str], labels: Sequence[int], groups: Sequence[int], k: int
) -> list[tuple[list[int], list[int]]]:
    from sklearn.model_selection import GroupKFold

    if k < 2:
        raise InputError("--cv needs at least 2 folds")
    folds = [(list(train), list(test)) for train, test in GroupKFold(k).split(texts, labels, groups)]
    if any(len({labels[i] for i in train}) < 2 for train, _ in folds):
        raise InputError("a cross-validation fold has sentences of one class only; the file needs both labels")
    return folds


def _regression_folds(
    texts: Sequence[str],
    labels: Sequence[int],
    groups: Sequence[int],
    folds: Sequence[tuple[list[int], list[int]]],
    inner: int,
) -> tuple[list[float], list[bool]]:
    """Out-of-fold regression probabilities, and its decisions with each fold's threshold chosen
    inside its training part (an inner grouped ``inner``-fold)."""
    probabilities, decisions = [0.0] * len(texts), [False] * len(texts)
    for train, test in folds:
        part_texts, part_labels = [texts[i] for i in train], [labels[i] for i in train]
        threshold = best_threshold(
            part_labels, _out_of_fold(part_texts, part_labels, [groups[i] for i in train], inner)
        )
        weights, bias = fit(part_texts, part_labels)
        for i, p in zip(test, _probabilities([texts[i] for i in test], weights, bias), strict=True):
            probabilities[i], decisions[i] = p, p >= threshold
    return probabilities, decisions


def _gated_figures(
    labels: Sequence[int],
    folds: Sequence[tuple[list[int], list[int]]],
    regression: Sequence[float],
    tuned: Sequence[float],
) -> dict[str, float]:
    """Gated decisions of out-of-fold probabilities, each fold's threshold chosen on the other
    folds' out-of-fold sentences (never on its own); the fine-tuned classifier alone the same way."""
    from narrascope.training.hedge_encoder import best_gated_threshold

    decisions, alone = [False] * len(labels), [False] * len(labels)
    thresholds = []
    for _, test in folds:
        held = set(test)
        other = [i for i in range(len(labels)) if i not in held]
        pick = [labels[i] for i in other]
        threshold = best_gated_threshold(pick, [regression[i] for i in other], [tuned[i] for i in other], THRESHOLDS)
        own = best_threshold(pick, [tuned[i] for i in other])
        for i in test:
            decisions[i] = gated(regression[i], tuned[i]) >= threshold
            alone[i] = tuned[i] >= own
        thresholds.append(threshold)
    result = prf(labels, decisions)
    result["threshold"] = sum(thresholds) / len(thresholds)
    result["finetuned_alone_f1"] = prf(labels, alone)["f1"]
    result["band_share"] = sum(1 for p in regression if BAND[0] <= p <= BAND[1]) / max(1, len(labels))
    return result


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[int],
    k: int = 5,
    inner: int = 3,
    finetuned: bool = True,
    threads: int = 2,
    log: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Grouped K-fold of the shipped model: the regression per fold (its threshold chosen by an
    inner grouped ``inner``-fold of the training part) and, with *finetuned*, the classifier
    fine-tuned per fold and gated (:func:`_gated_figures`; needs torch, about 10 minutes a fold).
    Precision, recall and F1 pooled over all sentences; ``regression_f1`` the regression alone."""
    groups = _groups(len(texts), k)
    folds = _folds(texts, labels, groups, k)
    regression, decisions = _regression_folds(texts, labels, groups, folds, inner)
    alone = prf(labels, decisions)
    if not finetuned:
        return alone
    from narrascope.training.hedge_encoder import score_folds

    result = _gated_figures(labels, folds, regression, score_folds(texts, labels, folds, threads, log))
    result["regression_f1"] = alone["f1"]
    return result


def train_hedges(
    data: Path,
    output: Path,
    k: int = 5,
    finetuned: bool = True,
    threads: int = 2,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Fit the regression on all of *data* and, with *finetuned*, fine-tune the classifier on all
    of it (written beside *output* as ``hedges.onnx``). One grouped K-fold gives both the shipped
    threshold (the best on all out-of-fold sentences) and the reported figures (each fold's
    threshold chosen without it, as :func:`cross_validate`)."""
    texts, labels = read_labelled(data)
    groups = _groups(len(texts), k)
    folds = _folds(texts, labels, groups, k)
    regression, decisions = _regression_folds(texts, labels, groups, folds, 3)
    meta: dict[str, Any] = {
        "trained_on": f"{data.name} ({len(texts)} sentences, {sum(labels)} uncertain)",
        "method": "logistic regression (C=0.1, balanced) over word 1-2-grams and certainty cues",
        "threshold": best_threshold(labels, regression),
    }
    scores = prf(labels, decisions)
    if finetuned:
        from narrascope.training.hedge_encoder import best_gated_threshold, export, finetune, score_folds

        tuned = score_folds(texts, labels, folds, threads, log)
        scores = {**_gated_figures(labels, folds, regression, tuned), "regression_f1": scores["f1"]}
        meta["regression_threshold"] = meta["threshold"]
        meta["threshold"] = best_gated_threshold(labels, regression, tuned, THRESHOLDS)
        meta["method"] += (
            f"; where its probability is in {list(BAND)}, all-MiniLM-L6-v2 fine-tuned on the same file"
            " (class-weighted BCE, 2 epochs, AdamW 5e-5, int8 ONNX)"
        )
        meta["finetuned"] = {"file": "hedges.onnx", "band": list(BAND)}
        export(finetune(texts, labels, threads=threads, log=log), output.parent / "hedges.onnx")
    weights, bias = fit(texts, labels)
    meta["cv"] = {"folds": k, "group_size": GROUP_SIZE, **{key: round(v, 4) for key, v in scores.items()}}
    meta.update(bias=bias, weights=dict(sorted(weights.items())))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(meta, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    return {k2: v for k2, v in meta.items() if k2 != "weights"}
