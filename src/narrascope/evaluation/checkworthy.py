"""Score check-worthiness against the CheckThat! 2024 Task 1 layout.

A TSV with a header ``Sentence_id``, ``Text``, ``class_label`` (``Yes``/``No``), tab-separated,
no quoting. Precision, recall and F1 of the ``Yes`` class at the model's threshold.
"""

from __future__ import annotations

import csv
from pathlib import Path

from narrascope.errors import InputError
from narrascope.evaluation.binary import prf

__all__ = ["evaluate_checkworthy", "read_checkthat"]


def read_checkthat(path: Path, skip_bad: bool = False) -> tuple[list[str], list[int]]:
    """Texts and 0/1 labels (1 = Yes) of a CheckThat! Task 1 TSV. A row whose label is not Yes or
    No is an error, or with *skip_bad* left out (the 2024 train file has one, two rows run together)."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{path}: cannot read: {error}") from error
    if not rows or not {"Text", "class_label"} <= set(rows[0]):
        raise InputError(f"{path}: expected a TSV with the columns Sentence_id, Text, class_label")
    good = [r for r in rows if (r.get("class_label") or "").strip() in ("Yes", "No")]
    if len(good) < len(rows) and not skip_bad:
        raise InputError(f"{path}: class_label must be Yes or No ({len(rows) - len(good)} rows are not)")
    return [r.get("Text") or "" for r in good], [int((r.get("class_label") or "").strip() == "Yes") for r in good]


def evaluate_checkworthy(path: Path) -> dict[str, float]:
    """The bundled model on *path*: precision, recall, F1 of the positive class, and ``n``."""
    from narrascope.annotators.checkworthy import load_checkworthy_model

    texts, labels = read_checkthat(path)
    model = load_checkworthy_model()
    scores = model.scores(texts)
    result = prf(labels, [s >= model.threshold for s in scores])
    result["n"] = float(len(texts))
    return result
