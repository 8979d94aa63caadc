"""`bench corpus --qut`: the QUT toolkit's input written from our synthetic corpus, and the toolkit
itself run on it when its environment (`make qut-env`) exists."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from narrascope.errors import InputError
from narrascope.matching.bench import synthetic_corpus
from narrascope.matching.qut import FIELDS, check_toolkit, compare_with_qut, run_toolkit, write_toolkit_csv

CLI = [sys.executable, "-m", "narrascope.cli"]
QUT_PYTHON = Path(__file__).resolve().parents[1] / ".venv-qut" / "bin" / "python"
needs_toolkit = pytest.mark.skipif(
    not QUT_PYTHON.exists(), reason=f"no {QUT_PYTHON} (run `make qut-env` to install the QUT toolkit)"
)


def test_toolkit_csv_has_its_columns_and_our_documents(tmp_path: Path) -> None:
    corpus = synthetic_corpus(12, seed=3)
    path = tmp_path / "docs.csv"
    assert write_toolkit_csv(corpus, path) == 12
    with path.open(encoding="utf-8", newline="") as rows:
        header, *body = list(csv.reader(rows))
    # the order the toolkit's preprocess_csv_files reads by position
    assert header == [
        "message_id",
        "user_id",
        "username",
        "repost_id",
        "reply_id",
        "message",
        "timestamp",
        "urls",
    ]
    assert list(FIELDS) == header and len(body) == 12
    texts = [text for text, _ in corpus.documents()]
    # the toolkit unpacks each row as (*row[:-1], row[-1].split(" ")) into these eight names
    for i, row in enumerate(body):
        message_id, user_id, username, repost_id, reply_id, message, timestamp, urls = (*row[:-1], row[-1].split(" "))
        assert message_id == str(i) and message == texts[i]
        assert user_id == username == f"outlet{corpus.outlets[i]}"
        assert repost_id == reply_id == "" and urls == [""]
        assert int(timestamp) == int(corpus.times[i]) and float(timestamp) <= corpus.times[i] < float(timestamp) + 1
    assert len({row[0] for row in body}) == 12


def test_a_missing_interpreter_or_toolkit_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no Python interpreter"):
        check_toolkit(tmp_path / "python")
    with pytest.raises(InputError, match="not importable"):
        check_toolkit(Path(sys.executable))  # narrascope's own environment has no toolkit
    done = subprocess.run(
        [*CLI, "bench", "corpus", "--docs", "100", "--qut", str(tmp_path / "python")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "no Python interpreter" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def _expected_pairs(docs: int, seed: int, window: float, threshold: float) -> int:
    """The toolkit's co-similarity network recomputed here: outlets with a pair of messages within
    the window whose lower-cased token sets have a Jaccard similarity at or above the threshold."""
    corpus = synthetic_corpus(docs, seed)
    tokens = [frozenset(text.lower().split()) for text, _ in corpus.documents()]
    times = [int(t) for t in corpus.times.tolist()]
    outlets = corpus.outlets.tolist()
    pairs = set()
    for i in range(docs):
        for j in range(docs):
            near = outlets[i] != outlets[j] and abs(times[i] - times[j]) <= window
            if near and len(tokens[i] & tokens[j]) / len(tokens[i] | tokens[j]) >= threshold:
                pairs.add((min(outlets[i], outlets[j]), max(outlets[i], outlets[j])))
    return len(pairs)


@needs_toolkit
def test_the_toolkit_finds_the_copies_in_our_documents() -> None:
    corpus = synthetic_corpus(200, seed=2)
    window = 30 * 86400.0  # 200 documents over a month: a wide window, so there are pairs to find
    result = run_toolkit(corpus, QUT_PYTHON, window, threshold=0.8, min_edge_weight=1)
    assert result["qut.timed_out"] is False and result["qut.preprocess_s"] > 0 and result["qut.network_s"] > 0
    assert result["qut.total_s"] == pytest.approx(result["qut.preprocess_s"] + result["qut.network_s"])
    assert result["qut.toolkit"].startswith("coordination-network-toolkit 1.5.2")
    expected = _expected_pairs(200, 2, window, 0.8)
    assert expected > 5 and result["qut.edges"] == expected  # it read our texts, outlets and times


@needs_toolkit
def test_ratio_against_ours_and_a_timeout_is_a_lower_bound() -> None:
    ours = {"docs": 200, "days": 30.0, "coordination.window_s": 3600.0}
    ours |= {"assignment.seconds": 0.5, "coordination.seconds": 0.25}
    result = compare_with_qut(ours, 0, QUT_PYTHON)
    assert result["qut.ratio"] == pytest.approx(result["qut.total_s"] / 0.75)
    assert result["qut.ratio_is"] == "measured" and result["qut.edges"] >= 0
    stopped = compare_with_qut(ours, 0, QUT_PYTHON, timeout=0.05)
    assert stopped["qut.timed_out"] is True and stopped["qut.edges"] is None
    assert stopped["qut.ratio_is"].startswith("a lower bound") and stopped["qut.total_s"] >= 0.05
