"""The first two rungs of the matching ladder: the same text, and a near copy of it.

An outlet that republishes an agency's copy, or another outlet's article with a new first line,
is the most common repetition in news. ``exact``: the texts are equal once case, accents and
whitespace are normalised (the normal form document ids hash). ``near-duplicate``: the texts
share most of their word 5-grams (read from the same normal form, so an exact copy has the
signature of the text it repeats and is not read again; each 5-gram hashed from its words'
CRC-32s, then ``PERMUTATIONS`` random affine permutations); candidates come from a MinHash LSH
index (datasketch), never from comparing all pairs, and each match carries the Jaccard
similarity of the 5-gram sets as estimated from the MinHash signatures (``PERMUTATIONS`` of
them, so within about ±0.09 at two standard errors) as its evidence.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import numpy as np

from narrascope.matching.bands import BandTable, flatten, put, rows_of
from narrascope.matching.paraphrases import first_repeated
from narrascope.model import normalise_for_id

__all__ = [
    "PERMUTATIONS",
    "SHINGLE",
    "CopyIndex",
    "Match",
    "estimate_error",
    "shingle_hashes",
    "shingles",
    "text_shingle_hashes",
]

PERMUTATIONS = 128
SHINGLE = 5
"""Words per shingle: 5-grams are rare enough that two independent texts seldom share many."""
SEED = 1
_WORD = re.compile(r"\w+")
_MIX = np.uint64(0x9E3779B97F4A7C15)
CHUNK = 16384
"""Shingles whose permuted values are held at once (16,384 x 128 x 4 bytes: 8 MB)."""
SHINGLE_HASH = "crc32-normal-words-2"
"""How shingles are hashed (1 read the words of the casefolded text, 2 those of its normal form);
signatures made otherwise cannot be compared with these."""

Rung = Literal["exact", "near-duplicate"]


@dataclass(frozen=True)
class Match:
    """An earlier document the text repeats, the rung that found it, and what was measured."""

    id: str
    rung: Rung
    similarity: float
    """1.0 for an exact copy; the estimated Jaccard similarity of the word 5-gram sets otherwise."""


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    """The overlapping word *size*-grams of the text's normal form (:func:`normalise_for_id`:
    casefolded, accents composed); a shorter text is one shingle."""
    words = _WORD.findall(normalise_for_id(text))
    if len(words) <= size:
        return {" ".join(words).encode()} if words else set()
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def shingle_hashes(text: str, size: int = SHINGLE) -> np.ndarray:
    """32-bit hashes of the text's :func:`shingles`, computed from each word's CRC-32 (a word is
    hashed once, not once per shingle it is in: five times fewer calls than hashing shingles)."""
    words = _WORD.findall(normalise_for_id(text))
    if not words:
        return np.empty(0, dtype=np.uint32)
    hashes = np.fromiter(map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words))
    return np.unique(_mixed(hashes, min(size, len(words))))  # a shorter text is one shingle


def _mixed(hashes: np.ndarray, size: int) -> np.ndarray:
    """The 32-bit hash of every run of *size* consecutive word hashes (a polynomial in them: order
    counts)."""
    count = len(hashes) - size + 1
    mixed = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(size):
            mixed = mixed * _MIX + hashes[offset : offset + count]
    folded: np.ndarray = ((mixed ^ (mixed >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return folded


def text_shingle_hashes(texts: Sequence[str], size: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """Every text's :func:`shingle_hashes` at once, as (text number, hash) pairs by text number,
    each text's in the order of its shingles with repeats kept (a least value over them needs no
    more, and sorting them all would cost more than the rest): the same hashes once made
    distinct, with numpy's per-call cost paid once for all the texts, not once per text."""
    return _normal_shingle_hashes([normalise_for_id(text) for text in texts], size)


def _normal_shingle_hashes(normal: Sequence[str], size: int = SHINGLE) -> tuple[np.ndarray, np.ndarray]:
    """:func:`text_shingle_hashes` of texts already in their normal form."""
    words = [_WORD.findall(text) for text in normal]
    counts = np.array([len(w) for w in words], dtype=np.int64)
    encoded = map(str.encode, itertools.chain.from_iterable(words))
    flat = np.fromiter(map(zlib.crc32, encoded), dtype=np.uint64, count=int(counts.sum()))
    starts = np.cumsum(counts) - counts
    long = np.flatnonzero(counts >= size)
    runs = counts[long] - size + 1  # shingles of each long text; those spanning two texts are not read
    at = np.arange(int(runs.sum())) + np.repeat(starts[long] - (np.cumsum(runs) - runs), runs)
    mixed = _mixed(np.concatenate([flat, np.zeros(size - 1, dtype=np.uint64)]), size)
    numbers, hashes = [np.repeat(long, runs)], [mixed[at]]
    for number in np.flatnonzero((counts < size) & (counts > 0)).tolist():  # a shorter text is one shingle
        words_of = flat[starts[number] : starts[number] + counts[number]]
        numbers.append(np.array([number], dtype=np.int64))
        hashes.append(_mixed(words_of, len(words_of)))
    of, values = np.concatenate(numbers).astype(np.int64), np.concatenate(hashes).astype(np.uint32)
    order = np.argsort(of, kind="stable") if len(numbers) > 1 else slice(None)  # short texts come last
    return of[order], values[order]


def _fmix32(hashes: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before its permutations."""
    h = hashes.astype(np.uint32)
    with np.errstate(over="ignore"):
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x85EBCA6B)
        h ^= h >> np.uint32(13)
        h *= np.uint32(0xC2B2AE35)
        h ^= h >> np.uint32(16)
    return h


def _digest(normal: str) -> int:
    """The first 64 bits of a normal form's SHA-256 (a collision would need 2^32 documents)."""
    return int.from_bytes(hashlib.sha256(normal.encode("utf-8", "surrogatepass")).digest()[:8], "big")


class _Read(NamedTuple):
    """What :meth:`CopyIndex._read` makes of a batch of texts."""

    digests: list[int]
    signatures: np.ndarray
    has: np.ndarray
    """Whether each text has a signature (a text without words has none)."""
    keys: np.ndarray
    """Band keys, a row per text."""


def _earlier_sharing(keys: np.ndarray, has: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(text, earlier text) of a batch's texts with signatures sharing a band key, each pair once,
    by text then earlier text: the batch looked up in a band table of its own."""
    texts = np.flatnonzero(has)
    batch = BandTable()
    batch.put(keys[texts], texts)
    which, found = batch.find(keys[texts])
    later = texts[which]
    earlier = found < later
    return later[earlier], found[earlier]


class CopyIndex:
    """Exact and near-duplicate rungs over a growing set of documents (in memory).

    ``add`` returns a new document's matches among those added before it, then indexes it, so a
    stream of documents yields each repetition once, pointing back at what came first.

    The LSH is datasketch's (its MinHash, and its band and row counts for the threshold; the
    signatures of a batch are computed together with its permutations, numpy's per-call cost
    paid once per batch: the same values as its own ``MinHash``, a tenth less time per document
    in ``bench corpus``), kept compact so a million documents fit in about 1 GB: signatures as
    rows of a uint32 matrix (datasketch's hash values are 32-bit), each band as one 64-bit key in a
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
        # datasketch's permutations (affine32 scheme), applied to many texts at once in _minhashes
        self._permutations = np.asarray(MinHash(num_perm=permutations, seed=SEED, hashfunc=int).permutations)
        if self._permutations.dtype != np.uint32:
            raise RuntimeError("datasketch's MinHash is not of the 32-bit affine scheme this index reads")
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

    def _minhashes(self, normal: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's MinHash signature (rows) and whether it has one (a text without words has
        none), from the texts' normal forms: datasketch's, computed for all the texts at once.
        Each shingle hash goes through MurmurHash3's 32-bit finaliser, then every permutation
        h -> a*h + b (mod 2^32); a text's value per permutation is the least over its shingles
        (tested against datasketch's own)."""
        numbers, hashes = _normal_shingle_hashes(normal)
        signatures = np.full((len(normal), self.permutations), np.uint32(0xFFFFFFFF), dtype=np.uint32)
        a, b = self._permutations
        mixed = _fmix32(hashes)
        for first in range(0, len(hashes), CHUNK):  # bounded memory, whatever the texts' length
            part, of = mixed[first : first + CHUNK], numbers[first : first + CHUNK]
            starts = np.flatnonzero(np.r_[True, of[1:] != of[:-1]])
            with np.errstate(over="ignore"):
                values = part[:, None] * a + b
            np.minimum.at(signatures, of[starts], np.minimum.reduceat(values, starts, axis=0))
        has = np.zeros(len(normal), dtype=bool)
        has[numbers] = True
        return signatures, has

    def _band_keys(self, signatures: np.ndarray) -> np.ndarray:
        """The LSH band keys of signatures (one row of :attr:`bands` keys per signature)."""
        values = signatures[:, : self.bands * self.rows].reshape(len(signatures), self.bands, self.rows)
        with np.errstate(over="ignore"):
            keys: np.ndarray = (values.astype(np.uint64) * self._mix).sum(axis=2, dtype=np.uint64) ^ self._salt
        return keys

    def _read(self, texts: Sequence[str]) -> _Read:
        """The texts' exact digests, MinHash signatures and band keys: what a query looks up and
        an insertion stores, for all the texts at once. A text whose normal form was read before
        (an exact copy) takes that one's signature, it is not read again."""
        normal = [normalise_for_id(text) for text in texts]
        digests = [_digest(n) for n in normal]
        rows = np.full(len(texts), -1, dtype=np.int64)  # the row holding the text's digest, if one does
        first: dict[int, int] = {}  # digest of a text to read → its number among those read
        unread: list[str] = []
        for number, digest in enumerate(digests):
            if (entry := self._exact.get(digest)) is not None:
                rows[number] = entry if isinstance(entry, int) else entry[0]
            elif digest not in first:
                first[digest] = len(unread)
                unread.append(normal[number])
        read, read_has = self._minhashes(unread)
        signatures = np.empty((len(texts), self.permutations), dtype=np.uint32)
        has = np.empty(len(texts), dtype=bool)
        held = np.flatnonzero(rows >= 0)
        signatures[held], has[held] = self._signatures[rows[held]], self._has_signature[rows[held]]
        new = np.flatnonzero(rows < 0)
        at = np.fromiter((first[digests[n]] for n in new.tolist()), dtype=np.int64, count=len(new))
        signatures[new], has[new] = read[at], read_has[at]
        return _Read(digests, signatures, has, self._band_keys(signatures))

    def query(self, text: str) -> list[Match]:
        """The indexed documents *text* repeats, exact copies first, then by similarity."""
        read = self._read([text])
        return self._matches(rows_of(self._exact.get(read.digests[0])), self._near(read)[0])

    def add(self, document_id: str, text: str, query: bool = True) -> list[Match]:
        """Index a document; return what it repeats among the documents added before it (nothing
        when *query* is False: restoring an index whose matches were recorded before)."""
        return self.add_many([document_id], [text], query)[0]

    def add_many(self, document_ids: Sequence[str], texts: Sequence[str], query: bool = True) -> list[list[Match]]:
        """Index the documents in order, each as :meth:`add` would after the ones before it (the
        signatures are computed, and the band table read and written, for all of them at once)."""
        ids = list(document_ids)
        if (repeated := first_repeated(ids, self._row)) is not None:
            raise ValueError(f"document {repeated} is already in the index")
        read = self._read(texts)
        near = self._near(read) if query else [[] for _ in ids]
        first = len(self._ids)
        found = []
        for row, (document_id, digest, similar) in enumerate(zip(ids, read.digests, near, strict=True), first):
            found.append(self._matches(rows_of(self._exact.get(digest)), similar) if query else [])
            self._ids.append(document_id)
            self._row[document_id] = row
            put(self._exact, digest, row)
        self._store(first, read)
        return found

    def _near(self, read: _Read) -> list[list[tuple[int, float]]]:
        """For each text, the rows it is a near copy of (estimated Jaccard at or above the
        threshold): those indexed before, and those of the earlier texts of the same batch (the
        rows that follow the index's), as if the texts came one at a time."""
        first = len(self._ids)
        which, rows = self._buckets.find(read.keys[read.has])
        which = np.flatnonzero(read.has)[which]
        earlier = _earlier_sharing(read.keys, read.has)  # (text, earlier text) pairs of the batch
        which, rows = np.r_[which, earlier[0]], np.r_[rows, first + earlier[1]]
        others = np.empty((len(rows), self.permutations), dtype=np.uint32)
        indexed = rows < first
        others[indexed], others[~indexed] = self._signatures[rows[indexed]], read.signatures[rows[~indexed] - first]
        similarity = (others == read.signatures[which]).mean(axis=1)
        near: list[list[tuple[int, float]]] = [[] for _ in read.digests]
        keep = similarity >= self.threshold
        for text, row, value in zip(which[keep].tolist(), rows[keep].tolist(), similarity[keep].tolist(), strict=True):
            near[text].append((row, value))
        return near

    def _matches(self, exact: list[int], near: list[tuple[int, float]]) -> list[Match]:
        """The matches of a text: its exact copies' rows, then its near copies' (row, similarity)."""
        found = {self._ids[row]: Match(self._ids[row], "exact", 1.0) for row in exact}
        for row, value in near:
            if (other := self._ids[row]) not in found:
                found[other] = Match(other, "near-duplicate", round(value, 4))
        return sorted(found.values(), key=lambda m: (m.rung != "exact", -m.similarity, m.id))

    def _store(self, first: int, read: _Read) -> None:
        """Keep the signatures of the texts put at rows *first* on, and their band keys."""
        end = first + len(read.has)
        if end > len(self._signatures):  # room doubles: growing costs a copy now and then
            signatures = np.zeros((max(end, 2 * len(self._signatures)), self.permutations), dtype=np.uint32)
            has = np.zeros(len(signatures), dtype=bool)
            signatures[:first], has[:first] = self._signatures[:first], self._has_signature[:first]
            self._signatures, self._has_signature = signatures, has
        self._signatures[first:end], self._has_signature[first:end] = read.signatures, read.has
        self._buckets.put(read.keys[read.has], first + np.flatnonzero(read.has))

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
