"""The corpus store on SQLite and PostgreSQL: migrations, idempotent batches, layer tables, search."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from narrascope.model import (
    Analysis,
    CertaintyCue,
    Claim,
    Document,
    Language,
    Published,
    Quote,
    Span,
    Speaker,
    Technique,
    document_id,
)
from narrascope.pipeline import Pipeline
from narrascope.store import Filters, Store, StoreError


def analysis(text: str, outlet: str = "Daily Example") -> Analysis:
    document = Document(id=document_id(outlet, text), outlet=outlet, title=text.split(".")[0], text=text)
    end = text.index(".") + 1
    claim = Claim(id="C1", span=Span.of(text, 0, end), claimant="outlet", certainty=0.4, cues=[])
    technique = Technique(
        id="P1", span=Span.of(text, 0, 5), technique="Loaded_Language", family="emotional wording", score=0.7
    )
    return Analysis(document=document, claims=[claim], techniques=[technique])


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


def rich_analysis(text: str, outlet: str, published: str, language: str, speaker: str, hedged: bool) -> Analysis:
    base = analysis(text, outlet)
    document = base.document.model_copy(
        update={
            "published": Published(value=published, precision="day", source="user"),
            "language": Language(code=language, confidence=1.0, supported=True),
        }
    )
    cue = CertaintyCue(span=Span.of(text, 0, 5), kind="hedge", cue=text[:5].lower())
    claim = base.claims[0].model_copy(update={"cues": [cue] if hedged else []})
    quote = Quote(
        id="Q1",
        kind="indirect",
        speaker=Speaker(kind="named", name=speaker),
        content=Span.of(text, 0, len(text)),
    )
    return base.model_copy(update={"document": document, "claims": [claim], "quotes": [quote]})


def test_search_filters(store: Store) -> None:
    first = rich_analysis("Probably buses arrive soon.", "Daily", "2021-01-06", "en", "Yury Byaly", True)
    second = rich_analysis("Buses are cheaper now.", "Weekly", "2021-03-01", "en", "Anna Lee", False)
    third = rich_analysis("Автобусы придут скоро.", "Daily", "2020-12-30", "ru", "Иван", False)
    store.add([first, second, third])
    ids = {a.document.id: name for a, name in ((first, "first"), (second, "second"), (third, "third"))}

    def names(query: str, **kwargs: object) -> list[str]:
        return sorted(ids[i] for i in store.search(query, filters=Filters(**kwargs)))  # type: ignore[arg-type]

    assert names("buses") == ["first", "second"]
    assert names("buses", outlet="Daily") == ["first"]
    assert names("", since="2021-01", until="2021-01") == ["first"]
    assert names("", until="2020") == ["third"]
    assert names("", language="ru") == ["third"]
    assert names("", speaker="byaly") == ["first"]
    assert names("", technique="emotional wording") == ["first", "second", "third"]
    assert names("", technique="Doubt") == []
    assert names("buses", hedged=True) == ["first"]
    assert names("", outlet="x' OR '1'='1") == []


def test_reopening_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Store.open(path) as store:
        store.add([analysis("Shameful buses arrive in town.")])
    with Store.open(path) as again:
        assert again.count() == 1 and again.count("techniques") == 1


def test_new_sqlite_stores_use_large_pages_and_keep_old_files_pages(tmp_path: Path) -> None:
    """An analysis is tens of kilobytes: a new file gets 16 KB pages; a file made before keeps its
    pages, and both copy their log into the database after about 40 MB of it."""
    import sqlite3

    from narrascope.store.store import CHECKPOINT_BYTES

    old = tmp_path / "old.db"
    sqlite3.connect(old).execute("CREATE TABLE before_narrascope (x)").connection.close()
    for path, page_size in ((tmp_path / "new.db", 16384), (old, 4096)):
        with Store.open(path) as store, store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA page_size").scalar() == page_size
            pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
            assert pages * page_size == CHECKPOINT_BYTES
            assert store.add([analysis(f"Pages of {page_size} bytes.")]) == 1


def test_a_store_made_before_the_search_index_read_the_documents_is_upgraded(tmp_path: Path) -> None:
    """Migration 0007: the old full-text table (its own copy of the text) becomes an index over
    the documents; what was searchable stays searchable, and new documents are found too."""
    from alembic import command

    from narrascope.store.store import engine_for, migrations

    path = tmp_path / "corpus.db"
    old = analysis("Shameful buses arrive in town.")
    engine = engine_for(path)
    with engine.begin() as connection:
        command.upgrade(migrations(connection), "0006")
        connection.exec_driver_sql(
            "INSERT INTO documents (id, title, url, outlet, published, language, words, text, schema_version, "
            "analysis, added) VALUES (?, ?, NULL, ?, NULL, NULL, 5, ?, ?, ?, '2026-01-01')",
            (old.document.id, old.document.title, old.document.outlet, old.document.text, old.schema_version,
             old.to_json(indent=None)),
        )  # fmt: skip
        connection.exec_driver_sql(
            "INSERT INTO documents_fts (id, title, text) VALUES (?, ?, ?)",
            (old.document.id, old.document.title, old.document.text),
        )
    engine.dispose()
    with Store.open(path) as store:
        new = analysis("The council met about trams.")
        assert store.add([new]) == 1
        assert store.search("buses") == [old.document.id] and store.search("trams") == [new.document.id]
        assert store.get(old.document.id) == old
        with store.engine.connect() as connection:
            definition = connection.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'documents_fts'")
            assert "content='documents'" in definition.scalar()


def _migrate(store: Store, revision: str, down: bool = False) -> None:
    from alembic import command

    from narrascope.store.store import migrations

    with store.engine.begin() as connection:
        (command.downgrade if down else command.upgrade)(migrations(connection), revision)


def test_layer_rows_follow_their_documents_across_the_document_keys_migration(store: Store) -> None:
    """Migration 0008 (layer rows keyed by the document's integer key) and back: every layer row
    still belongs to its document, the filters still find it, new documents are numbered after."""
    from sqlalchemy import text

    first, second = analysis("Shameful buses arrive in town."), analysis("The council met about trams.")
    store.add([first, second])
    _migrate(store, "0007", down=True)
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT document_id, item FROM techniques ORDER BY document_id"))
        assert [tuple(r) for r in rows] == sorted([(first.document.id, "P1"), (second.document.id, "P1")])
        connection.execute(text("DELETE FROM claims WHERE document_id = :d"), {"d": second.document.id})
        connection.commit()
    _migrate(store, "head")
    third = analysis("Shameful trams arrive too.")
    assert store.add([third]) == 1
    assert store.count("claims") == 2 and store.count("techniques") == 3
    with store.engine.connect() as connection:
        keys = dict(connection.execute(text("SELECT id, key FROM documents")).all())
        claimed = {
            str(r[0])
            for r in connection.execute(text("SELECT d.id FROM claims c JOIN documents d ON d.key = c.document"))
        }
    assert keys[third.document.id] == 3 and {keys[first.document.id], keys[second.document.id]} == {1, 2}
    assert claimed == {first.document.id, third.document.id}
    assert set(store.search("", filters=Filters(technique="loaded_language"))) == set(keys)


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot open the store"):
        Store.open(path)
    assert path.read_bytes().startswith(b"not a database")


CLI = [sys.executable, "-m", "narrascope.cli"]


def test_ingest_search_show_commands(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("The mayor said on Monday that 40 new buses would arrive.\n", encoding="utf-8")
    (folder / "b.html").write_text(
        "<html><head><title>Trams return</title></head><body><article><p>The council voted on Tuesday to bring "
        "trams back to the old town, officials said.</p></article></body></html>",
        encoding="utf-8",
    )
    (folder / "broken.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "empty.txt").write_bytes(b"")
    lines = tmp_path / "items.jsonl"
    lines.write_text('{"text": "Farmers protested against fuel taxes.", "outlet": "Wire"}\n{"text": "trunc\n')
    table = tmp_path / "items.csv"
    table.write_text('body,site\n"Ministers met in Brussels to discuss energy prices.",EU Desk\n', encoding="utf-8")
    db = tmp_path / "corpus.db"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)

    first = run("ingest", str(folder), str(lines), "--db", str(db))
    assert first.returncode == 3, first.stderr
    assert first.stdout.startswith("3 added, 0 already stored, 3 skipped of 6 inputs")
    skipped = [line for line in first.stderr.splitlines() if line.startswith("narrascope: skipped")]
    assert len(skipped) == 3 and any("broken.txt" in line for line in skipped) and "Traceback" not in first.stderr
    again = run(
        "ingest", str(folder), str(lines), str(table), "--db", str(db), "--text-col", "body", "--outlet-col", "site"
    )
    assert again.returncode == 3 and again.stdout.startswith("1 added, 2 already stored"), again.stdout
    found = run("search", "council trams", "--db", str(db))
    assert found.returncode == 0 and "Trams return" in found.stdout and "council voted" in found.stdout
    doc_id = found.stdout.split()[0]
    shown = run("show", doc_id, "--db", str(db), "--format", "json")
    assert shown.returncode == 0 and Analysis.from_json(shown.stdout).document.id == doc_id
    missing = run("show", "no-such-id", "--db", str(db))
    assert (
        missing.returncode == 2 and missing.stderr.strip() == "narrascope: error: no document no-such-id in the store"
    )
    clean = run("ingest", str(folder / "a.txt"), "--db", str(db))
    assert clean.returncode == 0 and clean.stdout.startswith("0 added, 1 already stored")


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_formats(store: Store, tmp_path: Path, fmt: str) -> None:
    import csv
    import json

    import pyarrow.parquet as pq

    from narrascope.store.export import export

    first, second = analysis("Shameful buses arrive in town."), analysis("The council met about trams.")
    store.add([first, second])
    out = tmp_path / f"techniques.{fmt}"
    assert export(store, "techniques", fmt, out) == 2
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    elif fmt == "csv":
        with open(out, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    else:
        rows = pq.read_table(out).to_pylist()
    assert sorted(str(r["document_id"]) for r in rows) == sorted([first.document.id, second.document.id])
    assert {str(r["technique"]) for r in rows} == {"Loaded_Language"}
    documents = tmp_path / f"documents.{fmt}"
    assert export(store, "documents", fmt, documents, full=True) == 2
    assert not list(tmp_path.glob("*.partial"))
    if fmt == "jsonl":  # the whole analysis comes out as its JSON, however the store keeps it
        exported = [json.loads(line) for line in documents.read_text(encoding="utf-8").splitlines()]
        back = {r["id"]: Analysis.from_json(r["analysis"]) for r in exported}
        assert back == {first.document.id: first, second.document.id: second}


def test_analyses_stored_as_text_by_an_earlier_version_still_read(store: Store) -> None:
    from sqlalchemy import update

    from narrascope.store import schema

    kept = analysis("Shameful buses arrive in town.")
    store.add([kept])
    with store.engine.begin() as connection:
        connection.execute(update(schema.documents).values(analysis=kept.to_json(indent=None)))
    assert store.get(kept.document.id) == kept


def test_the_stored_word_count_is_the_articles(store: Store, nlp: Pipeline) -> None:
    """Counted once by the sourcing profile and reused: the same count as the article's words."""
    from sqlalchemy import select

    from narrascope.model import WORD
    from narrascope.store import schema

    text = 'The mayor said on Monday that "the plan will work", according to the city. U.S. officials didn\'t agree.'
    analysis = nlp(text)
    assert analysis.sourcing is not None
    store.add([analysis])
    with store.engine.connect() as connection:
        words = connection.scalar(select(schema.documents.c.words))
    assert words == analysis.sourcing.words == len(WORD.findall(analysis.document.text))
