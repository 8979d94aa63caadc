"""The LSH band table of the near-copy rung, kept compact enough for millions of documents.

Each document puts one 64-bit key per band (18 of them) in the table; a query asks for the rows
under its own keys. A Python dict of a million documents' keys costs about 1.3 GB (an int object
and a slot per key); here the keys live in a few sorted runs of numpy arrays (key, row: 12 bytes a
key). Each put adds a run, and a run merges into the one before it once it is as large, as a
binary counter carries: a key is moved about log2(keys / keys per put) times in all, and a lookup
searches that many runs at most. Puts and lookups take a whole batch of documents at once, so the
Python cost is paid per batch, not per key (a dict of recent keys, put one at a time, cost a
third of the near-copy rung). The rows under a key come back in the order they were put.
"""

from __future__ import annotations

import numpy as np

__all__ = ["BandTable", "flatten", "put", "rows_of"]

ROW = np.int32
"""Rows are document numbers: two billion documents before this overflows (with an error)."""


class BandTable:
    """Rows by 64-bit key, many rows per key, compact (see the module doc)."""

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        """(keys, rows) sorted by key, the rows of a key in the order they were put; oldest first,
        each smaller than the one before."""

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self._runs)

    def put(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Put ``rows[i]`` under each of ``keys[i]`` (*keys*: a row of band keys per document)."""
        keys = np.asarray(keys, dtype=np.uint64)
        if not keys.size:
            return
        if int(np.max(rows)) > np.iinfo(ROW).max:
            raise OverflowError("the band table holds row numbers below 2**31")
        flat = keys.reshape(-1)
        order = np.argsort(flat, kind="stable")  # a document's rows before a later one's
        repeated = np.repeat(np.asarray(rows, dtype=ROW), keys.shape[1])
        self._runs.append((flat[order], repeated[order]))
        self._merge(carry=True)

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (document, row) such that *row* was put under one of ``keys[document]`` (*keys*:
        a row of band keys per document), each pair once, by document then row."""
        keys = np.asarray(keys, dtype=np.uint64)
        flat = keys.reshape(-1)
        order = np.argsort(flat)  # sorted needles: each search starts where the last one ended
        needles, of = flat[order], order // max(1, keys.shape[-1])
        which, found = [], []
        for run_keys, run_rows in self._runs:
            first = np.searchsorted(run_keys, needles, side="left")
            hit = first < len(run_keys)
            hit[hit] = run_keys[first[hit]] == needles[hit]
            if not hit.any():
                continue
            start = first[hit]
            counts = np.searchsorted(run_keys, needles[hit], side="right") - start
            at = np.arange(int(counts.sum())) + np.repeat(start - (np.cumsum(counts) - counts), counts)
            which.append(np.repeat(of[hit], counts))
            found.append(run_rows[at].astype(np.int64))
        if not which:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        pairs = np.unique(np.concatenate(which) << np.int64(32) | np.concatenate(found))
        return pairs >> np.int64(32), pairs & np.int64(0xFFFFFFFF)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(keys, rows) of every pair, sorted by key, the rows of a key in the order they were put."""
        self._merge(carry=False)
        if not self._runs:
            return np.empty(0, dtype=np.uint64), np.empty(0, dtype=ROW)
        return self._runs[0]

    def _merge(self, carry: bool) -> None:
        """Merge the newest run into the one before it while that one is no larger (*carry*), or
        until one run is left."""
        while len(self._runs) > 1 and (not carry or len(self._runs[-2][0]) <= len(self._runs[-1][0])):
            older, newer = self._runs[-2], self._runs.pop()
            at = np.searchsorted(older[0], newer[0], side="right")  # after the older rows of its key
            self._runs[-1] = (np.insert(older[0], at, newer[0]), np.insert(older[1], at, newer[1]))

    @classmethod
    def from_arrays(cls, keys: np.ndarray, rows: np.ndarray) -> BandTable:
        """The table holding these (key, row) pairs (rows of a key in the order given)."""
        table = cls()
        order = np.argsort(keys, kind="stable")
        table._runs = [(np.asarray(keys, dtype=np.uint64)[order], np.asarray(rows, dtype=ROW)[order])]
        return table


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
