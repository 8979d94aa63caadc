"""A pipeline of small annotators over one Document, in the way spaCy's ``nlp`` works.

``nlp = narrascope.load(); analysis = nlp(text_or_html)``; ``nlp.pipe(items, n_process=N)``
streams batches. The expensive shared passes run once per article before the annotators: the
parse (spaCy for English, natasha for Russian) and, when an annotator declares ``needs_encoder``,
one encoder pass over the English parse's sentences: the check-worthiness model's
(:meth:`~narrascope.annotators.checkworthy.CheckworthyModel.read`), whose scores the claims
layer reads and whose token states the quote and technique taggers read (DESIGN.md, "How speed
is counted"). Each annotator then adds one layer and reads only what earlier steps wrote.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from narrascope import __version__
from narrascope.errors import WorkerError
from narrascope.ingest import from_bytes, from_text
from narrascope.model import Analysis, Document

if TYPE_CHECKING:
    from narrascope.annotators.checkworthy import Reading

Item = str | bytes | Document


@dataclass
class Work:
    """One article in flight: the document, its shared parse, and the layers added so far."""

    document: Document
    parse: Any = None
    russian: Any = None
    encoded: Reading | None = None
    """The shared encoder pass over the English parse (token states, unit scores), if any."""
    layers: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)
    """Scratch space an annotator's batch step leaves for its per-article step; never serialised."""


def shared_readings(works: Iterable[Work]) -> list[Reading] | None:
    """What the shared encoder pass left on each work, or None unless every one has it (a
    pipeline that ran no pass): the model then runs the pass itself."""
    encoded = [work.encoded for work in works]
    return None if any(e is None for e in encoded) else [e for e in encoded if e is not None]


def shared_token_states(works: Iterable[Work]) -> list[Any] | None:
    """The token states of :func:`shared_readings`."""
    readings = shared_readings(works)
    return None if readings is None else [reading.tokens for reading in readings]


class Annotator(Protocol):
    name: str
    """An annotator may also have ``prepare(batch)``, a batched step before the per-article calls,
    ``models`` (name → version, recorded in every analysis) and ``needs_encoder`` (read
    ``Work.encoded``)."""

    def __call__(self, work: Work) -> None: ...


REGISTRY: dict[str, Callable[[dict[str, Any]], Annotator]] = {}
DEFAULT = ("entities", "dates", "quotes", "sourcing", "figures", "labels", "claims", "techniques")


def annotator(name: str) -> Callable[[Callable[[dict[str, Any]], Annotator]], Callable[[dict[str, Any]], Annotator]]:
    """Register a factory ``f(config) -> annotator`` under ``name``."""

    def register(factory: Callable[[dict[str, Any]], Annotator]) -> Callable[[dict[str, Any]], Annotator]:
        REGISTRY[name] = factory
        return factory

    return register


def _as_document(item: Item) -> Document:
    if isinstance(item, Document):
        return item
    if isinstance(item, bytes):
        return from_bytes(item)
    return from_text(item)


class Pipeline:
    """Ingest, the shared parse, then each annotator in order."""

    def __init__(
        self, names: Iterable[str] = DEFAULT, gazetteer: Path | None = None, factchecks: str | Path | None = None
    ) -> None:
        """*factchecks*: a store (path or URL) of fact-check records; given, the ``factchecks``
        layer is added after the claims (unless *names* already has it)."""
        from narrascope.models import SPACY_PACKAGE, SPACY_VERSION, load_spacy

        self.names = checked_names(names)
        if factchecks is not None and "factchecks" not in self.names:
            self.names.append("factchecks")
        self.gazetteer = gazetteer
        self.factchecks = factchecks
        config = {"gazetteer": gazetteer, "factchecks": factchecks}
        self.annotators = [REGISTRY[n](config) for n in self.names]
        self.spacy = load_spacy()
        self.encoder = None
        if any(getattr(a, "needs_encoder", False) for a in self.annotators):
            from narrascope.annotators.checkworthy import load_checkworthy_model

            self.encoder = load_checkworthy_model()
        self.models = {"narrascope": __version__, "spacy": f"{SPACY_PACKAGE}=={SPACY_VERSION}"}
        self.models.update({k: v for a in self.annotators for k, v in getattr(a, "models", {}).items()})
        self.timings: dict[str, float] = defaultdict(float)
        """Seconds spent in each stage (ingest, parse, encoder, each annotator), for ``bench analyze``."""

    def __call__(self, item: Item) -> Analysis:
        return next(self.pipe([item]))

    def pipe(self, items: Iterable[Item], n_process: int = 1, batch_size: int = 16) -> Iterator[Analysis]:
        """Analyse ``items`` in order; with ``n_process`` > 1, in that many worker processes."""
        if n_process > 1:
            yield from self._pipe_parallel(items, n_process, batch_size)
            return
        iterator = iter(items)
        while True:
            started = time.perf_counter()
            batch = [Work(_as_document(item)) for item in islice(iterator, batch_size)]
            self.timings["ingest"] += time.perf_counter() - started
            if not batch:
                return
            started = time.perf_counter()
            self._parse(batch)
            self.timings["parse"] += time.perf_counter() - started
            if self.encoder is not None:
                started = time.perf_counter()
                parsed = [w for w in batch if w.parse is not None]
                for work, encoded in zip(parsed, self.encoder.read([w.parse for w in parsed]), strict=True):
                    work.encoded = encoded
                self.timings["encoder"] += time.perf_counter() - started
            for step in self.annotators:
                if (prepare := getattr(step, "prepare", None)) is not None:
                    started = time.perf_counter()
                    prepare(batch)
                    self.timings[step.name] += time.perf_counter() - started
            for work in batch:
                yield self._annotate(work)

    def _parse(self, batch: list[Work]) -> None:
        """English through spaCy, Russian through natasha; other languages get no parse, hence no
        layers, rather than an English model's guesses (their ``language.supported`` says why)."""
        english = [w for w in batch if language_of(w.document) == "en"]
        for work, doc in zip(english, self.spacy.pipe(w.document.text for w in english), strict=True):
            work.parse = doc
        russian = [w for w in batch if language_of(w.document) == "ru"]
        if russian:
            from narrascope.annotators.russian import parse_russian

            for work in russian:
                work.russian = parse_russian(work.document.text)

    def _annotate(self, work: Work) -> Analysis:
        for step in self.annotators:
            started = time.perf_counter()
            step(work)
            self.timings[step.name] += time.perf_counter() - started
        models = dict(self.models)
        if work.russian is not None:
            models["natasha"] = "natasha==1.6.0"
        return Analysis(document=work.document, models=models, **work.layers)

    def worker_pool(self, n_process: int) -> ProcessPoolExecutor:
        """A pool of *n_process* fresh worker processes, each with this pipeline's own copy
        (loaded once per worker); a function run there reads it with :func:`worker_pipeline`.
        An executor rather than a ``multiprocessing.Pool``: when a worker dies (killed, out of
        memory) its results raise instead of never arriving (hand work over with :func:`to_worker`,
        read it back with :func:`from_worker`)."""
        context = multiprocessing.get_context("spawn")
        initargs = (self.names, self.gazetteer, self.factchecks)
        return ProcessPoolExecutor(n_process, mp_context=context, initializer=_init_worker, initargs=initargs)

    def _pipe_parallel(self, items: Iterable[Item], n_process: int, batch_size: int) -> Iterator[Analysis]:
        """Batches analysed in the workers, at most two per worker in flight (the input is read
        as the results are used, as in the one-process path), yielded in order."""
        pool = self.worker_pool(n_process)
        in_flight: deque[Future[list[Analysis]]] = deque()
        iterator = iter(items)
        try:
            while batch := list(islice(iterator, batch_size)):
                in_flight.append(to_worker(pool, _work_in_worker, batch))
                if len(in_flight) > 2 * n_process:
                    yield from from_worker(in_flight.popleft())
            while in_flight:
                yield from from_worker(in_flight.popleft())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def checked_names(names: Iterable[str]) -> list[str]:
    """*names* as a list, after checking each is a registered annotator (ValueError if not)."""
    import narrascope.annotators  # noqa: F401  (registers the built-in annotators)

    listed = list(names)
    unknown = [n for n in listed if n not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown annotators {unknown}; known: {sorted(REGISTRY)}")
    return listed


def language_of(document: Document) -> str:
    """The language to analyse the text as; text without letters is handed to English."""
    return document.language.code if document.language else "en"


_WORKER: Pipeline | None = None


def _init_worker(names: list[str], gazetteer: Path | None, factchecks: str | Path | None) -> None:
    global _WORKER
    _WORKER = Pipeline(names, gazetteer, factchecks)


def worker_pipeline() -> Pipeline:
    """In a process of :meth:`Pipeline.worker_pool`: its pipeline."""
    assert _WORKER is not None, "not in a worker process of Pipeline.worker_pool"
    return _WORKER


def _work_in_worker(items: list[Item]) -> list[Analysis]:
    return list(worker_pipeline().pipe(items, batch_size=len(items)))


WORKER_DIED = "an analysis worker process died (killed, or out of memory?); stopped"


def to_worker(pool: ProcessPoolExecutor, work: Callable[..., Any], *args: Any) -> Future[Any]:
    """*work* handed to a pool of :meth:`Pipeline.worker_pool`, or a :class:`WorkerError` when one
    of its workers has died (the pool takes no more work)."""
    try:
        return pool.submit(work, *args)
    except BrokenProcessPool as error:
        raise WorkerError(WORKER_DIED) from error


def from_worker(future: Future[Any]) -> Any:
    """The result of work handed over with :func:`to_worker`, or a :class:`WorkerError` when a
    worker died meanwhile (the pool cannot go on; nothing is retried)."""
    try:
        return future.result()
    except BrokenProcessPool as error:
        raise WorkerError(WORKER_DIED) from error
