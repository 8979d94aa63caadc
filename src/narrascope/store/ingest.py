"""Analyse inputs and store them, batch by batch.

Each batch is analysed and then stored in one transaction (``Store.add``), so an interrupted
run loses at most the batch in flight, and the next run skips everything already stored before
analysing it (ids are content hashes), finishing the job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from narrascope.errors import NarrascopeError
from narrascope.model import Analysis, Document
from narrascope.store.inputs import Item
from narrascope.store.store import BatchHook, Store

__all__ = ["IngestReport", "batches", "ingest", "to_analyse"]


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


def _analyse(nlp: Any, documents: list[Document], n_process: int) -> tuple[list[Analysis], list[tuple[str, str]]]:
    """Analyses of *documents*; when the batch fails, one by one, so only the bad one is lost."""
    try:
        return list(nlp.pipe(documents, n_process=n_process)), []
    except NarrascopeError:
        analyses, failed = [], []
        for document in documents:
            try:
                analyses.append(nlp(document))
            except NarrascopeError as error:
                failed.append((document.source or document.id, str(error)))
        return analyses, failed


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
    for batch in batches(items, batch_size):
        todo = to_analyse(batch, store, report)
        if todo:
            analyses, failed = _analyse(nlp, todo, n_process)
            report.failed.extend(failed)
            report.added += store.add(analyses, also)
        if progress is not None:
            progress(len(batch))
    return report
