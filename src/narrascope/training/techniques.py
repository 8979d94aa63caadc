"""Train and cross-validate the persuasion-technique model on SemEval-2023 Task 3 (English).

The model is :class:`narrascope.annotators.persuasion.PersuasionModel`: a span finder (spaCy
``ner``, one label, on the shared pipeline's parse) and a technique classifier (logistic
regression over span features). Only the ``train`` split is used; the finder's best epoch is
chosen on the last tenth of the articles it is given (never on the articles it is scored on),
and the classifier has no tuned knob beyond its fixed regularisation.

Cross-validation is grouped by article: each fold's articles are held out whole, the finder and
the classifier are retrained on the rest, and every score is computed once over the pooled
held-out predictions.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from narrascope.annotators.persuasion import COMPONENT, SPAN_LABEL, PersuasionModel, article_counts, span_features
from narrascope.annotators.technique_families import TECHNIQUES
from narrascope.evaluation.techniques import (
    Article,
    FoundSpan,
    flags_per_1000_words,
    merge,
    paragraph_labels,
    read_semeval,
    score_paragraphs,
    score_si,
    score_tc,
)
from narrascope.training.quotes import component_config

__all__ = ["cross_validate", "evaluate_model", "train_techniques"]

SEED = 1234
C = 0.5
MIN_COUNT = 2
SECOND_LABEL = 0.3
FINDER_KIND = "lemma"

Log = Callable[[str], None]


def _log(message: str) -> None:
    print(f"[techniques] {message}", flush=True)


def parse(articles: Sequence[Article], cache: Path | None = None) -> list[Any]:
    """The articles parsed by the shared English pipeline (cached as a DocBin when *cache* is given)."""
    from spacy.tokens import DocBin

    from narrascope.models import load_spacy

    nlp = load_spacy()
    if cache is not None and cache.is_file():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if [d.text for d in docs] == [a.text for a in articles]:
            return docs
    docs = list(nlp.pipe([a.text for a in articles], batch_size=16))
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs, store_user_data=False).to_disk(cache)
    return docs


def _gold_doc(doc: Any, article: Article) -> Any:
    """*doc* with the article's technique spans, merged, cut at sentence starts, as entities."""
    from spacy.util import filter_spans

    gold = doc.copy()
    spans = []
    for start, end in merge([(s.start, s.end) for s in article.spans]):
        span = gold.char_span(start, end, alignment_mode="expand")
        if span is None:
            continue
        piece = span.start
        for i in range(span.start, span.end + 1):
            if i == span.end or (i > piece and gold[i].is_sent_start):
                lo, hi = piece, i
                while lo < hi and (gold[lo].is_space or gold[lo].is_punct):
                    lo += 1
                while hi > lo and gold[hi - 1].is_space:
                    hi -= 1
                if lo < hi:
                    spans.append(gold[lo:hi])
                    spans[-1].label_ = SPAN_LABEL
                piece = i
    gold.set_ents(filter_spans(spans), default="outside")
    return gold


def _example(doc: Any, article: Article) -> Any:
    from spacy.training import Example

    predicted = doc.copy()
    predicted.set_ents([], default="missing")
    return Example(predicted, _gold_doc(doc, article))


def _finder_spans(pipe: Any, docs: Sequence[Any]) -> list[list[tuple[int, int]]]:
    copies = []
    for doc in docs:
        work = doc.copy()
        work.set_ents([], default="missing")
        copies.append(work)
    return [[(e.start_char, e.end_char) for e in tagged.ents] for tagged in pipe.pipe(copies, batch_size=16)]


def train_finder(
    articles: Sequence[Article], docs: Sequence[Any], epochs: int = 10, log: Log = _log
) -> tuple[Any, dict[str, Any]]:
    """Train the span finder; the best epoch by span-identification F1 on the last tenth."""
    import spacy
    from spacy.util import minibatch
    from thinc.api import Adam, fix_random_seed

    fix_random_seed(SEED)
    rng = random.Random(SEED)
    n_dev = max(1, len(articles) // 10)
    train = [_example(d, a) for d, a in zip(docs[:-n_dev], articles[:-n_dev], strict=True)]
    dev_docs, dev_articles = list(docs[-n_dev:]), list(articles[-n_dev:])
    nlp = spacy.blank("en", vocab=docs[0].vocab)
    pipe: Any = nlp.add_pipe("ner", name=COMPONENT, config=component_config(FINDER_KIND))
    pipe.add_label(SPAN_LABEL)
    pipe.initialize(lambda: train, nlp=nlp)
    optimizer = Adam(0.001, L2=0.01, grad_clip=1.0, use_averages=True, L2_is_weight_decay=True)
    best: tuple[float, int, bytes | None] = (-1.0, -1, None)
    history = []
    for epoch in range(epochs):
        rng.shuffle(train)
        losses: dict[str, float] = {}
        for batch in minibatch(train, size=2):
            pipe.update(batch, sgd=optimizer, drop=0.1, losses=losses)
        with pipe.model.use_params(optimizer.averages):
            found = _finder_spans(pipe, dev_docs)
            si = score_si([[(s.start, s.end) for s in a.spans] for a in dev_articles], found)["f1"]
            if si > best[0]:
                best = (si, epoch, pipe.to_bytes(exclude=["vocab"]))
        history.append(round(si, 4))
        log(f"finder epoch {epoch + 1}/{epochs}: loss {losses.get(COMPONENT, 0.0):.0f}, inner-dev SI F1 {si:.4f}")
    assert best[2] is not None
    pipe.from_bytes(best[2], exclude=["vocab"])
    return pipe, {"epochs": epochs, "best_epoch": best[1] + 1, "inner_dev_si_f1": round(best[0], 4), "history": history}


def train_classifier(articles: Sequence[Article]) -> dict[str, Any]:
    """Fit the technique classifier on the gold spans; returns weights, bias, classes, features."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    for article in articles:
        counts = article_counts(article.text)
        for span in article.spans:
            rows.append(span_features(article.text, span.start, span.end, counts))
            labels.append(span.technique)
    seen: dict[str, int] = {}
    for found in rows:
        for f in found:
            seen[f] = seen.get(f, 0) + 1
    features = sorted(f for f, n in seen.items() if n >= MIN_COUNT)
    index = {f: i for i, f in enumerate(features)}
    indptr, indices = [0], []
    for found in rows:
        indices.extend(sorted(index[f] for f in found if f in index))
        indptr.append(len(indices))
    x = csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(rows), len(features)))
    model = LogisticRegression(C=C, max_iter=2000)
    model.fit(x, labels)
    classes = [str(c) for c in model.classes_]
    weights = model.coef_.T.astype(np.float32)
    bias = model.intercept_.astype(np.float32)
    if len(classes) == 2:  # binary sklearn models keep one column; make it two
        weights = np.hstack([-weights / 2, weights / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
    return {"weights": weights, "bias": bias, "classes": classes, "features": features, "n_spans": len(rows)}


def save(output: Path, finder: Any, classifier: dict[str, Any], meta: dict[str, Any]) -> None:
    """Write the model directory (replacing it)."""
    import numpy as np

    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    finder.to_disk(output / COMPONENT, exclude=["vocab"])
    np.savez_compressed(output / "classifier.npz", weights=classifier["weights"], bias=classifier["bias"])
    (output / "classifier.json").write_text(
        json.dumps({"classes": classifier["classes"], "features": classifier["features"]}) + "\n", encoding="utf-8"
    )
    full = {
        "component": COMPONENT,
        "factory": "ner",
        "config": component_config(FINDER_KIND),
        "label": SPAN_LABEL,
        "second_label": SECOND_LABEL,
        **meta,
    }
    (output / "meta.json").write_text(json.dumps(full, indent=2) + "\n", encoding="utf-8")


def predict(model: PersuasionModel, articles: Sequence[Article], docs: Sequence[Any]) -> list[list[FoundSpan]]:
    """The model's technique spans for each article."""
    out = []
    for article, spans in zip(articles, model.spans_many(list(docs)), strict=True):
        found = []
        for (start, end), guesses in zip(spans, model.techniques(article.text, spans), strict=True):
            found.extend(FoundSpan(start, end, g.technique, g.score) for g in guesses)
        out.append(found)
    return out


def _ranker(model: PersuasionModel) -> Callable[[str, list[tuple[int, int]]], list[list[str]]]:
    def rank(text: str, spans: list[tuple[int, int]]) -> list[list[str]]:
        return [[g.technique for g in guesses] for guesses in model.classifier.rank(text, spans)]

    return rank


def score_all(
    articles: Sequence[Article], found: Sequence[Sequence[FoundSpan]], tc: dict[str, float]
) -> dict[str, Any]:
    """Every figure of ``narrascope eval techniques`` from pooled predictions."""
    si = score_si(
        [[(s.start, s.end) for s in a.spans] for a in articles], [[(s.start, s.end) for s in f] for f in found]
    )
    paragraphs = score_paragraphs(
        articles, [paragraph_labels(a, f) for a, f in zip(articles, found, strict=True)], TECHNIQUES
    )
    metrics: dict[str, Any] = {f"si.{k}": v for k, v in si.items()}
    metrics["tc.micro_f1"] = tc["micro_f1"]
    metrics["paragraph.micro_f1"] = paragraphs.pop("micro_f1")
    metrics["paragraph.macro_f1_present"] = paragraphs.pop("macro_f1_present")
    metrics["paragraph.labels_present"] = paragraphs.pop("labels_present")
    metrics.update(flags_per_1000_words(articles, found))
    metrics.update(paragraphs)
    metrics["n"] = len(articles)
    return metrics


def evaluate_model(model: PersuasionModel, articles: Sequence[Article], docs: Sequence[Any]) -> dict[str, Any]:
    """Score a trained model on articles it was not trained on."""
    found = predict(model, articles, docs)
    return score_all(articles, found, score_tc(articles, _ranker(model)))


def cross_validate(
    data_dir: Path, split: str, k: int, *, epochs: int = 10, cache: Path | None = None, log: Log = _log
) -> dict[str, Any]:
    """Grouped K-fold by article on *split*: retrain both parts per fold, score the pooled predictions."""
    from narrascope.models import load_spacy

    articles = read_semeval(data_dir, split)
    docs = parse(articles, cache)
    order = list(range(len(articles)))
    random.Random(SEED).shuffle(order)
    folds = [sorted(order[i::k]) for i in range(k)]
    held: dict[int, list[FoundSpan]] = {}
    matched = total = 0.0
    vocab = load_spacy().vocab
    for number, test in enumerate(folds, 1):
        test_set = set(test)
        train = [i for i in range(len(articles)) if i not in test_set]
        log(f"fold {number}/{k}: training on {len(train)} articles, scoring {len(test)}")
        finder, info = train_finder([articles[i] for i in train], [docs[i] for i in train], epochs, log)
        classifier = train_classifier([articles[i] for i in train])
        with tempfile.TemporaryDirectory(prefix="narrascope-techniques-") as tmp:
            save(Path(tmp), finder, classifier, {"finder": info})
            model = PersuasionModel(Path(tmp), vocab=vocab)
            test_articles, test_docs = [articles[i] for i in test], [docs[i] for i in test]
            for i, found in zip(test, predict(model, test_articles, test_docs), strict=True):
                held[i] = found
            tc = score_tc(test_articles, _ranker(model))
        matched += tc["micro_f1"] * tc["n"]
        total += tc["n"]
    found_all = [held[i] for i in range(len(articles))]
    return score_all(articles, found_all, {"micro_f1": matched / total if total else 0.0})


def train_techniques(
    data_dir: Path, output: Path, *, epochs: int = 10, cache: Path | None = None, log: Log = _log
) -> dict[str, Any]:
    """Train the shipped model on the whole ``train`` split and write it to *output*."""
    t0 = time.monotonic()
    articles = read_semeval(data_dir, "train")
    docs = parse(articles, cache)
    finder, info = train_finder(articles, docs, epochs, log)
    classifier = train_classifier(articles)
    meta = {
        "trained_on": f"SemEval-2023 Task 3 English train ({len(articles)} articles, {classifier['n_spans']} spans)",
        "finder": info,
        "classifier": {"C": C, "min_count": MIN_COUNT, "features": len(classifier["features"])},
        "seed": SEED,
        "train_seconds": round(time.monotonic() - t0, 1),
    }
    save(Path(output), finder, classifier, meta)
    log(f"wrote {output} in {meta['train_seconds']} s")
    return meta
