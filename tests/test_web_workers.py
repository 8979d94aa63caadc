"""``narrascope serve --workers 2`` for real: two processes on one port, each request on a new
connection (so the kernel hands them to either worker); writes one after another are placed in
the clusters as one process placing the same batches in the same order would, and writes at the
same time all succeed and leave the store whole (positions without gaps, a replay in step)."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import POSTGRES, postgres_reachable
from corpus_helpers import claim_articles
from narrascope.ingest import from_record
from narrascope.pipeline import Pipeline
from narrascope.store import Store
from narrascope.store.ingest import ingest
from narrascope.store.inputs import Item
from narrascope.store.store import scratch_schema
from narrascope.stories.hierarchy import Hierarchy, stored_state
from narrascope.web.bench import wait_ready
from narrascope.web.tokens import create_token
from test_snapshot import table

BATCHES = [claim_articles(3 * k, 3) for k in range(6)]
LATER = [claim_articles(18 + 2 * k, 2) for k in range(4)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def request(port: int, method: str, path: str, body: object = None, token: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)  # a new connection each time
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The served store: a SQLite file, and a scratch PostgreSQL schema when it is reachable."""
    if request.param == "sqlite":
        yield str(tmp_path / "served.db")
        return
    reason = postgres_reachable()
    if reason is not None:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES}: {reason}")
    with scratch_schema(POSTGRES, "w") as url:
        yield url


def test_two_workers_serve_one_port_and_write_as_one_process(target: str, tmp_path: Path, nlp: Pipeline) -> None:
    db = target
    with Store.open(db) as store:
        _, token = create_token(store, "tests")
    port, log = free_port(), tmp_path / "server.log"
    command = [sys.executable, "-m", "narrascope.cli", "serve", "--db", db, "--port", str(port), "--workers", "2"]
    with log.open("wb") as out:
        server = subprocess.Popen(command, stdout=out, stderr=out)
    try:
        try:
            wait_ready(port, server, log, workers=2, limit=300)
        except RuntimeError as error:
            pytest.fail(f"{error}: {log.read_text(errors='replace')[-2000:]}")
        for batch in BATCHES:
            status, data = request(port, "POST", "/api/ingest", {"documents": batch}, token)
            assert status == 200, data
            assert json.loads(data)["added"] == len(batch)
        with ThreadPoolExecutor(4) as pool:  # writers at once: each catches up under the writer lock
            answers = list(pool.map(lambda b: request(port, "POST", "/api/ingest", {"documents": b}, token), LATER))
        assert [status for status, _ in answers] == [200] * len(LATER), answers
        statuses = [request(port, "GET", "/corpus?q=report")[0] for _ in range(20)]
        assert statuses == [200] * 20
        status, data = request(port, "GET", "/api/stories?limit=100")
        assert status == 200 and json.loads(data)
    finally:
        server.terminate()
        server.wait(60)
    assert server.returncode == 0, log.read_text(errors="replace")[-2000:]
    with Store.open(db) as served:
        rows = table(served)
        positions: dict[str, list[int]] = {}
        for row in rows:
            positions.setdefault(row[0], []).append(row[4])
        assert all(sorted(p) == list(range(len(p))) for p in positions.values()), positions
        assert Hierarchy.load(served, snapshot=False).state() == stored_state(served)
        sequential = sum(len(batch) for batch in BATCHES)
        assert len(positions["story"]) == sequential + sum(map(len, LATER))
    with Store.open(tmp_path / "alone.db") as alone, Store.open(db) as served:
        one = Hierarchy.load(alone)  # the sequential part, as one process would have placed it
        for k, batch in enumerate(BATCHES):
            items = [Item(f"documents[{i}]", from_record(record, f"documents[{i}]")) for i, record in enumerate(batch)]
            assert ingest(items, alone, nlp, batch_size=len(items), also=one).added == len(batch), k
        placed = one.counts()  # assignments per level of the sequential part
        first = [row[:7] for row in rows if row[4] < placed[row[0]]]
        assert first == [row[:7] for row in table(alone)]  # not scores, vectors


def test_workers_refuse_a_taken_port_and_a_bad_count_in_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for extra in (["--workers", "2"], ["--workers", "0"]):
            command = [sys.executable, "-m", "narrascope.cli", "serve", "--db", str(tmp_path / "x.db")]
            done = subprocess.run([*command, "--port", str(port), *extra], capture_output=True, text=True, timeout=120)
            lines = [line for line in done.stderr.splitlines() if line.startswith("narrascope: error:")]
            assert done.returncode == 2 and len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
            assert ("already in use" if extra[1] == "2" else "--workers") in lines[0]
