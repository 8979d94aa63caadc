"""Clusters of texts that say the same thing, built as the texts arrive, with stable ids.

A new text climbs the matching ladder against everything added before it: an exact or near copy
(:class:`~narrascope.matching.copies.CopyIndex`), then a paraphrase (its nearest neighbours in the
:class:`~narrascope.matching.paraphrases.ParaphraseIndex`, at or above its threshold). The
candidate clusters are those of the matched texts; the text joins the one whose centroid (the
normalised mean of its members' vectors) it is closest to, provided that cosine reaches
``centroid_threshold`` (this stops a chain of small steps from drifting a cluster away from what
its first members said). Otherwise it opens a cluster of its own.

Ids are stable: a cluster is named when it opens (``prefix`` + a running number) and a text,
once placed, never moves, so re-running over more data only adds. Every assignment keeps its
evidence: the earlier text it matched, the rung and the similarity measured there, and the
cosine to the centroid it joined.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.encoder import DIM, ENCODER_ID, MULTILINGUAL_ID, Vectors
from narrascope.matching.copies import CopyIndex
from narrascope.matching.paraphrases import ParaphraseIndex, first_repeated

__all__ = ["CALIBRATION", "Assignment", "Calibration", "Clusters"]

THRESHOLD = 0.65
CENTROID_THRESHOLD = 0.55
"""Defaults chosen for precision on a claim-level gold set (CheckThat! 2020 tweets and the
verified claims they repeat: pairwise precision 0.91, recall 0.45; the F1-best setting, 0.6 and
0.45, gives 0.81 and 0.59): a cluster a user has to defend should seldom hold a stranger."""


@dataclass(frozen=True)
class Calibration:
    """One encoder's cosines: a paraphrase and the centroid it may join (claims and stories), and
    the looser pair for narratives (related claims)."""

    paraphrase: float
    centroid: float
    narrative: float
    narrative_centroid: float


CALIBRATION = {
    ENCODER_ID: Calibration(THRESHOLD, CENTROID_THRESHOLD, 0.5, 0.45),
    MULTILINGUAL_ID: Calibration(0.9, 0.88, 0.87, 0.86),
}
"""Per encoder. multilingual-e5's cosines are compressed (CheckThat! 2020: the same claim 0.89 on
average, unrelated texts 0.80); at 0.9 / 0.88 its English clusters score pairwise precision 0.83,
recall 0.37 (0.91 / 0.89: 0.92, 0.23) against all-MiniLM's 0.92 / 0.46 at its defaults; its
narrative pair is all-MiniLM's mapped linearly between the two encoders' same and unrelated means."""

RUNGS = {"exact": 0, "near-duplicate": 1, "paraphrase": 2}
"""The ladder's rungs, strongest first: a copy outranks a paraphrase whatever the numbers."""
COPY_RUNGS = ("exact", "near-duplicate")


@dataclass(frozen=True)
class Assignment:
    """Where one text went and why."""

    item: str
    cluster: str
    opened: bool
    """True when the text opened the cluster (it then has no match)."""
    match: str | None = None
    """The earlier text that brought it in."""
    rung: str | None = None
    similarity: float | None = None
    """Measured on the rung: 1.0 exact, estimated Jaccard for a near copy, cosine for a paraphrase."""
    centroid: float | None = None
    """Cosine of the text to the centroid of the cluster it joined, before joining."""


class Clusters:
    """Online clustering over the matching ladder (see the module doc)."""

    def __init__(
        self,
        prefix: str = "K",
        threshold: float = THRESHOLD,
        centroid_threshold: float = CENTROID_THRESHOLD,
        copies: bool = True,
    ) -> None:
        self.prefix = prefix
        self.centroid_threshold = centroid_threshold
        self.copies = CopyIndex() if copies else None
        self.paraphrases = ParaphraseIndex(threshold)
        self.cluster_of: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}
        """Each live cluster's items, in the order they were placed (a merged cluster is not live)."""
        self._sums: dict[str, Vectors] = {}
        self.opened = 0
        """Clusters opened so far, merged ones included: a new one is numbered after them all."""
        self.merged: dict[str, str] = {}
        """A cluster folded into another by re-clustering → the one it went into."""

    def __len__(self) -> int:
        return len(self.members)

    def centroid(self, cluster: str) -> Vectors:
        total = self._sums[cluster]
        norm = float(np.linalg.norm(total))
        unit: Vectors = total / norm if norm > 0 else total
        return unit

    def add(self, item: str, text: str, vector: Vectors) -> Assignment:
        """Place one text (its id, its words, its unit vector) and index it for those after it."""
        return self.add_many([item], [text], np.asarray(vector).reshape(1, DIM))[0]

    def add_many(self, items: Sequence[str], texts: Sequence[str], vectors: Vectors) -> list[Assignment]:
        """Place the texts in order, each as :meth:`add` would after the ones before it; the
        paraphrase index is searched for them all at once."""
        items = list(items)
        if (repeated := first_repeated(items, self.cluster_of)) is not None:
            raise ValueError(f"{repeated} is already clustered")
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(items), DIM)
        candidates: list[list[tuple[str, str, float]]] = [[] for _ in items]  # matched item, rung, similarity
        if self.copies is not None:
            for found, copies in zip(candidates, self.copies.add_many(items, texts), strict=True):
                found += [(m.id, m.rung, m.similarity) for m in copies]
        # a copy outranks any paraphrase (see _choose): with one found, the search cannot change
        # the decision; and the text it copies stands for it in the graph for those after it
        alone = [not found for found in candidates]
        paraphrases = self.paraphrases.add_many(items, vectors, alone, alone)
        placed = []
        for item, vector, found, more in zip(items, vectors, candidates, paraphrases, strict=True):
            assignment = self._choose(item, vector, found + [(p.id, p.rung, p.similarity) for p in more])
            self._place(item, vector, assignment.cluster, assignment.opened)
            placed.append(assignment)
        return placed

    def _place(self, item: str, vector: Vectors, cluster: str, opens: bool) -> None:
        if opens:
            self.opened += 1
            self._open(cluster)
        self.cluster_of[item] = cluster
        self.members[cluster].append(item)
        self._sums[cluster] += vector

    def _open(self, cluster: str) -> None:
        self.members[cluster] = []
        self._sums[cluster] = np.zeros(DIM, dtype=np.float32)

    def restore(self, item: str, text: str, vector: Vectors, cluster: str, rung: str | None = None) -> None:
        """Index a text whose cluster was decided before (a stored assignment, made on *rung*)
        without deciding again, so a store's clusters come back as they were and new texts
        continue from them."""
        if item in self.cluster_of:
            raise ValueError(f"{item} is already clustered")
        if cluster not in self.members and cluster in self.merged:
            raise ValueError(f"{cluster} was merged into {self.merged[cluster]} before {item} was placed")
        vector = np.asarray(vector, dtype=np.float32).reshape(DIM)
        if self.copies is not None:
            self.copies.add(item, text, query=False)
        copy = self.copies is not None and rung in COPY_RUNGS  # kept aside when it was placed
        self.paraphrases.add(item, vector, query=False, keep=not copy)
        if cluster not in self.members:
            self.opened = max(self.opened, self.number(cluster))
            self._open(cluster)
        self._place(item, vector, cluster, False)

    def linkage(self, a: str, b: str) -> float:
        """The mean cosine between a member of cluster *a* and a member of *b* (from the sums of
        their unit vectors): never above the cosine of their centres, which averaging pulls
        towards what related but different texts share."""
        return float(self._sums[a] @ self._sums[b]) / (len(self.members[a]) * len(self.members[b]))

    def number(self, cluster: str) -> int:
        """The running number in a cluster id (0 when it has none)."""
        digits = cluster.removeprefix(self.prefix)
        return int(digits) if digits.isdigit() else 0

    def merge(self, absorbed: str, into: str) -> None:
        """Fold the cluster *absorbed* into *into* (re-clustering): its members follow, its id is
        remembered as merged, never given again."""
        if absorbed == into or absorbed not in self.members or into not in self.members:
            raise ValueError(f"cannot merge {absorbed} into {into}: both must be live clusters")
        moved = self.members.pop(absorbed)
        for item in moved:
            self.cluster_of[item] = into
        placed = self.paraphrases.key_of  # members stay in the order they were placed
        self.members[into] = list(heapq.merge(self.members[into], moved, key=placed.__getitem__))
        self._sums[into] += self._sums.pop(absorbed)
        self.merged[absorbed] = into

    def save(self, folder: Path, name: str, encoder_id: str) -> None:
        """Write these clusters to ``<folder>/<name>.*`` (:meth:`load` reads them back)."""
        items = list(self.cluster_of)
        if items != self.paraphrases.ids or (self.copies is not None and self.copies.ids != items):
            raise ValueError("the clusters and their indexes disagree on what was added")
        self.paraphrases.save(folder / f"{name}.usearch", encoder_id)
        order = list(self.members)
        arrays: dict[str, Any] = {"sums": np.array([self._sums[c] for c in order], np.float32).reshape(len(order), DIM)}
        if self.copies is not None:
            arrays |= {f"copies_{k}": v for k, v in self.copies.arrays().items()}
        np.savez(folder / f"{name}.npz", **arrays)
        meta = {
            "prefix": self.prefix,
            "threshold": self.paraphrases.threshold,
            "centroid_threshold": self.centroid_threshold,
            "copies": None if self.copies is None else self.copies.threshold,
            "clusters": order,
            "opened": self.opened,
            "merged": self.merged,
            "cluster_of": [self.cluster_of[i] for i in items],
        }
        (folder / f"{name}.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, name: str, encoder_id: str) -> Clusters:
        """The clusters :meth:`save` wrote (ValueError, OSError or StoreError when damaged)."""
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        found = cls(meta["prefix"], meta["threshold"], meta["centroid_threshold"], copies=False)
        found.paraphrases = ParaphraseIndex.open(folder / f"{name}.usearch", encoder_id)
        items = found.paraphrases.ids
        if len(items) != len(meta["cluster_of"]):
            raise ValueError(f"{name}: the clusters and the paraphrase index disagree")
        with np.load(folder / f"{name}.npz", allow_pickle=False) as arrays:
            if meta["copies"] is not None:
                copies = {k.removeprefix("copies_"): arrays[k] for k in arrays.files if k.startswith("copies_")}
                found.copies = CopyIndex.from_arrays(items, copies, float(meta["copies"]))
            sums = arrays["sums"]
        if len(sums) != len(meta["clusters"]):
            raise ValueError(f"{name}: the cluster sums do not match the clusters")
        found.members = {cluster: [] for cluster in meta["clusters"]}
        for item, cluster in zip(items, meta["cluster_of"], strict=True):
            found.members[cluster].append(item)
            found.cluster_of[item] = cluster
        found._sums = {cluster: sums[k].astype(np.float32) for k, cluster in enumerate(meta["clusters"])}
        found.opened, found.merged = int(meta["opened"]), dict(meta["merged"])
        return found

    def _choose(self, item: str, vector: Vectors, candidates: list[tuple[str, str, float]]) -> Assignment:
        best: tuple[tuple[int, float], Assignment] | None = None
        seen: set[str] = set()
        for matched, rung, similarity in sorted(candidates, key=lambda c: (RUNGS[c[1]], -c[2])):
            cluster = self.cluster_of[matched]
            if cluster in seen:
                continue  # the strongest match into a cluster speaks for it
            seen.add(cluster)
            centroid = round(float(self.centroid(cluster) @ vector), 4)
            copy = rung != "paraphrase"
            if not copy and centroid < self.centroid_threshold:
                continue
            rank = (RUNGS[rung] if copy else len(RUNGS), -centroid)
            if best is None or rank < best[0]:
                best = (rank, Assignment(item, cluster, False, matched, rung, similarity, centroid))
        if best is not None:
            return best[1]
        return Assignment(item, f"{self.prefix}{self.opened + 1}", True)
