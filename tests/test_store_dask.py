"""Ingest on a real Dask LocalCluster of two worker processes, or on a pool of two worker processes
(``--workers 2``), stores the same as one process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from narrascope.store import Store
from narrascope.stories.index import members

CLI = [sys.executable, "-m", "narrascope.cli"]


def test_dask_local_cluster_and_worker_processes_store_what_one_process_stores(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for i in range(300):
            text = f"Report {i}: the council of Town{i % 23} met on Monday, the mayor said. Buses arrive in May."
            handle.write(json.dumps({"text": text, "outlet": f"Outlet {i % 5}"}) + "\n")
        handle.write('{"text": "broken\n')
    common = ["--layers", "entities,dates,quotes", "--batch-size", "40"]
    runs = {
        "single": [],
        "dask": ["--dask"],
        "workers": ["--workers", "2"],
        "plain": ["--workers", "2", "--no-stories"],
    }
    for name, options in runs.items():
        done = subprocess.run([*CLI, "ingest", str(corpus), "--db", str(tmp_path / f"{name}.db"), *common, *options],
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 3, (name, done.stderr[-2000:])
        assert done.stdout.split("->")[0] == "300 added, 0 already stored, 1 skipped of 301 inputs ", name
    with Store.open(tmp_path / "single.db") as a:
        ids = a.ids()
        assert len(ids) == 300
        for name in ("dask", "workers", "plain"):
            with Store.open(tmp_path / f"{name}.db") as b:
                assert b.ids() == ids and all(a.get(i) == b.get(i) for i in ids), name
                for table in ("entities", "quotes", "outlets"):
                    assert a.count(table) == b.count(table), (name, table)
                if name == "plain":
                    with b.engine.connect() as connection:
                        assert connection.execute(select(members.c.item)).first() is None
                    continue
                # batches are stored in the order they were read, so the stories and their ids agree too
                stories = []
                for store in (a, b):
                    with store.engine.connect() as connection:
                        rows = connection.execute(select(members.c.item, members.c.cluster, members.c.rung))
                        stories.append(sorted(tuple(r) for r in rows))
                assert stories[0] == stories[1] and len(stories[0]) == 300, name
