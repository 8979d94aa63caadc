"""The first two rungs of the matching ladder: the same text, and a near copy of it.

An outlet that republishes an agency's copy, or another outlet's article with a new first line,
is the most common repetition in news. ``exact``: the texts are equal once case, accents and
whitespace are normalised (the normal form document ids hash). ``near-duplicate``: the texts
share most of their word 5-grams (each hashed from its words' CRC-32s, then ``PERMUTATIONS``
random affine permutations); candidates come from a MinHash LSH index (datasketch), never
from comparing all pairs, and each match carries the Jaccard similarity of the 5-gram sets as
estimated from the MinHash signatures (``PERMUTATIONS`` of them, so within about ±0.09 at
two standard errors) as its evidence.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from narrascope.matching.bands import BandTable, flatten, put, rows_of
from narrascope.model import normalise_for_id

__all__ = ["PERMUTATIONS", "SHINGLE", "CopyIndex", "Match", "estimate_error", "shingle_hashes", "shingles"]

PERMUTATIONS = 128
SHINGLE = 5
"""Words per shingle: 5-grams are rare enough that two independent texts seldom share many."""
SEED = 1
_WORD = re.compile(r"\w+")
_MIX = np.uint64(0x9E3779B97F4A7C15)
SHINGLE_HASH = "crc32-words-1"
"""How shingles are hashed; signatures made otherwise cannot be compared with these."""

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


def shingle_hashes(text: str, size: int = SHINGLE) -> np.ndarray:
    """32-bit hashes of the text's :func:`shingles`, computed from each word's CRC-32 (a word is
    hashed once, not once per shingle it is in: five times fewer calls than hashing shingles)."""
    words = _WORD.findall(text.casefold())
    if not words:
        return np.empty(0, dtype=np.uint32)
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    size = min(size, len(words))  # a shorter text is one shingle
    count = len(words) - size + 1
    mixed = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(size):  # a polynomial in the words' hashes: order counts
            mixed = mixed * _MIX + hashes[offset : offset + count]
    folded = (mixed ^ (mixed >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return np.unique(folded.astype(np.uint32))


def _digest(text: str) -> int:
    """The first 64 bits of the normalised text's SHA-256 (a collision would need 2^32 documents)."""
    digest = hashlib.sha256(normalise_for_id(text).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big")


class CopyIndex:
    """Exact and near-duplicate rungs over a growing set of documents (in memory).

    ``add`` returns a new document's matches among those added before it, then indexes it, so a
    stream of documents yields each repetition once, pointing back at what came first.

    The LSH is datasketch's (its MinHash, and its band and row counts for the threshold), kept
    compact so a million documents fit in about 1 GB: signatures as rows of a uint32 matrix
    (datasketch's hash values are 32-bit), each band as one 64-bit key in a
    :class:`~narrascope.matching.bands.BandTable` of row numbers. Keys that collide only add
    candidates, which the Jaccard check then drops.
    """

    def __init__(self, threshold: float = 0.7, permutations: int = PERMUTATIONS) -> None:
        from datasketch import MinHash
        from datasketch.lsh import _optimal_param

        self.threshold = threshold
        self.permutations = permutations
        # bands and rows weighted against missing a copy (0.8) over an extra candidate (0.2), which
        # the Jaccard check drops: at 0.7, 18 bands of 7 find a copy at 0.8 98.6% of the time
        # (equal weights, 14 of 9: 87%) for a third more band keys in memory
        self.bands, self.rows = _optimal_param(threshold, permutations, 0.2, 0.8)
        # one MinHash, cleared for each text: its permutations are drawn once
        self._minhash = MinHash(num_perm=permutations, seed=SEED, hashfunc=int)
        mix = np.random.default_rng(SEED).integers(1, 2**63, size=(self.bands, self.rows), dtype=np.uint64)
        self._mix = mix | np.uint64(1)  # odd multipliers: a band's values → one 64-bit key
        self._salt = np.arange(self.bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        self._signatures = np.zeros((1024, permutations), dtype=np.uint32)
        self._has_signature = np.zeros(1024, dtype=bool)
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._exact: dict[int, int | list[int]] = {}
        self._buckets = BandTable()

    def __len__(self) -> int:
        return len(self._ids)

    def _signature(self, text: str) -> np.ndarray | None:
        hashes = shingle_hashes(text)
        if not len(hashes):
            return None
        self._minhash.clear()
        self._minhash.update_batch(hashes.tolist())
        return np.asarray(self._minhash.hashvalues, dtype=np.uint32)

    def _band_keys(self, signature: np.ndarray) -> list[int]:
        values = signature[: self.bands * self.rows].reshape(self.bands, self.rows).astype(np.uint64)
        with np.errstate(over="ignore"):
            keys = (values * self._mix).sum(axis=1, dtype=np.uint64) ^ self._salt
        return [int(k) for k in keys.tolist()]

    def query(self, text: str) -> list[Match]:
        """The indexed documents *text* repeats, exact copies first, then by similarity."""
        signature = self._signature(text)
        return self._query(_digest(text), signature, [] if signature is None else self._band_keys(signature))

    def _query(self, digest: int, signature: np.ndarray | None, keys: list[int]) -> list[Match]:
        found = {self._ids[row]: Match(self._ids[row], "exact", 1.0) for row in rows_of(self._exact.get(digest))}
        if signature is not None:
            candidates = self._buckets.rows(keys)
            rows = np.fromiter(sorted(candidates), dtype=np.int64, count=len(candidates))
            rows = rows[self._has_signature[rows]]
            if len(rows):
                similarity = (self._signatures[rows] == signature).mean(axis=1)
                for row, value in zip(rows.tolist(), similarity.tolist(), strict=True):
                    other = self._ids[row]
                    if other not in found and value >= self.threshold:
                        found[other] = Match(other, "near-duplicate", round(float(value), 4))
        return sorted(found.values(), key=lambda m: (m.rung != "exact", -m.similarity, m.id))

    def add(self, document_id: str, text: str, query: bool = True) -> list[Match]:
        """Index a document; return what it repeats among the documents added before it (nothing
        when *query* is False: restoring an index whose matches were recorded before)."""
        if document_id in self._row:
            raise ValueError(f"document {document_id} is already in the index")
        digest, signature = _digest(text), self._signature(text)
        keys = [] if signature is None else self._band_keys(signature)
        matches = self._query(digest, signature, keys) if query else []
        row = len(self._ids)
        if row == len(self._signatures):
            self._signatures = np.concatenate([self._signatures, np.zeros_like(self._signatures)])
            self._has_signature = np.concatenate([self._has_signature, np.zeros_like(self._has_signature)])
        self._ids.append(document_id)
        self._row[document_id] = row
        put(self._exact, digest, row)
        if signature is not None:
            self._signatures[row] = signature
            self._has_signature[row] = True
            self._buckets.put(keys, row)
        return matches

    def arrays(self) -> dict[str, np.ndarray]:
        """The index's contents as arrays (what :meth:`from_arrays` rebuilds it from; the ids
        are :attr:`ids`)."""
        n = len(self._ids)
        exact, buckets = flatten(self._exact), self._buckets.arrays()
        return {
            "signatures": self._signatures[:n],
            "has_signature": self._has_signature[:n],
            "exact_keys": exact[0],
            "exact_rows": exact[1],
            "bucket_keys": buckets[0],
            "bucket_rows": buckets[1],
            "shingle_hash": np.array(SHINGLE_HASH),
        }

    @property
    def ids(self) -> list[str]:
        """The indexed documents, in the order they were added."""
        return self._ids

    @classmethod
    def from_arrays(
        cls, ids: list[str], arrays: dict[str, np.ndarray], threshold: float, permutations: int = PERMUTATIONS
    ) -> CopyIndex:
        """The index :meth:`arrays` was taken from (same settings, same answers)."""
        index = cls(threshold, permutations)
        if str(arrays.get("shingle_hash", "crc32-shingles")) != SHINGLE_HASH:
            raise ValueError("the copy index was made with another shingle hashing; rebuild it")
        if len(arrays["signatures"]) != len(ids) or arrays["signatures"].shape[1:] != (permutations,):
            raise ValueError("the copy index's signatures do not match its ids")
        index._signatures = np.array(arrays["signatures"], dtype=np.uint32)
        index._has_signature = np.array(arrays["has_signature"], dtype=bool)
        index._ids = list(ids)
        index._row = {document_id: row for row, document_id in enumerate(ids)}
        for key, row in zip(arrays["exact_keys"].tolist(), arrays["exact_rows"].tolist(), strict=True):
            put(index._exact, key, row)
        index._buckets = BandTable.from_arrays(arrays["bucket_keys"], arrays["bucket_rows"])
        return index


def estimate_error(permutations: int = PERMUTATIONS) -> float:
    """Two standard errors of a MinHash Jaccard estimate at similarity 0.5 (the widest)."""
    return float(2 * np.sqrt(0.25 / permutations))
