"""bench analyze on a few short texts: every figure is there and sane (speed itself is not tested)."""

from __future__ import annotations

from pathlib import Path

import pytest

import narrascope
from narrascope.bench import bench_analyze, read_texts
from narrascope.errors import InputError

TEXT = (
    "The mayor said on Monday that 40 new buses would arrive. “It is probably the best plan,” she told reporters. "
    "According to the city, the plan will cost about 12 million dollars."
)


def test_bench_analyze_reports_every_stage_and_the_encoder_pass(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(TEXT, encoding="utf-8")
    result = bench_analyze(read_texts(tmp_path, 3), repeats=1)
    for stage in ("parse", "quotes", "claims", "figures", "labels", "techniques"):
        assert result[f"stage.{stage}.ratio"] > 0
    assert result["ratio"] > 0 and result["ratio.vs_shared_passes"] > 0
    shared = narrascope.load().encoder is not None
    if shared:  # a layer reads the shared encoder pass: it is timed both ways
        assert result["shared_encoder.ratio"] > 0 and result["stage.encoder.ratio"] > 0
    else:
        assert result["shared_encoder.ratio"] == 0 and "stage.encoder.ratio" not in result
    assert shared  # the claims layer reads its check-worthiness scores from the shared pass
    assert result["encoder.passes"] == 1 and result["encoder.ratio"] == result["shared_encoder.ratio"]
    assert result["ratio.vs_shared_passes"] == pytest.approx(result["ratio"] / (1 + result["encoder.ratio"]))
    rest = sum(v for k, v in result.items() if k.startswith("stage.")) - result["stage.quotes.ratio"]
    added = result["stage.quotes.ratio"] + result.get("stage.sourcing.ratio", 0.0)
    assert result["quotes.added_share"] == pytest.approx(added / (rest - result.get("stage.sourcing.ratio", 0.0)))
    assert result["quotes.added_share_of_parse"] > result["quotes.added_share"] > 0
    claims = sum(result[f"stage.{name}.ratio"] for name in ("claims", "figures", "labels"))
    everything = sum(v for k, v in result.items() if k.startswith("stage."))
    assert result["claims.added_share"] == pytest.approx(claims / (everything - claims))
    assert result["n"] == 3


def test_bench_needs_texts(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        read_texts(tmp_path, 3)
