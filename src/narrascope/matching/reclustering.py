"""Re-clustering: fold together clusters that turned out to tell the same thing, keeping ids.

Texts are placed as they arrive, so a story whose first retellings were too far apart for the
ladder opens two clusters; later members can bring their centres close without ever moving.
This pass finds such pairs and merges them, the later cluster into the earlier one: the earlier
id stays, the later id is remembered as merged (links to it keep working) and is never given
again, and no text moves anywhere else. Ids are stable; clusters only grow.

Candidates come from the paraphrase index, never from all pairs: each cluster's centre is
searched among the indexed texts (past its own members), and the clusters of the texts it finds
(at the centroid bar a single text needs to join, or the merge bar when that is lower) are its
candidates. A pair merges when the mean cosine between a member of one and a member of the
other reaches the paraphrase bar (the one two texts need to be called the same): the cosine of
the centres would be too lenient, as averaging keeps what related but different claims share
(on CheckThat! 2020 claims it merged strangers: pairwise precision 0.93 → 0.74). It is checked
again as earlier merges of the same pass change the clusters (strongest pairs first), so merges
cannot chain a cluster away from itself. Each merge carries its evidence: that mean, the
centres' cosine and the closest pair of member texts with theirs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from narrascope.matching.clusters import Clusters
from narrascope.matching.paraphrases import MARGIN, NEIGHBOURS

__all__ = ["EVIDENCE_MEMBERS", "Merge", "recluster"]

EVIDENCE_MEMBERS = 256
"""Members of each cluster compared for the closest pair (the earliest; enough to show why)."""
MAX_SEARCH = 512
"""At most this many texts are looked at around one centre."""


@dataclass(frozen=True)
class Merge:
    """One cluster folded into an earlier one, and why."""

    absorbed: str
    into: str
    linkage: float
    """Mean cosine between a member of one and a member of the other, just before the merge."""
    cosine: float
    """Cosine of the two clusters' centres."""
    member: str
    """The absorbed cluster's member closest to one of *into*'s ..."""
    matched: str
    """... this one, ..."""
    similarity: float
    """... at this cosine."""


def recluster(clusters: Clusters, threshold: float | None = None, neighbours: int = NEIGHBOURS) -> list[Merge]:
    """Merge *clusters*' pairs whose members' mean cosine reaches *threshold* (the paraphrase
    bar by default) in place, and return the merges in the order they were made (see the
    module doc)."""
    bar = clusters.paraphrases.threshold if threshold is None else threshold
    live = [c for c in clusters.members if clusters.members[c]]
    index = clusters.paraphrases
    if len(live) < 2 or len(index) < 2:
        return []
    # a text this close to a centre could join it (less the graph's error: it only proposes)
    near = min(bar, clusters.centroid_threshold) - MARGIN
    pairs: dict[tuple[str, str], float] = {}
    for cluster, key, cosine in _neighbours(clusters, live, neighbours):
        if cosine < near:
            continue
        other = clusters.cluster_of[index.ids[key]]
        if other != cluster:
            pair = _ordered(clusters, cluster, other)
            if pair not in pairs:
                pairs[pair] = clusters.linkage(*pair)
    merges: list[Merge] = []
    for (first, second), _ in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0])):
        into, absorbed = _ordered(clusters, _live(clusters, first), _live(clusters, second))
        if into == absorbed:
            continue
        linkage = round(clusters.linkage(into, absorbed), 4)
        if linkage < bar:
            continue
        cosine = round(float(clusters.centroid(into) @ clusters.centroid(absorbed)), 4)
        member, matched, similarity = _closest(clusters, absorbed, into)
        clusters.merge(absorbed, into)
        merges.append(Merge(absorbed, into, linkage, cosine, member, matched, similarity))
    return merges


def _neighbours(clusters: Clusters, live: list[str], neighbours: int) -> Iterator[tuple[str, int, float]]:
    """(cluster, key, estimated cosine) of the texts nearest each live cluster's centre: its own
    members crowd the nearest, so a cluster looks past them (*neighbours* more than its size, up
    to :data:`MAX_SEARCH`), searched in batches of clusters of about the same size."""
    index = clusters.paraphrases
    wanted = {c: min(len(index), neighbours + len(clusters.members[c]), MAX_SEARCH) for c in live}
    buckets: dict[int, list[str]] = {}
    for cluster, k in wanted.items():
        buckets.setdefault(min(len(index), MAX_SEARCH, 1 << (k - 1).bit_length()), []).append(cluster)
    for k, group in sorted(buckets.items()):
        centres = np.stack([clusters.centroid(c) for c in group]).astype(np.float32)
        keys, cosines = index.nearest(centres, k, threads=1)
        for row, cluster in enumerate(group):
            for key, cosine in zip(keys[row].tolist(), cosines[row].tolist(), strict=True):
                if key >= 0:
                    yield cluster, int(key), float(cosine)


def _ordered(clusters: Clusters, a: str, b: str) -> tuple[str, str]:
    """(earlier, later) by the order the clusters were opened."""
    return (a, b) if (clusters.number(a), a) <= (clusters.number(b), b) else (b, a)


def _live(clusters: Clusters, cluster: str) -> str:
    """The live cluster *cluster* went into (itself when it was not merged)."""
    while cluster in clusters.merged:
        cluster = clusters.merged[cluster]
    return cluster


def _closest(clusters: Clusters, absorbed: str, into: str) -> tuple[str, str, float]:
    """The closest pair of member texts of the two clusters (their earliest members) and its cosine."""
    index = clusters.paraphrases
    left, right = clusters.members[absorbed][:EVIDENCE_MEMBERS], clusters.members[into][:EVIDENCE_MEMBERS]
    cosines = _unit(index.vectors(left)) @ _unit(index.vectors(right)).T
    i, j = np.unravel_index(int(np.argmax(cosines)), cosines.shape)
    return left[i], right[j], round(float(cosines[i, j]), 4)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)
