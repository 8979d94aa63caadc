"""What an analysis becomes in the store: its ``documents`` row and its rows in the layer tables,
each a tuple in its table's column order.

:func:`prepare` makes them where the analysis is made, so that a process analysing documents
hands the store's writer plain strings and tuples to write (cheap to pickle) rather than an
analysis to serialise: the serialising is a third of the work of storing a document, and the
writer is the one part of an ingest that cannot run in parallel.

The analysis JSON is kept compressed (zlib, fastest level: 41 KB of a news article's analysis
become 10 KB), so a SQLite store writes, logs and copies a quarter of the bytes; PostgreSQL
compresses large values itself and is handed the text (:func:`unpacked`).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from narrascope.model import WORD, Analysis

__all__ = ["Prepared", "Row", "layer_rows", "packed", "prepare", "unpacked"]

Row = tuple[Any, ...]


ID, OUTLET, ANALYSIS = 0, 3, 9
"""Positions in a ``documents`` row (the table's column order)."""


def packed(analysis_json: str) -> bytes:
    """The analysis JSON as stored (see module doc)."""
    return zlib.compress(analysis_json.encode("utf-8"), 1)


def unpacked(stored: str | bytes) -> str:
    """The analysis JSON of a stored value: compressed bytes, or text (PostgreSQL, and SQLite
    rows written before the compression)."""
    return stored if isinstance(stored, str) else zlib.decompress(stored).decode("utf-8")


@dataclass(frozen=True)
class Prepared:
    """One analysed document in the store's form (see module doc)."""

    document: Row
    """The ``documents`` row without ``added`` and ``key``, which the writer appends."""
    layers: dict[str, list[Row]]
    """Rows per layer table without their first column, the document's key, which the writer
    gives when it stores the document (:func:`layer_rows`)."""
    analysis: Analysis | None = None
    """The analysis itself, kept when it is at hand anyway: what a batch hook (story
    assignment) reads."""

    @property
    def id(self) -> str:
        return str(self.document[ID])

    @property
    def outlet(self) -> str | None:
        outlet: str | None = self.document[OUTLET]
        return outlet


def prepare(analysis: Analysis, keep: bool = True) -> Prepared:
    """*analysis* in the store's form; *keep* keeps the analysis beside it."""
    return Prepared(_document_row(analysis), layer_rows(analysis), analysis if keep else None)


def layer_rows(analysis: Analysis) -> dict[str, list[Row]]:
    """The queryable rows of one analysis, per layer table, each a tuple in the table's column
    order after the document's key (built directly: per-row dicts were a fifth of the time of
    storing a batch)."""
    entities = []
    for entity in analysis.entities:
        first = entity.mentions[0].span if entity.mentions else None
        start, end = (first.start, first.end) if first else (0, 0)
        entities.append((entity.id, start, end, entity.name, entity.type, len(entity.mentions)))
    quotes = []
    for quote in analysis.quotes:
        speaker = quote.speaker
        name = speaker.name or (speaker.span.text if speaker.span else None)
        content = quote.content
        quotes.append((quote.id, content.start, content.end, name, speaker.kind, quote.kind, content.text))
    claims = [
        (
            claim.id,
            claim.span.start,
            claim.span.end,
            claim.speaker if claim.claimant == "source" else None,
            claim.certainty,
            claim.checkworthy,
            any(cue.kind == "hedge" for cue in claim.cues),
            claim.span.text,
        )
        for claim in analysis.claims
    ]
    techniques = [
        (t.id, t.span.start, t.span.end, t.technique, t.family, t.level, t.score) for t in analysis.techniques
    ]
    return {"entities": entities, "quotes": quotes, "claims": claims, "techniques": techniques}


def _document_row(analysis: Analysis) -> Row:
    """The ``documents`` row without its last column (``added``, the time of storing)."""
    document = analysis.document
    return (
        document.id,
        document.title,
        document.source,
        document.outlet,
        document.published.value if document.published else None,
        document.language.code if document.language else None,
        _words(analysis),
        document.text,
        analysis.schema_version,
        packed(analysis.to_json(indent=None)),
    )


def _words(analysis: Analysis) -> int:
    """The article's words (``model.WORD``), as the sourcing profile already counted them when
    the analysis has one (counting again was a tenth of the time of storing a document)."""
    if analysis.sourcing is not None:
        return analysis.sourcing.words
    return len(WORD.findall(analysis.document.text))
