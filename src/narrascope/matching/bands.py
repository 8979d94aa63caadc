"""The LSH band table of the near-copy rung, kept compact enough for millions of documents.

Each document puts one 64-bit key per band (18 of them) in the table; a query asks for the rows
under its own keys. A Python dict of a million documents' keys costs about 1.3 GB (an int object
and a slot per key); here the keys live in two sorted numpy arrays (key, row: 12 bytes a key)
and only the keys put since the last merge wait in a dict. The rows under a key come back in
the order they were put, as the dict would give them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

__all__ = ["BandTable", "flatten", "put", "rows_of"]

ROW = np.int32
"""Rows are document numbers: two billion documents before this overflows (with an error)."""
MERGE = 1 << 20
"""Keys waiting in the dict before they are merged into the sorted arrays (about 58,000
documents of 18 bands; a merge of two sorted runs costs one pass over the arrays)."""


class BandTable:
    """Rows by 64-bit key, many rows per key, compact (see the module doc)."""

    def __init__(self, merge: int = MERGE) -> None:
        self._merge = merge
        self._keys = np.empty(0, dtype=np.uint64)
        self._rows = np.empty(0, dtype=ROW)
        self._recent: dict[int, int | list[int]] = {}
        self._waiting = 0

    def __len__(self) -> int:
        return len(self._keys) + self._waiting

    def put(self, keys: Iterable[int], row: int) -> None:
        """Put *row* under each of *keys*."""
        for key in keys:
            put(self._recent, key, row)
            self._waiting += 1
        if self._waiting >= self._merge:
            self._fold()

    def rows(self, keys: list[int]) -> set[int]:
        """Every row put under any of *keys*."""
        found: set[int] = set()
        if len(self._keys):
            wanted = np.asarray(keys, dtype=np.uint64)
            first = np.searchsorted(self._keys, wanted, side="left")
            last = np.searchsorted(self._keys, wanted, side="right")
            for lo, hi in zip(first.tolist(), last.tolist(), strict=True):
                if hi > lo:
                    found.update(self._rows[lo:hi].tolist())
        for key in keys:
            found.update(rows_of(self._recent.get(key)))
        return found

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys, rows) of every pair, sorted by key, the rows of a key in the order they were put."""
        self._fold()
        return self._keys, self._rows

    @classmethod
    def from_arrays(cls, keys: np.ndarray, rows: np.ndarray, merge: int = MERGE) -> BandTable:
        """The table holding these (key, row) pairs (rows of a key in the order given)."""
        table = cls(merge)
        order = np.argsort(keys, kind="stable")
        table._keys = np.asarray(keys, dtype=np.uint64)[order]
        table._rows = np.asarray(rows, dtype=ROW)[order]
        return table

    def _fold(self) -> None:
        """Merge the waiting keys into the sorted arrays: each goes in after the older rows of
        its key, so the rows of a key stay in the order they were put (one new array per
        merge, no sort of the old ones)."""
        if not self._waiting:
            return
        new_keys, new_rows = flatten(self._recent)
        new_rows = new_rows.astype(ROW)
        order = np.argsort(new_keys, kind="stable")
        new_keys, new_rows = new_keys[order], new_rows[order]
        at = np.searchsorted(self._keys, new_keys, side="right")
        self._keys = np.insert(self._keys, at, new_keys)
        self._rows = np.insert(self._rows, at, new_rows)
        self._recent, self._waiting = {}, 0


def flatten(table: dict[int, int | list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """A row-list dict as (key, row) arrays, rows of a key in the order they were put."""
    pairs = [(key, row) for key, entry in table.items() for row in rows_of(entry)]
    keys = np.fromiter((k for k, _ in pairs), dtype=np.uint64, count=len(pairs))
    rows = np.fromiter((r for _, r in pairs), dtype=np.int64, count=len(pairs))
    return keys, rows


def rows_of(entry: int | list[int] | None) -> list[int]:
    return [] if entry is None else [entry] if isinstance(entry, int) else entry


def put(table: dict[int, int | list[int]], key: int, row: int) -> None:
    """A dict of row lists that stores a lone row as a bare int (most keys have one)."""
    entry = table.get(key)
    if entry is None:
        table[key] = row
    elif isinstance(entry, int):
        table[key] = [entry, row]
    else:
        entry.append(row)
