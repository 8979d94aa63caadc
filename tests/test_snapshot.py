"""The clusters' snapshot: read back equal to a replay of the store, placing new documents exactly
as a replayed index does, ignored when stale or damaged, and written by ``narrascope ingest``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from sqlalchemy import select

from corpus_helpers import claim_articles
from narrascope.ingest import from_record
from narrascope.matching.clusters import Clusters
from narrascope.pipeline import Pipeline
from narrascope.store import Store
from narrascope.store.ingest import ingest
from narrascope.store.inputs import Item
from narrascope.stories.hierarchy import Hierarchy
from narrascope.stories.index import members
from narrascope.stories.snapshot import folder_of, load_snapshot, save_snapshot, snapshot_current

CLI = [sys.executable, "-m", "narrascope.cli"]


def add(store: Store, nlp: Pipeline, rows: list[dict[str, str]], clusters: Hierarchy) -> None:
    items = [Item(f"row {i}", from_record(row)) for i, row in enumerate(rows)]
    assert not ingest(items, store, nlp, batch_size=4, also=clusters).failed


def same_clusters(a: Clusters, b: Clusters) -> None:
    assert a.cluster_of == b.cluster_of and a.members == b.members and a.paraphrases.ids == b.paraphrases.ids
    assert a.members.keys() == b._sums.keys() == a._sums.keys()
    assert all(np.allclose(a._sums[k], b._sums[k], atol=1e-5) for k in a._sums)
    if a.copies is not None:
        assert b.copies is not None
        for name, value in a.copies.arrays().items():
            assert np.array_equal(value, b.copies.arrays()[name]), name


def table(store: Store) -> list[tuple[object, ...]]:
    m = members.c
    with store.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(members).order_by(m.level, m.position))]


def test_snapshot_reads_back_as_the_replay_and_continues_the_same(tmp_path: Path, nlp: Pipeline) -> None:
    db = tmp_path / "s.db"
    with Store.open(db) as store:
        add(store, nlp, claim_articles(0, 9), Hierarchy.load(store))
        save_snapshot(Hierarchy.load(store, snapshot=False), store)
        assert snapshot_current(store) and (folder_of(store) / "snapshot.json").is_file()
        kept, replayed = load_snapshot(store, "all-MiniLM-L6-v2-int8"), Hierarchy.load(store, snapshot=False)
        assert kept is not None and kept.counts() == replayed.counts()
        same_clusters(kept.stories.clusters, replayed.stories.clusters)
        same_clusters(kept.claims.claims, replayed.claims.claims)
        same_clusters(kept.claims.narratives, replayed.claims.narratives)
        assert kept.claims.narrative_of == replayed.claims.narrative_of
        assert kept.claims.joined == replayed.claims.joined
    twin = tmp_path / "twin.db"
    shutil.copy(db, twin)  # the same store, without a snapshot: it is replayed
    more = claim_articles(9, 6)
    with Store.open(db) as store, Store.open(twin) as other:
        assert not folder_of(other).exists() and snapshot_current(store)
        add(store, nlp, more, Hierarchy.load(store))
        add(other, nlp, more, Hierarchy.load(other))
        assert table(store) == table(other)
        assert not snapshot_current(store) and load_snapshot(store, "all-MiniLM-L6-v2-int8") is None  # stale now


def test_a_damaged_snapshot_is_ignored_and_ingest_writes_one(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in claim_articles(0, 4)), encoding="utf-8")
    done = subprocess.run(
        [*CLI, "ingest", str(source), "--db", str(db), "--layers", "dates"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with Store.open(db) as store:
        folder = folder_of(store)
        assert snapshot_current(store) and folder == tmp_path / "c.db.clusters"
        (folder / "stories.npz").write_bytes(b"not a numpy file")
        assert load_snapshot(store, "all-MiniLM-L6-v2-int8") is None
        assert Hierarchy.load(store).counts()["story"] == 4  # replayed from the store


def test_the_server_leaves_a_current_snapshot(tmp_path: Path, nlp: Pipeline) -> None:
    from fastapi.testclient import TestClient

    from narrascope.web import Settings, create_app
    from narrascope.web.tokens import create_token

    db = str(tmp_path / "w.db")
    with Store.open(db) as store:
        _, secret = create_token(store, "tests")
    with TestClient(create_app(Settings(db=db), nlp=nlp)) as client:
        done = client.post(
            "/api/ingest", json={"documents": claim_articles(0, 3)}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert done.status_code == 200 and done.json()["added"] == 3
    with Store.open(db) as store:
        assert snapshot_current(store) and Hierarchy.load(store).counts()["story"] == 3
