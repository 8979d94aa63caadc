"""The co-actions behind chosen edges, listed action by action for the evidence bundle."""

from __future__ import annotations

import numpy as np

from narrascope.coordination.actions import Actions, IntArray
from narrascope.coordination.network import edge_codes
from narrascope.coordination.pairs import BUDGET, Rows, SortedActions, pair_chunks

__all__ = ["co_actions"]


def co_actions(actions: Actions, s: SortedActions, u: IntArray, v: IntArray, budget: int = BUDGET) -> Rows:
    """A second sliding-window pass that keeps only the pairs of the given edges: row k, edge
    ``edge[k]``'s u did action ``a[k]`` and v did ``b[k]`` on the same object within the window."""
    wanted = edge_codes(u, v, actions.n_actors)
    order = np.argsort(wanted)
    wanted_sorted = wanted[order]
    parts: list[tuple[IntArray, IntArray, IntArray]] = []
    for chunk in pair_chunks(s, budget):
        ai, aj = s.actor[chunk.i], s.actor[chunk.j]
        codes = edge_codes(ai, aj, actions.n_actors)
        where = np.minimum(np.searchsorted(wanted_sorted, codes), len(wanted_sorted) - 1)
        keep = wanted_sorted[where] == codes if len(wanted_sorted) else np.zeros(len(codes), dtype=bool)
        if not keep.any():
            continue
        edge = order[where[keep]]
        i, j = s.order[chunk.i[keep]], s.order[chunk.j[keep]]
        swap = actions.actor[i] != u[edge]  # orient each pair as (u's action, v's action)
        parts.append((edge, np.where(swap, j, i), np.where(swap, i, j)))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Rows(empty, empty, empty)
    edge, a, b = (np.concatenate(x).astype(np.int64) for x in zip(*parts, strict=True))
    ordering = np.lexsort((actions.time[a], edge))
    return Rows(edge[ordering], a[ordering], b[ordering])
