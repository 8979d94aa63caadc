"""The eval commands end to end on tiny corpora in each upstream layout, written here."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "narrascope.cli"]
BODY = "The harbour council approved the new plan on Tuesday after a long debate about costs. " * 3
PAGE = (
    "<html><head><title>Harbour plan approved</title>"
    '<meta property="article:published_time" content="2021-03-02"></head>'
    f"<body><nav>Menu Home Contact</nav><article><p>{BODY}</p><p>{BODY}</p></article>"
    "<footer>Impressum Datenschutz</footer></body></html>"
)


def _write_page(folder: Path, name: str) -> None:
    (folder / "html").mkdir(parents=True, exist_ok=True)
    (folder / "html" / name).write_bytes(gzip.compress(PAGE.encode()))


def _metrics(args: list[str]) -> dict[str, float]:
    done = subprocess.run([*CLI, *args, "--json"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_extraction_trafilatura_layout(tmp_path: Path) -> None:
    _write_page(tmp_path, "a.html.gz")
    gold = {
        "https://example.org/a": {
            "file": "a.html",
            "with": ["approved the new plan"],
            "without": ["Impressum"],
            "title": "Harbour plan approved",
            "date": "2021-03-02",
        }
    }
    (tmp_path / "evaldata.json").write_text(json.dumps(gold))
    metrics = _metrics(["eval", "extraction", "--data", str(tmp_path)])
    assert metrics["f1"] == 1.0 and metrics["title.accuracy"] == 1.0 and metrics["date.accuracy"] == 1.0
    assert metrics["n"] == 1 and metrics["model"].startswith("narrascope")


def test_extraction_scrapinghub_layout(tmp_path: Path) -> None:
    _write_page(tmp_path, "p1.html.gz")
    (tmp_path / "ground-truth.json").write_text(
        json.dumps({"p1": {"articleBody": BODY + BODY, "url": "https://e.org"}})
    )
    metrics = _metrics(["eval", "extraction", "--data", str(tmp_path)])
    assert metrics["precision"] == 1.0 and metrics["recall"] == 1.0


def test_dates_layout(tmp_path: Path) -> None:
    _write_page(tmp_path, "a.html.gz")
    _write_page(tmp_path, "b.html.gz")
    gold = {
        "https://example.org/a": {"file": "a.html", "date": "2021-03-02"},
        "https://example.org/b": {"file": "b.html", "date": "2020-01-01"},
    }
    (tmp_path / "eval_fixture.json").write_text(json.dumps(gold))
    metrics = _metrics(["eval", "dates", "--data", str(tmp_path)])
    assert metrics["accuracy"] == 0.5 and metrics["precision"] == 0.5 and metrics["recall"] == 1.0
