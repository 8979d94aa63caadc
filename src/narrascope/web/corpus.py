"""Corpus queries of the API and the Corpus page: one search, a page of it, facets and snippets.

The store's search gives ids best first; the page and the facets are both read from the same
list of ids (at most ``FACET_CAP``), so facet counts describe exactly what was found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ARRAY, String, bindparam, func, literal_column, select

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
    d, q, t = s.documents.c, s.quotes.c, s.techniques.c
    queries = {
        "outlet": select(d.outlet, func.count()).where(_among(store, d.id), d.outlet.is_not(None)).group_by(d.outlet),
        "language": select(d.language, func.count())
        .where(_among(store, d.id), d.language.is_not(None))
        .group_by(d.language),
        "month": select(func.substr(d.published, 1, 7), func.count())
        .where(_among(store, d.id), d.published.is_not(None))
        .group_by(literal_column("1")),  # by position: PostgreSQL sees two bound substr() calls as different
        "speaker": select(q.speaker, func.count(func.distinct(q.document_id)))
        .where(_among(store, q.document_id), q.speaker.is_not(None))
        .group_by(q.speaker),
        "technique": select(t.technique, func.count(func.distinct(t.document_id)))
        .where(_among(store, t.document_id))
        .group_by(t.technique),
    }
    given = {"ids": json.dumps(ids) if store.engine.dialect.name == "sqlite" else ids}
    out: dict[str, list[tuple[str, int]]] = {}
    with store.engine.connect() as connection:
        for name, query in queries.items():
            counted = [(str(value), int(n)) for value, n in connection.execute(query, given) if value]
            if name == "month":
                counted.sort(reverse=True)
            else:
                counted.sort(key=lambda item: (-item[1], item[0]))
            out[name] = counted[:FACET_VALUES]
    return out


def _among(store: Store, column: Any) -> Any:
    """*column* is one of the ids bound as ``ids``: one parameter (a JSON array read by
    ``json_each`` in SQLite, an array in PostgreSQL), not one per id as ``IN (...)`` would bind
    (a thousand parameters, five times per search page, were half the time of its facets)."""
    if store.engine.dialect.name == "sqlite":
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
