"""Shared fixtures: the bundled sample and one pipeline per test session (spaCy loads once)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import narrascope
from narrascope.cli import sample_path
from narrascope.pipeline import Pipeline
from narrascope.store import Store
from narrascope.store.store import scratch_schema


@pytest.fixture(scope="session", autouse=True)
def _cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests' caches (a PostgreSQL store's cluster snapshots, vectors) in a folder of their
    own, for this process and the commands it starts, not in the user's cache."""
    import os

    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@pytest.fixture(scope="session")
def sample_text() -> str:
    return sample_path().read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_file() -> Path:
    return sample_path()


@pytest.fixture(scope="session")
def nlp() -> Pipeline:
    return narrascope.load()


def shared_data() -> Path:
    """The workplace's real data sets (never copied into the project): ``$NARRASCOPE_SHARED_DATA``,
    else ``../shared/data`` beside the project, else ``/work/shared/data``. Tests that read it
    skip, saying where they looked, when it is absent."""
    import os

    if os.environ.get("NARRASCOPE_SHARED_DATA"):
        return Path(os.environ["NARRASCOPE_SHARED_DATA"])
    beside = Path(__file__).resolve().parents[2] / "shared" / "data"
    return beside if beside.is_dir() else Path("/work/shared/data")


POSTGRES = "postgresql://127.0.0.1:5432/test"
"""The PostgreSQL the store tests run against when it is reachable (trust auth, database ``test``)."""


def postgres_reachable() -> str | None:
    """None when the test PostgreSQL answers, else why not (one line)."""
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test connect_timeout=3"):
            return None
    except Exception as error:  # any failure to connect means: skip, and say why
        return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store on SQLite and, when it is reachable, in a scratch PostgreSQL schema."""
    if request.param == "sqlite":
        with Store.open(tmp_path / "corpus.db") as opened:
            yield opened
        return
    reason = postgres_reachable()
    if reason is not None:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES}: {reason}")
    with scratch_schema(POSTGRES, "t") as url, Store.open(url) as opened:
        yield opened


def pytest_report_header() -> str:
    reason = postgres_reachable()
    if reason is None:
        return f"postgresql: reachable at {POSTGRES}; the store tests run on SQLite and PostgreSQL"
    return f"postgresql: NOT reachable at {POSTGRES} ({reason}); the PostgreSQL store tests are SKIPPED"
