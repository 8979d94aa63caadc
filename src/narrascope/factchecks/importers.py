"""Read fact-check records from the layouts they are published in.

* ``claimreview``: schema.org ClaimReview JSON-LD: one object, a list, or a ``@graph`` (other
  node types are skipped), as fact-checkers embed it in their pages and as ``export`` writes it.
* ``checkthat``: a CSV or TSV with the columns ``vclaim_id`` (or an unnamed first column),
  ``vclaim`` and ``title``, the CheckThat! claim-retrieval layout.
* ``euvsdisinfo``: the EUvsDisinfo case table (``posts.csv``: date, id (the case URL), title,
  countries, keywords, languages, outlets), or the folder holding it with its datapackage.json.

Every failure to read is an :class:`~narrascope.errors.InputError` of one line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from narrascope.errors import InputError
from narrascope.factchecks.records import FactCheck

__all__ = ["FORMATS", "guess_format", "read_records"]

FORMATS = ("claimreview", "checkthat", "euvsdisinfo")
EUVSDISINFO_COLUMNS = {"date", "id", "title", "outlets"}


def _text(path: Path) -> str:
    """The file as text; binary or undecodable input is refused in one line."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror or error}") from error
    if b"\x00" in raw[:8192]:
        raise InputError(f"{path}: binary file, not fact-check records")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text (byte {error.start})") from error


def _table(path: Path) -> list[dict[str, str]]:
    text = _text(path)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first or path.suffix.lower() == ".tsv" else ","
    try:
        return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise InputError(f"{path}: not a readable table: {error}") from error


def guess_format(path: Path) -> str:
    """The importer for *path*, from its suffix and, for tables, its header."""
    if path.is_dir():
        if (path / "posts.csv").is_file():
            return "euvsdisinfo"
        raise InputError(f"{path}: a folder without posts.csv; give a file and --format")
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonld"):
        return "claimreview"
    if suffix in (".tsv", ".csv", ".txt"):
        header = set(_text(path).split("\n", 1)[0].strip().replace("\t", ",").split(","))
        if "vclaim" in header:
            return "checkthat"
        if header >= EUVSDISINFO_COLUMNS:
            return "euvsdisinfo"
        raise InputError(f"{path}: a table with neither the CheckThat columns nor the EUvsDisinfo ones")
    raise InputError(f"{path}: unknown fact-check format; give --format ({', '.join(FORMATS)})")


def read_records(path: Path, fmt: str | None = None) -> list[FactCheck]:
    """Every record in *path* (format guessed unless *fmt* is given), in file order."""
    fmt = fmt or guess_format(path)
    readers = {"claimreview": _claimreview, "checkthat": _checkthat, "euvsdisinfo": _euvsdisinfo}
    if fmt not in readers:
        raise InputError(f"unknown fact-check format {fmt!r}; one of {', '.join(FORMATS)}")
    records = [r for r in readers[fmt](path) if r.claim]
    if not records:
        raise InputError(f"{path}: no fact-check records found (read as {fmt})")
    return records


def _name(value: Any) -> str | None:
    """A schema.org name: a string, ``{"name": …}``, or the first of a list of those."""
    if isinstance(value, list):
        return next((n for n in map(_name, value) if n), None)
    if isinstance(value, dict):
        return _name(value.get("name") or value.get("alternateName"))
    return str(value) if isinstance(value, str | int | float) and str(value).strip() else None


def _nodes(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item)
    elif isinstance(data, dict):
        if "@graph" in data:
            yield from _nodes(data["@graph"])
        types = data.get("@type")
        if "ClaimReview" in (types if isinstance(types, list) else [types]):
            yield data


def _claimreview(path: Path) -> Iterator[FactCheck]:
    try:
        data = json.loads(_text(path))
    except json.JSONDecodeError as error:
        raise InputError(f"{path}: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})") from error
    for node in _nodes(data):
        rating: dict[str, Any] = node["reviewRating"] if isinstance(node.get("reviewRating"), dict) else {}
        item: dict[str, Any] = node["itemReviewed"] if isinstance(node.get("itemReviewed"), dict) else {}
        yield FactCheck.of(
            "claimreview",
            claim=_name(node.get("claimReviewed")),
            title=_name(node.get("headline")) or _name(node.get("name")),
            url=_name(node.get("url")),
            rating=_name(rating.get("alternateName")) or _name(rating.get("ratingValue")),
            claimant=_name(item.get("author")),
            published=_name(node.get("datePublished")),
            publisher=_name(node.get("author")) or _name(node.get("publisher")),
            language=_name(node.get("inLanguage")),
            source_id=_name(node.get("identifier")),
        )


def _checkthat(path: Path) -> Iterator[FactCheck]:
    rows = _table(path)
    columns = list(rows[0]) if rows else []
    if not {"vclaim", "title"} <= set(columns):
        raise InputError(f"{path}: expected the columns vclaim_id, vclaim, title (found {', '.join(columns)[:80]})")
    id_column = "vclaim_id" if "vclaim_id" in columns else columns[0]
    for row in rows:
        yield FactCheck.of("checkthat", claim=row.get("vclaim"), title=row.get("title"), source_id=row.get(id_column))


def _euvsdisinfo(path: Path) -> Iterator[FactCheck]:
    table = path / "posts.csv" if path.is_dir() else path
    rows = _table(table)
    if not rows or not set(rows[0]) >= EUVSDISINFO_COLUMNS:
        raise InputError(f"{table}: expected the EUvsDisinfo columns {', '.join(sorted(EUVSDISINFO_COLUMNS))}")
    for row in rows:
        yield FactCheck.of(
            "euvsdisinfo",
            claim=row.get("title"),
            url=row.get("id"),
            rating="Disinformation",
            claimant=(row.get("outlets") or "").replace("+", ", "),
            published=row.get("date"),
            publisher="EUvsDisinfo",
        )
