"""Stories in the store: assigned at ingest with evidence, stable ids across runs, listing,
timelines with bursts, and the CLI (terminal, JSON, SVG, PNG, one-line errors)."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from sqlalchemy import select

import narrascope
from corpus_helpers import wire_and_locals
from narrascope.store import Store
from narrascope.store.ingest import ingest
from narrascope.store.inputs import Columns, read_inputs
from narrascope.stories.index import StoryIndex, members
from narrascope.stories.listing import list_stories
from narrascope.stories.timeline import bursts, timeline

CLI = [sys.executable, "-m", "narrascope.cli"]
EVENTS = [
    "The central bank raised interest rates by half a point on Tuesday, citing stubborn inflation.",
    "Floods in the northern province displaced thousands of residents over the weekend.",
    "The football club announced the signing of a new striker from Brazil for a record fee.",
    "A cyberattack disrupted hospital computer systems across the region, officials said.",
]
TAILS = [
    "Officials promised more details later in the week.",
    "Residents and analysts reacted with caution.",
    "The reaction on social media was swift.",
    "Reporters were told to expect a statement.",
]


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def retellings(first: int, count: int, day: int = 1) -> list[dict[str, str]]:
    """Each event retold by several outlets: the same text, other tails (near copies), new titles."""
    rows = []
    for i in range(first, first + count):
        event = EVENTS[i % 4]
        rows.append(
            {
                "text": f"{event} {TAILS[(i // 4) % 4]} Story number {i // 4} of the day.",
                "title": event.split(",")[0],
                "outlet": f"Outlet {i % 5}",
                "published": f"2024-03-{day + i // 8:02d}",
            }
        )
    return rows


def run(path: Path, store: Store) -> int:
    index = StoryIndex.load(store)
    report = ingest(read_inputs([str(path)], Columns()), store, PIPELINE, batch_size=7, also=index)
    assert not report.failed
    return report.added


PIPELINE = narrascope.load(["dates"])


def assignments(store: Store) -> dict[str, str]:
    with store.engine.connect() as connection:
        return dict(connection.execute(select(members.c.item, members.c.cluster)).all())  # type: ignore[arg-type]


def test_stories_are_assigned_with_evidence_and_keep_their_ids(store: Store, tmp_path: Path) -> None:
    assert run(write(tmp_path / "a.jsonl", retellings(0, 24)), store) == 24
    first = assignments(store)
    stories = list_stories(store, limit=10)
    assert sorted(s.size for s in stories) == [6, 6, 6, 6] and {s.id for s in stories} == {"S1", "S2", "S3", "S4"}
    for story in stories:
        assert story.first_seen == "2024-03-01" and story.rungs and sum(story.rungs.values()) == 5
        assert any(event.startswith(story.representative) for event in EVENTS)
    with store.engine.connect() as connection:
        rows = connection.execute(select(members)).mappings().all()
    openers = [r for r in rows if r["match"] is None]
    assert len(openers) == 4 and all(r["rung"] is None and r["similarity"] is None for r in openers)
    joined = [r for r in rows if r["match"] is not None]
    assert all(r["rung"] in ("exact", "near-duplicate", "paraphrase") and r["similarity"] > 0 for r in joined)
    assert all(first[r["match"]] == r["cluster"] for r in joined)  # the evidence points inside the story
    # a second run: the same documents again add nothing; new retellings join the old stories,
    # a new event opens S5, and no earlier assignment moves
    volcano = {"text": "Volcanic ash closed the island's airport for a second day.", "published": "2024-03-05"}
    more = [*retellings(24, 8), volcano]
    assert run(write(tmp_path / "b.jsonl", retellings(0, 24) + more), store) == 9
    second = assignments(store)
    assert {k: second[k] for k in first} == first
    assert sorted(set(second.values())) == ["S1", "S2", "S3", "S4", "S5"]
    restored = StoryIndex.load(store)
    assert restored.clusters.cluster_of == second and restored.position == len(second)


def test_bursts_find_a_run_above_the_usual_share_and_not_a_busy_day() -> None:
    found = bursts([1, 1, 1, 9, 12, 1, 1, 1], [20] * 8)
    assert [(a, b) for a, b, _ in found] == [(3, 4)] and found[0][2] > 0
    assert bursts([2] * 8, [20] * 8) == []
    assert bursts([1, 1, 10, 1], [20, 20, 200, 20]) == []  # its share of a busy day is its usual share
    assert bursts([], []) == [] and bursts([0, 0], [5, 5]) == []


def test_timeline_counts_every_day_and_marks_the_burst(store: Store, tmp_path: Path) -> None:
    rows = []
    for day, n in enumerate([1, 1, 0, 1, 8, 9, 1, 1], start=1):
        rows += [{"text": f"{EVENTS[0]} Update {day}-{k}.", "published": f"2024-04-{day:02d}"} for k in range(n)]
        other = "Unrelated local news item {}-{} about gardens, trains and weather."
        rows += [{"text": other.format(day, k), "published": f"2024-04-{day:02d}"} for k in range(8)]
    run(write(tmp_path / "t.jsonl", rows), store)
    story = next(s for s in list_stories(store) if s.representative.startswith("The central bank"))
    found = timeline(store, story.id)
    assert found is not None and found.days[0] == "2024-04-01" and found.days[-1] == "2024-04-08"
    assert found.counts == [1, 1, 0, 1, 8, 9, 1, 1] and found.undated == 0
    assert [(b.start, b.end) for b in found.bursts] == [("2024-04-05", "2024-04-06")]
    assert timeline(store, "S999") is None


def test_cli_stories_and_timeline(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    corpus = write(tmp_path / "c.jsonl", retellings(0, 16))
    done = subprocess.run(
        [*CLI, "ingest", str(corpus), "--db", db, "--layers", "dates"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    listed = subprocess.run([*CLI, "stories", "--db", db, "--json"], capture_output=True, text=True, timeout=120)
    stories = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(stories) == 4 and all(s["size"] == 4 and s["first_publisher"] for s in stories)
    text = subprocess.run([*CLI, "stories", "--db", db], capture_output=True, text=True, timeout=120).stdout
    assert "S1" in text and "first publisher" in text
    svg, png = tmp_path / "s1.svg", tmp_path / "s1.png"
    shown = subprocess.run(
        [*CLI, "timeline", "S1", "--db", db, "-o", str(svg)], capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0 and "S1: daily documents" in shown.stdout
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert root.tag.endswith("svg") and not any(e.tag.endswith("script") for e in root.iter())
    drawn = subprocess.run(
        [*CLI, "timeline", "S2", "--db", db, "-o", str(png), "--json"], capture_output=True, text=True, timeout=120
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and json.loads(drawn.stdout)["cluster"] == "S2"
    for args, needle in (
        (["timeline", "S77", "--db", db], "no cluster S77"),
        (["timeline", "S1", "--db", db, "-o", str(tmp_path / "x.gif")], ".svg or .png"),
        (["stories", "--db", db, "--limit", "0"], "at least 1"),
    ):
        bad = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)
        assert bad.returncode == 2 and needle in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_coordination_over_stories_labels_wire_syndication(tmp_path: Path) -> None:
    """Two outlets run one wire copy minutes apart, story after story, among busy local outlets:
    flagged, and labelled syndication with every co-action a copy; undated documents are counted,
    not placed."""
    rows = wire_and_locals()
    rows.append({"text": "A piece with no date at all about gardens.", "outlet": "Local 1"})
    db = str(tmp_path / "c.db")
    done = subprocess.run(
        [*CLI, "ingest", str(write(tmp_path / "w.jsonl", rows)), "--db", db, "--layers", "dates"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    found = subprocess.run(
        [*CLI, "coordination", "--db", db, "--level", "story", "--window", "10m", "--permutations", "1000",
         "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr[-2000:]
    assert "left out 1 documents: no publication date" in found.stderr
    stories = subprocess.run([*CLI, "stories", "--db", db, "--json"], capture_output=True, text=True, timeout=120)
    assert len(stories.stdout.splitlines()) >= 8  # the events are told apart
    result = json.loads(found.stdout)
    edges = {(e["u"], e["v"]): e for e in result["edges"]}
    wire = edges[("Wire One", "Wire Two")]
    assert wire["label"] == "syndication" and wire["copies"] == len(wire["co_actions"]) == 10
    assert all(e["label"] == "synchrony" for pair, e in edges.items() if pair != ("Wire One", "Wire Two"))
    assert "syndication" in result["measured"] and "not intent or authenticity" in result["measured"]
    bad = subprocess.run(
        [*CLI, "coordination", "--db", db, "--actor", "x"], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2 and "--table" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
