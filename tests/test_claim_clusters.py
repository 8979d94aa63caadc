"""Claims and narratives across a corpus: each document's most check-worthy claims clustered at
ingest with their evidence, stable ids across runs and after a reload, timelines, coordination
over claim clusters, and the CLI listings (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from corpus_helpers import AROUND, SAID, SAID_AGAIN, claim_articles
from narrascope.coordination.detect import CoAction, Edge, Settings
from narrascope.ingest import from_record
from narrascope.pipeline import Pipeline
from narrascope.store import Store
from narrascope.store.ingest import ingest
from narrascope.store.inputs import Item
from narrascope.stories.claims import CLAIM, NARRATIVE, PER_DOCUMENT, chosen_claims
from narrascope.stories.hierarchy import Hierarchy, stored_counts
from narrascope.stories.index import members
from narrascope.stories.listing import list_stories
from narrascope.stories.outlets import story_coordination, with_members
from narrascope.stories.timeline import timeline

CLI = [sys.executable, "-m", "narrascope.cli"]


def run(store: Store, nlp: Pipeline, rows: list[dict[str, str]]) -> int:
    items = [Item(f"row {i}", from_record(row)) for i, row in enumerate(rows)]
    report = ingest(items, store, nlp, batch_size=4, also=Hierarchy.load(store))
    assert not report.failed
    return report.added


def assignments(store: Store, level: str) -> dict[str, str]:
    m = members.c
    with store.engine.connect() as connection:
        return dict(connection.execute(select(m.item, m.cluster).where(m.level == level)).all())  # type: ignore[arg-type]


def test_claims_and_narratives_are_assigned_with_evidence_and_keep_their_ids(store: Store, nlp: Pipeline) -> None:
    assert run(store, nlp, claim_articles(0, 9)) == 9
    claims = list_stories(store, 10, 2, CLAIM)
    assert sorted(c.size for c in claims) == [3, 3, 3] and all(c.documents == 3 for c in claims)
    for cluster in claims:
        said = next(i for i, s in enumerate(SAID) if cluster.representative in (s, SAID_AGAIN[i]))
        assert cluster.rungs == {"exact": 1, "paraphrase": 1}  # the same sentence, and the same said again
        assert cluster.level == CLAIM and cluster.first_seen == f"2024-05-01T1{said}:00:00+00:00"
    first = assignments(store, CLAIM)
    frames = assignments(store, NARRATIVE)
    narratives = list_stories(store, 10, 1, NARRATIVE)
    assert sum(n.size for n in narratives) == 9 and all(n.rungs == {"claim": n.size} for n in narratives)
    assert set(frames) == set(first)  # every clustered claim is in a narrative
    by_claim: dict[str, set[str]] = {}
    for item, cluster in first.items():
        by_claim.setdefault(cluster, set()).add(frames[item])
    assert all(len(n) == 1 for n in by_claim.values())  # a claim cluster's claims share its narrative
    with store.engine.connect() as connection:
        rows = connection.execute(select(members).where(members.c.level == CLAIM)).mappings().all()
    joined = [r for r in rows if r["match"] is not None]
    assert len(joined) == 6 and all(first[r["match"]] == r["cluster"] for r in joined)
    assert all(r["rung"] in ("exact", "paraphrase") and r["similarity"] >= 0.65 for r in joined)
    # again: the same articles add nothing, new retellings join the old clusters, no id moves
    assert run(store, nlp, claim_articles(0, 12)) == 3
    second = assignments(store, CLAIM)
    assert {k: second[k] for k in first} == first and set(second.values()) == set(first.values())
    assert {k: assignments(store, NARRATIVE)[k] for k in frames} == frames
    reloaded = Hierarchy.load(store)
    assert reloaded.claims.claims.cluster_of == second and reloaded.counts() == stored_counts(store)
    # the timeline counts documents; coordination runs over claim clusters by default
    drawn = timeline(store, claims[0].id)
    assert drawn is not None and sum(drawn.counts) == 4
    result, left_out = story_coordination(store, Settings(window=86400.0, permutations=50))
    assert result is not None and left_out == {} and result.counts["objects"] == 3
    # a flagged pair's evidence carries each side's claim: its sentence, characters and rung
    cluster = claims[0]
    a, b = [item.split(":")[0] for item, c in sorted(second.items()) if c == cluster.id][:2]
    pair = CoAction(cluster.id, a, b, 0.0, 60.0)
    edge = Edge("Outlet 0", "Outlet 1", 1, 1, 0, 1, 1, 1.0, 0.01, 0.01, 50, 0.1, True, co_actions=[pair])
    shown = with_members(store, replace(result, edges=[edge]), CLAIM).edges[0].co_actions[0]
    for side, document in ((shown.evidence_u, a), (shown.evidence_v, b)):
        stored = store.get(document)
        assert stored is not None and len(side) == 1 and side[0]["item"].startswith(document)
        assert stored.document.text[side[0]["start"] : side[0]["end"]] == side[0]["text"]
        assert any(said in side[0]["text"] for said in SAID + SAID_AGAIN)


def test_a_document_contributes_its_most_checkworthy_claims_only(nlp: Pipeline) -> None:
    text = " ".join(f"{s} {a}" for s, a in zip(SAID + SAID_AGAIN, AROUND * 2, strict=True))
    chosen = chosen_claims(nlp(text))
    assert 0 < len(chosen) <= PER_DOCUMENT
    scores = [c.checkworthy or 0.0 for c in chosen]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 0.5
    assert not any(a in c.span.text for c in chosen for a in AROUND)


def test_claim_and_narrative_commands(tmp_path: Path, nlp: Pipeline) -> None:
    db = str(tmp_path / "k.db")
    with Store.open(db) as store:
        run(store, nlp, claim_articles(0, 9))
    listed = subprocess.run([*CLI, "claims", "--db", db, "--json"], capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    claims = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(claims) == 3 and all(c["level"] == "claim" and c["id"].startswith("K") for c in claims)
    table = subprocess.run([*CLI, "narratives", "--db", db], capture_output=True, text=True, timeout=120)
    assert table.returncode == 0 and "narratives, largest first" in table.stdout
    drawn = subprocess.run(
        [*CLI, "timeline", claims[0]["id"], "--db", db, "--json"], capture_output=True, text=True, timeout=120
    )
    assert drawn.returncode == 0 and sum(json.loads(drawn.stdout)["counts"]) == 3
    found = subprocess.run(
        [*CLI, "coordination", "--db", db, "--window", "1d", "--permutations", "50", "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr[-2000:]
    assert json.loads(found.stdout)["counts"]["objects"] == 3
    for args, needle in (
        (["coordination", "--db", db, "--level", "topic"], "--level must be one of"),
        (["timeline", "K999", "--db", db], "no cluster K999"),
    ):
        bad = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)
        assert bad.returncode == 2 and needle in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
