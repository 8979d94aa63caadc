"""Match a claim to fact-check records: two retrieval rungs, then one fused score.

Candidates come from two indexes, never from all pairs scored in full: BM25 over each record's
claim and title (its evidence: the terms shared with the query), and the shared encoder's
vectors (its evidence: the cosine of the query to the record's claim and to its title),
searched through a 64-dimension projection and re-scored exactly. Each candidate is then also
compared by the claim-matching encoder (:mod:`.matching_encoder`, fine-tuned to put a claim near
the check that checks it). A small logistic regression (:mod:`.fusion`, trained on CheckThat!
2020 train) turns the rung scores into a probability.
A claim is matched as its words (:func:`.posts.normalise`: no links, handles and hashtags split),
and one that says several things is also compared part by part (:func:`.posts.segments`). A
claim in another language goes to the cross-lingual rung instead, when the records have
multilingual vectors (:mod:`.crosslingual`).
Records whose claim and title read the same (the same check imported twice, or syndicated) are
one entry: the first imported is shown, the others are listed as its duplicates. The record
vectors come from the store (computed at import), so a query costs an encoder pass of each encoder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from narrascope.encoder import DIM, Vectors
from narrascope.factchecks import posts
from narrascope.factchecks.bm25 import BM25, WORD, terms
from narrascope.factchecks.crosslingual import CrossLingual, is_english
from narrascope.factchecks.fusion import FusionModel, load_fusion_model
from narrascope.factchecks.posts import normalise
from narrascope.factchecks.records import FactCheck

if TYPE_CHECKING:
    from narrascope.encoder import Encoder
    from narrascope.store import Store

__all__ = ["Candidates", "Match", "Matcher", "grouped", "reads_tuned", "rung_features"]

PROJECTION = 64
"""Dimensions of the projection the embedding rung searches before re-scoring exactly."""
PRESELECT = 200


@dataclass(frozen=True)
class Match:
    """One record matched to a claim, with the evidence of each rung."""

    record: FactCheck
    score: float
    """The fused score: the model's probability that the record checks this claim."""
    bm25: float
    cosine_claim: float
    cosine_title: float
    terms: tuple[str, ...]
    """The index terms the query shares with the record (the BM25 rung's evidence)."""
    rungs: tuple[str, ...]
    """Which rungs proposed the record: ``bm25``, ``embedding`` or both, or ``cross-lingual``."""
    duplicates: tuple[FactCheck, ...] = ()
    threshold: float = 0.5
    """The score at which the model that scored this match calls it likely."""
    cosine_multilingual: float | None = None
    """The cross-lingual rung's evidence: multilingual-e5 cosine of the claim to the record."""
    cosine_matching: float | None = None
    """The claim-matching encoder's cosine of the claim (or its best part) to the record's claim
    or title, whichever is nearer."""

    @property
    def likely(self) -> bool:
        return self.score >= self.threshold

    def evidence(self) -> dict[str, object]:
        found: dict[str, object] = {
            "rungs": list(self.rungs),
            "bm25": round(self.bm25, 4),
            "bm25_terms": list(self.terms),
            "cosine_claim": round(self.cosine_claim, 4),
            "cosine_title": round(self.cosine_title, 4),
        }
        if self.cosine_multilingual is not None:
            found["cosine_multilingual"] = round(self.cosine_multilingual, 4)
        if self.cosine_matching is not None:
            found["cosine_matching"] = round(self.cosine_matching, 4)
        return found


@dataclass(frozen=True)
class Candidates:
    """One query's candidate rows (indexes into :attr:`Matcher.records`) with their rung scores."""

    rows: npt.NDArray[np.int64]
    bm25: npt.NDArray[np.float32]
    cos_claim: Vectors
    cos_title: Vectors
    lexical: frozenset[int]
    semantic: frozenset[int]


def grouped(vectors: Vectors, split: Sequence[Sequence[str]]) -> list[Vectors | None]:
    """The vectors of each text's parts (None for a text without), from the vectors of all the
    parts of all the texts in order."""
    out: list[Vectors | None] = []
    start = 0
    for found in split:
        out.append(vectors[start : start + len(found)] if found else None)
        start += len(found)
    return out


def rung_features(
    bm25: npt.NDArray[np.float32],
    cos_claim: Vectors,
    cos_title: Vectors,
    part_claim: Vectors | None = None,
    part_title: Vectors | None = None,
    tuned: Sequence[Vectors] | None = None,
) -> dict[str, Vectors]:
    """The features the fusion model may use, over one query's candidates. Each score is also
    given relative to the query's best candidate: how well the best record fits varies from
    query to query, and a record's distance to the best says more than its own value.
    ``part_*``: the best cosine of any part of the query (:meth:`Matcher.part_cosines`), the
    whole query's when it has one part. *tuned*: the same four cosines by the claim-matching
    encoder (:meth:`Matcher.tuned_cosines`), as ``tuned_*``."""
    best = float(bm25.max()) if bm25.size and bm25.max() > 0 else 1.0
    part_claim = cos_claim if part_claim is None else part_claim
    part_title = cos_title if part_title is None else part_title
    named = {"cos_claim": cos_claim, "cos_title": cos_title, "part_claim": part_claim, "part_title": part_title}
    if tuned is not None:
        kinds = ("claim", "title", "part_claim", "part_title")
        named |= {f"tuned_{kind}": cosine for kind, cosine in zip(kinds, tuned, strict=True)}
    out = {"bm25": (bm25 / best).astype(np.float32)}
    for name, cosine in named.items():
        out[name] = cosine.astype(np.float32)
        out[f"{name}_gap"] = (cosine - cosine.max()).astype(np.float32)
    return out


@lru_cache(maxsize=1)
def _blas() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """One BLAS thread for the query's products: they are small and memory-bound, and on a busy
    machine a second thread waiting for a core made them six times slower (measured)."""
    return _blas().limit(limits=1, user_api="blas")


def reads_tuned(model: FusionModel) -> bool:
    """Whether *model* reads the claim-matching encoder's cosines (older models do not)."""
    return any(name.startswith("tuned_") for name in model.features)


def _key(record: FactCheck) -> str:
    return " ".join(WORD.findall(f"{record.claim} | {record.title or ''}".lower()))


def _unit(vectors: Vectors) -> Vectors:
    unit: Vectors = (vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-12)).astype(np.float32)
    return unit


class Matcher:
    """Both indexes over records and their stored vectors; :meth:`match` ranks them for a claim."""

    def __init__(
        self,
        records: Sequence[FactCheck],
        claim_vectors: Vectors,
        title_vectors: Vectors,
        model: FusionModel | None = None,
        encoder: Encoder | None = None,
        tuned_vectors: Vectors | None = None,
    ) -> None:
        """*tuned_vectors*: each record's claim and title vectors by the claim-matching encoder
        (2 × ``DIM`` a row, :func:`.matching_encoder.record_vectors`); computed here from the
        records when the model reads them and none are given."""
        self.model = model or load_fusion_model()
        self._encoder = encoder
        self.crosslingual: CrossLingual | None = None
        """Set by :meth:`from_store` when the records have multilingual vectors (see that module)."""
        first: dict[str, int] = {}
        self.duplicates: dict[int, list[FactCheck]] = {}
        for i, record in enumerate(records):
            kept = first.setdefault(_key(record), i)
            if kept != i:
                self.duplicates.setdefault(kept, []).append(record)
        chosen = sorted(first.values())
        self.records = [records[i] for i in chosen]
        self.duplicates = {n: self.duplicates[i] for n, i in enumerate(chosen) if i in self.duplicates}
        self.index = BM25([f"{r.claim} {r.title or ''}" for r in self.records], self.model.k1, self.model.b)
        self.claim_vectors = np.ascontiguousarray(claim_vectors[chosen], dtype=np.float32)
        self.title_vectors = np.ascontiguousarray(title_vectors[chosen], dtype=np.float32)
        self.tuned_vectors: Vectors | None = None
        if self.uses_tuned:
            if tuned_vectors is None:
                from narrascope.factchecks.matching_encoder import record_texts

                texts = [t for r in self.records for t in record_texts(r.claim, r.title)]
                self.tuned_vectors = self.matching_encoder.encode(texts).reshape(len(self.records), 2 * DIM)
            else:
                self.tuned_vectors = np.ascontiguousarray(tuned_vectors[chosen], dtype=np.float32)
        self._project()

    def _project(self) -> None:
        """The principal axes of the records' joint (claim + title) vectors, and every record
        projected on the first :data:`PROJECTION` of them (the embedding rung's search index)."""
        n = len(self.records)
        gram = np.zeros((self.claim_vectors.shape[1],) * 2, dtype=np.float64)
        for start in range(0, n, 20_000):
            chunk = self._joint(np.arange(start, min(n, start + 20_000)))
            gram += chunk.T @ chunk
        axes = np.linalg.eigh(gram)[1][:, ::-1][:, :PROJECTION]
        self.axes = np.ascontiguousarray(axes, dtype=np.float32)
        # stored transposed: one contiguous row per axis is the fastest layout for q @ projected
        self.projected = np.zeros((self.axes.shape[1], n), dtype=np.float32)
        for start in range(0, n, 20_000):
            rows = np.arange(start, min(n, start + 20_000))
            self.projected[:, rows] = (self._joint(rows) @ self.axes).T

    def _joint(self, rows: npt.NDArray[np.int64]) -> Vectors:
        return _unit(self.claim_vectors[rows] + self.title_vectors[rows])

    @classmethod
    def from_store(cls, store: Store, model: FusionModel | None = None) -> Matcher:
        """A matcher over every fact-check record of *store*."""
        from narrascope.factchecks.matching_encoder import record_vectors
        from narrascope.factchecks.store import FactCheckStore

        records, claims, titles = FactCheckStore(store).load()
        model = model or load_fusion_model()
        tuned = record_vectors(store, records) if reads_tuned(model) else None
        matcher = cls(records, claims, titles, model=model, tuned_vectors=tuned)
        matcher.crosslingual = CrossLingual.load(store, matcher.records)
        return matcher

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from narrascope.encoder import load_encoder

            self._encoder = load_encoder()
        return self._encoder

    @property
    def matching_encoder(self) -> Encoder:
        from narrascope.factchecks.matching_encoder import load_matching_encoder

        return load_matching_encoder()

    def _nearest(self, vector: Vectors, k: int) -> npt.NDArray[np.int64]:
        """The *k* records nearest to *vector*: preselected in the projection, re-scored exactly."""
        n = len(self.records)
        if not n or k <= 0:
            return np.zeros(0, dtype=np.int64)
        coarse = (vector @ self.axes) @ self.projected
        pre = np.argpartition(-coarse, PRESELECT - 1)[:PRESELECT] if n > PRESELECT else np.arange(n)
        exact = self._joint(pre) @ vector
        return pre[np.argsort(-exact, kind="stable")[:k]].astype(np.int64)

    def candidates(self, text: str, vector: Vectors) -> Candidates:
        """What both rungs propose for *text* (with its encoder *vector*, best of its
        :func:`.posts.normalise` form), and their scores."""
        with _one_blas_thread():
            return self._candidates(normalise(text), vector)

    @property
    def uses_parts(self) -> bool:
        """Whether the model reads the cosines of the query's parts (older models do not)."""
        return any(name.startswith(("part_", "tuned_part_")) for name in self.model.features)

    @property
    def uses_tuned(self) -> bool:
        """Whether the model reads the claim-matching encoder's cosines (older models do not)."""
        return reads_tuned(self.model)

    def part_cosines(self, found: Candidates, vector: Vectors, parts: Vectors | None) -> tuple[Vectors, Vectors]:
        """Per candidate, the best cosine to its claim and to its title of the whole query
        (*vector*) or any of its parts (*parts*: their vectors, when it has two or more)."""
        if parts is None or len(parts) < 2:
            return found.cos_claim, found.cos_title
        with _one_blas_thread():
            claim = np.maximum((self.claim_vectors[found.rows] @ parts.T).max(axis=1), found.cos_claim)
            title = np.maximum((self.title_vectors[found.rows] @ parts.T).max(axis=1), found.cos_title)
        return claim, title

    def tuned_cosines(self, found: Candidates, vector: Vectors, parts: Vectors | None) -> list[Vectors]:
        """Per candidate, the claim-matching encoder's cosine of the query (*vector*) to its
        claim and to its title, and the best of the query's or any of its *parts*'."""
        assert self.tuned_vectors is not None
        with _one_blas_thread():
            claims, titles = self.tuned_vectors[found.rows, :DIM], self.tuned_vectors[found.rows, DIM:]
            claim, title = claims @ vector, titles @ vector
            if parts is None or len(parts) < 2:
                return [claim, title, claim, title]
            best_claim = np.maximum((claims @ parts.T).max(axis=1), claim)
            return [claim, title, best_claim, np.maximum((titles @ parts.T).max(axis=1), title)]

    def _encode(self, texts: Sequence[str], encoder: Encoder | None = None) -> tuple[Vectors, list[Vectors | None]]:
        """The vectors of *texts* (normalised) and of their parts, in one batch of *encoder*
        (the shared one by default)."""
        cleaned = [normalise(t) for t in texts]
        split = [posts.parts(t) if self.uses_parts else [] for t in cleaned]
        vectors = (encoder or self.encoder).encode(cleaned + [p for found in split for p in found])
        return vectors[: len(texts)], grouped(vectors[len(texts) :], split)

    def _candidates(self, text: str, vector: Vectors) -> Candidates:
        scores = self.index.scores(text)
        lexical, _ = self.index.top(text, self.model.candidates, scores)
        semantic = self._nearest(vector, self.model.dense)
        rows = np.union1d(lexical, semantic).astype(np.int64)
        return Candidates(
            rows,
            scores[rows],
            self.claim_vectors[rows] @ vector,
            self.title_vectors[rows] @ vector,
            frozenset(lexical.tolist()),
            frozenset(semantic.tolist()),
        )

    def match(
        self,
        text: str,
        top: int = 5,
        vector: Vectors | None = None,
        parts: Vectors | None = None,
        tuned: tuple[Vectors, Vectors | None] | None = None,
    ) -> list[Match]:
        """The *top* records best matching *text*, best first. Give *vector* (the text's encoder
        vector) when it is already computed, e.g. by the article's one encoder pass; *parts*, the
        vectors of its :func:`.posts.segments`, are then encoded here when the model uses them.
        *tuned*: the text's and its parts' vectors by the claim-matching encoder, encoded here
        when not given and the model reads them."""
        if vector is None:
            (vector,), (parts,) = self._encode([text])
        elif parts is None and self.uses_parts and (split := posts.parts(normalise(text))):
            parts = self.encoder.encode(split)
        if tuned is None and self.uses_tuned:
            (tuned_vector,), (tuned_parts,) = self._encode([text], self.matching_encoder)
            tuned = tuned_vector, tuned_parts
        found = self.candidates(text, vector)
        if not found.rows.size:
            return []
        part_claim, part_title = self.part_cosines(found, vector, parts)
        by_tuned = self.tuned_cosines(found, *tuned) if tuned is not None and self.uses_tuned else None
        features = rung_features(found.bm25, found.cos_claim, found.cos_title, part_claim, part_title, by_tuned)
        fused = self.model.score(features)
        query_terms = set(terms(normalise(text)))
        out = []
        for i in np.argsort(-fused, kind="stable")[:top]:
            row = int(found.rows[i])
            record = self.records[row]
            shared = tuple(dict.fromkeys(t for t in terms(f"{record.claim} {record.title or ''}") if t in query_terms))
            rungs = tuple(
                name for name, rows in (("bm25", found.lexical), ("embedding", found.semantic)) if row in rows
            )
            out.append(
                Match(
                    record,
                    float(fused[i]),
                    float(found.bm25[i]),
                    float(found.cos_claim[i]),
                    float(found.cos_title[i]),
                    shared,
                    rungs,
                    tuple(self.duplicates.get(row, ())),
                    self.model.threshold,
                    cosine_matching=None if by_tuned is None else float(max(by_tuned[2][i], by_tuned[3][i])),
                )
            )
        return out

    def match_many(self, texts: Sequence[str], top: int = 5) -> list[list[Match]]:
        """:meth:`match` for each text, with the texts encoded in one batch; with the
        cross-lingual rung, a text not in English is matched on it alone (:meth:`across`)."""
        other = [i for i, t in enumerate(texts) if self.crosslingual is not None and not is_english(t)]
        english = sorted(set(range(len(texts))) - set(other))
        out: list[list[Match]] = [[] for _ in texts]
        if english:
            chosen = [texts[i] for i in english]
            vectors, parts = self._encode(chosen)
            tuned: list[tuple[Vectors, Vectors | None] | None] = [None] * len(chosen)
            if self.uses_tuned:
                tuned = list(zip(*self._encode(chosen, self.matching_encoder), strict=True))
            for i, v, p, t in zip(english, vectors, parts, tuned, strict=True):
                out[i] = self.match(texts[i], top, v, p, t)
        if other:
            assert self.crosslingual is not None
            for i, v in zip(other, self.crosslingual.encode([normalise(texts[i]) for i in other]), strict=True):
                out[i] = self.across(v, top)
        return out

    def across(self, vector: Vectors, top: int = 5) -> list[Match]:
        """The *top* records for a claim in another language, by its multilingual *vector*."""
        rung = self.crosslingual
        if rung is None:
            return []
        rows, cosines, scores = rung.nearest(vector)
        order = np.argsort(-scores, kind="stable")[:top]
        return [
            Match(
                self.records[int(rows[i])],
                float(scores[i]),
                0.0,
                0.0,
                0.0,
                (),
                ("cross-lingual",),
                tuple(self.duplicates.get(int(rows[i]), ())),
                rung.model.threshold,
                float(cosines[i]),
            )
            for i in order
        ]

    def bm25_ranking(self, text: str, top: int = 5) -> list[FactCheck]:
        """BM25 alone over the same records (the baseline the fusion is measured against)."""
        candidates, _ = self.index.top(text, top)
        return [self.records[int(i)] for i in candidates]
