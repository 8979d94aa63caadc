"""Claims and narratives in the store: the same assertion across documents, and the same frame
across assertions, assigned as documents are stored.

A document's most check-worthy claims (at most ``PER_DOCUMENT``, each scored at least
``CHECKWORTHY`` by the claims layer: what a fact-checker would look at) climb the matching ladder
against earlier claims: an exact or near copy of the sentence, else a paraphrase by sentence
vector, joining the claim cluster whose centroid is close enough (:class:`Clusters`, with the
defaults chosen on a claim-level gold set) or opening one.

Narratives are one level up, coarser: when a claim cluster opens, its first claim is compared
with the claims that opened earlier clusters (at the encoder's ``narrative`` cosine in
:data:`~narrascope.matching.clusters.CALIBRATION`, looser than a paraphrase) and the new cluster
joins the narrative of the closest one, or opens a narrative.
A claim cluster's narrative is decided once, when it opens, so narrative ids are as stable as
claim ids; every claim of the cluster is then written as a member of that narrative too, with the
claim cluster it came through as its evidence (``match``, rung ``claim``) and the cosines
measured when that cluster joined (``similarity`` to the first claim of the earlier cluster that
brought it in, ``centroid`` to the narrative's centroid).

Rows go into the same tables as stories (levels ``claim`` and ``narrative``; a narrative row's
vector is its claim row's, not stored twice), in the batch's transaction, and the index is
rebuilt from them exactly as :class:`StoryIndex` is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select

from narrascope.encoder import DIM, ENCODER_ID
from narrascope.matching.clusters import CALIBRATION, Clusters
from narrascope.model import Analysis, Claim
from narrascope.store import schema
from narrascope.store.store import Store, StoreError
from narrascope.stories.index import InStep, Replay, clusters_for, half, members
from narrascope.stories.levels import CLAIM, NARRATIVE, PREFIXES

__all__ = [
    "CHECKWORTHY",
    "CLAIM",
    "CLAIM_PREFIX",
    "NARRATIVE",
    "NARRATIVE_PREFIX",
    "PER_DOCUMENT",
    "ClaimIndex",
    "chosen_claims",
    "claim_item",
    "claim_row",
]

CLAIM_PREFIX, NARRATIVE_PREFIX = PREFIXES[CLAIM], PREFIXES[NARRATIVE]
CHECKWORTHY = 0.5
PER_DOCUMENT = 5
"""Claims clustered per document: encoding every sentence would cost more than the analysis's
own encoder pass; the most check-worthy few are what recurs and what gets checked."""


def chosen_claims(analysis: Analysis) -> list[Claim]:
    """The claims of *analysis* that are clustered, most check-worthy first (ties in text order)."""
    scored = [c for c in analysis.claims if c.checkworthy is not None and c.checkworthy >= CHECKWORTHY]
    ranked = sorted(enumerate(scored), key=lambda ic: (-(ic[1].checkworthy or 0.0), ic[0]))
    return [claim for _, claim in ranked[:PER_DOCUMENT]]


def claim_item(document_id: str, claim_id: str) -> str:
    """The id of one document's claim in the cluster tables."""
    return f"{document_id}:{claim_id}"


def claim_row(m: Any, d: Any) -> Any:
    """The condition joining cluster member rows (``members.c`` or an alias's) to their row in
    the claims layer's table (where the sentence and its characters are); *d* is the documents
    table's columns, joined to the members by ``d.id == m.document_id`` (a layer row names its
    document by key)."""
    c = schema.claims.c
    return (c.document == d.key) & (m.item == m.document_id.concat(":").concat(c.item))


class ClaimIndex(InStep):
    """The claim and narrative clusters of one store, in memory, in step with it batch by batch."""

    what = "claim index"

    def __init__(self, encoder_id: str = ENCODER_ID) -> None:
        super().__init__(encoder_id)
        self.claims = clusters_for(encoder_id, CLAIM_PREFIX)
        calibration = CALIBRATION[encoder_id]
        self.narratives = Clusters(
            NARRATIVE_PREFIX, calibration.narrative, calibration.narrative_centroid, copies=False
        )
        self.narrative_of: dict[str, str] = {}
        """Claim cluster → its narrative."""
        self.joined: dict[str, tuple[float | None, float | None]] = {}
        """Claim cluster → how it joined its narrative: cosine of its first claim to the earlier
        cluster's first claim that brought it in, and to the narrative's centroid (None, None when
        it opened the narrative)."""
        self.positions = {CLAIM: 0, NARRATIVE: 0}

    @classmethod
    def load(cls, store: Store, encoder_id: str = ENCODER_ID) -> ClaimIndex:
        """The store's claims and narratives as they were stored (replayed in assignment order)."""
        index = cls(encoder_id)
        index.catch_up(store)
        return index

    def catch_up(self, store: Store) -> None:
        """Replay the claims (with their narratives) and the claim merges stored after this
        index's last assignment (both are only ever appended)."""
        m, d = members.c, schema.documents.c
        text = select(schema.claims.c.text).where(claim_row(m, d)).scalar_subquery()
        claim_rows = (
            select(m.item, m.cluster, m.assigned, m.rung, m.encoder, m.vector, text.label("text"))
            .join(schema.documents, d.id == m.document_id)
            .where(m.level == CLAIM, m.position >= self.positions[CLAIM])
        )
        narrative_rows = select(m.item, m.cluster, m.match, m.similarity, m.centroid).where(
            m.level == NARRATIVE, m.position >= self.positions[NARRATIVE]
        )
        with store.engine.connect() as connection:
            placed = {row.item: row for row in connection.execute(narrative_rows.order_by(m.position))}
            replay = Replay(connection, CLAIM, done=len(self.claims.merged))
            for row in connection.execute(claim_rows.order_by(m.position)):
                if row.encoder != self.encoder_id:
                    raise StoreError(
                        f"the store's claims were made with the encoder {row.encoder}, not {self.encoder_id}"
                    )
                vector = np.frombuffer(row.vector, dtype="<f2").astype(np.float32).reshape(DIM)
                replay.upto(self.claims, self.positions[CLAIM])
                self.claims.restore(row.item, row.text or "", vector, row.assigned or row.cluster, row.rung)
                narrative = placed.get(row.item)
                if narrative is None:
                    raise StoreError(f"the store's claim {row.item} has no narrative; the store is damaged")
                opened = narrative.match  # the claim cluster as it was when the claim was placed
                if opened not in self.narrative_of:
                    self.narratives.restore(opened, "", vector, narrative.cluster)
                    self.narrative_of[opened] = narrative.cluster
                    self.joined[opened] = (narrative.similarity, narrative.centroid)
                self.positions[CLAIM] += 1
            replay.upto(self.claims)
            self.positions[NARRATIVE] += len(placed)

    def assign(self, connection: Any, new: Sequence[Analysis], added: dt.datetime) -> None:
        """Place the chosen claims of the batch's new documents and write their rows (inside the
        store's transaction; if it fails, this index is stale)."""
        self._guard()
        units = [(a.document.id, claim) for a in new for claim in chosen_claims(a)]
        if not units:
            return
        self._broken = True  # until the rows are written
        vectors = half(self.encoder.encode([claim.span.text for _, claim in units]))
        opened: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for (document_id, claim), vector in zip(units, vectors, strict=True):
            item = claim_item(document_id, claim.id)
            placed = self.claims.add(item, claim.span.text, vector)
            if placed.opened:
                opened.append({"id": placed.cluster, "level": CLAIM, "opened_by": item, "added": added})
                frame = self.narratives.add(placed.cluster, "", vector)
                self.narrative_of[placed.cluster] = frame.cluster
                self.joined[placed.cluster] = (frame.similarity, frame.centroid)
                if frame.opened:
                    opened.append({"id": frame.cluster, "level": NARRATIVE, "opened_by": item, "added": added})
            claimed = {"item": item, "document_id": document_id, "encoder": self.encoder_id}
            rows.append(
                {
                    **claimed,
                    "level": CLAIM,
                    "cluster": placed.cluster,
                    "position": self.positions[CLAIM],
                    "match": placed.match,
                    "rung": placed.rung,
                    "similarity": placed.similarity,
                    "centroid": placed.centroid,
                    "vector": np.asarray(vector, dtype="<f2").tobytes(),
                }
            )
            similarity, centroid = self.joined[placed.cluster]
            rows.append(
                {
                    **claimed,
                    "level": NARRATIVE,
                    "cluster": self.narrative_of[placed.cluster],
                    "position": self.positions[NARRATIVE],
                    "match": placed.cluster,
                    "rung": "claim",
                    "similarity": similarity,
                    "centroid": centroid,
                    "vector": b"",  # the claim row holds it
                }
            )
            self.positions[CLAIM] += 1
            self.positions[NARRATIVE] += 1
        self._write(connection, opened, rows)
