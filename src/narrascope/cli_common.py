"""What the command modules share: report formats, the store option, metric and bench tables.

Kept apart from ``cli`` so that the command modules (``cli``, ``cli_corpus``, ``cli_web``, …)
import it without importing each other.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from narrascope.errors import InputError

__all__ = [
    "EXIT_PARTIAL",
    "DbOption",
    "Format",
    "default_db",
    "label",
    "log_stderr",
    "need_dir",
    "need_file",
    "print_bench",
    "print_metrics",
    "version_of",
]


def log_stderr(name: str) -> Callable[[str], None]:
    """A progress logger for long training runs: one line on stderr, prefixed with *name*."""
    return lambda line: print(f"[{name}] {line}", file=sys.stderr, flush=True)


class Format(StrEnum):
    text = "text"
    json = "json"
    md = "md"
    html = "html"


EXIT_PARTIAL = 3
"""``ingest`` stored what it could, but some inputs could not be read (each listed on stderr)."""


def default_db() -> str:
    """``$NARRASCOPE_DB``, else ``corpus.db`` in the user's data folder (XDG)."""
    if os.environ.get("NARRASCOPE_DB"):
        return os.environ["NARRASCOPE_DB"]
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return str(base / "narrascope" / "corpus.db")


DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLite file or postgresql:// URL (default: $NARRASCOPE_DB or the data folder)."),
]


def print_metrics(title: str, rows: dict[str, dict[str, Any]], as_json: bool, primary: str) -> None:
    """A table for people; with ``as_json``, the primary system's metrics as the last line."""
    from rich.console import Console
    from rich.table import Table

    keys = list(dict.fromkeys(k for metrics in rows.values() for k in metrics))
    table = Table(title=title)
    table.add_column("metric")
    for system in rows:
        table.add_column(system, justify="right")
    for key in keys:
        table.add_row(key, *(_cell(metrics.get(key)) for metrics in rows.values()))
    Console(stderr=as_json, width=max(100, 30 + 22 * len(rows))).print(table)
    if as_json:
        sys.stdout.write(json.dumps(rows[primary]) + "\n")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "" if value is None else str(value)


def need_dir(path: Path) -> None:
    if not path.is_dir():
        raise InputError(f"no such folder: {path}")


def need_file(path: Path) -> None:
    if not path.is_file():
        raise InputError(f"no such file: {path}")


def need_probability(option: str, value: float) -> None:
    """Refuse a probability option outside [0, 1) (1 or more would switch its part off unseen)."""
    if not 0 <= value < 1:
        raise InputError(f"{option} must be at least 0 and under 1, not {value:g}")


def need_probabilities(option: str, value: str, count: int) -> tuple[float, ...]:
    """*count* comma-separated probabilities, each in [0, 1), or a clear error."""
    try:
        found = tuple(float(part) for part in value.split(","))
    except ValueError:
        raise InputError(f"{option} takes {count} comma-separated probabilities, not {value!r}") from None
    if len(found) != count:
        raise InputError(f"{option} takes {count} comma-separated probabilities, not {value!r}")
    for part in found:
        need_probability(option, part)
    return found


def print_bench(title: str, result: dict[str, Any], as_json: bool) -> None:
    """A bench's figures as a table (without the model line) and, with ``as_json``, all of them
    as JSON on the last line."""
    print_metrics(title, {"figures": {k: v for k, v in result.items() if k != "model"}}, False, "figures")
    if as_json:
        sys.stdout.write(json.dumps(result) + "\n")


def version_of(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def label(rows: dict[str, dict[str, Any]], baselines: dict[str, str]) -> None:
    """Counts as integers, and each row's ``model``: what exactly was scored."""
    for system, metrics in rows.items():
        for key in ("n", "failures"):
            if key in metrics:
                metrics[key] = int(metrics[key])
        metrics["model"] = baselines.get(system, f"narrascope {version_of('narrascope')}")
