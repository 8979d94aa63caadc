"""Score publication-date finders on htmldate's evaluation layout.

The corpus is one or more ``eval_*.json`` files, each ``{url: {"file": name,
"date": "YYYY-MM-DD"}}``, with the pages in ``html/<file>.gz`` (or an
uncompressed ``html/<file>``). Using htmldate's own corpus and counting rules
makes our figures comparable with the ones htmldate publishes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from narrascope.evaluation.extraction import read_page

__all__ = ["DateFinder", "evaluate_dates", "htmldate_alone"]

logger = logging.getLogger(__name__)

#: A date finder takes the raw HTML bytes and the page URL (if known) and
#: returns an ISO ``YYYY-MM-DD`` date or ``None``.
DateFinder = Callable[[bytes, str | None], str | None]


def _load_gold(data_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """All gold entries of ``eval_*.json`` in name order; a URL listed twice counts once."""
    files = sorted(data_dir.glob("eval_*.json"))
    if not files:
        raise ValueError(f"{data_dir}: no eval_*.json file, not an htmldate evaluation layout")
    seen: dict[str, dict[str, Any]] = {}
    for path in files:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a JSON object at top level")
        for url, entry in data.items():
            seen.setdefault(url, entry)
    return list(seen.items())


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def evaluate_dates(
    data_dir: Path, finders: dict[str, DateFinder], limit: int | None = None
) -> dict[str, dict[str, float]]:
    """Score *finders* the way htmldate's comparison script does.

    Per page: no date found = FN, the gold date = TP, another date = FP.
    A page whose gold date is empty/null (the page has none) is a TN when
    nothing is found and an FP otherwise. accuracy = (TP + TN) / n, which is
    TP / n on a corpus where every page has a date; precision = TP / (TP + FP),
    recall = TP / (TP + FN). Dates compare as stripped strings. A finder that
    raises scores as "no date" and is counted in ``failures``.
    """
    data_dir = Path(data_dir)
    entries = _load_gold(data_dir)
    if limit is not None:
        entries = entries[:limit]
    counts = {name: {"tp": 0, "fp": 0, "fn": 0, "tn": 0} for name in finders}
    failures = dict.fromkeys(finders, 0)
    for url, entry in entries:
        html = read_page(data_dir / "html", entry["file"])
        gold = (entry.get("date") or "").strip()
        for name, finder in finders.items():
            try:
                found = (finder(html, url) or "").strip()
            except Exception:  # any crash of the system under test is a scored failure
                logger.warning("date finder %s failed on %s", name, url, exc_info=True)
                failures[name] += 1
                found = ""
            if not found:
                counts[name]["fn" if gold else "tn"] += 1
            elif found == gold:
                counts[name]["tp"] += 1
            else:
                counts[name]["fp"] += 1
    n = len(entries)
    results: dict[str, dict[str, float]] = {}
    for name in finders:
        c = counts[name]
        precision = _ratio(c["tp"], c["tp"] + c["fp"])
        recall = _ratio(c["tp"], c["tp"] + c["fn"])
        results[name] = {
            "accuracy": _ratio(c["tp"] + c["tn"], n),
            "precision": precision,
            "recall": recall,
            "f1": _ratio(2 * precision * recall, precision + recall),
            "n": float(n),
            "failures": float(failures[name]),
        }
    return results


def htmldate_alone(html: bytes, url: str | None) -> str | None:
    """Baseline: htmldate's most thorough setting, the figure our date finder must beat.

    ``original_date=True`` asks for the publication date rather than the last
    update, which is what the gold records.
    """
    from htmldate import find_date  # heavy import, only needed for the baseline

    return find_date(html, url=url, extensive_search=True, original_date=True)
