"""`narrascope bench serve`: many concurrent clients against a real server on loopback.

The server is ``narrascope serve`` in its own process, over a store of synthetic documents; the
clients are threads with keep-alive connections, so what is timed is the whole round trip (HTTP,
routing, store, rendering). Search pages (``/corpus?q=…``, with their facets) and document pages
(``/documents/{id}``) are loaded together by every client for the given time; analysing the
worked example is timed apart, one request after another, as an analyst waiting for one article
would see it (the server analyses one article at a time). The baseline, run in this process on
the same store and queries, is the store's own search.
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["READY", "bench_serve", "wait_ready"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


READY = b"Application startup complete"
"""What uvicorn logs when a worker has loaded the app (and its models) and takes connections."""


def wait_ready(port: int, server: subprocess.Popen[bytes], log: Path, workers: int, limit: float = 600.0) -> None:
    """Wait until every worker has started (else the first one ready would take every client's
    keep-alive connection) and the server answers."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped before it answered (exit code {server.returncode})")
        if log.read_bytes().count(READY) < workers:
            time.sleep(0.5)
            continue
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/openapi.json")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the server did not answer within {limit:.0f} s")


def _percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


Record = tuple[str, float, bool]
"""One request: its kind, milliseconds, and whether it succeeded."""


def _client(port: int, paths: list[tuple[str, str]], deadline: float, seed: int, out: list[Record]) -> None:
    """One keep-alive client: random (kind, path) requests until *deadline*; (kind, ms, ok) each."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < deadline:
        kind, path = rng.choice(paths)
        started = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out.append((kind, 1000 * (time.perf_counter() - started), ok))
    connection.close()


def bench_serve(
    docs: int = 10_000, clients: int = 100, seconds: float = 30.0, analyses: int = 20, workers: int = 1
) -> dict[str, Any]:
    """Errors, throughput and latency percentiles of search and document pages under *clients*
    concurrent clients for *seconds*, and of analysing the worked example (*analyses* requests),
    against ``narrascope serve --workers`` *workers*."""
    from narrascope.bench import VOCABULARY, fill_synthetic
    from narrascope.cli import sample_path
    from narrascope.store import Store

    rng = random.Random(0)
    result: dict[str, Any] = {"docs": docs, "clients": clients, "seconds": seconds, "workers": workers}
    with tempfile.TemporaryDirectory(prefix="narrascope-bench-serve-") as tmp:
        db = Path(tmp) / "serve.db"
        with Store.open(db) as store:
            fill_synthetic(store, docs, rng)
            ids = store.ids()
            queries = [" ".join(rng.sample(VOCABULARY[50:3000], rng.randint(1, 2))) for _ in range(200)]
            baseline = []
            for query in queries[:50]:
                started = time.perf_counter()
                store.search(query, limit=20)
                baseline.append(1000 * (time.perf_counter() - started))
        result["baseline.store_search.p50_ms"] = statistics.median(baseline)
        paths = [("search", f"/corpus?q={quote(q)}") for q in queries]  # the search page, with its facets
        paths += [("document", f"/documents/{doc_id}") for doc_id in rng.sample(ids, min(200, len(ids)))]
        port = _free_port()
        log_path = Path(tmp) / "server.log"
        log = log_path.open("wb")
        command = [sys.executable, "-m", "narrascope.cli", "serve", "--db", str(db), "--port", str(port)]
        server = subprocess.Popen([*command, "--workers", str(workers)], stdout=log, stderr=log)
        try:
            wait_ready(port, server, log_path, workers)
            records: list[Record] = []
            deadline = time.monotonic() + seconds
            threads = [
                threading.Thread(target=_client, args=(port, paths, deadline, k, records), daemon=True)
                for k in range(clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            for kind in ("search", "document"):
                times = [ms for k, ms, _ in records if k == kind]
                result[f"{kind}.requests"] = len(times)
                result[f"{kind}.errors"] = sum(1 for k, _, ok in records if k == kind and not ok)
                result[f"{kind}.per_s"] = len(times) / seconds
                result[f"{kind}.p50_ms"] = _percentile(times, 0.50)
                result[f"{kind}.p99_ms"] = _percentile(times, 0.99)
            result.update(_analyse(port, sample_path().read_text(encoding="utf-8"), analyses))
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
    result["search.ratio_vs_store"] = result["search.p50_ms"] / max(result["baseline.store_search.p50_ms"], 1e-9)
    return result


def _analyse(port: int, text: str, requests: int) -> dict[str, Any]:
    """Analyse the worked example *requests* times in a row (the first warms nothing: the server
    loaded its models before it answered)."""
    body = json.dumps({"text": text})
    times, errors = [], 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for _ in range(requests):
        started = time.perf_counter()
        connection.request("POST", "/api/analyse", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        errors += response.status != 200
        times.append(1000 * (time.perf_counter() - started))
    connection.close()
    return {
        "analyse.requests": requests,
        "analyse.errors": errors,
        "analyse.p50_ms": _percentile(times, 0.50),
        "analyse.p95_ms": _percentile(times, 0.95),
    }
