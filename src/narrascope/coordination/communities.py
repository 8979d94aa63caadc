"""Communities of flagged edges by Leiden (modularity), seeded so the same input gives the same groups."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["leiden_communities"]


def leiden_communities(
    edges: Sequence[tuple[int, int, float]], seed: int = 0, resolution: float = 1.0
) -> list[list[int]]:
    """Groups of ≥ 2 nodes, largest first (ties by smallest member); nodes are any ints.

    Leiden rather than Louvain: its communities are guaranteed connected, so every group it reports is
    held together by flagged edges. Node order is fixed before the run, so results depend only on the
    seed and the edges, not on input order.
    """
    import igraph
    import leidenalg

    if not edges:
        return []
    nodes = sorted({n for a, b, _ in edges for n in (a, b)})
    index = {n: k for k, n in enumerate(nodes)}
    ordered = sorted((min(index[a], index[b]), max(index[a], index[b]), float(w)) for a, b, w in edges)
    graph = igraph.Graph(n=len(nodes), edges=[(a, b) for a, b, _ in ordered])
    graph.es["weight"] = [w for _, _, w in ordered]
    partition = leidenalg.find_partition(
        graph,
        leidenalg.RBConfigurationVertexPartition,
        weights="weight",
        resolution_parameter=resolution,
        seed=seed,
        n_iterations=-1,
    )
    groups = [sorted(nodes[k] for k in members) for members in partition if len(members) >= 2]
    return sorted(groups, key=lambda g: (-len(g), g[0]))
