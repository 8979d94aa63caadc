"""Null models: what co-actions would look like by chance.

The ``actor`` null lists, per candidate edge, the pairs of the two actors' actions that *could*
become a co-action under its permutations, and draws many permutations at once as a (rows ×
permutations) matrix of "this row is a co-action"; the scorer in ``significance`` turns those into
edge weights. The ``moment`` null re-deals objects and finds the co-actions anew (``redeal``): its
possible co-actions are every pair of actions close in time, far too many to list.

* ``actor`` — the design's null (``--null actor``): each actor keeps its own set of action times and its own set of
  objects, only the pairing between them is permuted (within time blocks if ``block`` is set). It
  keeps volume, rhythm and audience, but not *when* each object was alive, so where many independent
  actors crowd a fresh object it mistakes shared attention for synchrony (anti-conservative).
* ``moment`` — the default: each action keeps its actor and time; the objects acted on in each time block are
  re-dealt among all actions in that block. It keeps every actor's times and each object's timing at
  block resolution (what was popular when), and asks whether *these two* actors picked the same
  objects at the same moments more than the actors active around them did. Actors do not keep their
  object sets, so a shared habit (both always retweet one account at once) counts as synchrony.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from narrascope.coordination.actions import Actions, IntArray
from narrascope.coordination.pairs import Rows

__all__ = ["NULLS", "Prepared", "actor_shuffle", "shared_pairs"]

NULLS = ("actor", "moment")
BoolMatrix = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Prepared:
    rows: Rows
    observed: BoolMatrix
    """(rows, 1): the row is a co-action in the data."""
    draw: Callable[[int, np.random.Generator], BoolMatrix]
    """(size, rng) → (rows, size): "the row is a co-action" under each of ``size`` permutations."""
    width: int
    """Values drawn per permutation (for batching within a memory budget)."""


def shared_pairs(actions: Actions, u: IntArray, v: IntArray) -> Rows:
    """All pairs of the two actors' actions on a shared object, at any time apart, from the quieter side."""
    second = actions.obj.astype(np.float64)
    order = np.lexsort((actions.time, second, actions.actor))  # by actor, then object or time
    actor_s, value = actions.actor[order], second[order]
    key = actor_s.astype(np.float64) + 1j * value
    start = np.searchsorted(actor_s, np.arange(actions.n_actors), side="left")
    count = np.bincount(actions.actor, minlength=actions.n_actors).astype(np.int64)
    quiet_is_u = count[u] <= count[v]
    quiet, loud = np.where(quiet_is_u, u, v), np.where(quiet_is_u, v, u)
    n = count[quiet]
    edge = np.repeat(np.arange(len(u), dtype=np.int64), n)
    pos = np.repeat(start[quiet], n) + np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    lo = np.searchsorted(key, loud[edge] + 1j * value[pos], side="left")
    hits = np.searchsorted(key, loud[edge] + 1j * value[pos], side="right") - lo
    edge, pos, lo = np.repeat(edge, hits), np.repeat(pos, hits), np.repeat(lo, hits)
    other = lo + np.arange(int(hits.sum()), dtype=np.int64) - np.repeat(np.cumsum(hits) - hits, hits)
    keep = pos != other  # a self-loop never pairs an action with itself
    edge, pos, other = edge[keep], pos[keep], other[keep]
    flip = ~quiet_is_u[edge]
    a = np.where(flip, order[other], order[pos]).astype(np.int64)
    b = np.where(flip, order[pos], order[other]).astype(np.int64)
    return Rows(edge, a, b)


def _dense(*keys: IntArray) -> IntArray:
    """Dense ids of distinct key tuples (the last key varies slowest, as in lexsort)."""
    order = np.lexsort(keys)
    new = np.zeros(len(order), dtype=bool)
    if len(order):
        new[0] = True
        for k in keys:
            new[1:] |= k[order][1:] != k[order][:-1]
    dense = np.empty(len(order), dtype=np.int64)
    dense[order] = np.cumsum(new) - 1
    return dense


def actor_shuffle(actions: Actions, window: float, u: IntArray, v: IntArray, block: float | None) -> Prepared:
    """The design's null: permute each actor's times over its own actions (within blocks if given)."""
    rows = shared_pairs(actions, u, v)
    involved = np.flatnonzero(np.isin(actions.actor, np.union1d(u, v)))
    actor, time = actions.actor[involved], actions.time[involved]
    bins = np.floor((time - time.min()) / block).astype(np.int64) if block and len(time) else np.zeros_like(actor)
    group = _dense(bins, actor)
    sort = np.argsort(group, kind="stable")
    involved, ranks, times = involved[sort], group[sort].astype(np.float64), time[sort]
    local = np.full(len(actions), -1, dtype=np.int64)
    local[involved] = np.arange(len(involved))
    a, b = local[rows.a], local[rows.b]

    def draw(size: int, rng: np.random.Generator) -> BoolMatrix:
        order = np.argsort(ranks[None, :] + rng.random((size, len(ranks))), axis=1)
        shuffled = np.ascontiguousarray(times[order].T)
        return np.abs(shuffled[a] - shuffled[b]) <= window

    observed = (np.abs(times[a] - times[b]) <= window)[:, None]
    return Prepared(rows, observed, draw, max(len(rows.a), len(involved)))
