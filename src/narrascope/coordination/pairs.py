"""Co-action pairs by a sliding window over actions sorted by (object, time), in bounded chunks.

Only pairs on the same object within the window are ever formed, never all pairs of actions; the
chunks hold at most ``budget`` pairs, so an object with very many actions costs time, not memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from narrascope.coordination.actions import Actions, FloatArray, IntArray

__all__ = ["BUDGET", "Chunk", "Rows", "SortedActions", "pair_chunks", "sort_actions", "unique_pairs"]

BUDGET = 4_000_000
"""Pairs held at once (about 100 MB of working arrays)."""


@dataclass(frozen=True)
class Rows:
    """Row k: action ``a[k]`` (by the edge's u) and ``b[k]`` (by v) for edge ``edge[k]``: the
    pairs a null model may turn into co-actions, or (``evidence``) the co-actions themselves."""

    edge: IntArray
    a: IntArray
    b: IntArray


@dataclass(frozen=True)
class SortedActions:
    """Actions in (object, time) order; ``order[k]`` is the original row of sorted position k."""

    order: IntArray
    actor: IntArray
    obj: IntArray
    time: FloatArray
    window: float
    end: IntArray
    """Exclusive end of each position's window: later actions on the same object, at most ``window`` s later."""
    object_start: IntArray
    """First sorted position of each position's object."""


@dataclass(frozen=True)
class Chunk:
    """Pairs (i, j) of sorted positions, i < j; keys of positions ≥ ``carry_from`` may recur in the next chunk."""

    i: IntArray
    j: IntArray
    carry_from: int | None


def sort_actions(actions: Actions, window: float) -> SortedActions:
    """Sort once and find every window's end with one exact lexicographic search (object, time)."""
    order = np.lexsort((actions.time, actions.obj)).astype(np.int64)
    obj = actions.obj[order]
    time = actions.time[order]
    key = obj.astype(np.float64) + 1j * time
    end = np.searchsorted(key, obj.astype(np.float64) + 1j * (time + window), side="right").astype(np.int64)
    starts = np.flatnonzero(np.r_[True, obj[1:] != obj[:-1]])
    object_start = np.repeat(starts, np.diff(np.r_[starts, len(obj)])).astype(np.int64)
    return SortedActions(order, actions.actor[order], obj, time, window, end, object_start)


def pair_chunks(s: SortedActions, budget: int = BUDGET) -> Iterator[Chunk]:
    """Every co-action pair exactly once, ``budget`` pairs (or one action's pairs) at a time."""
    n = len(s.order)
    counts = s.end - np.arange(n, dtype=np.int64) - 1
    cumulative = np.cumsum(counts)
    start = 0
    while start < n:
        before = int(cumulative[start - 1]) if start else 0
        stop = int(np.searchsorted(cumulative, before + budget, side="right"))
        stop = min(max(stop, start + 1), n)
        c = counts[start:stop]
        total = int(c.sum())
        if total:
            i = np.repeat(np.arange(start, stop, dtype=np.int64), c)
            first = np.repeat(np.cumsum(c) - c, c)
            j = i + 1 + (np.arange(total, dtype=np.int64) - first)
            continues = stop < n and s.obj[stop] == s.obj[stop - 1]
            yield Chunk(i, j, int(s.object_start[stop - 1]) if continues else None)
        start = stop


def unique_pairs(a: IntArray, b: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Distinct (a, b) rows sorted by (a, b), with their counts; no overflow whatever the code ranges."""
    if len(a) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    new = np.r_[True, (a[1:] != a[:-1]) | (b[1:] != b[:-1])]
    starts = np.flatnonzero(new)
    return a[starts], b[starts], np.diff(np.r_[starts, len(a)]).astype(np.int64)
