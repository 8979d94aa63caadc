"""The whole detector: network → null model → flags → communities, lead–lag and evidence bundles."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from narrascope.coordination.actions import Actions
from narrascope.coordination.communities import leiden_communities
from narrascope.coordination.evidence import co_actions
from narrascope.coordination.leadlag import LeadLag, lead_lag
from narrascope.coordination.network import build_network
from narrascope.coordination.pairs import sort_actions
from narrascope.coordination.significance import test_edges
from narrascope.coordination.timeparse import format_duration

SYNDICATION = 0.8
"""Share of an edge's co-actions that must be copies of one text for it to read as syndication."""

__all__ = ["SYNDICATION", "CoAction", "Community", "CoordinationResult", "Edge", "Settings", "detect", "measured"]


@dataclass(frozen=True)
class Settings:
    window: float = 60.0
    min_weight: int = 2
    """Two co-actions at least: one shared moment is never evidence of a pattern (CooRTweet's default too)."""
    self_loops: bool = False
    permutations: int = 1000
    fdr: float = 0.05
    seed: int = 0
    block: float | None = None
    """Shuffle only within blocks of this many seconds (actor null: None = the whole period; moment
    null: None = 10 × window or a quarter of the median object lifetime, whichever is shorter:
    ``redeal.default_block``)."""
    null: str = "moment"
    """``moment`` (objects re-dealt among the actions of each moment) or ``actor`` (the design's
    within-actor time shuffle, which mistakes crowds on fresh objects for synchrony): see ``nulls``."""


@dataclass(frozen=True)
class CoAction:
    object: str
    action_u: str
    action_v: str
    time_u: float
    time_v: float
    evidence_u: list[dict[str, Any]] = field(default_factory=list)
    """What a corpus store knows of the action (``stories.outlets``): the clustered claims or
    document with their spans and how they joined the cluster; empty for behaviour tables."""
    evidence_v: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Edge:
    u: str
    v: str
    weight: int
    weight_uv: int
    weight_vu: int
    pairs: int
    objects: int
    norm_weight: float
    p: float
    q: float
    permutations: int
    null_mean: float
    """Distinct co-acted objects the null expects (compare with ``objects``, the observed count)."""
    flagged: bool
    lead_lag: LeadLag | None = None
    co_actions: list[CoAction] = field(default_factory=list)
    copies: int = 0
    """Co-actions whose two documents are copies of one text (exact or near-duplicate chains)."""
    label: str = "synchrony"
    """``syndication`` when at least ``SYNDICATION`` of the co-actions are copies of one text (one
    agency's wire copy run by both outlets), else ``synchrony``; neither says anything of intent."""


@dataclass(frozen=True)
class Community:
    id: int
    members: list[str]
    edges: list[tuple[str, str]]
    objects: list[str]
    actions: list[str]
    first: float
    last: float


@dataclass(frozen=True)
class CoordinationResult:
    settings: Settings
    source: str
    counts: dict[str, float]
    edges: list[Edge]
    """Flagged edges, strongest evidence first (smallest q, then largest weight)."""
    communities: list[Community]

    def to_dict(self) -> dict[str, Any]:
        return {
            "measured": measured(self.settings),
            "source": self.source,
            "settings": asdict(self.settings),
            "counts": self.counts,
            "edges": [asdict(e) for e in self.edges],
            "communities": [asdict(c) for c in self.communities],
        }


def measured(settings: Settings) -> str:
    """What a flag means, in words that claim no more than was measured."""
    shuffle = (
        "a shuffle of each actor's own action times allows"
        if settings.null == "actor"
        else "re-dealing the objects acted on at each moment among the actors active then allows"
    )
    return (
        f"acted on the same objects within {format_duration(settings.window)} of each other more often than "
        f"{shuffle} (q ≤ {settings.fdr:g}, {settings.permutations} permutations); this measures synchrony, "
        "not intent or authenticity; where most shared items are copies of one text, the pair is labelled "
        "syndication (a wire copy both ran)"
    )


def detect(
    actions: Actions, settings: Settings | None = None, copy_of: Mapping[str, str] | None = None
) -> CoordinationResult:
    """Run every step on a behaviour table; only flagged edges carry full evidence. *copy_of* maps
    an action id (a document) to the text it copies, if any, to tell wire syndication apart."""
    s = settings or Settings()
    started = time.perf_counter()
    ordered = sort_actions(actions, s.window)
    network = build_network(actions, s.window, s.min_weight, s.self_loops, sorted_actions=ordered)
    tests = test_edges(actions, network, s.permutations, s.seed, s.block, s.fdr, null=s.null)
    flagged = np.flatnonzero(tests.q <= s.fdr)
    flagged = flagged[np.lexsort((-network.weight[flagged], tests.q[flagged]))]
    rows = co_actions(actions, ordered, network.u[flagged], network.v[flagged])
    names, objects, ids, times = actions.actor_names, actions.object_names, actions.ids, actions.time
    edges: list[Edge] = []
    bounds = np.searchsorted(rows.edge, np.arange(len(flagged) + 1))
    for k, e in enumerate(flagged.tolist()):
        a, b = rows.a[bounds[k] : bounds[k + 1]], rows.b[bounds[k] : bounds[k + 1]]
        u, v = names[int(network.u[e])], names[int(network.v[e])]
        evidence = [
            CoAction(objects[int(actions.obj[x])], ids[int(x)], ids[int(y)], float(times[x]), float(times[y]))
            for x, y in zip(a.tolist(), b.tolist(), strict=True)
        ]
        edges.append(
            Edge(
                u=u,
                v=v,
                weight=int(network.weight[e]),
                weight_uv=int(network.weight_uv[e]),
                weight_vu=int(network.weight_vu[e]),
                pairs=int(network.pairs[e]),
                objects=int(network.objects[e]),
                norm_weight=round(float(network.norm_weight[e]), 6),
                p=float(tests.p[e]),
                q=float(tests.q[e]),
                permutations=int(tests.per_edge[e]),
                null_mean=round(float(tests.null_mean[e]), 6),
                flagged=True,
                lead_lag=lead_lag(u, v, times[a], times[b]),
                co_actions=evidence,
                **_syndication(evidence, copy_of),
            )
        )
    communities = _communities(edges, s.seed)
    nodes = {n for e in edges for n in (e.u, e.v)}
    counts: dict[str, float] = {
        "actions": len(actions),
        "actors": actions.n_actors,
        "objects": actions.n_objects,
        "skipped_rows": actions.skipped,
        "co_action_pairs": network.co_action_pairs,
        "candidate_edges": len(network),
        "candidate_nodes": len(np.union1d(network.u, network.v)),
        "flagged_edges": len(edges),
        "communities": len(communities),
        "nodes": len(nodes),
        "seconds": round(time.perf_counter() - started, 3),
    }
    return CoordinationResult(s, actions.source, counts, edges, communities)


def _syndication(evidence: list[CoAction], copy_of: Mapping[str, str] | None) -> dict[str, Any]:
    if not copy_of or not evidence:
        return {}
    copies = sum(1 for c in evidence if copy_of.get(c.action_u, c.action_u) == copy_of.get(c.action_v, c.action_v))
    return {"copies": copies, "label": "syndication" if copies >= SYNDICATION * len(evidence) else "synchrony"}


def _communities(edges: list[Edge], seed: int) -> list[Community]:
    """Leiden over flagged edges; each community lists its edges, objects and actions as evidence."""
    index = {n: k for k, n in enumerate(sorted({n for e in edges for n in (e.u, e.v)}))}
    names = {k: n for n, k in index.items()}
    groups = leiden_communities([(index[e.u], index[e.v], float(e.weight)) for e in edges], seed=seed)
    out: list[Community] = []
    for number, group in enumerate(groups, start=1):
        members = {names[k] for k in group}
        inside = [e for e in edges if e.u in members and e.v in members]
        evidence = [c for e in inside for c in e.co_actions]
        moments = [t for c in evidence for t in (c.time_u, c.time_v)]
        out.append(
            Community(
                id=number,
                members=sorted(members),
                edges=[(e.u, e.v) for e in inside],
                objects=sorted({c.object for c in evidence}),
                actions=sorted({a for c in evidence for a in (c.action_u, c.action_v)}),
                first=min(moments, default=0.0),
                last=max(moments, default=0.0),
            )
        )
    return out
