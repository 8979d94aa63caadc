"""The co-action network: actors linked when they acted on the same object within a window.

Weights follow the QUT coordination-network-toolkit's co-retweet network exactly: the weight of
u → v is the number of distinct actions of u that have at least one *other* action by v on the same
object with |Δt| ≤ window (inclusive). The toolkit keeps both directions (u → v and v → u may
differ); the undirected edge here keeps both and its ``weight`` is the larger, so an edge passes
``min_weight`` exactly when the toolkit keeps at least one direction, and the node set is the
toolkit's. A self-loop counts u's actions that another action of u on the same object accompanies
(two retweets of one tweet 1 s apart give a loop of weight 2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from narrascope.coordination.actions import Actions, FloatArray, IntArray
from narrascope.coordination.pairs import BUDGET, SortedActions, pair_chunks, sort_actions, unique_pairs

__all__ = ["CoActionNetwork", "build_network", "edge_codes"]


@dataclass(frozen=True)
class CoActionNetwork:
    """Undirected edges u ≤ v, one array entry per edge, sorted by (u, v)."""

    window: float
    min_weight: int
    self_loops: bool
    u: IntArray
    v: IntArray
    weight_uv: IntArray
    """Distinct actions of u with a co-action by v (the toolkit's u → v weight)."""
    weight_vu: IntArray
    weight: IntArray
    """max(weight_uv, weight_vu): the toolkit's weight for the undirected edge."""
    pairs: IntArray
    """Co-action pairs (one action of each, same object, within the window)."""
    objects: IntArray
    """Distinct objects both acted on within the window."""
    norm_weight: FloatArray
    """weight / sqrt(actions of u · actions of v): see ``normalised_weight``."""
    actor_actions: IntArray
    """Actions per actor (all actors, indexed by actor code)."""
    co_action_pairs: int
    """All co-action pairs found, before ``min_weight`` (the work the sliding window did)."""

    def __len__(self) -> int:
        return int(self.u.shape[0])


def edge_codes(u: IntArray, v: IntArray, n_actors: int) -> IntArray:
    """One int64 per undirected edge (u ≤ v), for set look-ups."""
    return np.minimum(u, v) * np.int64(n_actors) + np.maximum(u, v)


def normalised_weight(weight: IntArray, u: IntArray, v: IntArray, actor_actions: IntArray) -> FloatArray:
    """weight / sqrt(n_u · n_v), the cosine (Salton) normalisation of co-action counts.

    Why this one: chance co-actions grow with both actors' volumes, so a hyperactive account links to
    everyone with sizeable raw weights; dividing by the geometric mean of the two volumes discounts it
    while a quiet account that co-acts every time keeps a value near 1. It is symmetric and bounded in
    [0, 1] (weight ≤ min(n_u, n_v)), unlike dividing by min (which ignores the hyperactive side) or
    Jaccard (which needs object sets, not action counts). It ranks edges for people; flagging is
    decided by the null model, which accounts for activity directly.
    """
    scale = np.sqrt(actor_actions[u].astype(np.float64) * actor_actions[v].astype(np.float64))
    return np.divide(weight, scale, out=np.zeros(len(weight), dtype=np.float64), where=scale > 0)


def build_network(
    actions: Actions,
    window: float,
    min_weight: int = 1,
    self_loops: bool = False,
    budget: int = BUDGET,
    sorted_actions: SortedActions | None = None,
) -> CoActionNetwork:
    """Index by object, sort by time, slide the window; aggregate chunk by chunk in bounded memory."""
    if window < 0:
        raise ValueError("window must be ≥ 0 seconds")
    s = sorted_actions if sorted_actions is not None else sort_actions(actions, window)
    n_actors = np.int64(max(actions.n_actors, 1))
    directed: list[IntArray] = []
    directed_counts: list[IntArray] = []
    pair_codes: list[IntArray] = []
    edge_objects: list[IntArray] = []
    carry_keys = np.zeros(0, dtype=np.int64)
    carry_edges = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    total_pairs = 0
    for chunk in pair_chunks(s, budget):
        ai, aj = s.actor[chunk.i], s.actor[chunk.j]
        keep = np.ones(len(ai), dtype=bool) if self_loops else ai != aj
        i, j, ai, aj = chunk.i[keep], chunk.j[keep], ai[keep], aj[keep]
        total_pairs += len(i)
        codes = np.minimum(ai, aj) * n_actors + np.maximum(ai, aj)
        pair_codes.append(codes)
        # distinct actions per partner: key = sorted position × n_actors + partner actor
        keys = np.unique(np.concatenate([carry_keys, i * n_actors + aj, j * n_actors + ai]))
        # distinct objects per edge: (edge code, object)
        e_codes, e_objs, _ = unique_pairs(
            np.concatenate([carry_edges[0], codes]), np.concatenate([carry_edges[1], s.obj[i]])
        )
        if chunk.carry_from is not None:
            held = keys // n_actors >= chunk.carry_from
            carry_keys, keys = keys[held], keys[~held]
            held_edges = e_objs == s.obj[chunk.carry_from]
            carry_edges = (e_codes[held_edges], e_objs[held_edges])
            e_codes = e_codes[~held_edges]
        else:
            carry_keys = np.zeros(0, dtype=np.int64)
            carry_edges = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        chunk_codes, chunk_counts = np.unique(
            s.actor[keys // n_actors] * n_actors + keys % n_actors, return_counts=True
        )
        directed.append(chunk_codes.astype(np.int64))
        directed_counts.append(chunk_counts.astype(np.int64))
        edge_objects.append(e_codes)
    d_codes, d_counts = _sum_by(directed, directed_counts)
    actor_actions = np.bincount(actions.actor, minlength=int(n_actors)).astype(np.int64)
    return _assemble(
        actions, s, d_codes, d_counts, pair_codes, edge_objects, actor_actions, min_weight, self_loops, total_pairs
    )


def _sum_by(codes: list[IntArray], counts: list[IntArray]) -> tuple[IntArray, IntArray]:
    if not codes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    unique, inverse = np.unique(np.concatenate(codes), return_inverse=True)
    return unique, np.bincount(inverse.reshape(-1), weights=np.concatenate(counts), minlength=len(unique)).astype(
        np.int64
    )


def _assemble(
    actions: Actions,
    s: SortedActions,
    d_codes: IntArray,
    d_counts: IntArray,
    pair_codes: list[IntArray],
    edge_objects: list[IntArray],
    actor_actions: IntArray,
    min_weight: int,
    self_loops: bool,
    total_pairs: int,
) -> CoActionNetwork:
    n_actors = np.int64(max(actions.n_actors, 1))
    a, b = d_codes // n_actors, d_codes % n_actors
    und = np.minimum(a, b) * n_actors + np.maximum(a, b)
    codes = np.unique(und)
    where = np.searchsorted(codes, und)
    forward = a <= b  # a is the edge's u
    backward = a >= b  # equal on self-loops: both directions are the same count
    weight_uv = np.bincount(where[forward], weights=d_counts[forward], minlength=len(codes)).astype(np.int64)
    weight_vu = np.bincount(where[backward], weights=d_counts[backward], minlength=len(codes)).astype(np.int64)
    all_pairs = np.concatenate(pair_codes) if pair_codes else np.zeros(0, dtype=np.int64)
    pairs = np.bincount(np.searchsorted(codes, all_pairs), minlength=len(codes)).astype(np.int64)
    all_objects = np.concatenate(edge_objects) if edge_objects else np.zeros(0, dtype=np.int64)
    objects = np.bincount(np.searchsorted(codes, all_objects), minlength=len(codes)).astype(np.int64)
    weight = np.maximum(weight_uv, weight_vu)
    u, v = codes // n_actors, codes % n_actors
    keep = weight >= min_weight
    if not self_loops:
        keep &= u != v
    u, v, weight = u[keep], v[keep], weight[keep]
    return CoActionNetwork(
        window=s.window,
        min_weight=min_weight,
        self_loops=self_loops,
        u=u,
        v=v,
        weight_uv=weight_uv[keep],
        weight_vu=weight_vu[keep],
        weight=weight,
        pairs=pairs[keep],
        objects=objects[keep],
        norm_weight=normalised_weight(weight, u, v, actor_actions),
        actor_actions=actor_actions,
        co_action_pairs=total_pairs,
    )
