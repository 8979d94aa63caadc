"""Claim clusters over the matching ladder: stable ids, evidence, and `narrascope eval clustering`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from narrascope.encoder import DIM
from narrascope.evaluation.clustering import pairwise, score_clusters
from narrascope.matching.clusters import Clusters

CLI = [sys.executable, "-m", "narrascope.cli"]


def unit(*parts: tuple[int, float]) -> np.ndarray:
    vector = np.zeros(DIM, dtype=np.float32)
    for axis, weight in parts:
        vector[axis] = weight
    return vector / np.linalg.norm(vector)


def test_texts_join_the_cluster_they_repeat_and_ids_never_move() -> None:
    clusters = Clusters(prefix="C", threshold=0.8, centroid_threshold=0.7)
    first = clusters.add("a", "NATO plans a base in Kazakhstan", unit((0, 1.0)))
    assert first.opened and first.cluster == "C1" and first.match is None
    other = clusters.add("b", "Ferries ran late on Sunday", unit((1, 1.0)))
    assert other.opened and other.cluster == "C2"
    # a paraphrase of a: joins C1 with the evidence of what it matched and how closely
    again = clusters.add("c", "The alliance wants a Kazakh base", unit((0, 1.0), (2, 0.4)))
    assert (again.cluster, again.opened, again.match, again.rung) == ("C1", False, "a", "paraphrase")
    assert again.similarity == pytest.approx(0.928, abs=0.002) and again.centroid == pytest.approx(0.928, abs=0.002)
    # an exact copy of b (other case and spacing) joins C2 whatever its vector says
    copy = clusters.add("d", "ferries  ran late on SUNDAY", unit((5, 1.0)))
    assert (copy.cluster, copy.rung, copy.similarity) == ("C2", "exact", 1.0)
    assert clusters.cluster_of == {"a": "C1", "b": "C2", "c": "C1", "d": "C2"}
    assert clusters.members == {"C1": ["a", "c"], "C2": ["b", "d"]}
    with pytest.raises(ValueError):
        clusters.add("a", "again", unit((0, 1.0)))


def test_a_chain_of_small_steps_does_not_drag_a_cluster_away() -> None:
    clusters = Clusters(threshold=0.8, centroid_threshold=0.9)
    angles = np.radians([0, 25, 50, 75])  # each 25° from the last (cos 0.91), far from the first
    found = [clusters.add(f"t{i}", f"text {i}", unit((0, np.cos(a)), (1, np.sin(a)))) for i, a in enumerate(angles)]
    assert [f.cluster for f in found] == ["K1", "K1", "K2", "K2"]
    chained = Clusters(threshold=0.8, centroid_threshold=-1.0)  # nearest neighbour alone chains them all
    assert {chained.add(f"t{i}", "", unit((0, np.cos(a)), (1, np.sin(a)))).cluster for i, a in enumerate(angles)} == {
        "K1"
    }


def test_pairwise_scores_count_pairs() -> None:
    # gold: {1,2,3} {4,5}; predicted: {1,2} {3,4,5}: pairs together 1-2, 4-5 right, 3-4, 3-5 wrong
    predicted, gold = ["a", "a", "b", "b", "b"], ["x", "x", "x", "y", "y"]
    scores = pairwise(predicted, gold)
    assert scores["pairwise.precision"] == pytest.approx(2 / 4) and scores["pairwise.recall"] == pytest.approx(2 / 4)
    perfect = score_clusters(gold, gold)
    assert perfect["pairwise.f1"] == perfect["ari"] == perfect["v_measure"] == 1.0 and perfect["clusters"] == 2


def write_claims(path: Path) -> Path:
    groups = {
        "base": [
            "NATO will build a military base in Kazakhstan.",
            "NATO is going to build a military base in Kazakhstan.",
        ],
        "flu": ["The flu vaccine contains microchips.", "Flu vaccines contain microchips, they say."],
        "ferry": ["Ferries ran late on Sunday because of the storm."],
    }
    rows = [
        {"id": f"{label}-{i}", "text": t, "label": label, "day": f"2024-01-0{i + 1}"}
        for label, texts in groups.items()
        for i, t in enumerate(texts)
    ]
    rows.append({"id": "extra", "text": "An unlabelled text about tides.", "label": "", "day": "2024-01-05"})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_eval_clustering_command(tmp_path: Path) -> None:
    data = write_claims(tmp_path / "claims.jsonl")
    columns = ["--text-col", "text", "--label-col", "label", "--id-col", "id", "--date-col", "day"]
    done = subprocess.run([*CLI, "eval", "clustering", "--data", str(data), *columns, "--json"],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("pairwise.precision", "pairwise.recall", "pairwise.f1", "ari", "v_measure", "clusters"):
        assert key in metrics
    assert metrics["n"] == 5 and metrics["pairwise.f1"] == 1.0 and metrics["clusters"] == 3
    assert "claim clusters" in done.stderr


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("", [], "no rows"),
        ('{"text": "a", "label": "x"}\n{"text": "b", "lab', [], "line 2: not valid JSON"),
        ('{"text": "a", "label": "x"}\n', ["--date-col", "when"], "no column 'when'"),
        (b"\x00\x01\xff".decode("latin-1"), [], "not UTF-8"),
    ],
)
def test_eval_clustering_bad_input_is_one_line(tmp_path: Path, content: str, args: list[str], message: str) -> None:
    data = tmp_path / "claims.jsonl"
    data.write_bytes(content.encode("latin-1") if content.startswith("\x00") else content.encode("utf-8"))
    done = subprocess.run([*CLI, "eval", "clustering", "--data", str(data), "--text-col", "text", "--label-col",
                           "label", *args], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("narrascope: error:") and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_bench_corpus_times_real_clustering() -> None:
    from narrascope.matching.bench import bench_corpus, synthetic_corpus

    corpus = synthetic_corpus(300, seed=1)
    documents = list(corpus.documents(chunk=64))
    assert len(documents) == len(corpus) == 300 and all(v.shape == (DIM,) for _, v in documents)
    again = list(corpus.documents(chunk=64))  # the same texts and vectors each time it is read
    assert [t for t, _ in documents] == [t for t, _ in again]
    assert all(np.array_equal(v, w) for (_, v), (_, w) in zip(documents, again, strict=True))
    assert (np.diff(corpus.times) >= 0).all()  # documents arrive in time order
    result = bench_corpus(300, seed=1)
    assert result["assignment.ms_per_doc"] > 0 and result["peak_memory_mb"] > 0
    assert result["planted.pairwise_precision"] > 0.95 and result["planted.pairwise_recall"] > 0.95
    assert result["clusters"] >= result["planted_stories"] > 1 and result["coordination.seconds"] > 0
    done = subprocess.run([*CLI, "bench", "corpus", "--docs", "1"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "at least 2" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([*CLI, "bench", "corpus", "--days", "0"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--days" in done.stderr and "Traceback" not in done.stderr


def test_a_shorter_period_packs_the_same_stories_denser() -> None:
    """``--days``: the same stories and outlets, their start times squeezed into fewer days, so a
    window holds more documents (what a comparison of every pair within a window pays for)."""
    from narrascope.matching.bench import synthetic_corpus

    month, three = synthetic_corpus(2000, seed=4), synthetic_corpus(2000, seed=4, days=3)
    assert sorted(month.stories.tolist()) == sorted(three.stories.tolist())
    assert sorted(month.outlets.tolist()) == sorted(three.outlets.tolist())

    def pairs_within_an_hour(times: np.ndarray) -> int:
        return int((np.searchsorted(times, times + 3600.0, side="right") - np.arange(1, len(times) + 1)).sum())

    assert pairs_within_an_hour(three.times) > 4 * pairs_within_an_hour(month.times)
    assert three.times.max() - three.times.min() < month.times.max() - month.times.min()


def test_copies_stay_out_of_the_graph_and_a_restored_store_places_as_the_first_run() -> None:
    """A text the copy rungs found is not put in the paraphrase graph (what it copies stands for it);
    restoring the stored assignments puts the same texts aside, so new texts land as they would have."""
    from narrascope.matching.bench import synthetic_corpus

    corpus = synthetic_corpus(1200, seed=11, days=1)
    texts, vectors = zip(*corpus.documents(), strict=True)
    ids = [str(i) for i in range(len(texts))]
    first = Clusters(prefix="S", threshold=0.8, centroid_threshold=0.7)
    placed = first.add_many(ids[:1000], texts[:1000], np.stack(vectors[:1000]))
    copies = [a.item for a in placed if a.rung in ("exact", "near-duplicate")]
    assert copies and all(first.paraphrases.entry(i) is None for i in copies)
    assert len(first.paraphrases.index) <= 1000 - len(copies)
    assert np.allclose(first.paraphrases.vectors(copies), np.stack([vectors[int(i)] for i in copies]), atol=0.001)
    restored = Clusters(prefix="S", threshold=0.8, centroid_threshold=0.7)
    for a, text, vector in zip(placed, texts[:1000], vectors[:1000], strict=True):
        restored.restore(a.item, text, vector, a.cluster, a.rung)
    assert len(restored.paraphrases.index) == len(first.paraphrases.index)
    later = (ids[1000:], texts[1000:], np.stack(vectors[1000:]))
    assert restored.add_many(*later) == first.add_many(*later)


def test_placing_a_batch_is_placing_its_texts_one_by_one() -> None:
    """``add_many`` searches the graph once per batch; each text still sees every one before it, and
    what it finds does not depend on how the texts were batched (a resumed run equals a clean one)."""
    from narrascope.matching.bench import synthetic_corpus

    corpus = synthetic_corpus(1500, seed=7, days=1)
    texts, vectors = zip(*corpus.documents(), strict=True)
    ids = [str(i) for i in range(len(texts))]
    one_by_one = Clusters(prefix="S", threshold=0.8, centroid_threshold=0.7)
    single = [one_by_one.add(i, t, v) for i, t, v in zip(ids, texts, vectors, strict=True)]
    batched = Clusters(prefix="S", threshold=0.8, centroid_threshold=0.7)
    placed = []
    for k in range(0, len(ids), 300):
        placed += batched.add_many(ids[k : k + 300], texts[k : k + 300], np.stack(vectors[k : k + 300]))
    # the same clusters and the same evidence: the graph grows by the same blocks whatever the
    # batches, so even its approximate search finds the same neighbours
    assert placed == single and len({a.cluster for a in placed}) > 100
    assert any(a.rung == "paraphrase" for a in placed) and any(a.rung == "exact" for a in placed)
    with pytest.raises(ValueError, match="already clustered"):
        batched.add_many(["new", "new"], ["x", "x"], np.stack(vectors[:2]))
    assert "new" not in batched.cluster_of and len(batched.paraphrases) == len(ids)  # nothing half-added


def test_restoring_into_a_merged_cluster_is_refused_before_anything_is_indexed() -> None:
    """A stored assignment naming a cluster that re-clustering folded away is damaged: it is refused
    and the item is neither clustered nor indexed, so the error leaves the clusters as they were."""
    clusters = Clusters(prefix="C", threshold=0.8, centroid_threshold=0.7)
    clusters.restore("a", "first text", unit((0, 1.0)), "C1")
    clusters.restore("b", "second text", unit((1, 1.0)), "C2")
    clusters.merge("C2", "C1")
    with pytest.raises(ValueError, match="C2 was merged into C1"):
        clusters.restore("c", "third text", unit((2, 1.0)), "C2")
    assert "c" not in clusters.cluster_of and len(clusters.paraphrases) == 2 and len(clusters.copies or []) == 2
    clusters.restore("c", "third text", unit((2, 1.0)), "C3")
    assert clusters.members == {"C1": ["a", "b"], "C3": ["c"]} and clusters.opened == 3
