"""Train and cross-validate the persuasion-technique model on SemEval-2023 Task 3 (English).

The model is :class:`narrascope.annotators.persuasion.PersuasionModel`: a token-level span
finder (a logistic regression and, unless ``tagger=False``, the fine-tuned technique tagger of
:mod:`narrascope.training.technique_tagger`), a span technique classifier and a paragraph
classifier (logistic regressions; see that module). Only the ``train`` split is used. The
finder's decoding constants (the tagger's weight, probability threshold, bridged gap, the
probability a run must reach somewhere) are chosen on the last tenth of the articles each
training run is given, with the regression and the tagger fitted on the other nine tenths; the
paragraph classifier's threshold on out-of-fold scores of an inner 4-fold split of them; then
every part is refitted on all of them. Nothing is ever tuned on the articles it is scored on.

Cross-validation is grouped by article: each fold's articles are held out whole, every part is
retrained on the rest, and every score is computed once over the pooled held-out predictions.
"""

from __future__ import annotations

import json
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrascope.annotators.persuasion import (
    PersuasionModel,
    article_counts,
    hash_features,
    paragraph_features,
    paragraph_vectors,
    peaked_runs,
    span_features,
    token_features,
)
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
from narrascope.training.sparse import binary_matrix, counted_vocabulary

if TYPE_CHECKING:
    from narrascope.annotators.checkworthy import Reading

__all__ = ["cross_validate", "evaluate_model", "evaluate_split", "train_techniques"]

SEED = 1234
C = 0.5
MIN_COUNT = 2
SECOND_LABEL = 0.3
FINDER_C = 0.03
STATES_SCALE = 0.3
"""Weight of the shared encoder's token states beside the finder's binary hashed features
(``--encoder-states``). Measured on one held-out fifth of train (generic MiniLM states): SI F1
0.342 without, 0.387 at 0.3, 0.363 at 1.0; 5-fold CV with the shipped states: 0.375 vs 0.342."""
PARAGRAPH_STATES_SCALE = 3.0
"""Weight of a paragraph's mean encoder state beside the paragraph classifier's binary features
(``--paragraph-states``). 5-fold CV paragraph micro-F1: 0.344 without, 0.357 at 1, 0.373 at 3."""
THRESHOLDS = (0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3)
GAPS = (1, 2, 4, 6, 8, 12)
KEEPS = (0.0, 0.3, 0.35, 0.4, 0.45)
"""A run is kept when one of its tokens reaches this (0: every run). On the first CV fold with
the tagger: SI F1 0.439 without, 0.446 at 0.3 or 0.35."""
TAGGER_WEIGHTS = (0.4, 0.5, 0.6)
"""Weight of the tagger's token probability beside the regression's (first CV fold: the tagger
alone 0.421, the regression alone 0.397, mixed at 0.5 0.439, at 0.7 0.433)."""
TAGGER_EXITS: tuple[float, ...] = ()
"""With two probabilities (``--tagger-exits``) the tagger is trained with exit heads after its
first and second layers, and a run leaves it after the first when no word piece reaches the
first, after the second when none reaches the second (:class:`~narrascope.annotators.
technique_tagger.TechniqueTagger`); the decoding constants are then chosen on the inner dev
tenth read with those exits. None: every run through all five layers (the shipped recipe). On
the first CV fold (fixed decoding), against the last head of the same tagger (SI F1 0.4524):
exits 0.15 and 0.5 gave 0.4504 at 52 % of the tagger's work, 0.15 and 0.3 0.4521 at 64 %."""
TAGGER_FLOOR = 0.0
"""The tagger skips a run where the regression gives no token this much (its tokens keep the
regression's probability; :func:`~narrascope.annotators.technique_tagger.quiet_runs`); the
decoding constants are chosen on the inner dev tenth read the same way (``--tagger-floor``)."""
INNER_DEV_SHARE = 10
"""The decoding constants are chosen on the last 1/INNER_DEV_SHARE of a run's articles, with the
inner regression and tagger fitted on the rest, then applied to models refitted on all of them.
The closer the inner models are to the refitted ones, the better the choice carries over: on two
CV folds, a tenth gave SI F1 0.465 and 0.435 where a fifth gave 0.459 and 0.426."""
PARAGRAPH_C = 1.0
PARAGRAPH_THRESHOLDS = (0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.1, 0.12, 0.15, 0.2)
PARAGRAPH_FOLDS = 4

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


def readings(docs: Sequence[Any], cache: Path | None = None) -> list[Reading]:
    """The shared pass over the parsed articles (cached beside the parse's DocBin when *cache* is
    given, under the encoder's digest: reading the train split takes minutes). A cached reading
    keeps what training reads, the token states and the runs; not the claim units or scores."""
    import numpy as np

    from narrascope.annotators import checkworthy
    from narrascope.annotators.checkworthy import Reading, Run

    model = checkworthy.load_checkworthy_model()
    path = cache.with_name(f"{cache.stem}-reading-{model.digest}.npz") if cache is not None else None
    if path is not None and path.is_file():
        stored = np.load(path)
        tokens = np.split(stored["tokens"], np.cumsum(stored["token_counts"])[:-1])
        lower = np.split(stored["lower"], np.cumsum(stored["run_pieces"])[:-1])
        rows = np.split(stored["rows"], np.cumsum(stored["run_pieces"] - 2)[:-1])
        bounds = np.concatenate([[0], np.cumsum(stored["run_counts"])])
        if [len(t) for t in tokens] == [len(d) for d in docs]:
            return [
                Reading(tokens[i], [], [], [Run(lower[r], rows[r]) for r in range(bounds[i], bounds[i + 1])])
                for i in range(len(docs))
            ]
    read = model.read(docs)
    if path is not None:
        runs = [run for reading in read for run in reading.runs]
        np.savez(
            path,
            tokens=np.concatenate([r.tokens for r in read]),
            token_counts=np.array([len(r.tokens) for r in read]),
            lower=np.concatenate([run.lower for run in runs]) if runs else np.zeros((0, checkworthy.WIDTH)),
            rows=np.concatenate([run.rows for run in runs]) if runs else np.zeros(0, np.int64),
            run_pieces=np.array([len(run.lower) for run in runs], dtype=np.int64),
            run_counts=np.array([len(r.runs) for r in read]),
        )
    return read


def _inside(article: Article, doc: Any) -> Any:
    """Which of the doc's tokens lie inside a gold technique span (all techniques merged): what
    the finder and the tagger learn."""
    import numpy as np

    inside = np.zeros(len(article.text) + 1, dtype=bool)
    for start, end in merge([(s.start, s.end) for s in article.spans]):
        inside[start:end] = True
    return np.array([inside[token.idx] for token in doc], dtype=bool)


class Features:
    """The finder's token features of every article (hashed, beside the scaled token *states* when
    given), computed once per run."""

    def __init__(
        self, articles: Sequence[Article], docs: Sequence[Any], states: Sequence[Any] | None = None, scale: float = 0.0
    ) -> None:
        import numpy as np
        from scipy.sparse import csr_matrix, hstack

        self.scale = scale if states is not None else 0.0
        self.indices: list[list[int]] = []
        self.matrices: list[Any] = []
        self.labels: list[Any] = []
        for number, (article, doc) in enumerate(zip(articles, docs, strict=True)):
            found = token_features(doc)
            indices = found.indices
            self.indices.append(indices)
            matrix = hash_features(found) if indices else None
            if matrix is not None and states is not None and scale > 0:
                dense = csr_matrix(scale * states[number][indices])
                matrix = hstack([matrix, dense]).tocsr()
            self.matrices.append(matrix)
            self.labels.append(_inside(article, doc)[np.asarray(indices, dtype=np.int64)])


def _fit_finder(features: Features, chosen: Sequence[int]) -> tuple[Any, float]:
    import numpy as np
    from scipy.sparse import vstack
    from sklearn.linear_model import LogisticRegression

    use = [i for i in chosen if features.matrices[i] is not None]
    x = vstack([features.matrices[i] for i in use]).tocsr()
    y = np.concatenate([features.labels[i] for i in use])
    model = LogisticRegression(C=FINDER_C, solver="liblinear", max_iter=300)
    model.fit(x, y)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def _probabilities(features: Features, i: int, weights: Any, bias: float) -> Any:
    import numpy as np

    if features.matrices[i] is None:
        return np.zeros(0)
    return 1.0 / (1.0 + np.exp(-(features.matrices[i] @ weights + bias)))


def _fit_tagger(
    articles: Sequence[Article],
    docs: Sequence[Any],
    read: Sequence[Reading],
    chosen: Sequence[int],
    threads: int,
    log: Log,
    staged: bool,
) -> Any:
    from narrascope.training.technique_tagger import examples, finetune

    items = examples([read[i] for i in chosen], [_inside(articles[i], docs[i]) for i in chosen])
    log(f"tagger: fine-tuning on {len(items)} runs of {len(chosen)} articles{' (staged)' if staged else ''}")
    return finetune(items, threads, log, staged)


def _tagged(
    model: Any,
    docs: Sequence[Any],
    read: Sequence[Reading],
    features: Features,
    linear: dict[int, Any],
    floor: float,
    exits: Sequence[float],
) -> dict[int, Any]:
    """The tagger's token probabilities on the articles of *linear* (the regression's
    probabilities of each), read through its ONNX export as the shipped model reads them, runs
    leaving at its *exits*: the runs where the regression stays under *floor* are left to the
    regression."""
    from narrascope.annotators.technique_tagger import TechniqueTagger
    from narrascope.training.technique_tagger import export

    with tempfile.TemporaryDirectory(prefix="narrascope-tagger-") as tmp:
        tagger = TechniqueTagger([Path(tmp) / name for name in export(model, Path(tmp))], exits)
        return {
            i: tagger.at(read[i].runs, len(docs[i]), features.indices[i], probs, floor) for i, probs in linear.items()
        }


def train_finder(
    articles: Sequence[Article],
    docs: Sequence[Any],
    features: Features,
    chosen: Sequence[int],
    log: Log = _log,
    read: Sequence[Reading] | None = None,
    threads: int = 1,
    floor: float = TAGGER_FLOOR,
    exits: Sequence[float] = TAGGER_EXITS,
) -> dict[str, Any]:
    """Fit the finder on the *chosen* articles; decoding constants from the last tenth of them.
    With *read* (the shared pass of every article) the technique tagger is fine-tuned beside the
    regression and the weight of its probabilities is chosen with the decoding constants (runs
    leaving the tagger at its *exits*; the tagger skipping the runs where the regression stays
    under *floor*)."""
    n_dev = max(1, len(chosen) // INNER_DEV_SHARE)
    inner, dev = list(chosen[:-n_dev]), list(chosen[-n_dev:])
    weights, bias = _fit_finder(features, inner)
    gold = [[(s.start, s.end) for s in articles[i].spans] for i in dev]
    linear = {i: _probabilities(features, i, weights, bias) for i in dev}
    tagged = (
        _tagged(
            _fit_tagger(articles, docs, read, inner, threads, log, bool(exits)),
            docs,
            read,
            features,
            linear,
            floor,
            exits,
        )
        if read
        else {}
    )
    best = (-1.0, 0.0, THRESHOLDS[0], GAPS[0], 0.0)
    for mix in TAGGER_WEIGHTS if read else (0.0,):
        probs = {i: list(map(float, mix * tagged[i] + (1 - mix) * linear[i] if read else linear[i])) for i in dev}
        for threshold in THRESHOLDS:
            for gap in GAPS:
                peaked = [peaked_runs(docs[i], features.indices[i], probs[i], threshold, gap) for i in dev]
                for keep in KEEPS:
                    f1 = score_si(gold, [[(a, b) for a, b, peak in found if peak >= keep] for found in peaked])["f1"]
                    if f1 > best[0]:
                        best = (f1, mix, threshold, gap, keep)
    f1, mix, threshold, gap, keep = best
    log(f"finder: tagger weight {mix}, threshold {threshold}, gap {gap}, keep {keep} (inner-dev SI F1 {f1:.4f})")
    weights, bias = _fit_finder(features, chosen)
    return {
        "weights": weights,
        "bias": bias,
        "states_scale": features.scale,
        "decoding": {"threshold": threshold, "gap": gap, "keep": keep},
        "tagger": _fit_tagger(articles, docs, read, chosen, threads, log, bool(exits)) if read else None,
        "tagger_weight": mix,
        "tagger_floor": floor,
        "tagger_exits": list(exits),
        "inner_dev_si_f1": round(f1, 4),
    }


def _vocabulary_matrix(rows: Sequence[set[str]], features: list[str] | None = None) -> tuple[Any, list[str]]:
    """Binary float32 matrix of feature sets; the vocabulary is the features seen ``MIN_COUNT``
    times unless given."""
    import numpy as np

    vocabulary = counted_vocabulary(rows, MIN_COUNT) if features is None else {f: i for i, f in enumerate(features)}
    return binary_matrix(rows, vocabulary, np.float32), list(vocabulary)


def train_classifier(articles: Sequence[Article]) -> dict[str, Any]:
    """Fit the technique classifier on the gold spans; returns weights, bias, classes, features."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rows, labels = [], []
    for article in articles:
        counts = article_counts(article.text)
        for span in article.spans:
            rows.append(span_features(article.text, span.start, span.end, counts))
            labels.append(span.technique)
    x, features = _vocabulary_matrix(rows)
    model = LogisticRegression(C=C, max_iter=2000)
    model.fit(x, labels)
    classes = [str(c) for c in model.classes_]
    weights = model.coef_.T.astype(np.float32)
    bias = model.intercept_.astype(np.float32)
    if len(classes) == 2:  # binary sklearn models keep one column; make it two
        weights = np.hstack([-weights / 2, weights / 2])
        bias = np.array([-bias[0] / 2, bias[0] / 2], dtype=np.float32)
    return {"weights": weights, "bias": bias, "classes": classes, "features": features, "n_spans": len(rows)}


Vectors = Sequence[Any] | None
"""Per article, its paragraphs' mean encoder states (rows in paragraph order), or None."""


def article_paragraph_vectors(articles: Sequence[Article], docs: Sequence[Any], states: Sequence[Any]) -> list[Any]:
    """:func:`~narrascope.annotators.persuasion.paragraph_vectors` of every article, its paragraphs
    in index order (as the paragraph classifier reads them)."""
    return [
        paragraph_vectors(doc, state, [article.paragraphs[i] for i in sorted(article.paragraphs)])
        for article, doc, state in zip(articles, docs, states, strict=True)
    ]


def _paragraph_rows(articles: Sequence[Article]) -> list[tuple[int, int, set[str]]]:
    out = []
    for number, article in enumerate(articles):
        previous = None
        for index, paragraph in sorted(article.paragraphs.items()):
            out.append((number, index, paragraph_features(article.text, paragraph, previous)))
            previous = paragraph
    return out


def _paragraph_matrix(
    articles: Sequence[Article], vectors: Vectors, scale: float, features: list[str] | None = None
) -> tuple[Any, list[str], list[tuple[int, int, set[str]]]]:
    """The paragraphs' binary features, beside their scaled encoder vectors when *scale* > 0."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    rows = _paragraph_rows(articles)
    x, names = _vocabulary_matrix([r[2] for r in rows], features)
    if scale > 0 and vectors is not None:
        dense = np.concatenate([v for v in vectors if len(v)]) if rows else np.zeros((0, 1), np.float32)
        x = hstack([x, csr_matrix(scale * dense)]).tocsr()
    return x, names, rows


def _fit_paragraphs(articles: Sequence[Article], vectors: Vectors = None, scale: float = 0.0) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x, features, rows = _paragraph_matrix(articles, vectors, scale)
    classes, columns, biases = [], [], []
    for technique in TECHNIQUES:
        y = np.array([technique in articles[a].labels.get(i, set()) for a, i, _ in rows])
        if y.sum() < 2 or (~y).sum() < 2:  # too rare (or too common) here to learn anything
            continue
        model = LogisticRegression(C=PARAGRAPH_C, solver="liblinear", max_iter=1000)
        model.fit(x, y)
        classes.append(technique)
        columns.append(model.coef_[0].astype(np.float32))
        biases.append(float(model.intercept_[0]))
    weights = np.stack(columns, axis=1) if columns else np.zeros((x.shape[1], 0), dtype=np.float32)
    return {
        "weights": weights[: len(features)],
        "dense": weights[len(features) :],
        "states_scale": scale if len(weights) > len(features) else 0.0,
        "bias": np.array(biases, dtype=np.float32),
        "classes": classes,
        "features": features,
    }


def _paragraph_scores(
    fitted: dict[str, Any], articles: Sequence[Article], vectors: Vectors = None
) -> list[dict[int, Any]]:
    import numpy as np

    x, _, rows = _paragraph_matrix(articles, vectors, fitted["states_scale"], fitted["features"])
    weights = np.concatenate([fitted["weights"], fitted["dense"]]) if fitted["states_scale"] > 0 else fitted["weights"]
    p = 1.0 / (1.0 + np.exp(-(x @ weights + fitted["bias"])))
    out: list[dict[int, Any]] = [{} for _ in articles]
    for (a, i, _), row in zip(rows, p, strict=True):
        out[a][i] = row
    return out


def train_paragraphs(
    articles: Sequence[Article], log: Log = _log, vectors: Vectors = None, scale: float = 0.0
) -> dict[str, Any]:
    """Fit the paragraph classifier (with *scale* > 0, over each paragraph's encoder *vectors*
    too); its threshold is the best on out-of-fold scores of an inner ``PARAGRAPH_FOLDS``-fold
    split of *articles* (more stable than one held-out fifth)."""
    folds = min(PARAGRAPH_FOLDS, len(articles))
    pooled: list[tuple[Article, dict[int, set[str]], list[str], dict[int, Any]]] = []

    def part(chosen: list[int]) -> tuple[list[Article], Vectors]:
        return [articles[j] for j in chosen], [vectors[j] for j in chosen] if vectors is not None else None

    for fold in range(folds):
        inner = part([j for j in range(len(articles)) if j % folds != fold])
        held = part([j for j in range(len(articles)) if j % folds == fold])
        fitted = _fit_paragraphs(*inner, scale)
        pooled.extend(
            (a, a.labels, fitted["classes"], scores)
            for a, scores in zip(held[0], _paragraph_scores(fitted, *held), strict=True)
        )
    best = (-1.0, PARAGRAPH_THRESHOLDS[0])
    for threshold in PARAGRAPH_THRESHOLDS:
        guessed = [
            {i: {classes[k] for k, p in enumerate(row) if p >= threshold} for i, row in scores.items()}
            for _, _, classes, scores in pooled
        ]
        f1 = score_paragraphs([a for a, *_ in pooled], guessed, TECHNIQUES)["micro_f1"]
        if f1 > best[0]:
            best = (f1, threshold)
    log(f"paragraphs: threshold {best[1]} (inner {folds}-fold micro-F1 {best[0]:.4f})")
    fitted = _fit_paragraphs(articles, vectors, scale)
    fitted.update(threshold=best[1], inner_dev_micro_f1=round(best[0], 4))
    return fitted


def save(
    output: Path, finder: dict[str, Any], classifier: dict[str, Any], paragraphs: dict[str, Any], meta: dict[str, Any]
) -> None:
    """Write the model directory (replacing it, but keeping a model card already there)."""
    import numpy as np

    card = output / "MODEL_CARD.md"
    kept = card.read_bytes() if card.is_file() else None
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    if kept is not None:
        card.write_bytes(kept)
    np.savez_compressed(
        output / "finder.npz", weights=finder["weights"].astype(np.float16), bias=np.float32(finder["bias"])
    )
    # Half-precision weights: a quarter of the size on disk, no change to a rounded score.
    np.savez_compressed(
        output / "classifier.npz", weights=classifier["weights"].astype(np.float16), bias=classifier["bias"]
    )
    dense = {"dense": paragraphs["dense"].astype(np.float16)} if paragraphs["states_scale"] > 0 else {}
    np.savez_compressed(
        output / "paragraphs.npz", weights=paragraphs["weights"].astype(np.float16), bias=paragraphs["bias"], **dense
    )
    tagger = {}
    if finder.get("tagger") is not None:
        from narrascope.annotators.checkworthy import LOWER_LAYER
        from narrascope.training.technique_tagger import export

        tagger = {
            "tagger": {
                "stages": export(finder["tagger"], output),
                "exits": finder["tagger_exits"],
                "weight": finder["tagger_weight"],
                "floor": finder["tagger_floor"],
                "lower_layer": LOWER_LAYER,
            }
        }
    for name, part in (("classifier", classifier), ("paragraphs", paragraphs)):
        (output / f"{name}.json").write_text(
            json.dumps({"classes": part["classes"], "features": part["features"]}) + "\n", encoding="utf-8"
        )
    full = {
        "finder_decoding": finder["decoding"],
        "finder_states_scale": finder["states_scale"],
        "second_label": SECOND_LABEL,
        "paragraph_threshold": paragraphs["threshold"],
        "paragraph_states_scale": paragraphs["states_scale"],
        **tagger,
        **meta,
    }
    (output / "meta.json").write_text(json.dumps(full, indent=2) + "\n", encoding="utf-8")


def predict(
    model: PersuasionModel, articles: Sequence[Article], docs: Sequence[Any], read: Sequence[Reading] | None = None
) -> list[list[FoundSpan]]:
    """The model's technique spans for each article (*read*: the docs' shared encoder pass)."""
    out = []
    for article, spans in zip(articles, model.spans_many(list(docs), read), strict=True):
        found: list[FoundSpan] = []
        for (start, end), guesses in zip(spans, model.techniques(article.text, spans), strict=True):
            found.extend(FoundSpan(start, end, g.technique, g.score) for g in guesses)
        out.append(found)
    return out


def predict_paragraphs(
    model: PersuasionModel,
    articles: Sequence[Article],
    docs: Sequence[Any] | None = None,
    states: Sequence[Any] | None = None,
) -> list[dict[int, set[str]]]:
    """The paragraph classifier's techniques for each scored paragraph (*docs* and their
    *states* for a classifier that reads the encoder states)."""
    out = []
    for number, article in enumerate(articles):
        keys = sorted(article.paragraphs)
        doc = docs[number] if docs is not None else None
        state = states[number] if states is not None else None
        guesses = model.paragraph_techniques(article.text, [article.paragraphs[i] for i in keys], doc, state)
        out.append({i: {g.technique for g in found} for i, found in zip(keys, guesses, strict=True)})
    return out


def _ranker(model: PersuasionModel) -> Callable[[str, list[tuple[int, int]]], list[list[str]]]:
    def rank(text: str, spans: list[tuple[int, int]]) -> list[list[str]]:
        return [[g.technique for g in guesses] for guesses in model.classifier.rank(text, spans)]

    return rank


def score_all(
    articles: Sequence[Article],
    found: Sequence[Sequence[FoundSpan]],
    from_paragraphs: Sequence[dict[int, set[str]]],
    tc: float,
) -> dict[str, Any]:
    """Every figure of ``narrascope eval techniques`` from pooled predictions. A paragraph's
    labels are the paragraph classifier's (what the report lists per paragraph); labels read
    off the spans found in each paragraph are scored beside (``paragraph.from_spans.micro_f1``)."""
    gold = [[(s.start, s.end) for s in a.spans] for a in articles]
    si = score_si(gold, [[(s.start, s.end) for s in f] for f in found])
    paragraphs = score_paragraphs(articles, from_paragraphs, TECHNIQUES)
    by_spans = [paragraph_labels(a, f) for a, f in zip(articles, found, strict=True)]
    metrics: dict[str, Any] = {f"si.{k}": v for k, v in si.items()}
    metrics["tc.micro_f1"] = tc
    metrics["paragraph.micro_f1"] = paragraphs.pop("micro_f1")
    metrics["paragraph.macro_f1_present"] = paragraphs.pop("macro_f1_present")
    metrics["paragraph.labels_present"] = paragraphs.pop("labels_present")
    metrics["paragraph.from_spans.micro_f1"] = score_paragraphs(articles, by_spans, TECHNIQUES)["micro_f1"]
    metrics.update(flags_per_1000_words(articles, found))
    metrics.update(paragraphs)
    metrics["n"] = len(articles)
    return metrics


def evaluate_model(
    model: PersuasionModel, articles: Sequence[Article], docs: Sequence[Any], read: Sequence[Reading] | None = None
) -> dict[str, Any]:
    """Score a trained model on articles it was not trained on (the encoder pass, when the model
    reads it and *read* is not given, runs once here for the spans and the paragraphs)."""
    if read is None and model.needs_encoder:
        read = readings(docs)
    found = predict(model, articles, docs, read)
    by_paragraph = predict_paragraphs(model, articles, docs, [r.tokens for r in read] if read else None)
    return score_all(articles, found, by_paragraph, score_tc(articles, _ranker(model))["micro_f1"])


def evaluate_split(data_dir: Path, split: str, limit: int | None = None) -> dict[str, Any]:
    """Score the shipped model on *split* (``narrascope eval techniques`` without ``--cv``)."""
    from narrascope.annotators.persuasion import load_persuasion_model

    model = load_persuasion_model()
    articles = read_semeval(data_dir, split, limit)
    metrics = evaluate_model(model, articles, parse(articles))
    metrics["model"] = model.version
    return metrics


def _train_all(
    articles: Sequence[Article],
    docs: Sequence[Any],
    features: Features,
    chosen: Sequence[int],
    log: Log,
    vectors: Vectors = None,
    paragraph_scale: float = 0.0,
    tagger: Sequence[Reading] | None = None,
    threads: int = 1,
    floor: float = TAGGER_FLOOR,
    exits: Sequence[float] = TAGGER_EXITS,
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    finder = train_finder(articles, docs, features, chosen, log, tagger, threads, floor, exits)
    picked = [articles[i] for i in chosen]
    picked_vectors = [vectors[i] for i in chosen] if vectors is not None else None
    return finder, train_classifier(picked), train_paragraphs(picked, log, picked_vectors, paragraph_scale)


def _inputs(
    articles: Sequence[Article],
    docs: Sequence[Any],
    cache: Path | None,
    states_scale: float,
    paragraph_scale: float,
    tagger: bool,
) -> tuple[list[Reading] | None, Features, Vectors]:
    """The shared encoder pass (read once, when any part reads it), the finder's features and
    the paragraphs' vectors."""
    read = readings(docs, cache) if tagger or max(states_scale, paragraph_scale) > 0 else None
    states = [r.tokens for r in read] if read else None
    features = Features(articles, docs, states, states_scale)
    vectors = article_paragraph_vectors(articles, docs, states) if states and paragraph_scale > 0 else None
    return read, features, vectors


def cross_validate(
    data_dir: Path,
    split: str,
    k: int,
    *,
    limit: int | None = None,
    cache: Path | None = None,
    states_scale: float = STATES_SCALE,
    paragraph_scale: float = PARAGRAPH_STATES_SCALE,
    tagger: bool = True,
    threads: int = 1,
    tagger_floor: float = TAGGER_FLOOR,
    tagger_exits: Sequence[float] = TAGGER_EXITS,
    log: Log = _log,
) -> dict[str, Any]:
    """Grouped K-fold by article on *split*: retrain every part per fold, score the pooled predictions.
    With *states_scale* > 0 the finder, with *paragraph_scale* > 0 the paragraph classifier also
    reads the shared encoder's token states (0 and 0: the model without them); with *tagger* the
    technique tagger is fine-tuned per fold (torch, *threads*), runs leaving it at
    *tagger_exits*, and skipping the runs where the regression stays under *tagger_floor*."""
    articles = read_semeval(data_dir, split, limit)
    docs = parse(articles, cache)
    read, features, vectors = _inputs(articles, docs, cache, states_scale, paragraph_scale, tagger)
    order = list(range(len(articles)))
    random.Random(SEED).shuffle(order)
    folds = [sorted(order[i::k]) for i in range(k)]
    held: dict[int, list[FoundSpan]] = {}
    held_paragraphs: dict[int, dict[int, set[str]]] = {}
    matched = total = 0.0
    for number, test in enumerate(folds, 1):
        test_set = set(test)
        train = [i for i in order if i not in test_set]
        log(f"fold {number}/{k}: training on {len(train)} articles, scoring {len(test)}")
        parts = _train_all(
            articles,
            docs,
            features,
            train,
            log,
            vectors,
            paragraph_scale,
            read if tagger else None,
            threads,
            tagger_floor,
            tagger_exits,
        )
        with tempfile.TemporaryDirectory(prefix="narrascope-techniques-") as tmp:
            save(Path(tmp), *parts, {})
            model = PersuasionModel(Path(tmp))
            test_articles, test_docs = [articles[i] for i in test], [docs[i] for i in test]
            test_read = [read[i] for i in test] if read else None
            test_states = [r.tokens for r in test_read] if test_read else None
            for i, found, by_paragraph in zip(
                test,
                predict(model, test_articles, test_docs, test_read),
                predict_paragraphs(model, test_articles, test_docs, test_states),
                strict=True,
            ):
                held[i], held_paragraphs[i] = found, by_paragraph
            tc = score_tc(test_articles, _ranker(model))
        matched += tc["micro_f1"] * tc["n"]
        total += tc["n"]
    every = range(len(articles))
    return score_all(
        articles, [held[i] for i in every], [held_paragraphs[i] for i in every], matched / total if total else 0.0
    )


def train_techniques(
    data_dir: Path,
    output: Path,
    *,
    cache: Path | None = None,
    states_scale: float = STATES_SCALE,
    paragraph_scale: float = PARAGRAPH_STATES_SCALE,
    tagger: bool = True,
    threads: int = 1,
    tagger_floor: float = TAGGER_FLOOR,
    tagger_exits: Sequence[float] = TAGGER_EXITS,
    log: Log = _log,
) -> dict[str, Any]:
    """Train the shipped model on the whole ``train`` split and write it to *output* (the
    finder and the paragraph classifier read the shared encoder's token states at these scales;
    0 and 0: a model without them; with *tagger*, the technique tagger is fine-tuned beside the
    finder's regression: torch, *threads*; runs leave it at *tagger_exits*, and it skips the
    runs the regression leaves under *tagger_floor*)."""
    t0 = time.monotonic()
    articles = read_semeval(data_dir, "train")
    docs = parse(articles, cache)
    order = list(range(len(articles)))
    random.Random(SEED).shuffle(order)
    read, features, vectors = _inputs(articles, docs, cache, states_scale, paragraph_scale, tagger)
    finder, classifier, paragraphs = _train_all(
        articles,
        docs,
        features,
        order,
        log,
        vectors,
        paragraph_scale,
        read if tagger else None,
        threads,
        tagger_floor,
        tagger_exits,
    )
    meta = {
        "trained_on": f"SemEval-2023 Task 3 English train ({len(articles)} articles, {classifier['n_spans']} spans)",
        "finder": {
            "C": FINDER_C,
            "features": len(finder["weights"]),
            "states_scale": states_scale,
            "inner_dev_si_f1": finder["inner_dev_si_f1"],
            "decoding": finder["decoding"],
            "tagger_weight": finder["tagger_weight"] if tagger else None,
            "tagger_floor": tagger_floor if tagger else None,
            "tagger_exits": list(tagger_exits) if tagger else None,
        },
        "classifier": {"C": C, "min_count": MIN_COUNT, "features": len(classifier["features"])},
        "paragraphs": {
            "C": PARAGRAPH_C,
            "features": len(paragraphs["features"]),
            "states_scale": paragraphs["states_scale"],
            "inner_dev_micro_f1": paragraphs["inner_dev_micro_f1"],
        },
        "seed": SEED,
        "train_seconds": round(time.monotonic() - t0, 1),
    }
    save(Path(output), finder, classifier, paragraphs, meta)
    log(f"wrote {output} in {meta['train_seconds']} s")
    return meta
