"""What every request of one worker process shares: the settings, the store, and the pipeline.

The pipeline loads once per worker (spaCy and the bundled models take seconds) and a worker's
analyses run one at a time behind a lock: the annotators are not known to be thread-safe, and a
request that hit its time limit must not leave two analyses racing (workers analyse side by side,
one per core). Writes also take the store's writer lock, shared with the other workers.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from narrascope.dating import DateOrder
from narrascope.errors import InputError, NarrascopeError
from narrascope.ingest import from_bytes, from_text
from narrascope.ingest.fetch import fetch
from narrascope.model import Analysis, Document
from narrascope.store import Store
from narrascope.store.lock import write_lock
from narrascope.stories.hierarchy import Hierarchy, stored_state

if TYPE_CHECKING:
    from narrascope.pipeline import Pipeline


log = logging.getLogger("narrascope.web")


@dataclass(frozen=True)
class Settings:
    """What the operator chooses on ``narrascope serve``."""

    db: str
    allow_private: bool = False
    max_bytes: int = 5_000_000
    """Largest request body (and so largest article or ingest batch), in bytes."""
    timeout: float = 60.0
    """Seconds a request may take before the client gets a 504."""
    max_batch: int = 100
    """Most documents one ingest request may carry."""


class Services:
    """The store and the (lazily loaded) pipeline behind one app."""

    def __init__(self, settings: Settings, nlp: Pipeline | None = None) -> None:
        self.settings = settings
        self.store = Store.open(settings.db)
        self._nlp = nlp
        self._load_lock = threading.Lock()
        self._analysis_lock = threading.Lock()
        self.cache: dict[str, Any] = {}
        """Per-app caches of the pages (each bounded by its owner)."""

    def nlp(self) -> Pipeline:
        """The pipeline, loaded on first use (``serve`` warms it up before listening). When the
        store holds fact-check records, analyses match their check-worthy claims to them (the
        records as they were when the pipeline loaded)."""
        with self._load_lock:
            if self._nlp is None:
                import narrascope
                from narrascope.factchecks.store import FactCheckStore

                records = FactCheckStore(self.store).count() > 0
                self._nlp = narrascope.load(factchecks=self.settings.db if records else None)
            return self._nlp

    def analyse(self, document: Document) -> Analysis:
        nlp = self.nlp()
        with self._analysis_lock:
            return nlp(document)

    def stories(self) -> Hierarchy:
        """The store's stories, claims and narratives, loaded on first use and brought up to
        date when another writer (another worker, ``narrascope ingest`` or ``recluster``) stored
        more, or a batch failed (call it while holding ``analysis_lock``: ingest batches place
        their documents in it)."""
        index = self.cache.get("stories")
        if index is None:
            index = self.cache["stories"] = Hierarchy.load(self.store)
        elif index.broken or index.state() != stored_state(self.store):
            with write_lock(self.store):
                index.catch_up(self.store)
        assert isinstance(index, Hierarchy)
        return index

    def keep(self, analyses: list[Analysis]) -> int:
        """Store analyses with their story assignments (one writer at a time)."""
        with self._analysis_lock:
            return self.store.add(analyses, self.stories())

    def analysis_lock(self) -> threading.Lock:
        """Held by whoever runs the pipeline (one analysis or one ingest batch at a time)."""
        return self._analysis_lock

    def read(
        self,
        *,
        text: str | None = None,
        url: str | None = None,
        data: bytes | None = None,
        filename: str | None = None,
        outlet: str | None = None,
        month_first: bool = False,
    ) -> Document:
        """One article from exactly one of pasted text (or HTML), a URL, or an uploaded file."""
        order: DateOrder | None = "MDY" if month_first else None
        given = [name for name, value in (("text", text), ("url", url), ("file", data)) if value]
        if len(given) != 1:
            raise InputError("give exactly one of text, url or file" + (f" (got {', '.join(given)})" if given else ""))
        outlet = (outlet.strip() or None) if outlet else None
        if text:
            return from_text(text, source=None, outlet=outlet, date_order=order)
        if url:
            url = url.strip()
            page = fetch(url, max_bytes=self.settings.max_bytes, allow_private=self.settings.allow_private)
            return from_bytes(page.content, url, page.url, outlet=outlet, date_order=order)
        assert data is not None
        return from_bytes(
            data, filename or "upload", outlet=outlet, date_order=order, max_bytes=self.settings.max_bytes
        )

    def close(self) -> None:
        """Keep the clusters' snapshot current for the next start (when the server placed
        documents in them), then close the store."""
        from narrascope.stories.snapshot import save_snapshot, snapshot_current

        index = self.cache.get("stories")
        try:
            if isinstance(index, Hierarchy) and not index.broken and not snapshot_current(self.store):
                save_snapshot(index, self.store)  # refuses when another writer added more since
        except (OSError, NarrascopeError) as error:
            log.warning("the clusters' snapshot was not written: %s", error)
        finally:
            self.store.close()
