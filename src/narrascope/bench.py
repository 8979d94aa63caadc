"""Speed as ratios against a baseline run in the same process on the same texts.

Absolute articles/s depend on the machine; the ratio to bare spaCy ``nlp.pipe`` over the same
texts says what narrascope's own code costs on top of the parse it cannot avoid.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from narrascope.errors import InputError


def read_texts(path: Path, n: int) -> list[str]:
    """Up to ``n`` texts from a folder of .txt files (a PolNeAR split's ``text/`` or its parent)."""
    if not path.exists():
        raise InputError(f"no such folder: {path}")
    files = sorted(path.glob("*.txt")) or sorted(path.glob("text/*.txt")) or sorted(path.glob("*/text/*.txt"))
    if not files:
        raise InputError(f"no .txt files in {path} (nor in {path}/text)")
    texts = [t for f in files[: n * 2] if (t := f.read_text(encoding="utf-8", errors="replace")).strip()]
    return texts[:n]


def _timed(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


QUOTES_BUILD_ON = ("ingest", "parse", "entities", "dates")
"""The stages before the quotes layer that do not need the encoder pass: a stricter yardstick
(``quotes.added_share_of_parse``) than the whole pipeline, which later layers make longer."""


def bench_analyze(texts: list[str], repeats: int = 3, batch_size: int = 16) -> dict[str, Any]:
    """Best-of-``repeats`` seconds for bare spaCy and for the whole pipeline, interleaved.

    Each stage of the pipeline (ingest, the shared parse, every annotator) is reported as its
    own seconds over bare spaCy's, so a slow layer shows itself (``stage.techniques.ratio`` is
    what the techniques layer adds, in units of bare spaCy). ``quotes.added_share`` is what
    the quotes and sourcing layers add to the rest of the pipeline (issue 3: at most 0.25);
    ``quotes.added_share_of_parse`` the same over ``QUOTES_BUILD_ON`` alone; ``claims.added_share``
    what the claims layer (certainty and its fine-tuned hedge classifier included), the figures
    and the labels layers add to the rest (issue 4: at most 0.30).

    Both run with the same batch size: spaCy pads each batch to its longest text, so a larger
    batch alone changes its speed, and that is not what this comparison is about.

    The sentence-encoder passes are reported beside bare spaCy (DESIGN.md, "How speed is
    counted"), each as a bare run over the parsed texts: ``shared_encoder.ratio`` the shared pass
    (the check-worthiness model, whose scores and token states the claims, quotes and techniques
    layers read; ``stage.encoder.ratio`` inside the pipeline; 0 when no layer needs it).
    ``encoder.passes`` counts them (the design allows one), ``encoder.ratio`` is their sum and
    ``ratio.vs_shared_passes`` the whole pipeline over bare spaCy plus that sum.
    """
    import narrascope

    nlp = narrascope.load()
    spacy_nlp = nlp.spacy

    def bare() -> None:
        for _ in spacy_nlp.pipe(texts, batch_size=batch_size):
            pass

    def ours() -> None:
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass

    _consume(nlp.pipe(texts[:2]))
    docs = list(spacy_nlp.pipe(texts, batch_size=batch_size))
    bare_times, our_times = [], []
    stages: dict[str, float] = {}
    for _ in range(repeats):
        bare_times.append(_timed(bare))
        nlp.timings.clear()
        our_times.append(_timed(ours))
        if our_times[-1] == min(our_times):
            stages = dict(nlp.timings)
    bare_s, ours_s = min(bare_times), min(our_times)
    words = sum(len(t.split()) for t in texts)
    shared = nlp.encoder
    encoder_s = min(_timed(lambda: shared.read(docs)) for _ in range(repeats)) if shared is not None else 0.0
    layers = {f"stage.{name}.ratio": seconds / bare_s for name, seconds in stages.items()}
    quotes_s = stages.get("quotes", 0.0) + stages.get("sourcing", 0.0)
    claims_s = sum(stages.get(name, 0.0) for name in ("claims", "figures", "labels"))
    before = sum(stages.get(name, 0.0) for name in QUOTES_BUILD_ON)
    return {
        **layers,
        "quotes.added_share": quotes_s / (sum(stages.values()) - quotes_s) if len(stages) > 1 else 0.0,
        "quotes.added_share_of_parse": quotes_s / before if before > 0 else 0.0,
        "claims.added_share": claims_s / (sum(stages.values()) - claims_s) if len(stages) > 1 else 0.0,
        "n": len(texts),
        "words": words,
        "spacy.articles_per_s": len(texts) / bare_s,
        "pipeline.articles_per_s": len(texts) / ours_s,
        "ratio": ours_s / bare_s,
        "encoder.ratio": encoder_s / bare_s,
        "encoder.passes": int(shared is not None),
        "shared_encoder.ratio": encoder_s / bare_s,
        "ratio.vs_shared_passes": ours_s / (bare_s + encoder_s),
        "repeats": repeats,
        "batch_size": batch_size,
        "model": f"narrascope {narrascope.__version__}",
    }


def _consume(items: Iterable[Any]) -> None:
    for _ in items:
        pass


def bench_ingest(
    texts: list[str], postgres: str | None = None, copies: int = 100, batch_size: int = 64, repeats: int = 2
) -> dict[str, Any]:
    """Ingest speed: storing pre-analysed documents (documents/s, SQLite and, given a URL,
    PostgreSQL) and end-to-end ingest against analysis alone on the same texts.

    The store rates use *copies* renamed copies of each analysis (so there are enough documents
    to time): ``<store>.store_docs_per_s`` from the analyses, ``<store>.write_docs_per_s`` from
    them already in the store's form, as the processes that analyse hand them over
    (:func:`~narrascope.store.rows.prepare`: what the writer alone does). ``ingest.store_share``
    is what reading and storing add to the analysis time, and
    ``ingest.clusters_share`` what placing each document in its story and its claims in claim and
    narrative clusters adds on top (``narrascope ingest`` does both by default; the clusters need
    a sentence-encoder pass over each document's lead and its most check-worthy claims).
    """
    import tempfile

    import narrascope
    from narrascope.ingest import from_text
    from narrascope.store import Store
    from narrascope.store.ingest import ingest
    from narrascope.store.inputs import Item
    from narrascope.store.rows import prepare
    from narrascope.stories.hierarchy import Hierarchy

    nlp = narrascope.load()
    _consume(nlp.pipe(texts[:2]))
    analyses: list[Any] = []
    result: dict[str, Any] = {"n": len(texts), "copies": copies, "batch_size": batch_size, "repeats": repeats}
    with tempfile.TemporaryDirectory(prefix="narrascope-bench-") as tmp:
        analysis_times: list[float] = []
        e2e_times: dict[bool, list[float]] = {False: [], True: []}
        for run in range(repeats):  # interleaved, best of each
            started = time.perf_counter()
            analyses = list(nlp.pipe(texts, batch_size=16))
            analysis_times.append(time.perf_counter() - started)
            for clusters in (False, True):
                with Store.open(Path(tmp) / f"e2e-{run}-{clusters}.db") as store:
                    started = time.perf_counter()
                    items = (Item(f"bench:{i}", from_text(t, source=f"bench:{i}")) for i, t in enumerate(texts))
                    also = Hierarchy.load(store) if clusters else None  # as the CLI does (--stories, the default)
                    ingest(items, store, nlp, batch_size=batch_size, also=also)
                    e2e_times[clusters].append(time.perf_counter() - started)
        analysis_s, store_s, e2e_s = min(analysis_times), min(e2e_times[False]), min(e2e_times[True])
        clones = [
            a.model_copy(update={"document": a.document.model_copy(update={"id": f"{a.document.id}-{k}"})})
            for k in range(copies)
            for a in analyses
        ]
        prepared = [prepare(clone, keep=False) for clone in clones]
        for form, batch in (("store", clones), ("write", prepared)):
            with _stores(Path(tmp) / f"{form}.db", postgres) as targets:
                for name, target in targets.items():
                    result[f"{name}.{form}_docs_per_s"] = len(batch) / _fill(target, batch, batch_size)
    words = sum(len(t.split()) for t in texts)
    result.update(
        {
            "words_per_document": words / len(texts) if texts else 0.0,
            "analysis.docs_per_s": len(texts) / analysis_s,
            "ingest.docs_per_s": len(texts) / e2e_s,
            "ingest.ratio_vs_analysis": e2e_s / analysis_s,
            "ingest.store_share": (store_s - analysis_s) / analysis_s,
            "ingest.clusters_share": (e2e_s - store_s) / analysis_s,
            "model": f"narrascope {narrascope.__version__}",
        }
    )
    return result


def _fill(target: str, documents: Sequence[Any], batch_size: int) -> float:
    """Store *documents* batch by batch in a new store and close it; the seconds from the first
    batch to the store closed (closing is timed: SQLite then copies what is left of its log into
    the database). Opening is not: it creates the tables, once per store, not per document (a
    fifth of a second, a third of the time of the 800 documents the bench stores)."""
    from narrascope.store import Store

    store = Store.open(target)
    started = time.perf_counter()
    with store:
        for start in range(0, len(documents), batch_size):
            store.add(documents[start : start + batch_size])
    return time.perf_counter() - started


@contextmanager
def _stores(sqlite: Path, postgres: str | None) -> Iterator[dict[str, str]]:
    """The stores a bench fills: a SQLite file and, given a URL, a scratch PostgreSQL schema."""
    from narrascope.store.store import scratch_schema

    if postgres is None:
        yield {"sqlite": str(sqlite)}
        return
    with scratch_schema(postgres, "narrascope_bench") as url:
        yield {"sqlite": str(sqlite), "postgres": url}


VOCABULARY = [f"{a}{b}" for a in ("ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo") for b in range(2500)]
"""The synthetic corpora's words; drawn with Zipf weights (word k has weight 1/(k+1))."""


def fill_synthetic(store: Any, docs: int, rng: Any, batch: int = 2000) -> None:
    """Add *docs* synthetic documents (120 Zipf-drawn words each, 50 outlets) to *store*."""
    from narrascope.model import Analysis, Document, document_id

    weights = [1.0 / (rank + 1) for rank in range(len(VOCABULARY))]
    for start in range(0, docs, batch):
        analyses = []
        for i in range(start, min(docs, start + batch)):
            text = " ".join(rng.choices(VOCABULARY, weights, k=120)) + "."
            outlet = f"Outlet {i % 50}"
            document = Document(id=document_id(outlet, f"{i} {text}"), outlet=outlet, text=text)
            analyses.append(Analysis(document=document))
        store.add(analyses)


def bench_search(docs: int = 100_000, queries: int = 50, postgres: str | None = None) -> dict[str, Any]:
    """Search latency on a store of *docs* synthetic documents (a Zipf-distributed vocabulary of
    20,000 words, 120 words each, 50 outlets): median and 95th percentile over *queries* queries
    of one to three words, alone and with an outlet filter. SQLite, and PostgreSQL given a URL."""
    import random
    import statistics
    import tempfile

    from narrascope.store import Filters, Store

    rng = random.Random(0)
    vocabulary = VOCABULARY
    result: dict[str, Any] = {"docs": docs, "queries": queries}
    with (
        tempfile.TemporaryDirectory(prefix="narrascope-bench-") as tmp,
        _stores(Path(tmp) / "search.db", postgres) as targets,
    ):
        for name, target in targets.items():
            rng.seed(0)
            with Store.open(target) as store:
                started = time.perf_counter()
                fill_synthetic(store, docs, rng)
                result[f"{name}.fill_docs_per_s"] = docs / (time.perf_counter() - started)
                asked = [" ".join(rng.sample(vocabulary[50:3000], rng.randint(1, 3))) for _ in range(queries)]
                for label, filters in (("plain", None), ("outlet", Filters(outlet="Outlet 7"))):
                    times = []
                    for query in asked:
                        started = time.perf_counter()
                        store.search(query, limit=20, filters=filters)
                        times.append(1000 * (time.perf_counter() - started))
                    result[f"{name}.{label}.median_ms"] = statistics.median(times)
                    result[f"{name}.{label}.p95_ms"] = sorted(times)[int(0.95 * (len(times) - 1))]
    return result
