"""The first two rungs of the matching ladder: the same text, and a near copy of it.

An outlet that republishes an agency's copy, or another outlet's article with a new first line,
is the most common repetition in news. ``exact``: the texts are equal once case, accents and
whitespace are normalised (the normal form document ids hash). ``near-duplicate``: the texts
share most of their word 5-grams (hashed with CRC-32, then ``PERMUTATIONS`` random affine
permutations); candidates come from a MinHash LSH index (datasketch), never
from comparing all pairs, and each match carries the Jaccard similarity of the 5-gram sets as
estimated from the MinHash signatures (``PERMUTATIONS`` of them, so within about ±0.09 at
two standard errors) as its evidence.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from narrascope.model import normalise_for_id

__all__ = ["PERMUTATIONS", "SHINGLE", "CopyIndex", "Match", "estimate_error", "shingles"]

PERMUTATIONS = 128
SHINGLE = 5
"""Words per shingle: 5-grams are rare enough that two independent texts seldom share many."""
SEED = 1
_WORD = re.compile(r"\w+")

Rung = Literal["exact", "near-duplicate"]


@dataclass(frozen=True)
class Match:
    """An earlier document the text repeats, the rung that found it, and what was measured."""

    id: str
    rung: Rung
    similarity: float
    """1.0 for an exact copy; the estimated Jaccard similarity of the word 5-gram sets otherwise."""


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    """The text's overlapping word *size*-grams (casefolded); a shorter text is one shingle."""
    words = _WORD.findall(text.casefold())
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def _digest(text: str) -> str:
    return hashlib.sha256(normalise_for_id(text).encode("utf-8", "surrogatepass")).hexdigest()


class CopyIndex:
    """Exact and near-duplicate rungs over a growing set of documents (in memory).

    ``add`` returns a new document's matches among those added before it, then indexes it, so a
    stream of documents yields each repetition once, pointing back at what came first."""

    def __init__(self, threshold: float = 0.7, permutations: int = PERMUTATIONS) -> None:
        from datasketch import MinHash, MinHashLSH

        self.threshold = threshold
        self.permutations = permutations
        self._lsh = MinHashLSH(threshold=threshold, num_perm=permutations)
        template = MinHash(num_perm=permutations, seed=SEED)  # its permutations are drawn once, then reused
        self._permutations, self._scheme = template.permutations, template.scheme
        self._exact: dict[str, list[str]] = {}
        self._signatures: dict[str, Any] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def _signature(self, text: str) -> Any:
        from datasketch import MinHash

        grams = shingles(text)
        if not grams:
            return None
        signature = MinHash(
            num_perm=self.permutations,
            seed=SEED,
            hashfunc=zlib.crc32,
            permutations=self._permutations,
            scheme=self._scheme,
        )
        signature.update_batch(list(grams))
        return signature

    def query(self, text: str) -> list[Match]:
        """The indexed documents *text* repeats, exact copies first, then by similarity."""
        return self._query(_digest(text), self._signature(text))

    def _query(self, digest: str, signature: Any) -> list[Match]:
        found = {other: Match(other, "exact", 1.0) for other in self._exact.get(digest, [])}
        if signature is not None:
            for key in self._lsh.query(signature):
                other = str(key)
                if other in found:
                    continue
                similarity = float(signature.jaccard(self._signatures[other]))
                if similarity >= self.threshold:
                    found[other] = Match(other, "near-duplicate", round(similarity, 4))
        return sorted(found.values(), key=lambda m: (m.rung != "exact", -m.similarity, m.id))

    def add(self, document_id: str, text: str) -> list[Match]:
        """Index a document; return what it repeats among the documents added before it."""
        if document_id in self._signatures:
            raise ValueError(f"document {document_id} is already in the index")
        digest, signature = _digest(text), self._signature(text)
        matches = self._query(digest, signature)
        self._exact.setdefault(digest, []).append(document_id)
        self._signatures[document_id] = signature
        if signature is not None:
            self._lsh.insert(document_id, signature)
        return matches


def estimate_error(permutations: int = PERMUTATIONS) -> float:
    """Two standard errors of a MinHash Jaccard estimate at similarity 0.5 (the widest)."""
    return float(2 * np.sqrt(0.25 / permutations))
