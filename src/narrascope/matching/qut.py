"""`narrascope bench corpus --qut PYTHON`: the same synthetic documents through the QUT
coordination-network-toolkit's text-similarity network, for a ratio measured in the same run.

Why a subprocess: the toolkit (coordination-network-toolkit 1.5.2, ``make qut-env``) lives in its
own environment, so its pins (twarc, networkx, regex) never touch ours, and it runs exactly as its
users run it, through its own command line: ``preprocess`` loads a CSV into its SQLite database and
``compute co_similar_tweet`` links two accounts for each pair of their messages within the window
whose token sets have a Jaccard similarity at or above the threshold. It compares every pair of
messages within the window (a Python function called from SQLite, on all cores): no index prunes
the candidates, so its cost grows with the square of the documents per window. Each step is timed
as wall clock (interpreter start included); writing the CSV is timed apart and counted in neither.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from narrascope.errors import InputError
from narrascope.matching.bench import SyntheticCorpus, synthetic_corpus

__all__ = ["FIELDS", "check_toolkit", "compare_with_qut", "run_toolkit", "write_toolkit_csv"]

FIELDS = ("message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp", "urls")
"""The toolkit's CSV columns, in the order its ``preprocess_csv_files`` reads them (by position)."""
TOOLKIT = "coordination-network-toolkit"
THRESHOLD = 0.8
"""The toolkit's command-line default for ``--similarity_threshold``."""
MIN_EDGE_WEIGHT = 2
"""The toolkit's command-line default for ``--min_edge_weight``."""
TIMEOUT = 3 * 3600.0


def write_toolkit_csv(corpus: SyntheticCorpus, path: Path) -> int:
    """Every document of *corpus* as one row of the toolkit's CSV: its index as the message id,
    its outlet as the account, its text, its publication time in whole seconds (the toolkit's
    documented unit), no repost, reply or URL. Returns the number of rows."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(FIELDS)
        rows = zip(corpus.documents(), corpus.outlets.tolist(), corpus.times.tolist(), strict=True)
        for i, ((text, _), outlet, at) in enumerate(rows):
            writer.writerow((i, f"outlet{outlet}", f"outlet{outlet}", "", "", text, int(at), ""))
    return len(corpus)


def check_toolkit(python: Path) -> str:
    """The toolkit's version under *python*, or an InputError saying what is missing."""
    if not (python.is_file() and os.access(python, os.X_OK)):
        raise InputError(f"no Python interpreter at {python} (make qut-env creates .venv-qut/bin/python)")
    probe = (
        f"import importlib.metadata as m, coordination_network_toolkit.compute_networks; print(m.version({TOOLKIT!r}))"
    )
    try:
        done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise InputError(f"cannot run {python}: {err}") from err
    if done.returncode != 0:
        raise InputError(f"{TOOLKIT} is not importable by {python} (make qut-env installs it in .venv-qut)")
    return done.stdout.strip()


def _run(argv: list[str], log: Path, timeout: float) -> tuple[float, bool]:
    """Wall-clock seconds of *argv* and whether it was stopped at *timeout*. The toolkit forks a
    pool of workers, so it runs in a session of its own and the whole group is stopped."""
    started = time.perf_counter()
    with log.open("a", encoding="utf-8") as sink:
        process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            code = process.wait(timeout=max(timeout, 0.0))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return time.perf_counter() - started, True
    if code != 0:
        last = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
        raise InputError(f"{TOOLKIT} failed (exit {code}): {last[-1] if last else 'no output'}")
    return time.perf_counter() - started, False


def _edges(database: Path) -> int:
    """Pairs of distinct accounts in the toolkit's network (it stores both directions and loops)."""
    with sqlite3.connect(database) as db:
        row = db.execute(
            "select count(*) from (select distinct min(user_1, user_2), max(user_1, user_2)"
            " from co_similar_tweet_network where user_1 != user_2)"
        ).fetchone()
    return int(row[0])


def run_toolkit(
    corpus: SyntheticCorpus,
    python: Path,
    window: float,
    threshold: float = THRESHOLD,
    timeout: float = TIMEOUT,
    min_edge_weight: int = MIN_EDGE_WEIGHT,
) -> dict[str, Any]:
    """The toolkit's preprocessing and text-similarity network over *corpus*, each timed; stopped
    when both together pass *timeout* seconds (``qut.timed_out``, and how far it got)."""
    version = check_toolkit(python)
    cpus = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="narrascope-qut-") as tmp:
        folder = Path(tmp)
        table, database, log = folder / "documents.csv", folder / "network.db", folder / "toolkit.log"
        started = time.perf_counter()
        write_toolkit_csv(corpus, table)
        write_s = time.perf_counter() - started
        cli = [str(python), "-W", "ignore", "-m", "coordination_network_toolkit", str(database)]
        preprocess_s, timed_out = _run([*cli, "preprocess", "--format", "csv", str(table)], log, timeout)
        network_s = 0.0
        if not timed_out:
            compute = [
                "compute",
                "co_similar_tweet",
                "--time_window",
                str(round(window)),
                "--similarity_threshold",
                str(threshold),
                "--min_edge_weight",
                str(min_edge_weight),
                "--n_cpus",
                str(cpus),
            ]
            network_s, timed_out = _run([*cli, *compute], log, timeout - preprocess_s)
        result: dict[str, Any] = {
            "qut.toolkit": f"{TOOLKIT} {version} co_similar_tweet",
            "qut.docs": len(corpus),
            "qut.write_s": write_s,
            "qut.preprocess_s": preprocess_s,
            "qut.network_s": network_s,
            "qut.total_s": preprocess_s + network_s,
            "qut.timed_out": timed_out,
            "qut.edges": None if timed_out else _edges(database),
            "qut.similarity_threshold": threshold,
            "qut.min_edge_weight": min_edge_weight,
            "qut.window_s": round(window),
            "qut.n_cpus": cpus,
        }
        if timed_out:
            done = re.findall(r"Completed (\d+) / (\d+)", log.read_text(encoding="utf-8", errors="replace"))
            result["qut.progress"] = f"{done[-1][0]}/{done[-1][1]} batches" if done else "preprocessing"
    return result


def compare_with_qut(
    ours: dict[str, Any],
    seed: int,
    python: Path,
    threshold: float = THRESHOLD,
    timeout: float = TIMEOUT,
) -> dict[str, Any]:
    """The toolkit's figures on the documents and window of *ours* (a ``bench_corpus`` result),
    and ``qut.ratio``: its time over ours (assignment plus coordination); a lower bound, and
    said so, when the toolkit was stopped at the timeout."""
    corpus = synthetic_corpus(int(ours["docs"]), seed, float(ours["days"]))
    qut = run_toolkit(corpus, python, float(ours["coordination.window_s"]), threshold, timeout)
    our_s = float(ours["assignment.seconds"]) + float(ours["coordination.seconds"])
    qut["qut.ours_s"] = our_s
    qut["qut.ratio"] = qut["qut.total_s"] / our_s
    qut["qut.ratio_is"] = "a lower bound (the toolkit was stopped)" if qut["qut.timed_out"] else "measured"
    return qut
