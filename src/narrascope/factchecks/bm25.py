"""Okapi BM25 over short texts, as one sparse matrix: a query costs one pass over its terms' postings.

The index holds each (record, term) BM25 weight precomputed in a compressed sparse column matrix,
so scoring a query adds up the columns of its terms: proportional to how many records contain
them, not to the size of the collection. Terms are lower-cased Unicode words without English
stop words, with a light plural folding ("vaccines" = "vaccine"), which costs nothing at query time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from scipy import sparse

__all__ = ["BM25", "terms"]

WORD = re.compile(r"\w+", re.UNICODE)
URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def _fold(word: str) -> str:
    """Plural folding only (Harman's "S" stemmer): safe on names and numbers, and reversible enough
    that the matched terms shown as evidence still read as the words of the text."""
    if len(word) > 3 and word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """The index terms of *text*, in order (links dropped: they never repeat across texts)."""
    stop = _stop_words()
    return [_fold(w) for w in WORD.findall(URL.sub(" ", text.lower())) if w not in stop and len(w) > 1]


class BM25:
    """BM25 (``k1``, ``b``) over *docs*; :meth:`scores` gives every document's score for a query."""

    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for row, doc in enumerate(docs):
            for term in terms(doc):
                rows.append(row)
                cols.append(self.vocabulary.setdefault(term, len(self.vocabulary)))
        n = len(docs)
        shape = (n, max(len(self.vocabulary), 1))
        ones = np.ones(len(rows), dtype=np.float32)
        tf = sparse.csc_matrix((ones, (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))), shape)
        tf.sum_duplicates()
        lengths = np.bincount(np.asarray(rows, dtype=np.int64), minlength=n).astype(np.float32)
        average = float(lengths.mean()) if n and lengths.mean() > 0 else 1.0
        df = np.diff(tf.indptr).astype(np.float32)
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        col_of_entry = np.repeat(np.arange(shape[1]), np.diff(tf.indptr))
        norm = k1 * (1 - b + b * lengths[tf.indices] / average)
        tf.data = (idf[col_of_entry] * tf.data * (k1 + 1) / (tf.data + norm)).astype(np.float32)
        self.matrix = tf
        self.size = n

    def query_columns(self, query: str) -> list[int]:
        """The index columns of the distinct known terms of *query*."""
        return list(dict.fromkeys(c for t in terms(query) if (c := self.vocabulary.get(t)) is not None))

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """The BM25 score of every document for *query* (each distinct query term counted once)."""
        m = self.matrix
        spans = [(m.indptr[c], m.indptr[c + 1]) for c in self.query_columns(query)]
        if not spans:
            return np.zeros(self.size, dtype=np.float32)
        rows = np.concatenate([m.indices[a:b] for a, b in spans])
        weights = np.concatenate([m.data[a:b] for a, b in spans])
        return np.bincount(rows, weights, minlength=self.size).astype(np.float32)

    def top(
        self, query: str, k: int, scores: npt.NDArray[np.float32] | None = None
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """The (at most) *k* best-scoring documents with a score above zero, best first
        (*scores*: the query's :meth:`scores`, when already computed)."""
        scores = self.scores(query) if scores is None else scores
        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        chosen = np.argpartition(-scores, k - 1)[:k]
        chosen = chosen[scores[chosen] > 0]
        chosen = chosen[np.argsort(-scores[chosen], kind="stable")]
        return chosen.astype(np.int64), scores[chosen]
