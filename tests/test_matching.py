"""The first rungs of the matching ladder: exact copies and near copies, found from an index."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

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
    assert [(m.id, m.rung) for m in index.add("z3", "SHORT NOTE.")] == [("z", "exact"), ("z2", "exact")]
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


def test_paraphrases_come_from_a_persisted_index(tmp_path: Path) -> None:
    from narrascope.encoder import load_encoder
    from narrascope.matching.paraphrases import ParaphraseIndex
    from narrascope.store.store import StoreError

    texts = [
        "The minister resigned on Monday after the scandal.",
        "Heavy rain flooded the valley towns overnight.",
        "On Monday the minister stepped down following the scandal.",
        "The central bank raised interest rates by half a point.",
    ]
    vectors = load_encoder().encode(texts)
    index = ParaphraseIndex(threshold=0.7)
    found = index.add_many([f"d{i}" for i in range(4)], vectors)
    assert [[p.id for p in f] for f in found] == [[], [], ["d0"], []]
    assert abs(found[2][0].similarity - float(vectors[0] @ vectors[2])) < 0.005  # measured on the stored vectors
    path = tmp_path / "index" / "paraphrases.usearch"
    index.save(path)
    reopened = ParaphraseIndex.open(path)
    assert len(reopened) == 4 and reopened.query(vectors[2]) == index.query(vectors[2])
    with pytest.raises(ValueError):
        reopened.add("d1", vectors[1])
    path.write_bytes(b"not an index")
    with pytest.raises(StoreError):
        ParaphraseIndex.open(path)
    meta = path.with_name(path.name + ".json")
    meta.write_text(meta.read_text().replace("all-MiniLM", "other-encoder"))
    with pytest.raises(StoreError, match="encoder"):
        ParaphraseIndex.open(path)


def test_an_index_made_before_the_encoder_loads_does_not_crash_the_process() -> None:
    """onnxruntime imported after usearch segfaults; the index imports them in the safe order."""
    code = (
        "from narrascope.matching.paraphrases import ParaphraseIndex; ParaphraseIndex(); "
        "import onnxruntime; print('alive')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "alive", done.stderr[-500:]
