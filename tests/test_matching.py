"""The first rungs of the matching ladder: exact copies and near copies, found from an index."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from narrascope.matching import CopyIndex
from narrascope.matching.copies import Match, estimate_error, shingles

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


def test_the_exact_rungs_normal_form_folds_whitespace_as_a_regex_would() -> None:
    """Document ids and exact copies hash this form: it must not change for stored documents."""
    import re
    import unicodedata

    from narrascope.model import normalise_for_id

    spaces = [c for c in map(chr, range(0x3000 + 1)) if c.isspace()] + ["\u205f", "\ufeff"]
    pool = [*spaces, "a", "É", "e\u0301", "ß", "Ǆ", "x"]
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        expected = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()
        assert normalise_for_id(text) == expected
    assert normalise_for_id(" \u00a0Énergie\u2028\tTALKS\x1c ") == "énergie talks"


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


def test_shingle_hashes_count_each_shingle_once_and_keep_word_order() -> None:
    from narrascope.matching.copies import shingle_hashes

    text = article(5)
    assert len(shingle_hashes(text)) == len(shingles(text))  # one hash per distinct 5-gram
    assert set(shingle_hashes(text.upper()).tolist()) == set(shingle_hashes(text).tolist())
    assert shingle_hashes("a b c d e f").tolist() != shingle_hashes("b a c d e f").tolist()
    assert len(shingle_hashes("three short words")) == 1 and len(shingle_hashes(" .. ")) == 0
    # read from the exact rung's normal form: an accent typed as a combining mark is the same word
    assert (
        shingle_hashes("Cafe\u0301 au lait, s'il vous plaît").tolist()
        == shingle_hashes("café au lait, s'il vous plaît").tolist()
    )


def test_signatures_are_datasketchs_and_a_batch_matches_as_one_by_one() -> None:
    """The copy index computes MinHash signatures for many texts at once; each must be the one
    datasketch's own MinHash gives (same seed and permutations), whatever else is in the batch,
    and a batch must find what adding its texts one by one finds."""
    from datasketch import MinHash

    from narrascope.matching.copies import PERMUTATIONS, SEED, shingle_hashes, text_shingle_hashes
    from narrascope.model import normalise_for_id

    texts = [article(i) for i in range(6)] + ["", " .. ", "two words", "Привет, мир: as-is «quoted» text here"]
    texts += [article(2).upper(), " ".join(f"w{i}" for i in range(20_000))]  # a copy; more shingles than a chunk
    numbers, hashes = text_shingle_hashes(texts)
    index = CopyIndex()
    signatures, has = index._minhashes([normalise_for_id(text) for text in texts])
    assert np.all(np.diff(numbers) >= 0)  # by text, short texts included
    for number, text in enumerate(texts):
        assert np.array_equal(np.unique(hashes[numbers == number]), shingle_hashes(text))
        reference = MinHash(num_perm=PERMUTATIONS, seed=SEED, hashfunc=int)
        reference.update_batch(shingle_hashes(text).tolist())
        assert has[number] == bool(len(shingle_hashes(text)))
        if has[number]:
            assert np.array_equal(signatures[number], reference.hashvalues), number
    one_by_one = CopyIndex()
    ids = [str(i) for i in range(len(texts))]
    single = [one_by_one.add(i, t) for i, t in zip(ids, texts, strict=True)]
    assert index.add_many(ids, texts) == single and single[10] == [Match("2", "exact", 1.0)]
    # an exact copy takes the signature of the text it repeats (read before, or earlier in the batch)
    for copied in (one_by_one, index):
        assert np.array_equal(copied._signatures[: len(texts)][has], signatures[has])
        assert np.array_equal(copied._has_signature[: len(texts)], has)
    with pytest.raises(ValueError, match="already in the index"):
        index.add_many(["new", "0"], ["x", "y"])
    assert len(index) == len(texts)  # nothing half-added


def test_batches_of_any_size_find_what_one_text_at_a_time_finds() -> None:
    """Near and exact copies of texts earlier in the same batch, or in an earlier one, are found
    alike: the batch reads the band table once and pairs its own texts itself."""
    rng = random.Random(11)
    texts: list[str] = []
    for n in range(120):
        if texts and rng.random() < 0.6:  # a copy of an earlier text, exact or with a few words changed
            words = rng.choice(texts).split()
            for _ in range(rng.choice([0, 2, 5])):
                words[rng.randrange(len(words))] = rng.choice(WORDS)
            texts.append(" ".join(words))
        else:
            texts.append(article(100 + n, 60))
    ids = [f"d{n}" for n in range(len(texts))]
    one_by_one = CopyIndex()
    expected = [one_by_one.add(i, t) for i, t in zip(ids, texts, strict=True)]
    assert sum(m.rung == "near-duplicate" for f in expected for m in f) > 20 and any(f for f in expected[:10])
    batched, found, start = CopyIndex(), [], 0
    while start < len(texts):
        end = start + rng.randint(1, 30)
        found += batched.add_many(ids[start:end], texts[start:end])
        start = end
    assert found == expected
    assert all(
        np.array_equal(a, b) for a, b in zip(batched.arrays().values(), one_by_one.arrays().values(), strict=True)
    )


def test_a_copy_index_saved_with_another_shingle_hashing_is_refused() -> None:
    index = CopyIndex()
    for i in range(3):
        index.add(str(i), article(i))
    arrays = index.arrays()
    assert [m.id for m in CopyIndex.from_arrays(index.ids, arrays, 0.7).query(article(1))] == ["1"]
    older = {k: v for k, v in arrays.items() if k != "shingle_hash"}
    with pytest.raises(ValueError, match="shingle hashing"):
        CopyIndex.from_arrays(index.ids, older, 0.7)


def unit_vectors(n: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((n, 384)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_buffered_and_indexed_vectors_are_found_alike(tmp_path: Path) -> None:
    """Whether an earlier vector waits in the buffer, went into the graph, or came earlier in the
    same call, a later document finds it, with the cosine of the stored vectors."""
    from narrascope.matching import paraphrases
    from narrascope.matching.paraphrases import ParaphraseIndex

    bases = unit_vectors(300, seed=1)
    later = bases + 0.3 * unit_vectors(300, seed=2)  # each a paraphrase of its base (cosine ≈ 0.96)
    index = ParaphraseIndex(threshold=0.9)
    index.add_many([f"b{i}" for i in range(200)], bases[:200])
    index.add_many([f"b{i}" for i in range(200, 300)], bases[200:])  # the first BUFFER go into the graph
    assert len(index._graph) == paraphrases.BUFFER == 256 and len(index._buffer) == 44
    found = index.add_many([f"p{i}" for i in range(300)], later)
    assert [[p.id for p in f] for f in found] == [[f"b{i}"] for i in range(300)]
    halves, queries = (v.astype(np.float16).astype(np.float64) for v in (bases, later))
    expected = np.sum(halves * queries, axis=1) / (np.linalg.norm(halves, axis=1) * np.linalg.norm(queries, axis=1))
    # measured on the stored vectors, not on the graph's coarser copy: exact to the rounding
    assert np.allclose([f[0].similarity for f in found], expected, atol=0.00006)
    # within one call: the second of a pair finds the first
    fresh = unit_vectors(2, seed=3)
    pair = index.add_many(["x", "y"], np.stack([fresh[0], fresh[0] + 0.05 * fresh[1]]))
    assert pair[0] == [] and [p.id for p in pair[1]] == ["x"]


def test_a_repeated_vector_shares_its_entry(tmp_path: Path) -> None:
    from narrascope.matching.paraphrases import ParaphraseIndex

    vectors = unit_vectors(3, seed=4)
    index = ParaphraseIndex(threshold=0.9)
    found = index.add_many(["a", "b", "copy-of-a", "c"], np.stack([vectors[0], vectors[1], vectors[0], vectors[2]]))
    assert [p.id for p in found[2]] == ["a"] and found[2][0].similarity == 1.0
    assert index.entry("copy-of-a") == index.entry("a") == 0 and index.entry("c") == 3
    assert len(index.index) == 3 and len(index) == 4  # the graph holds three vectors for four documents
    assert np.allclose(index.vectors(["copy-of-a", "c"]), np.stack([vectors[0], vectors[2]]), atol=0.001)
    # a later paraphrase of a finds a once, not a and its copy
    assert [p.id for p in index.query(vectors[0] + 0.01 * vectors[1])] == ["a"]
    path = tmp_path / "p.usearch"
    index.save(path)
    reopened = ParaphraseIndex.open(path)
    assert reopened.entry("copy-of-a") == 0 and len(reopened) == 4
    assert [p.id for p in reopened.add("again", vectors[0])] == ["a"] and reopened.entry("again") == 0


def test_a_near_identical_vector_shares_the_entry_of_its_match(tmp_path: Path) -> None:
    """A vector at SAME or closer to its nearest match takes no entry of its own (the match stands
    for it); one a little further does; a replay without queries decides the same."""
    from narrascope.matching import paraphrases
    from narrascope.matching.paraphrases import ParaphraseIndex

    bases = unit_vectors(300, seed=7)

    def at(cosine: float, seed: int) -> np.ndarray:  # vectors at about this cosine to their base
        return cosine * bases + np.sqrt(1 - cosine**2) * unit_vectors(300, seed)

    ids = [f"b{i}" for i in range(300)] + [f"n{i}" for i in range(300)] + [f"f{i}" for i in range(300)]
    vectors = np.concatenate([bases, at(paraphrases.SAME + 0.005, 8), at(paraphrases.SAME - 0.01, 9)])
    index = ParaphraseIndex(threshold=0.9)
    found = index.add_many(ids, vectors)
    assert [[p.id for p in f] for f in found[300:600]] == [[f"b{i}"] for i in range(300)]
    assert [index.entry(f"n{i}") for i in range(300)] == list(range(300))  # buffered or in the graph
    assert [index.entry(f"f{i}") for i in range(300)] == list(range(600, 900))
    assert len(index.index) == 600 and len(index) == 900
    # a later text close to a near copy finds the document standing for it
    assert [p.id for p in index.query(at(paraphrases.SAME + 0.005, 8)[5])][:1] == ["b5"]
    assert not any(p.id.startswith("n") for p in index.query(at(0.95, 10)[5]))
    replayed = ParaphraseIndex(threshold=0.9)
    for document_id, vector in zip(ids, vectors, strict=True):
        replayed.add(document_id, vector, query=False)
    assert [replayed.entry(i) for i in ids] == [index.entry(i) for i in ids]
    path = tmp_path / "p.usearch"
    index.save(path)
    reopened = ParaphraseIndex.open(path)
    assert [reopened.entry(i) for i in ids] == [index.entry(i) for i in ids] and len(reopened.index) == 600


def test_an_index_saved_in_the_older_format_is_refused(tmp_path: Path) -> None:
    import json

    from narrascope.matching.paraphrases import ParaphraseIndex
    from narrascope.store.store import StoreError

    index = ParaphraseIndex()
    index.add_many(["a", "b"], unit_vectors(2, seed=6))
    path = tmp_path / "p.usearch"
    index.save(path)
    assert len(ParaphraseIndex.open(path)) == 2
    meta = path.with_name("p.usearch.json")
    older = {k: v for k, v in json.loads(meta.read_text()).items() if k != "format"}
    meta.write_text(json.dumps(older))
    with pytest.raises(StoreError, match="older format; rebuild it"):
        ParaphraseIndex.open(path)


def test_a_copy_is_kept_aside_and_measured_on_its_own_vector(tmp_path: Path) -> None:
    from narrascope.matching.paraphrases import ParaphraseIndex

    vectors = unit_vectors(3, seed=5)
    copy = vectors[0] + 0.05 * vectors[1]  # a near copy encodes a little differently
    index = ParaphraseIndex(threshold=0.9)
    index.add_many(["a", "copy", "b"], np.stack([vectors[0], copy, vectors[2]]), keep=[True, False, True])
    assert index.entry("copy") is None and len(index.index) == 2 and len(index) == 3
    expected = copy / np.linalg.norm(copy)
    assert np.allclose(index.vectors(["b", "copy", "a"]), np.stack([vectors[2], expected, vectors[0]]), atol=0.001)
    # a later text close to the copy finds the text it copies, measured on that text's vector
    found = index.query(copy)
    assert [p.id for p in found] == ["a"]
    assert found[0].similarity == pytest.approx(float(vectors[0] @ expected), abs=0.002)
    path = tmp_path / "p.usearch"
    index.save(path)
    reopened = ParaphraseIndex.open(path)
    assert reopened.entry("copy") is None and len(reopened) == 3
    assert np.allclose(reopened.vectors(["copy"]), expected[None], atol=0.001)
    assert [p.id for p in reopened.add("later", copy)] == ["a"]
