"""One writer of clusters at a time, across processes: ``with write_lock(store): …``.

The story, claim and narrative clusters are kept in memory by every process that places
documents (each worker of ``narrascope serve``, a running ``narrascope ingest``). A writer takes
this lock, brings its clusters up to what the others stored (``Hierarchy.catch_up``), and writes
its batch before it lets go, so no two processes number a new cluster alike or place a document
by clusters that are out of date. SQLite: an exclusive ``flock`` on a file beside the database;
PostgreSQL: a session advisory lock named after the schema. Both go with the process that held
them when it dies, so a killed ingest never leaves the store locked.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

if TYPE_CHECKING:
    from narrascope.store.store import Store

__all__ = ["lock_path", "write_lock"]

SUFFIX = "-writer.lock"


def lock_path(store: Store) -> Path | None:
    """The SQLite store's lock file (None for an in-memory database or another back end)."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database) + SUFFIX)


_held = threading.local()


@contextmanager
def write_lock(store: Store) -> Iterator[None]:
    """Hold the store's writer lock for the block (waits for another holder to finish). Taken
    again by a thread that holds it already, it is held once (re-clustering loads clusters,
    which lock too)."""
    key = str(store.engine.url)
    held: set[str] = _held.__dict__.setdefault("keys", set())
    if key in held:
        yield
        return
    held.add(key)
    try:
        with _locked(store):
            yield
    finally:
        held.discard(key)


@contextmanager
def _locked(store: Store) -> Iterator[None]:
    from narrascope.store.store import StoreError, _reason

    if store.engine.dialect.name == "postgresql":
        key = "hashtext('narrascope-writer:' || current_schema())"
        connection = None
        try:
            connection = store.engine.connect()
            connection.execute(text(f"SELECT pg_advisory_lock({key})"))
            connection.commit()
        except SQLAlchemyError as error:
            if connection is not None:
                connection.close()
            raise StoreError(f"cannot take the store's writer lock: {_reason(error)}") from error
        try:
            yield
        finally:
            try:
                connection.execute(text(f"SELECT pg_advisory_unlock({key})"))
                connection.commit()
            except SQLAlchemyError:
                pass  # a lost connection has released the lock with its session
            connection.close()
        return
    path = lock_path(store)
    if path is None:
        yield
        return
    try:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise StoreError(f"cannot take the store's writer lock {path}: {error.strerror or error}") from error
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # a lock per open file: threads of one process exclude each other too
        yield
    finally:
        os.close(handle)  # closing releases the lock
