"""The ``dates`` layer: dates in the text, resolved against the publication date.

"said on January 6" means the 6 January nearest the publication date; "on Tuesday" the last
Tuesday before it. Without a publication date such dates stay unresolved rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from narrascope.dating import DAY_MONTH, MONTH_DAY, MONTH_YEAR, NUMERIC, WEEKDAY, DateOrder, read_date
from narrascope.model import Document, Span, TimeExpression
from narrascope.pipeline import Work, annotator

_PATTERNS = (
    NUMERIC,
    DAY_MONTH,
    MONTH_DAY,
    MONTH_YEAR,
    WEEKDAY,
    re.compile(r"\b(?:yesterday|today|tomorrow|вчера|сегодня|завтра)\b", re.I),
)


def reference_date(document: Document) -> date | None:
    if document.published is None:
        return None
    try:
        return date.fromisoformat(document.published.value[:10])
    except ValueError:
        return None


def find_dates(document: Document, candidates: list[tuple[int, int]], order: DateOrder = "DMY") -> list[TimeExpression]:
    """Read each candidate span as a date; unreadable candidates are kept unresolved."""
    ref = reference_date(document)
    found = []
    for start, end in candidates:
        piece = document.text[start:end]
        read = read_date(piece, ref=ref, order=order)
        found.append(
            TimeExpression(
                span=Span.of(document.text, start, end),
                value=read.value.isoformat() if read else None,
                precision=read.precision if read else None,
                relative=read.relative if read else False,
            )
        )
    return found


def regex_candidates(text: str) -> list[tuple[int, int]]:
    """Date-looking stretches for texts without a recogniser's DATE spans (Russian)."""
    spans: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e in spans):
                spans.append((m.start(), m.end()))
    return sorted(spans)


class DateAnnotator:
    name = "dates"

    def __init__(self, config: dict[str, Any]) -> None:
        self.order: DateOrder = config.get("date_order") or "DMY"

    def __call__(self, work: Work) -> None:
        if work.parse is not None:
            candidates = [(e.start_char, e.end_char) for e in work.parse.ents if e.label_ == "DATE"]
        else:
            candidates = regex_candidates(work.document.text)
        work.layers["dates"] = find_dates(work.document, candidates, self.order)


@annotator("dates")
def make_dates(config: dict[str, Any]) -> DateAnnotator:
    return DateAnnotator(config)
