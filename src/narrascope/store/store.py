"""``Store``: open (and migrate) a SQLite file or a PostgreSQL database, add analyses, read them back.

Adding is batch-wise: one call is one transaction, so a crash loses at most the batch in flight
and never leaves half a document; documents whose id is already stored are skipped, so a re-run
adds nothing twice. SQLite runs in WAL mode with foreign keys on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event, func, insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError

from narrascope.errors import NarrascopeError
from narrascope.model import WORD, Analysis
from narrascope.store import schema
from narrascope.store.lock import write_lock
from narrascope.store.rows import ANALYSIS, Prepared, Row, prepare, unpacked

__all__ = ["BatchHook", "Filters", "Store", "StoreError", "engine_for", "migrations", "scratch_schema", "shown"]


class StoreError(NarrascopeError):
    """The store cannot be opened, migrated, read or written."""


class BatchHook(Protocol):
    """Rows of its own for each batch, written in the batch's transaction (see ``Store.add``)."""

    def catch_up(self, store: Store) -> None:
        """Take in what other processes stored since (called holding the store's writer lock)."""

    def assign(self, connection: Any, new: Sequence[Analysis], added: dt.datetime) -> None: ...

    def mark_failed(self) -> None:
        """The transaction did not commit: whatever ``assign`` remembered is not in the store."""


def _url(target: str | Path) -> str:
    target = str(target)
    if target.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + target.split("://", 1)[1]
    if "://" in target:
        return target
    return f"sqlite:///{Path(target).expanduser()}"


def shown(target: str | Path) -> str:
    """*target* as it may be printed: a URL's password masked."""
    from sqlalchemy.engine import make_url

    url = _url(target)
    return str(target) if url.startswith("sqlite:///") else make_url(url).render_as_string(hide_password=True)


@contextmanager
def scratch_schema(url: str, prefix: str = "narrascope_scratch") -> Iterator[str]:
    """A new empty schema on the PostgreSQL at *url* for the duration of the block: yields the
    URL that stores into it (``search_path``), and drops it with everything in it afterwards."""
    import uuid

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = engine_for(url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {name}")
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        engine.dispose()


SQLITE_PRAGMAS = (
    "page_size=16384",  # a new file only (before WAL is on): an analysis spans 3 pages, not 11 (+8 % documents/s)
    "journal_mode=WAL",
    "foreign_keys=ON",
    "synchronous=NORMAL",
    "busy_timeout=30000",
    "journal_size_limit=67108864",  # cut the log file back to 64 MB after each copy into the database
)
KEYS_LOCK = "narrascope-document-keys:"
"""PostgreSQL: the transaction lock under which a batch numbers its documents (``documents.key``)."""
CHECKPOINT_BYTES = 40 * 1024 * 1024
"""Copy the log into the database every 40 MB, not SQLite's 1,000 pages (storing 4,000 articles: +12 %)."""


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    page_size = cursor.execute("PRAGMA page_size").fetchone()[0]  # older files keep 4 KB pages
    cursor.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_BYTES // page_size}")
    cursor.close()


def migrations(connection: Any) -> Any:
    """Alembic's configuration of the package's migrations, run on *connection* (an open
    transaction): what :meth:`Store.migrate` upgrades with, and tests go to a revision with."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("narrascope.store") / "migrations"))
    config.attributes["connection"] = connection
    return config


def engine_for(target: str | Path) -> Engine:
    """An engine for a SQLite path or a ``postgresql://`` URL (driven by psycopg 3)."""
    url = _url(target)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class Store:
    """A corpus of analysed documents in one SQL database; open it with :meth:`open`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, target: str | Path) -> Store:
        """Open the store at *target* (a SQLite path or a PostgreSQL URL), creating or upgrading
        its schema to the newest migration."""
        try:
            store = cls(engine_for(target))
            store.migrate()
        except (SQLAlchemyError, OSError) as error:
            raise StoreError(f"cannot open the store {shown(target)}: {_reason(error)}") from error
        return store

    def migrate(self) -> None:
        """Run the package's Alembic migrations up to the newest (nothing to do when current)."""
        from alembic import command

        with self.engine.begin() as connection:
            command.upgrade(migrations(connection), "head")

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add(self, analyses: Iterable[Analysis | Prepared], also: BatchHook | None = None) -> int:
        """Store a batch in one transaction; skip documents already stored (and repeats within
        the batch). Each document comes as its analysis or already in the store's form
        (:func:`~narrascope.store.rows.prepare`, made where it was analysed). *also* writes its
        own rows for the new documents in the same transaction (story assignments), holding the
        store's writer lock (:mod:`.lock`) after catching up with what other processes stored;
        it reads the analyses, so a prepared document must keep its own. Returns how many
        documents were added."""
        batch: dict[str, Prepared] = {}
        for item in analyses:
            prepared = item if isinstance(item, Prepared) else prepare(item)
            batch.setdefault(prepared.id, prepared)
        if not batch:
            return 0
        if also is not None and any(p.analysis is None for p in batch.values()):
            raise StoreError("placing documents in stories needs their analyses, not only their stored form")
        added = dt.datetime.now(dt.UTC)
        try:
            with write_lock(self) if also is not None else nullcontext():
                if also is not None:
                    also.catch_up(self)
                with self.engine.begin() as connection:
                    return self._insert(connection, batch, added, also)
        except SQLAlchemyError as error:
            if also is not None:
                also.mark_failed()
            raise StoreError(f"cannot store the batch ({len(batch)} documents): {_reason(error)}") from error
        except BaseException:
            if also is not None:
                also.mark_failed()
            raise

    def _insert(self, connection: Any, batch: dict[str, Prepared], added: dt.datetime, also: BatchHook | None) -> int:
        present = set(connection.scalars(select(schema.documents.c.id).where(schema.documents.c.id.in_(list(batch)))))
        new = [p for doc_id, p in batch.items() if doc_id not in present]
        if not new:
            return 0
        sqlite = connection.dialect.name == "sqlite"
        if not sqlite:  # one batch at a time gets keys (SQLite's write lock does that itself)
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock(hashtext('{KEYS_LOCK}' || current_schema()))")
        last = int(connection.exec_driver_sql("SELECT coalesce(max(key), 0) FROM documents").scalar())
        keyed = list(enumerate(new, last + 1))  # the next keys, in storing order
        rows = [(*p.document, added, key) for key, p in keyed]
        if not sqlite:  # a text column that compresses large values itself
            rows = [(*row[:ANALYSIS], unpacked(row[ANALYSIS]), *row[ANALYSIS + 1 :]) for row in rows]
        _insert_many(connection, schema.documents, rows)
        for table in schema.LAYERS:
            _insert_many(connection, table, [(key, *row) for key, p in keyed for row in p.layers[table.name]])
        if sqlite:  # the new documents are those after the last key (the search index reads them)
            connection.exec_driver_sql(
                "INSERT INTO documents_fts (rowid, title, text) SELECT rowid, title, text FROM documents WHERE key > ?",
                (last,),
            )
        self._count_outlets(connection, new)
        if also is not None:
            also.assign(connection, [p.analysis for p in new if p.analysis is not None], added)
        return len(new)

    @staticmethod
    def _count_outlets(connection: Any, new: Sequence[Prepared]) -> None:
        counts: dict[str, int] = {}
        for prepared in new:
            if prepared.outlet:
                counts[prepared.outlet] = counts.get(prepared.outlet, 0) + 1
        outlets = schema.outlets
        known = set(connection.scalars(select(outlets.c.name).where(outlets.c.name.in_(list(counts)))))
        for name, n in counts.items():
            if name in known:
                connection.execute(
                    update(outlets).where(outlets.c.name == name).values(documents=outlets.c.documents + n)
                )
            else:
                connection.execute(insert(outlets).values(name=name, documents=n))

    def known(self, ids: Iterable[str]) -> set[str]:
        """Which of *ids* are stored already."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                found |= set(connection.scalars(select(schema.documents.c.id).where(schema.documents.c.id.in_(chunk))))
        return found

    def rows(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The document rows (id, title, outlet, published, language, text) of *ids*, in that order."""
        d = schema.documents.c
        with self.engine.connect() as connection:
            found = {
                row.id: dict(row._mapping)
                for row in connection.execute(
                    select(d.id, d.title, d.outlet, d.published, d.language, d.text).where(d.id.in_(list(ids)))
                )
            }
        return [found[i] for i in ids if i in found]

    def get(self, document_id: str) -> Analysis | None:
        """The stored analysis of one document, or None."""
        with self.engine.connect() as connection:
            stored = connection.scalar(select(schema.documents.c.analysis).where(schema.documents.c.id == document_id))
        return Analysis.from_json(unpacked(stored)) if stored is not None else None

    def ids(self) -> list[str]:
        """Every stored document id, sorted."""
        with self.engine.connect() as connection:
            return sorted(connection.scalars(select(schema.documents.c.id)))

    def count(self, table: str = "documents") -> int:
        """How many rows *table* holds (documents by default)."""
        chosen = schema.metadata.tables[table]
        with self.engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(chosen)) or 0)

    def search(self, query: str, limit: int = 20, filters: Filters | None = None) -> list[str]:
        """Ids of the documents matching *query* in title or text (best first) and every filter;
        with an empty query, the filtered documents, newest first."""
        where, params = (filters or Filters()).sql()
        params["n"] = limit
        sqlite = self.engine.dialect.name == "sqlite"
        if not query.strip():
            sql = f"SELECT d.id FROM documents d WHERE {where} ORDER BY d.published DESC, d.id LIMIT :n"
        elif sqlite:
            params["q"] = _fts5_query(query)
            sql = (
                "SELECT d.id FROM documents_fts f JOIN documents d ON d.rowid = f.rowid "
                f"WHERE documents_fts MATCH :q AND {where} ORDER BY f.rank LIMIT :n"
            )
        else:
            params["q"] = query
            sql = (
                "SELECT d.id FROM documents d, websearch_to_tsquery('simple', :q) AS q "
                f"WHERE d.search @@ q AND {where} ORDER BY ts_rank(d.search, q) DESC, d.id LIMIT :n"
            )
        with self.engine.connect() as connection:
            return list(connection.scalars(text(sql), params))


@dataclass(frozen=True)
class Filters:
    """What ``narrascope search`` narrows by; every filter is a bound parameter, never SQL text."""

    outlet: str | None = None
    since: str | None = None
    until: str | None = None
    language: str | None = None
    speaker: str | None = None
    technique: str | None = None
    hedged: bool = False

    def sql(self) -> tuple[str, dict[str, Any]]:
        """A WHERE condition over ``documents d`` and its parameters."""
        clauses, params = ["1 = 1"], {}
        if self.outlet:
            clauses.append("d.outlet = :outlet")
            params["outlet"] = self.outlet
        if self.since:
            clauses.append("d.published >= :since")
            params["since"] = self.since
        if self.until:
            clauses.append("d.published <= :until")
            params["until"] = self.until + "\uffff"  # "2021-01" keeps everything published in that month
        if self.language:
            clauses.append("d.language = :language")
            params["language"] = self.language
        if self.speaker:
            clauses.append(
                "EXISTS (SELECT 1 FROM quotes q WHERE q.document = d.key AND lower(q.speaker) LIKE :speaker)"
            )
            params["speaker"] = f"%{self.speaker.lower()}%"
        if self.technique:
            clauses.append(
                "EXISTS (SELECT 1 FROM techniques t WHERE t.document = d.key "
                "AND (lower(t.technique) = :technique OR lower(t.family) = :technique))"
            )
            params["technique"] = self.technique.lower()
        if self.hedged:
            clauses.append("EXISTS (SELECT 1 FROM claims c WHERE c.document = d.key AND c.hedged)")
        return " AND ".join(clauses), params


def _insert_many(connection: Any, table: Any, rows: list[Row]) -> None:
    """Insert *rows* (tuples in the table's column order) through the driver's own
    ``executemany`` (SQLAlchemy's per-row parameter processing was a third of the time of
    storing a batch)."""
    if not rows:
        return
    names = [c.name for c in table.columns]
    if len(rows[0]) != len(names):
        raise ValueError(f"{table.name}: rows of {len(rows[0])} values for {len(names)} columns")
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(f'"{name}"' for name in names)
    sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join(mark for _ in names)})'
    connection.exec_driver_sql(sql, rows)


def _fts5_query(query: str) -> str:
    """The words of *query* as an FTS5 conjunction of quoted terms (no FTS5 syntax from users)."""
    words = WORD.findall(query)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words) or '""'


def _reason(error: BaseException) -> str:
    """The first line of a driver error, without SQLAlchemy's background link."""
    message = str(getattr(error, "orig", None) or error)
    return message.strip().splitlines()[0] if message.strip() else type(error).__name__
