"""A worker process that dies mid-run (the system's out-of-memory killer, an operator's kill)
stops ``ingest --workers`` with one line and a non-zero exit instead of waiting forever for
results that will never come, and keeps every batch stored before it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil

CLI = [sys.executable, "-m", "narrascope.cli"]


def _stored(db: Path) -> int:
    if not db.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
            return int(connection.execute("select count(*) from documents").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def _workers(pid: int) -> list[psutil.Process]:
    """The pool's worker processes (spawned interpreters), not the resource tracker."""
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def test_a_dead_worker_stops_ingest_with_one_line_and_keeps_what_was_stored(tmp_path: Path) -> None:
    corpus, db = tmp_path / "corpus.jsonl", tmp_path / "corpus.db"
    with open(corpus, "w", encoding="utf-8") as handle:
        for i in range(4000):
            text = f"Report {i}: the council of Town{i % 31} met on Monday, the mayor said. Buses arrive in May."
            handle.write(json.dumps({"text": text, "outlet": f"Outlet {i % 7}"}) + "\n")
    command = [*CLI, "ingest", str(corpus), "--db", str(db), "--layers", "entities", "--batch-size", "20"]
    process = subprocess.Popen([*command, "--workers", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while _stored(db) == 0 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        workers = _workers(process.pid)
        assert process.poll() is None and len(workers) == 2, "the run should still be going, with two workers"
        workers[0].kill()
        killed_at = _stored(db)
        _, stderr = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 2, stderr[-2000:]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "worker process died" in lines[0] and "Traceback" not in stderr
    assert 0 < killed_at <= _stored(db) < 4000  # what was stored is kept, the run did not finish
