"""What ``narrascope ingest`` reads: folders of articles, JSON Lines and CSV files.

Each input yields ``Item``s: where it came from (``path`` or ``path:line``) and either the
``Document`` or the one-line reason it could not be read, so one broken file among thousands is
reported and skipped instead of stopping the run.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from narrascope.errors import InputError, NarrascopeError
from narrascope.ingest import from_record, read_source
from narrascope.model import Document

__all__ = ["ARTICLE_SUFFIXES", "Columns", "Item", "count_inputs", "read_inputs"]

ARTICLE_SUFFIXES = frozenset({".txt", ".html", ".htm", ".json"})
"""Files of a folder that are read as one article each (others are left alone)."""


@dataclass(frozen=True)
class Columns:
    """Which CSV columns (or JSON Lines fields) hold the text and the metadata."""

    text: str = "text"
    title: str = "title"
    url: str = "url"
    outlet: str = "outlet"
    published: str = "published"

    def record(self, row: dict[str, object]) -> dict[str, object]:
        """*row* renamed to the fields ``ingest.from_record`` reads; empty cells left out."""
        out: dict[str, object] = {}
        for field, column in (
            ("text", self.text),
            ("title", self.title),
            ("url", self.url),
            ("outlet", self.outlet),
            ("published", self.published),
        ):
            value = row.get(column)
            if value not in (None, ""):
                out[field] = value
        if "text" not in out and isinstance(row.get("html"), str):
            out["html"] = row["html"]
        return out


@dataclass(frozen=True)
class Item:
    origin: str
    document: Document | None = None
    error: str | None = None


def _article(path: Path) -> Item:
    try:
        return Item(str(path), read_source(str(path)))
    except NarrascopeError as error:
        return Item(str(path), error=str(error))


def _lines(path: Path, columns: Columns) -> Iterator[Item]:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                origin = f"{path}:{number}"
                try:
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise InputError("a JSON Lines row must be an object")
                    yield Item(origin, from_record(columns.record(row), origin))
                except json.JSONDecodeError as error:
                    yield Item(origin, error=f"invalid or truncated JSON: {error.msg}")
                except NarrascopeError as error:
                    yield Item(origin, error=str(error))
    except (OSError, UnicodeDecodeError) as error:
        yield Item(str(path), error=f"cannot read: {error}")


def _rows(path: Path, columns: Columns) -> Iterator[Item]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or columns.text not in reader.fieldnames:
                yield Item(str(path), error=f"no column {columns.text!r} (use --text-col)")
                return
            for number, row in enumerate(reader, start=2):
                origin = f"{path}:{number}"
                try:
                    yield Item(origin, from_record(columns.record(dict(row)), origin))
                except NarrascopeError as error:
                    yield Item(origin, error=str(error))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        yield Item(str(path), error=f"cannot read: {error}")


def read_inputs(paths: Sequence[Path], columns: Columns = Columns()) -> Iterator[Item]:
    """Every article of *paths*: a folder (its ``.txt``, ``.html``, ``.json`` files, recursively,
    in sorted order), a ``.jsonl`` / ``.ndjson`` file (one article per line), a ``.csv`` file
    (one per row), or a single article file."""
    for path in paths:
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES):
                yield _article(found)
        elif not path.exists():
            yield Item(str(path), error="no such file or folder")
        elif path.suffix.lower() in (".jsonl", ".ndjson"):
            yield from _lines(path, columns)
        elif path.suffix.lower() == ".csv":
            yield from _rows(path, columns)
        else:
            yield _article(path)


def count_inputs(paths: Sequence[Path]) -> int:
    """About how many items :func:`read_inputs` will yield (for a progress bar; CSV rows with
    line breaks inside a cell make it an overestimate)."""
    total = 0
    for path in paths:
        if path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
        elif path.suffix.lower() in (".jsonl", ".ndjson", ".csv") and path.is_file():
            try:
                with open(path, "rb") as handle:
                    lines = sum(1 for line in handle if line.strip())
            except OSError:
                lines = 1
            total += max(lines - (path.suffix.lower() == ".csv"), 1)
        else:
            total += 1
    return total
