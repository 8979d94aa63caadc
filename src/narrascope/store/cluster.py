"""Ingest on a Dask cluster: workers analyse partitions, this process stores them.

Each batch of inputs becomes one task: its documents go to a worker as JSON, the worker runs
its own pipeline (loaded once per worker process) and sends the analyses back in the store's
form (:func:`~narrascope.store.ingest.analyse_batch`, so the writer only writes), and the client
stores each batch in one transaction, in the order the batches were read (a batch that finishes
early waits for those before it), so the store has a single writer and the same guarantees and
the same result as a local run, story ids included (a batch is all or nothing; already stored
documents are skipped before they are sent). With no scheduler address, a ``LocalCluster`` of
worker processes is started for the run and stopped after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from narrascope.model import Document
from narrascope.store.ingest import IngestReport, analyse_batch, batches, store_results, to_analyse
from narrascope.store.inputs import Item
from narrascope.store.rows import Prepared
from narrascope.store.store import BatchHook, Store

__all__ = ["analyse_partition", "ingest_on_dask"]


@lru_cache(maxsize=4)
def _pipeline(layers: tuple[str, ...] | None) -> Any:
    import narrascope

    return narrascope.load(list(layers) if layers else None)


def analyse_partition(documents: list[str], layers: tuple[str, ...] | None, keep: bool = False) -> list[Prepared | str]:
    """On a worker: each document (as JSON) in the store's form, or why it failed, in order."""
    return analyse_batch(_pipeline(layers), [Document.model_validate_json(d) for d in documents], keep)


def ingest_on_dask(
    items: Iterable[Item],
    store: Store,
    scheduler: str | None = None,
    *,
    layers: tuple[str, ...] | None = None,
    batch_size: int = 64,
    workers: int = 2,
    in_flight: int = 4,
    progress: Callable[[int], None] | None = None,
    also: BatchHook | None = None,
) -> IngestReport:
    """Read *items*, analyse them on the cluster at *scheduler* (a local one of *workers*
    processes when None) and store them; at most *in_flight* batches per worker are out."""
    from distributed import Client, LocalCluster, wait

    report = IngestReport()
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            pending: dict[Any, tuple[list[Document], int]] = {}
            running = len(client.scheduler_info().get("workers", {}))
            limit = in_flight * max(1, running or workers)
            report.analysed_on = f"Dask at {client.scheduler.address}, {running} workers"

            def collect(block: bool) -> None:
                """Store the finished batches at the head of the queue (waiting for the head if *block*)."""
                while pending:
                    future = next(iter(pending))
                    if not future.done():
                        if not block:
                            return
                        wait([future])
                    documents, consumed = pending.pop(future)
                    store_results(store, documents, future.result(), report, also)
                    if progress is not None:
                        progress(consumed)
                    block = False

            for batch in batches(items, batch_size):
                todo = to_analyse(batch, store, report)
                if not todo:
                    if progress is not None:
                        progress(len(batch))
                    continue
                payload = [d.model_dump_json() for d in todo]
                task = client.submit(analyse_partition, payload, layers, also is not None, pure=False)
                pending[task] = (todo, len(batch))
                while len(pending) >= limit:
                    collect(block=True)
                collect(block=False)
            while pending:
                collect(block=True)
    finally:
        if cluster is not None:
            cluster.close()
    return report
