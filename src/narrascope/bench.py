"""Speed as ratios against a baseline run in the same process on the same texts.

Absolute articles/s depend on the machine; the ratio to bare spaCy ``nlp.pipe`` over the same
texts says what narrascope's own code costs on top of the parse it cannot avoid.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
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
"""The stages the quotes layer adds to: ``quotes.added_share`` is its time (with sourcing) over
theirs, so later layers (claims and its encoder) do not dilute it."""


def bench_analyze(texts: list[str], repeats: int = 3, batch_size: int = 16) -> dict[str, Any]:
    """Best-of-``repeats`` seconds for bare spaCy and for the whole pipeline, interleaved.

    Each stage of the pipeline (ingest, the shared parse, every annotator) is reported as its
    own seconds over bare spaCy's, so a slow layer shows itself (``stage.techniques.ratio`` is
    what the techniques layer adds, in units of bare spaCy); ``quotes.added_share`` is what
    the quotes and sourcing layers add to the stages they build on (``QUOTES_BUILD_ON``).

    Both run with the same batch size: spaCy pads each batch to its longest text, so a larger
    batch alone changes its speed, and that is not what this comparison is about.

    ``encoder.ratio`` is a bare run of the sentence encoder (the check-worthiness model) over the
    same texts' sentences; ``ratio.vs_shared_passes`` the pipeline over bare spaCy plus that pass.
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
    encoder = _encoder_pass(nlp, spacy_nlp, texts, batch_size)
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
    encoder_s = min(_timed(encoder) for _ in range(repeats)) if encoder is not None else 0.0
    layers = {f"stage.{name}.ratio": seconds / bare_s for name, seconds in stages.items()}
    quotes_s = stages.get("quotes", 0.0) + stages.get("sourcing", 0.0)
    before = sum(stages.get(name, 0.0) for name in QUOTES_BUILD_ON)
    return {
        **layers,
        "quotes.added_share": quotes_s / before if before > 0 else 0.0,
        "n": len(texts),
        "words": words,
        "spacy.articles_per_s": len(texts) / bare_s,
        "pipeline.articles_per_s": len(texts) / ours_s,
        "ratio": ours_s / bare_s,
        "encoder.ratio": encoder_s / bare_s,
        "ratio.vs_shared_passes": ours_s / (bare_s + encoder_s),
        "repeats": repeats,
        "batch_size": batch_size,
        "model": f"narrascope {narrascope.__version__}",
    }


def _encoder_pass(nlp: Any, spacy_nlp: Any, texts: list[str], batch_size: int) -> Callable[[], Any] | None:
    """A bare run of the sentence encoder (the check-worthiness model) over every sentence of the
    texts, when the pipeline has one: the one encoder pass the claims layer cannot avoid."""
    claims = next((a for a in nlp.annotators if getattr(a, "checkworthy", None) is not None), None)
    if claims is None:
        return None
    sentences = [s.text for doc in spacy_nlp.pipe(texts, batch_size=batch_size) for s in doc.sents]
    model = claims.checkworthy
    return lambda: model.scores(sentences)


def _consume(items: Iterable[Any]) -> None:
    for _ in items:
        pass
