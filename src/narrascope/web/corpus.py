"""Corpus queries of the API and the Corpus page: one search, a page of it, facets and snippets.

The store's search gives ids best first; the page and the facets are both read from the same
list of ids (at most ``FACET_CAP``), so facet counts describe exactly what was found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, String, bindparam, func, literal_column, select, union_all

from narrascope.model import WORD
from narrascope.store import Filters, Store
from narrascope.store import schema as s

FACET_CAP = 1000
"""Documents a search considers for paging and facets (the rest are counted as "more")."""
FACET_VALUES = 12


@dataclass
class Found:
    """One page of a search: its rows, how many matched (up to the cap), and the facets."""

    rows: list[dict[str, Any]]
    total: int
    capped: bool
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def search(store: Store, query: str, filters: Filters, offset: int, limit: int, facets: bool = True) -> Found:
    """Documents matching *query* and *filters*: the page ``[offset, offset + limit)``."""
    ids = store.search(query, limit=FACET_CAP + 1, filters=filters)
    capped = len(ids) > FACET_CAP
    ids = ids[:FACET_CAP]
    rows = store.rows(ids[offset : offset + limit])
    return Found(rows, len(ids), capped, facet_counts(store, ids) if facets and ids else {})


def facet_counts(store: Store, ids: list[str]) -> dict[str, list[tuple[str, int]]]:
    """Per facet, its most frequent values among *ids* with how many of those documents have each."""
    dialect = store.engine.dialect.name
    given = {"ids": json.dumps(ids) if dialect == "sqlite" else ids}
    counted: dict[str, list[tuple[str, int]]] = {name: [] for name in FACETS}
    with store.engine.connect() as connection:
        for name, value, n in connection.execute(_facets_query(dialect), given):
            if value:
                counted[name].append((str(value), int(n)))
    out: dict[str, list[tuple[str, int]]] = {}
    for name, values in counted.items():
        if name == "month":
            values.sort(reverse=True)
        else:
            values.sort(key=lambda item: (-item[1], item[0]))
        out[name] = values[:FACET_VALUES]
    return out


FACETS = ("outlet", "language", "month", "speaker", "technique")
_QUERIES: dict[str, Any] = {}


def _facets_query(dialect: str) -> Any:
    """Every facet in one statement (a UNION ALL of one count per facet), built once per
    dialect: five statements made and compiled per search page were half its time."""
    if dialect not in _QUERIES:
        d, q, t = s.documents.c, s.quotes.c, s.techniques.c
        name: dict[str, Any] = {facet: literal_column(f"'{facet}'") for facet in FACETS}
        month = func.substr(d.published, 1, 7)
        _QUERIES[dialect] = union_all(
            select(name["outlet"], d.outlet, func.count())
            .where(_among(dialect, d.id), d.outlet.is_not(None))
            .group_by(d.outlet),
            select(name["language"], d.language, func.count())
            .where(_among(dialect, d.id), d.language.is_not(None))
            .group_by(d.language),
            select(name["month"], month, func.count())
            .where(_among(dialect, d.id), d.published.is_not(None))
            .group_by(literal_column("2")),  # by position: PostgreSQL sees two bound substr() calls as different
            select(name["speaker"], q.speaker, func.count(func.distinct(q.document)))
            .join(s.documents, d.key == q.document)
            .where(_among(dialect, d.id), q.speaker.is_not(None))
            .group_by(q.speaker),
            select(name["technique"], t.technique, func.count(func.distinct(t.document)))
            .join(s.documents, d.key == t.document)
            .where(_among(dialect, d.id))
            .group_by(t.technique),
        )
    return _QUERIES[dialect]


def _among(dialect: str, column: Any) -> Any:
    """*column* is one of the ids bound as ``ids``: one parameter (a JSON array read by
    ``json_each`` in SQLite, an array in PostgreSQL), not one per id as ``IN (...)`` would bind
    (a thousand parameters, five times per search page, were half the time of its facets)."""
    if dialect == "sqlite":
        return column.in_(select(literal_column("value")).select_from(func.json_each(bindparam("ids"))))
    return column == func.any(bindparam("ids", type_=ARRAY(String)))


def snippet(text: str, query: str, width: int = 90) -> list[tuple[str, bool]]:
    """The text around the first query word found, as ``(piece, is_hit)`` parts: the page
    escapes each piece and marks the hits, so no markup is ever built from article text."""
    lowered = text.lower()
    words = sorted({w for w in WORD.findall(query.lower()) if len(w) > 1}, key=len, reverse=True)
    hits = [at for word in words if (at := lowered.find(word)) >= 0]
    at = min(hits) if hits else 0
    start, end = max(0, at - width), min(len(text), at + width)
    piece = " ".join(text[start:end].split())
    parts: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    cursor = 0
    lowered_piece = piece.lower()
    while words:
        found = [(lowered_piece.find(w, cursor), w) for w in words]
        found = [(i, w) for i, w in found if i >= 0]
        if not found:
            break
        i, word = min(found)
        if i > cursor:
            parts.append((piece[cursor:i], False))
        parts.append((piece[i : i + len(word)], True))
        cursor = i + len(word)
    if cursor < len(piece):
        parts.append((piece[cursor:], False))
    if end < len(text):
        parts.append(("…", False))
    return parts


def snippet_text(text: str, query: str) -> str:
    return "".join(piece for piece, _ in snippet(text, query))
