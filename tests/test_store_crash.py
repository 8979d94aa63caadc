"""kill -9 in the middle of an ingest loses at most the batch in flight: after killing a run of
2,000 documents three times at random points and running it again, the store equals a clean
single run (same ids, same analyses, same layer rows, the same stories with the same ids, no
duplicates). SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import POSTGRES, postgres_reachable
from narrascope.store import Store
from narrascope.store import schema as tables
from narrascope.store.store import scratch_schema
from narrascope.stories import index as story_tables

CLI = [sys.executable, "-m", "narrascope.cli"]
DOCUMENTS = 2000
WORDS = "mayor council buses trams river bridge school budget police farmers energy prices minister port".split()  # noqa: SIM905


def write_corpus(path: Path) -> None:
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(DOCUMENTS):
            a, b, c, d = rng.sample(WORDS, 4)
            text = (
                f"Report {i}: the {a} and the {b} met in Town{i % 37} on Monday. "
                f"Officials said the {c} plan for the {d} was ready."
            )
            handle.write(json.dumps({"text": text, "outlet": f"Outlet {i % 11}"}) + "\n")


def ingest(corpus: Path, db: str) -> subprocess.Popen[bytes]:
    args = ["ingest", str(corpus), "--db", db, "--layers", "entities,dates", "--batch-size", "50"]
    return subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def snapshot(db: str) -> dict[str, object]:
    with Store.open(db) as store, store.engine.connect() as connection:
        d = tables.documents.c
        analyses = dict(connection.execute(select(d.id, d.analysis)).all())
        layers = {
            table.name: sorted(tuple(row) for row in connection.execute(select(table)).all())
            for table in (tables.outlets, story_tables.members)
        }
        for table in tables.LAYERS:  # the documents' keys follow the order they were stored in: name them by id
            own = [column for column in table.c if column.name != "document"]
            query = select(d.id, *own).join(tables.documents, d.key == table.c.document)
            layers[table.name] = sorted(tuple(row) for row in connection.execute(query).all())
        c = story_tables.clusters.c
        layers["clusters"] = sorted(tuple(row) for row in connection.execute(select(c.id, c.level, c.opened_by)))
    return {"analyses": analyses, "layers": layers}


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if request.param == "sqlite":
        yield str(tmp_path / "clean.db"), str(tmp_path / "crashed.db")
        return
    reason = postgres_reachable()
    if reason is not None:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES}: {reason}")
    with scratch_schema(POSTGRES, "t") as clean, scratch_schema(POSTGRES, "t") as crashed:
        yield clean, crashed


def test_kill_9_then_rerun_equals_a_clean_run(tmp_path: Path, databases: tuple[str, str]) -> None:
    clean_db, crashed_db = databases
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus)
    assert ingest(corpus, clean_db).wait(timeout=600) == 0
    Store.open(crashed_db).close()  # created (migrated) before the first run, so it can be polled
    rng = random.Random(11)
    stored = 0
    kills = 0
    for _ in range(3):
        target = min(DOCUMENTS - 1, stored + rng.randint(100, 500))
        run = ingest(corpus, crashed_db)
        deadline = time.monotonic() + 300
        with Store.open(crashed_db) as store:
            while run.poll() is None and time.monotonic() < deadline:
                stored = store.count()
                if stored >= target:
                    break
                time.sleep(0.02)
        if run.poll() is None:
            os.kill(run.pid, signal.SIGKILL)
            run.wait()
            kills += 1
    assert kills == 3, "every run was killed before it could finish"
    with Store.open(crashed_db) as store:
        assert 0 < store.count() < DOCUMENTS
    assert ingest(corpus, crashed_db).wait(timeout=600) == 0
    clean, crashed = snapshot(clean_db), snapshot(crashed_db)
    assert len(clean["analyses"]) == DOCUMENTS  # type: ignore[arg-type]
    assert crashed["analyses"] == clean["analyses"]
    assert crashed["layers"] == clean["layers"]
