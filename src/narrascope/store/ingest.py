"""Analyse inputs and store them, batch by batch.

Each batch is analysed and then stored in one transaction (``Store.add``), so an interrupted
run loses at most the batches in flight, and the next run skips everything already stored
before analysing it (ids are content hashes), finishing the job.

Whoever analyses a document also puts it in the store's form (:func:`analyse_batch`), so the
writer, the one part that cannot run in parallel, only writes. With worker processes the pool
is started once for the run and analyses the next batch while this process stores the last.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from narrascope.errors import NarrascopeError
from narrascope.model import Document
from narrascope.store.inputs import Item
from narrascope.store.rows import Prepared, prepare
from narrascope.store.store import BatchHook, Store

__all__ = ["Analysts", "IngestReport", "analyse_batch", "batches", "ingest", "store_results", "to_analyse"]


@dataclass
class IngestReport:
    """What a run did: inputs read, documents added, already stored, and what failed and why."""

    read: int = 0
    added: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    analysed_on: str = "this process"

    @property
    def partial(self) -> bool:
        return bool(self.failed)


def batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """*items* in lists of *size* (the last one shorter), read lazily."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def to_analyse(batch: list[Item], store: Store, report: IngestReport) -> list[Document]:
    """The documents of *batch* still to analyse: unreadable inputs go to ``report.failed``,
    repeats within the batch and documents already stored to ``report.already``."""
    report.read += len(batch)
    report.failed.extend((item.origin, item.error or "unreadable") for item in batch if item.document is None)
    documents: dict[str, Document] = {}
    for item in batch:
        if item.document is not None:
            documents.setdefault(item.document.id, item.document)
    stored = store.known(documents)
    report.already += sum(1 for item in batch if item.document is not None) - len(documents) + len(stored)
    return [d for doc_id, d in documents.items() if doc_id not in stored]


def analyse_batch(nlp: Any, documents: list[Document], keep: bool) -> list[Prepared | str]:
    """In whichever process analyses: each document in the store's form (its analysis kept
    beside it when *keep*), or why it could not be analysed. When the batch fails, its documents
    are analysed one by one, so only the bad one is lost."""
    try:
        return [prepare(a, keep) for a in nlp.pipe(documents)]
    except NarrascopeError:
        out: list[Prepared | str] = []
        for document in documents:
            try:
                out.append(prepare(nlp(document), keep))
            except NarrascopeError as error:
                out.append(str(error))
        return out


PIECE = 16
"""Documents a worker analyses at a time (spaCy parses them as one batch)."""


def _analyse_in_worker(documents: list[Document], keep: bool) -> list[Prepared | str]:
    from narrascope.pipeline import worker_pipeline

    return analyse_batch(worker_pipeline(), documents, keep)


class Analysts:
    """Where a run's documents are analysed: in this process, or in a pool of worker processes
    started once for the run (each loads its own pipeline). :meth:`submit` hands over a batch
    and returns what gives its results, in order, so the next batch can be analysed while this
    one is stored."""

    def __init__(self, nlp: Any, n_process: int, keep: bool) -> None:
        self.nlp, self.keep = nlp, keep
        self.pool: Any = nlp.worker_pool(n_process) if n_process > 1 else None

    def submit(self, documents: list[Document]) -> Callable[[], list[Prepared | str]]:
        if self.pool is None:
            done = analyse_batch(self.nlp, documents, self.keep)
            return lambda: done
        from narrascope.pipeline import from_worker, to_worker

        pieces = [documents[i : i + PIECE] for i in range(0, len(documents), PIECE)]
        results = [to_worker(self.pool, _analyse_in_worker, piece, self.keep) for piece in pieces]
        return lambda: [found for result in results for found in from_worker(result)]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Analysts:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _nothing() -> list[Prepared | str]:
    return []


def store_results(
    store: Store, documents: list[Document], found: list[Prepared | str], report: IngestReport, also: BatchHook | None
) -> None:
    """Store a batch's analysed documents in one transaction; the failures go to the report."""
    ready = [f for f in found if isinstance(f, Prepared)]
    report.failed.extend(
        (document.source or document.id, f) for document, f in zip(documents, found, strict=True) if isinstance(f, str)
    )
    added = store.add(ready, also)
    report.added += added
    report.already += len(ready) - added  # stored meanwhile (the same text in a batch still in flight)


def ingest(
    items: Iterable[Item],
    store: Store,
    nlp: Any,
    *,
    batch_size: int = 64,
    n_process: int = 1,
    progress: Callable[[int], None] | None = None,
    also: BatchHook | None = None,
) -> IngestReport:
    """Read, analyse and store *items* (see module doc); *progress* is told how many inputs each
    batch consumed; *also* (story assignment) writes in each batch's transaction."""
    report = IngestReport()
    pending: deque[tuple[list[Document], Callable[[], list[Prepared | str]], int]] = deque()

    def store_head() -> None:
        documents, results, consumed = pending.popleft()
        if documents:
            store_results(store, documents, results(), report, also)
        if progress is not None:
            progress(consumed)

    with Analysts(nlp, n_process, keep=also is not None) as analysts:
        for batch in batches(items, batch_size):
            todo = to_analyse(batch, store, report)
            pending.append((todo, analysts.submit(todo) if todo else _nothing, len(batch)))
            while len(pending) > (1 if n_process > 1 else 0):
                store_head()
        while pending:
            store_head()
    return report
