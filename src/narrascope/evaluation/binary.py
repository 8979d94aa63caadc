"""Precision, recall and F1: the one arithmetic every scorer here uses."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["prf", "prf_counts"]


def prf_counts(matched: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (0.0 where a denominator is zero)."""
    precision = matched / n_pred if n_pred else 0.0
    recall = matched / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def prf(labels: Sequence[int], predicted: Sequence[bool]) -> dict[str, float]:
    """Precision, recall and F1 of the positive class."""
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if y and p)
    precision, recall, f1 = prf_counts(tp, sum(map(bool, predicted)), sum(map(bool, labels)))
    return {"precision": precision, "recall": recall, "f1": f1}
