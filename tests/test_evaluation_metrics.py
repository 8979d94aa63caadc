"""Metric arithmetic of the extraction and date benchmarks, on tiny hand-made corpora."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from narrascope.evaluation.dates import evaluate_dates
from narrascope.evaluation.extraction import (
    Extracted,
    Extractor,
    detect_layout,
    evaluate_scrapinghub,
    evaluate_trafilatura,
    normalise_space,
    read_page,
    shingle_precision_recall,
    shingles,
)


def _write_page(html_dir: Path, name: str, body: str, *, compress: bool = True) -> None:
    html_dir.mkdir(parents=True, exist_ok=True)
    data = f"<html><body>{body}</body></html>".encode()
    if compress:
        (html_dir / f"{name}.gz").write_bytes(gzip.compress(data))
    else:
        (html_dir / name).write_bytes(data)


def _by_page(outputs: dict[str, Extracted]) -> Extractor:
    """Fake extractor answering per page, keyed by the page's body text."""

    def extract(html: bytes, url: str | None) -> Extracted:
        body = html.decode().removeprefix("<html><body>").removesuffix("</body></html>")
        return outputs[body]

    return extract


def _empty(html: bytes, url: str | None) -> Extracted:
    return Extracted(text="")


def _crash(html: bytes, url: str | None) -> Extracted:
    raise RuntimeError("boom")


# --- trafilatura layout -------------------------------------------------------------------

GOLD = {
    "https://example.org/one": {
        "file": "one.html",
        "with": ["alpha beta", "gamma"],
        "without": ["Impressum"],
        "title": "First  page ",
        "author": "Ann Smith; Bob Jones",
        "date": "2020-01-02",
    },
    "https://example.org/two": {
        "file": "two.html",
        "with": ["delta"],
        "without": ["Share this", "Cookies"],
        "title": "Second",
        "author": "",
        "date": "",
    },
    "https://example.org/three": {
        "file": "three.html",
        "with": ["epsilon zeta"],
        "without": ["Login"],
        "author": ["Cid", "Dee"],
    },
}


@pytest.fixture
def traf_dir(tmp_path: Path) -> Path:
    (tmp_path / "evaldata.json").write_text(json.dumps(GOLD), encoding="utf-8")
    for body in ("one", "two", "three"):
        _write_page(tmp_path / "html", f"{body}.html", body)
    return tmp_path


PERFECT = {
    "one": Extracted("alpha\n beta and\u00a0gamma", "First page", ["Ann Smith", "Bob Jones"], "2020-01-02"),
    "two": Extracted("delta", "Second", [], None),
    "three": Extracted("epsilon   zeta", None, ["Cid", "Dee"], None),
}


def test_perfect_extractor_scores_one(traf_dir: Path) -> None:
    scores = evaluate_trafilatura(traf_dir, {"perfect": _by_page(PERFECT)})["perfect"]
    for key in ("precision", "recall", "f1", "accuracy", "title.accuracy", "author.accuracy", "date.accuracy"):
        assert scores[key] == 1.0, key
    assert scores["n"] == 3
    assert scores["failures"] == 0


def test_empty_extractor_has_zero_recall(traf_dir: Path) -> None:
    scores = evaluate_trafilatura(traf_dir, {"empty": _empty})["empty"]
    assert scores["recall"] == 0.0
    assert scores["precision"] == 0.0
    assert scores["f1"] == 0.0
    assert scores["accuracy"] == pytest.approx(4 / 8)  # the 4 "without" segments are TN
    # empty gold means "none": only document two's empty author and date are matched
    assert scores["title.accuracy"] == 0.0
    assert scores["author.accuracy"] == pytest.approx(1 / 3)
    assert scores["date.accuracy"] == pytest.approx(1 / 2)


def test_mixed_case_by_hand(traf_dir: Path) -> None:
    outputs = {
        # TP alpha beta, FN gamma, FP Impressum
        "one": Extracted("alpha beta Impressum", "first page", ["Bob Jones", "Ann Smith"], "2020-01-03"),
        # TP delta, FP Share this, TN Cookies
        "two": Extracted("delta Share  this", "Second", ["Somebody"], ""),
        # FN epsilon zeta, TN Login
        "three": Extracted("epsilon", "Ignored", ["Cid; Dee"], None),
    }
    scores = evaluate_trafilatura(traf_dir, {"mixed": _by_page(outputs)})["mixed"]
    tp, fn, fp, tn = 2, 2, 2, 2
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert scores["precision"] == pytest.approx(precision)
    assert scores["recall"] == pytest.approx(recall)
    assert scores["f1"] == pytest.approx(2 * precision * recall / (precision + recall))
    assert scores["accuracy"] == pytest.approx((tp + tn) / (tp + fn + fp + tn))
    assert scores["title.accuracy"] == pytest.approx(1 / 2)  # case counts; "three" has no gold title
    assert scores["author.accuracy"] == pytest.approx(1 / 3)  # order counts; only "Cid; Dee" matches
    assert scores["date.accuracy"] == pytest.approx(1 / 2)  # "" predicted matches empty gold


def test_crashing_extractor_counts_as_empty(traf_dir: Path) -> None:
    scores = evaluate_trafilatura(traf_dir, {"crash": _crash, "empty": _empty})
    assert scores["crash"]["failures"] == 3
    assert scores["empty"]["failures"] == 0
    assert {k: v for k, v in scores["crash"].items() if k != "failures"} == {
        k: v for k, v in scores["empty"].items() if k != "failures"
    }


def test_limit_and_missing_metadata(traf_dir: Path) -> None:
    scores = evaluate_trafilatura(traf_dir, {"perfect": _by_page(PERFECT)}, limit=1)["perfect"]
    assert scores["n"] == 1
    assert scores["f1"] == 1.0
    gold = {"u": {"file": "one.html", "with": ["alpha"], "without": []}}
    (traf_dir / "evaldata.json").write_text(json.dumps(gold), encoding="utf-8")
    scores = evaluate_trafilatura(traf_dir, {"perfect": _by_page(PERFECT)})["perfect"]
    assert math.isnan(scores["title.accuracy"])


def test_normalise_space_collapses_whitespace_and_composes_accents() -> None:
    assert normalise_space(" Cafe\u0301\n\u00a0 au\tlait ") == "Caf\u00e9 au lait"
    assert normalise_space(None) == ""


# --- layouts and pages --------------------------------------------------------------------


def test_detect_layout(traf_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    assert detect_layout(traf_dir) == "trafilatura"
    other = tmp_path_factory.mktemp("sh")
    (other / "html").mkdir()
    (other / "ground-truth.json").write_text("{}", encoding="utf-8")
    assert detect_layout(other) == "scrapinghub"


def test_detect_layout_rejects_unknown(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no html/ directory"):
        detect_layout(tmp_path)
    (tmp_path / "html").mkdir()
    with pytest.raises(ValueError, match=r"neither evaldata\.json"):
        detect_layout(tmp_path)


def test_read_page_plain_and_missing(tmp_path: Path) -> None:
    _write_page(tmp_path, "p.html", "plain", compress=False)
    assert b"plain" in read_page(tmp_path, "p.html")
    with pytest.raises(FileNotFoundError):
        read_page(tmp_path, "absent.html")


# --- scrapinghub layout -------------------------------------------------------------------


def test_shingles() -> None:
    assert shingles("A b, c D e") == {("a", "b", "c", "d"), ("b", "c", "d", "e")}
    assert shingles("two words") == {("two", "words")}
    assert shingles("") == set() == shingles(None) == shingles(" ... ")


def test_shingle_edge_cases() -> None:
    assert shingle_precision_recall("", "") == (1.0, 1.0)
    assert shingle_precision_recall("", "one two three four") == (1.0, 0.0)
    assert shingle_precision_recall("one two three four", "") == (0.0, 1.0)


@pytest.fixture
def sh_dir(tmp_path: Path) -> Path:
    gold = {
        "a1": {"articleBody": "a b c d e", "url": "https://example.org/a1"},
        "a2": {"articleBody": "One two three four", "url": "https://example.org/a2"},
    }
    (tmp_path / "ground-truth.json").write_text(json.dumps(gold), encoding="utf-8")
    for doc_id in gold:
        _write_page(tmp_path / "html", f"{doc_id}.html", doc_id)
    return tmp_path


def test_scrapinghub_perfect_and_empty(sh_dir: Path) -> None:
    perfect = _by_page({"a1": Extracted("A B C D E"), "a2": Extracted("one two\nthree four")})
    scores = evaluate_scrapinghub(sh_dir, {"perfect": perfect, "empty": _empty, "crash": _crash})
    assert scores["perfect"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "n": 2.0, "failures": 0.0}
    assert scores["empty"]["recall"] == 0.0
    assert scores["empty"]["precision"] == 1.0
    assert scores["empty"]["f1"] == 0.0
    assert scores["crash"]["failures"] == 2
    assert scores["crash"]["recall"] == 0.0


def test_scrapinghub_mixed_by_hand(sh_dir: Path) -> None:
    outputs = {
        "a1": Extracted("a b c d x"),  # P 1/2, R 1/2
        "a2": Extracted("one two three four five six"),  # P 1/3, R 1
    }
    scores = evaluate_scrapinghub(sh_dir, {"mixed": _by_page(outputs)})["mixed"]
    precision, recall = (1 / 2 + 1 / 3) / 2, (1 / 2 + 1) / 2
    assert scores["precision"] == pytest.approx(precision)
    assert scores["recall"] == pytest.approx(recall)
    assert scores["f1"] == pytest.approx(2 * precision * recall / (precision + recall))
    assert evaluate_scrapinghub(sh_dir, {"mixed": _by_page(outputs)}, limit=1)["mixed"]["precision"] == 0.5


# --- htmldate layout ----------------------------------------------------------------------


@pytest.fixture
def dates_dir(tmp_path: Path) -> Path:
    first = {
        "https://example.org/p1": {"file": "p1.html", "date": "2020-01-01"},
        "https://example.org/p2": {"file": "p2.html", "date": "2021-02-03"},
    }
    second = {
        "https://example.org/p3": {"file": "p3.html", "date": "2019-12-31"},
        "https://example.org/p4": {"file": "p4.html", "date": "2018-05-05"},
        "https://example.org/p1": {"file": "p1.html", "date": "1999-09-09"},  # duplicate URL: ignored
    }
    (tmp_path / "eval_a.json").write_text(json.dumps(first), encoding="utf-8")
    (tmp_path / "eval_b.json").write_text(json.dumps(second), encoding="utf-8")
    (tmp_path / "notes.json").write_text("[]", encoding="utf-8")
    for name in ("p1", "p2", "p3"):
        _write_page(tmp_path / "html", f"{name}.html", name)
    _write_page(tmp_path / "html", "p4.html", "p4", compress=False)
    return tmp_path


def test_dates_by_hand(dates_dir: Path) -> None:
    answers = {"p1": "2020-01-01", "p2": "2021-02-04", "p3": None, "p4": " 2018-05-05 "}

    def finder(html: bytes, url: str | None) -> str | None:
        return answers[html.decode().removeprefix("<html><body>").removesuffix("</body></html>")]

    def crash(html: bytes, url: str | None) -> str | None:
        raise RuntimeError("boom")

    scores = evaluate_dates(dates_dir, {"mixed": finder, "crash": crash})
    tp, fp, fn = 2, 1, 1
    mixed = scores["mixed"]
    assert mixed["n"] == 4
    assert mixed["accuracy"] == pytest.approx(tp / 4)
    assert mixed["precision"] == pytest.approx(tp / (tp + fp))
    assert mixed["recall"] == pytest.approx(tp / (tp + fn))
    assert mixed["f1"] == pytest.approx(2 * (2 / 3) * (2 / 3) / (4 / 3))
    assert scores["crash"] == {
        "accuracy": 0.0,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "n": 4.0,
        "failures": 4.0,
    }
    assert evaluate_dates(dates_dir, {"mixed": finder}, limit=2)["mixed"]["precision"] == 0.5


def test_dates_rejects_other_layout(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no eval_\*\.json"):
        evaluate_dates(tmp_path, {})
