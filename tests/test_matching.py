"""The first rungs of the matching ladder: exact copies and near copies, found from an index."""

from __future__ import annotations

import random

import pytest

from narrascope.matching import CopyIndex
from narrascope.matching.copies import estimate_error, shingles

WORDS = [f"w{i}" for i in range(3000)]


def article(seed: int, n: int = 300) -> str:
    rng = random.Random(seed)
    sentences = [" ".join(rng.choice(WORDS) for _ in range(15)).capitalize() + "." for _ in range(n // 15)]
    return " ".join(sentences)


def test_exact_near_and_unrelated_copies() -> None:
    index = CopyIndex(threshold=0.7)
    original = article(1)
    assert index.add("a", original) == []
    assert index.add("b", article(2)) == []
    # the same text with other case and spacing: an exact copy of the first
    exact = index.add("c", "  " + original.upper().replace(". ", ".\n\n"))
    assert [(m.id, m.rung, m.similarity) for m in exact] == [("a", "exact", 1.0)]
    # a new first sentence and one sentence rewritten: a near copy of both a and c
    sentences = original.split(". ")
    sentences[0], sentences[7] = "Breaking news from the agency wire today", "An entirely new sentence here"
    near = index.add("d", ". ".join(sentences))
    assert {m.id for m in near} == {"a", "c"} and all(m.rung == "near-duplicate" for m in near)
    edited = shingles(". ".join(sentences))
    true = len(shingles(original) & edited) / len(shingles(original) | edited)
    assert all(abs(m.similarity - true) <= estimate_error() for m in near)
    # an unrelated text and a text sharing only a few sentences are not copies
    half = ". ".join(original.split(". ")[:3] + article(9).split(". ")[3:])
    assert index.query(article(3)) == [] and index.query(half) == []
    assert len(index) == 4


def test_short_and_empty_texts_and_repeated_ids() -> None:
    index = CopyIndex()
    assert index.add("x", "") == [] and index.add("y", "!!!") == []
    assert index.add("z", "Short note.") == []
    assert [(m.id, m.rung) for m in index.add("z2", "short   NOTE.")] == [("z", "exact")]  # not twice
    assert [(m.id, m.rung) for m in index.query("Short note, again.")] == []  # one shingle, another one
    with pytest.raises(ValueError):
        index.add("z", "anything")


def test_the_same_texts_give_the_same_matches_in_every_run() -> None:
    texts = [article(1), article(1).replace("W1", "x", 3), article(4)]

    def run() -> list[list[tuple[str, str, float]]]:
        index = CopyIndex()
        return [[(m.id, m.rung, m.similarity) for m in index.add(str(i), t)] for i, t in enumerate(texts)]

    first = run()
    assert first == run() and first[1] and first[1][0][0] == "0"
