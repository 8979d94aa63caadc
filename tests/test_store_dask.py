"""Ingest on a real Dask LocalCluster of two worker processes stores the same as one process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from narrascope.store import Store
from narrascope.stories.index import members

CLI = [sys.executable, "-m", "narrascope.cli"]


def test_dask_local_cluster_stores_what_one_process_stores(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for i in range(300):
            text = f"Report {i}: the council of Town{i % 23} met on Monday, the mayor said. Buses arrive in May."
            handle.write(json.dumps({"text": text, "outlet": f"Outlet {i % 5}"}) + "\n")
        handle.write('{"text": "broken\n')
    common = ["--layers", "entities,dates,quotes", "--batch-size", "40"]
    single, spread = tmp_path / "single.db", tmp_path / "dask.db"
    one = subprocess.run([*CLI, "ingest", str(corpus), "--db", str(single), *common],
                         capture_output=True, text=True, timeout=600)  # fmt: skip
    many = subprocess.run([*CLI, "ingest", str(corpus), "--db", str(spread), *common, "--dask"],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert one.returncode == 3 and many.returncode == 3, many.stderr[-2000:]
    assert (
        one.stdout.split("->")[0]
        == many.stdout.split("->")[0]
        == "300 added, 0 already stored, 1 skipped of 301 inputs "
    )
    with Store.open(single) as a, Store.open(spread) as b:
        assert a.ids() == b.ids() and len(a.ids()) == 300
        assert all(a.get(i) == b.get(i) for i in a.ids())
        for table in ("entities", "quotes", "outlets"):
            assert a.count(table) == b.count(table)
        # batches are stored in the order they were read, so the stories and their ids agree too
        stories = []
        for store in (a, b):
            with store.engine.connect() as connection:
                rows = connection.execute(select(members.c.item, members.c.cluster, members.c.rung))
                stories.append(sorted(tuple(r) for r in rows))
        assert stories[0] == stories[1] and len(stories[0]) == 300
