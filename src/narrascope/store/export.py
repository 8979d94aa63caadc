"""``narrascope export``: stored documents or one layer table as JSON Lines, CSV or Parquet.

Rows are streamed from the database in chunks, so a large corpus is never held in memory; the
file is written beside its final name and moved into place only when complete, so an
interrupted export never leaves a truncated file under the name asked for.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select

from narrascope.store import schema
from narrascope.store.rows import unpacked
from narrascope.store.store import Store

__all__ = ["FORMATS", "WHAT", "export"]

WHAT = ("documents", "entities", "quotes", "claims", "techniques")
FORMATS = ("jsonl", "csv", "parquet")
CHUNK = 5000


def _table(what: str) -> Table:
    return schema.metadata.tables[what]


def _columns(what: str, full: bool) -> list[str]:
    """The exported columns: a layer row names its document by id (the store's integer key is
    its own affair), a document leaves its analysis out unless *full*."""
    names = [c.name for c in _table(what).columns if c.name != "key"]
    if what == "documents" and not full:
        names.remove("analysis")
    return ["document_id" if name == "document" else name for name in names]


def _rows(store: Store, what: str, columns: list[str]) -> Iterator[list[dict[str, Any]]]:
    table, d = _table(what), schema.documents.c
    if what == "documents":
        query = select(*(table.c[name] for name in columns)).order_by(table.c.id)
    else:
        shown = [d.id.label(name) if name == "document_id" else table.c[name] for name in columns]
        query = select(*shown).join(schema.documents, d.key == table.c.document).order_by(d.id, table.c.item)
    with store.engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=CHUNK).execute(query)
        for chunk in result.partitions(CHUNK):
            rows = [dict(row._mapping) for row in chunk]
            if "analysis" in columns:
                for row in rows:
                    row["analysis"] = unpacked(row["analysis"])
            yield rows


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export(store: Store, what: str, fmt: str, output: Path, full: bool = False) -> int:
    """Write *what* (``documents`` or a layer table) to *output* in *fmt*; returns the row count.
    ``full`` adds each document's whole analysis (JSON) to the documents export."""
    if what not in WHAT or fmt not in FORMATS:
        raise ValueError(f"export what one of {WHAT}, in one of {FORMATS}")
    columns = _columns(what, full)
    partial = output.with_name(output.name + ".partial")
    count = 0
    try:
        if fmt == "parquet":
            count = _parquet(store, what, columns, partial)
        else:
            with open(partial, "w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns) if fmt == "csv" else None
                if writer is not None:
                    writer.writeheader()
                for chunk in _rows(store, what, columns):
                    for row in chunk:
                        plain = {k: _plain(v) for k, v in row.items()}
                        if writer is not None:
                            writer.writerow(plain)
                        else:
                            handle.write(json.dumps(plain, ensure_ascii=False) + "\n")
                    count += len(chunk)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)
    return count


def _arrow_schema(what: str, columns: list[str]) -> Any:
    """Arrow types from the table's column types (times as ISO strings, like the other formats)."""
    import pyarrow as pa
    from sqlalchemy import Boolean, Float, Integer, String

    table = _table(what)
    fields = []
    for name in columns:
        kind = table.c[name].type if name in table.c else String()
        arrow = pa.int64() if isinstance(kind, Integer) else pa.float64() if isinstance(kind, Float) else None
        arrow = pa.bool_() if isinstance(kind, Boolean) else arrow
        fields.append(pa.field(name, arrow or pa.string()))
    return pa.schema(fields)


def _parquet(store: Store, what: str, columns: list[str], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_schema = _arrow_schema(what, columns)
    count = 0
    with pq.ParquetWriter(path, arrow_schema) as writer:
        for chunk in _rows(store, what, columns):
            rows = [{k: _plain(v) for k, v in row.items()} for row in chunk]
            writer.write_table(pa.Table.from_pylist(rows, schema=arrow_schema))
            count += len(chunk)
    return count
