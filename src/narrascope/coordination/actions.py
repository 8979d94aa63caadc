"""Behaviour tables (who did what to which object, when) as integer-coded numpy arrays.

The detector only ever sees codes and float seconds; names and row ids are kept beside them for the
evidence. The same container serves a retweet table (actor = account, object = retweeted tweet) and
outlets over claim clusters (actor = outlet, object = cluster id, time = publication time).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from narrascope.coordination.timeparse import parse_time
from narrascope.errors import InputError

__all__ = ["Actions", "from_records", "read_table"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Actions:
    """One row per action; ``actor``/``obj`` index ``actor_names``/``object_names``."""

    actor: IntArray
    obj: IntArray
    time: FloatArray
    actor_names: tuple[str, ...]
    object_names: tuple[str, ...]
    ids: tuple[str, ...]
    """The id column's value, else the table's line number (for JSON Lines and CSV alike)."""
    source: str = "<records>"
    skipped: int = 0
    """Rows without an object: they are actions on nothing, so they cannot co-occur."""

    def __len__(self) -> int:
        return int(self.actor.shape[0])

    @property
    def n_actors(self) -> int:
        return len(self.actor_names)

    @property
    def n_objects(self) -> int:
        return len(self.object_names)


def from_records(
    actors: Sequence[object],
    objects: Sequence[object],
    times: Sequence[object],
    ids: Sequence[object] | None = None,
    source: str = "<records>",
) -> Actions:
    """Actions from parallel sequences; times as epoch seconds, ISO 8601 text or aware datetimes."""
    if not len(actors) == len(objects) == len(times) or (ids is not None and len(ids) != len(actors)):
        raise ValueError("actors, objects, times (and ids) must have the same length")
    seconds: list[float] = []
    for value in times:
        seconds.append(value.timestamp() if hasattr(value, "timestamp") else parse_time(value))
    names = [str(i) for i in ids] if ids is not None else [str(i) for i in range(len(actors))]
    return _encode([str(a) for a in actors], [str(o) for o in objects], seconds, names, source, 0)


def _encode(
    actors: list[str], objects: list[str], times: list[float], ids: list[str], source: str, skipped: int
) -> Actions:
    actor_names, actor_codes = np.unique(np.asarray(actors, dtype=object), return_inverse=True)
    object_names, object_codes = np.unique(np.asarray(objects, dtype=object), return_inverse=True)
    return Actions(
        actor=actor_codes.astype(np.int64).reshape(-1),
        obj=object_codes.astype(np.int64).reshape(-1),
        time=np.asarray(times, dtype=np.float64),
        actor_names=tuple(str(a) for a in actor_names),
        object_names=tuple(str(o) for o in object_names),
        ids=tuple(ids),
        source=source,
        skipped=skipped,
    )


def read_table(path: Path | str, actor: str, obj: str, time: str, id_col: str | None = None) -> Actions:
    """Read a CSV or JSON Lines table (optionally gzipped, UTF-8 with or without BOM).

    Every problem raises InputError with one line naming the file, the line and the reason.
    """
    path = Path(path)
    text = _open_text(path)
    columns = [actor, obj, time] + ([id_col] if id_col else [])
    rows = _json_rows(path, text, columns) if _is_json_lines(path, text) else _csv_rows(path, text, columns)
    actors: list[str] = []
    objects: list[str] = []
    times: list[float] = []
    ids: list[str] = []
    skipped = 0
    for line, values in rows:
        who, what, when = values[0], values[1], values[2]
        if not what:
            skipped += 1
            continue
        if not who:
            raise InputError(f"{path}: line {line}: empty {actor!r}")
        try:
            times.append(parse_time(when))
        except ValueError as err:
            raise InputError(f"{path}: line {line}: column {time!r}: {err}") from None
        actors.append(who)
        objects.append(what)
        ids.append(values[3] if id_col else str(line))
    if not actors:
        raise InputError(f"{path}: no actions (no rows with {actor!r}, {obj!r} and {time!r})")
    return _encode(actors, objects, times, ids, str(path), skipped)


def _open_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a table") from None
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise InputError(f"{path}: damaged gzip file ({err})") from None
    if not raw.strip():
        raise InputError(f"{path}: empty file")
    if b"\x00" in raw[:65536]:
        raise InputError(f"{path}: binary file, not a CSV or JSON Lines table")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise InputError(f"{path}: line {line}: not UTF-8 text") from None


def _is_json_lines(path: Path, text: str) -> bool:
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    if suffixes and suffixes[-1] in (".jsonl", ".ndjson", ".json"):
        return True
    if suffixes and suffixes[-1] in (".csv", ".tsv", ".txt"):
        return False
    return text.lstrip().startswith("{")


def _csv_rows(path: Path, text: str, columns: list[str]) -> Iterator[tuple[int, list[str]]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as err:
        raise InputError(f"{path}: line 1: no header row ({err})") from None
    where = _positions(path, header, columns)
    try:
        for row in reader:
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                raise InputError(f"{path}: line {reader.line_num}: {len(row)} fields, the header has {len(header)}")
            yield reader.line_num, [row[i].strip() for i in where]
    except csv.Error as err:
        raise InputError(f"{path}: line {reader.line_num}: malformed CSV ({err})") from None


def _positions(path: Path, header: list[str], columns: list[str]) -> list[int]:
    missing = [c for c in columns if c not in header]
    if missing:
        shown = ", ".join(header[:12]) + (", …" if len(header) > 12 else "")
        raise InputError(f"{path}: line 1: no column {missing[0]!r} (columns: {shown})")
    return [header.index(c) for c in columns]


def _json_rows(path: Path, text: str, columns: list[str]) -> Iterator[tuple[int, list[str]]]:
    for line, raw in _numbered(text.splitlines()):
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as err:
            raise InputError(f"{path}: line {line}: not valid JSON ({err.msg}, column {err.colno})") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}: line {line}: expected a JSON object, got {type(record).__name__}")
        missing = [c for c in columns if c not in record]
        if missing:
            raise InputError(f"{path}: line {line}: no field {missing[0]!r}")
        yield line, [_cell(record[c]) for c in columns]


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(lines, start=1):
        if raw.strip():
            yield number, raw


def _cell(value: object) -> str:
    """A JSON value as the text a CSV cell would hold (numbers keep their digits)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
