"""Re-clustering: clusters that turned out to be one are merged, the earlier id kept, the later
id leading to it, never given again; the store replays to the same clusters, and new documents
are placed the same way after a replay or a snapshot as in the process that merged."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from corpus_helpers import claim_articles
from narrascope.matching.clusters import Clusters
from narrascope.matching.reclustering import recluster
from narrascope.pipeline import Pipeline
from narrascope.store import Store
from narrascope.stories.hierarchy import Hierarchy
from narrascope.stories.index import clusters, members
from narrascope.stories.listing import list_stories, resolve, story_members
from narrascope.stories.recluster import recluster_store
from narrascope.stories.snapshot import load_snapshot, save_snapshot, snapshot_current
from narrascope.stories.timeline import timeline
from test_snapshot import add, same_clusters, table

CLI = [sys.executable, "-m", "narrascope.cli"]
ENCODER = "all-MiniLM-L6-v2-int8"


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(384, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def split_story() -> Clusters:
    """Two clusters of one story (their first members too far apart to join) and a stranger."""
    found = Clusters(prefix="S", threshold=0.9, centroid_threshold=0.85, copies=False)
    for item, vector in [
        ("a1", unit(1, 0.0)),
        ("b1", unit(1, 0.7)),  # cosine 0.82 to a1: opens S2
        ("a2", unit(1, 0.3)),
        ("b2", unit(1, 0.45)),
        ("x1", unit(0, 0, 1)),  # S3, unrelated
    ]:
        found.add(item, item, vector)
    return found


def test_a_split_story_is_merged_into_the_earlier_cluster_with_evidence() -> None:
    found = split_story()
    assert found.cluster_of == {"a1": "S1", "b1": "S2", "a2": "S1", "b2": "S2", "x1": "S3"}
    merges = recluster(found)
    assert [(m.absorbed, m.into) for m in merges] == [("S2", "S1")]
    merge = merges[0]
    assert (merge.member, merge.matched) == ("b2", "a2") and merge.similarity > merge.cosine > merge.linkage >= 0.9
    assert found.cluster_of == {"a1": "S1", "b1": "S1", "a2": "S1", "b2": "S1", "x1": "S3"}
    assert found.members == {"S1": ["a1", "b1", "a2", "b2"], "S3": ["x1"]} and found.merged == {"S2": "S1"}
    assert recluster(found) == []  # nothing left to merge
    assert found.add("y1", "y1", unit(0, 0, 0, 1)).cluster == "S4"  # S2 is never given again
    assert found.add("b3", "b3", unit(1, 0.7)).cluster == "S1"  # the merged story's retelling


def test_centres_below_the_bar_stay_apart() -> None:
    found = split_story()
    assert recluster(found, threshold=0.99) == []
    assert len(found) == 3 and found.merged == {}


def test_a_store_keeps_its_merges_replays_them_and_continues_the_same(tmp_path: Path, nlp: Pipeline) -> None:
    db = tmp_path / "r.db"
    with Store.open(db) as store:
        live = Hierarchy.load(store)
        add(store, nlp, claim_articles(0, 9), live)
        stories_before = len(live.stories.clusters)
        made = recluster_store(store, live, threshold=0.3)  # a loose bar, so this small store merges
        merged = made["story"]
        assert merged and len(live.stories.clusters) == stories_before - len(merged)
        first = merged[0]
        assert first.absorbed != first.into and live.stories.clusters.merged[first.absorbed] == first.into
        m, c = members.c, clusters.c
        with store.engine.connect() as connection:
            moved = connection.execute(select(m.cluster, m.assigned).where(m.assigned == first.absorbed)).all()
            alias = connection.scalar(select(c.merged_into).where(c.id == first.absorbed))
        assert moved and {row.cluster for row in moved} == {resolve(store, first.into)}
        assert alias == resolve(store, first.absorbed) == resolve(store, first.into)
        survivor = resolve(store, first.into)
        summaries = {s.id: s for s in list_stories(store, limit=100, min_size=1)}
        assert first.absorbed not in summaries and first.absorbed in summaries[survivor].merged
        assert story_members(store, first.absorbed)[0] == story_members(store, survivor)[0]
        found = timeline(store, first.absorbed)
        assert found is not None and found.cluster == survivor
        replayed = Hierarchy.load(store, snapshot=False)
        same_clusters(live.stories.clusters, replayed.stories.clusters)
        same_clusters(live.claims.claims, replayed.claims.claims)
        same_clusters(live.claims.narratives, replayed.claims.narratives)
        assert replayed.stories.clusters.merged == live.stories.clusters.merged
        assert replayed.stories.clusters.opened == live.stories.clusters.opened == stories_before
        assert replayed.claims.narrative_of == live.claims.narrative_of
        save_snapshot(live, store)
        kept = load_snapshot(store, ENCODER)
        assert kept is not None and kept.stories.clusters.merged == live.stories.clusters.merged
        same_clusters(kept.stories.clusters, live.stories.clusters)
    web(db, nlp, first.absorbed, survivor)
    twin = tmp_path / "twin.db"
    shutil.copy(db, twin)  # without the snapshot: replayed
    more = claim_articles(9, 6)
    with Store.open(db) as store, Store.open(twin) as other:
        add(store, nlp, more, live)  # the process that merged
        add(other, nlp, more, Hierarchy.load(other))
        assert table(store) == table(other)
        opened = {row[2] for row in table(store) if row[0] == "story"}
        assert first.absorbed not in opened  # never given again


def web(db: Path, nlp: Pipeline, absorbed: str, survivor: str) -> None:
    """The API and the page of a merged story show the story it went into, which lists it."""
    from fastapi.testclient import TestClient

    from narrascope.web import Settings, create_app

    with TestClient(create_app(Settings(db=str(db)), nlp=nlp)) as client:
        one = client.get(f"/api/stories/{absorbed}")
        assert one.status_code == 200 and one.json()["story"]["id"] == survivor
        assert absorbed in one.json()["story"]["merged"]
        listed = client.get("/api/stories", params={"min_size": 1, "limit": 100}).json()
        assert absorbed not in [s["id"] for s in listed]
        page = client.get(f"/stories/{absorbed}")  # redirected to the story it went into
        assert page.status_code == 200 and page.url.path == f"/stories/{survivor}" and "Merged into it" in page.text
        assert f"{absorbed} was merged into {survivor}" in page.text
        forged = client.get(f"/stories/{survivor}", params={"merged": "<script>alert(1)</script>"})
        assert "was merged into" not in forged.text and "<script>alert(1)" not in forged.text


def test_merges_are_stored_and_replayed_on_both_stores_and_make_the_old_snapshot_stale(
    store: Store, nlp: Pipeline
) -> None:
    live = Hierarchy.load(store)
    add(store, nlp, claim_articles(0, 6), live)
    save_snapshot(live, store)
    assert snapshot_current(store)
    made = recluster_store(store, live, threshold=0.3)
    assert made["story"] and not snapshot_current(store) and load_snapshot(store, ENCODER) is None
    replayed = Hierarchy.load(store)
    assert replayed.state() == live.state()
    same_clusters(replayed.stories.clusters, live.stories.clusters)
    same_clusters(replayed.claims.claims, live.claims.claims)


def test_cli_recluster(tmp_path: Path) -> None:
    db, source = tmp_path / "c.db", tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in claim_articles(0, 6)), encoding="utf-8")
    done = subprocess.run(
        [*CLI, "ingest", str(source), "--db", str(db), "--recluster"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0 and "re-clustered: 0 stories merged, 0 claims merged" in done.stdout, done.stderr
    bad = subprocess.run(
        [*CLI, "ingest", str(source), "--db", str(db), "--recluster", "--no-stories"], capture_output=True, text=True
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "--no-stories" in bad.stderr
    run = [*CLI, "recluster", "--db", str(db), "--level", "story", "--threshold", "0.3", "--json"]
    preview = subprocess.run([*run, "--dry-run"], capture_output=True, text=True, timeout=300)
    assert preview.returncode == 0, preview.stderr[-2000:]
    with Store.open(db) as store:
        assert Hierarchy.load(store).state()[1] == {"story": 0, "claim": 0}  # nothing stored
    done = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout == preview.stdout, done.stderr[-2000:]  # what was shown is made
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows and all(r["level"] == "story" and r["linkage"] >= 0.3 and r["member"] for r in rows)
    with Store.open(db) as store:
        assert snapshot_current(store)  # written after the merges
    again = subprocess.run([*CLI, "recluster", "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and "stories: 0 merged" in again.stdout
    bad = subprocess.run([*CLI, "recluster", "--db", str(db), "--level", "narrative"], capture_output=True, text=True)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "narrative" in bad.stderr
    bad = subprocess.run([*CLI, "recluster", "--db", str(db), "--threshold", "2"], capture_output=True, text=True)
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "--threshold" in bad.stderr


@contextmanager
def served(db: str, nlp: Pipeline) -> Iterator[tuple[Any, dict[str, str]]]:
    """A test client of the app over *db* and the headers of a write token."""
    from fastapi.testclient import TestClient

    from narrascope.web import Settings, create_app
    from narrascope.web.tokens import create_token

    with Store.open(db) as store:
        _, secret = create_token(store, "tests")
    with TestClient(create_app(Settings(db=db), nlp=nlp)) as client:
        yield client, {"Authorization": f"Bearer {secret}"}


def test_the_server_follows_merges_another_writer_made(tmp_path: Path, nlp: Pipeline) -> None:
    db = str(tmp_path / "w.db")
    with served(db, nlp) as (client, auth):
        assert client.post("/api/ingest", json={"documents": claim_articles(0, 6)}, headers=auth).status_code == 200
        with Store.open(db) as store:  # `narrascope recluster` while the server runs
            merged = recluster_store(store, Hierarchy.load(store, snapshot=False), ["story"], threshold=0.3)["story"]
        assert merged
        assert client.post("/api/ingest", json={"documents": claim_articles(0, 12)}, headers=auth).status_code == 200
    absorbed = {m.absorbed for m in merged}
    with Store.open(db) as store:
        m = members.c
        with store.engine.connect() as connection:
            placed = set(connection.scalars(select(m.cluster).where(m.level == "story")))
        assert placed and not placed & absorbed  # nothing placed in a merged story
        kept = load_snapshot(store, ENCODER)  # written when the server stopped, in step with the store
        assert (
            kept is not None
            and kept.stories.clusters.merged == Hierarchy.load(store, snapshot=False).stories.clusters.merged
        )


def test_api_recluster(tmp_path: Path, nlp: Pipeline) -> None:
    with served(str(tmp_path / "a.db"), nlp) as (client, auth):
        assert client.post("/api/ingest", json={"documents": claim_articles(0, 6)}, headers=auth).status_code == 200
        assert client.post("/api/recluster", params={"threshold": 0.3}).status_code == 401
        assert client.post("/api/recluster", params={"level": "narrative"}, headers=auth).status_code == 422
        assert client.post("/api/recluster", params={"threshold": 1.5}, headers=auth).status_code == 422
        asked = {"level": "story", "threshold": 0.3}
        preview = client.post("/api/recluster", params={**asked, "dry_run": True}, headers=auth)
        done = client.post("/api/recluster", params=asked, headers=auth)
        assert done.status_code == 200 and preview.json() == done.json()  # nothing made by the preview
        merges = done.json()["merges"]
        assert merges and all(m["level"] == "story" and m["linkage"] >= 0.3 for m in merges)
        absorbed = merges[0]["absorbed"]
        shown = client.get(f"/api/stories/{absorbed}").json()["story"]
        assert shown["id"] != absorbed and absorbed in shown["merged"]
        again = client.post("/api/recluster", params={"level": "story", "threshold": 0.3}, headers=auth)
        assert again.json()["merges"] == []


def test_big_clusters_look_past_their_own_members() -> None:
    """Two clusters of one story, each with more members than the neighbours a search returns."""
    found = Clusters(prefix="S", threshold=0.9, centroid_threshold=0.85, copies=False)
    for k in range(30):  # as a store's history may hold them: placed apart, never compared again
        found.restore(f"a{k}", "", unit(1, 0.0), "S1")
        found.restore(f"b{k}", "", unit(1, 0.3), "S2")
    merges = recluster(found, neighbours=5)
    assert [(m.absorbed, m.into) for m in merges] == [("S2", "S1")] and merges[0].linkage > 0.95
