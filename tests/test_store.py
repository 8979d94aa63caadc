"""The corpus store on SQLite and PostgreSQL: migrations, idempotent batches, layer tables, search."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import POSTGRES, postgres_reachable
from narrascope.model import Analysis, Claim, Document, Span, Technique, document_id
from narrascope.store import Store, StoreError


def analysis(text: str, outlet: str = "Daily Example") -> Analysis:
    document = Document(id=document_id(outlet, text), outlet=outlet, title=text.split(".")[0], text=text)
    end = text.index(".") + 1
    claim = Claim(id="C1", span=Span.of(text, 0, end), claimant="outlet", certainty=0.4, cues=[])
    technique = Technique(
        id="P1", span=Span.of(text, 0, 5), technique="Loaded_Language", family="emotional wording", score=0.7
    )
    return Analysis(document=document, claims=[claim], techniques=[technique])


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        with Store.open(tmp_path / "corpus.db") as opened:
            yield opened
        return
    reason = postgres_reachable()
    if reason is not None:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES}: {reason}")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect("host=127.0.0.1 port=5432 dbname=test", autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    try:
        with Store.open(f"{POSTGRES}?options=-csearch_path%3D{schema}") as opened:
            yield opened
    finally:
        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test", autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def test_batches_are_idempotent_and_round_trip(store: Store) -> None:
    first, second = analysis("Shameful buses arrive in town."), analysis("The council met about trams.")
    assert store.add([first, second, first]) == 2
    assert store.add([second, first]) == 0
    assert store.count() == 2 and store.ids() == sorted([first.document.id, second.document.id])
    assert store.get(first.document.id) == first
    assert store.get("no-such-id") is None
    assert store.count("claims") == 2 and store.count("techniques") == 2 and store.count("outlets") == 1


def test_search_finds_words_in_title_or_text(store: Store) -> None:
    buses, trams = analysis("Shameful buses arrive in town."), analysis("The council met about trams.")
    store.add([buses, trams])
    assert store.search("buses") == [buses.document.id]
    assert store.search("council trams") == [trams.document.id]
    assert store.search('"; DROP TABLE documents; --') == []
    assert store.count() == 2


def test_reopening_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Store.open(path) as store:
        store.add([analysis("Shameful buses arrive in town.")])
    with Store.open(path) as again:
        assert again.count() == 1 and again.count("techniques") == 1


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot open the store"):
        Store.open(path)
    assert path.read_bytes().startswith(b"not a database")
