"""Exports: JSON (everything), GEXF and GraphML (a graph for Gephi and friends, evidence as JSON text)."""

from __future__ import annotations

import io
import json
from dataclasses import asdict
from typing import Any

from narrascope.coordination.detect import CoordinationResult

__all__ = ["FORMATS", "render", "to_networkx"]

FORMATS = ("json", "gexf", "graphml")


def to_networkx(result: CoordinationResult) -> Any:
    """An undirected networkx graph of flagged edges; nodes carry their community (0 = none)."""
    import networkx as nx

    graph = nx.Graph(measured=result.to_dict()["measured"], window_seconds=result.settings.window)
    community = {m: c.id for c in result.communities for m in c.members}
    for edge in result.edges:
        for node in (edge.u, edge.v):
            graph.add_node(node, label=node, community=community.get(node, 0))
        lead = edge.lead_lag
        graph.add_edge(
            edge.u,
            edge.v,
            weight=float(edge.weight),
            weight_uv=edge.weight_uv,
            weight_vu=edge.weight_vu,
            pairs=edge.pairs,
            objects=edge.objects,
            norm_weight=edge.norm_weight,
            p=edge.p,
            q=edge.q,
            null_mean=edge.null_mean,
            leader=(lead.leader or "") if lead else "",
            median_delay=lead.median_delay if lead else 0.0,
            label=edge.label,
            copies=edge.copies,
            evidence=json.dumps([asdict(c) for c in edge.co_actions], ensure_ascii=False),
        )
    return graph


def render(result: CoordinationResult, fmt: str) -> str:
    """The result as text in one of FORMATS."""
    if fmt == "json":
        return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
    import networkx as nx

    graph = to_networkx(result)
    buffer = io.BytesIO()
    if fmt == "gexf":
        nx.write_gexf(graph, buffer)
    elif fmt == "graphml":
        nx.write_graphml(graph, buffer)
    else:
        raise ValueError(f"format one of {FORMATS}")
    return buffer.getvalue().decode("utf-8")
