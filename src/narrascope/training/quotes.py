"""Train the attribution ("quotes") tagger on PolNeAR train.

The model is a spaCy transition-based span tagger (factory ``ner``) with the labels
SOURCE / CUE / CONTENT. It runs after the verified English pipeline
(:func:`narrascope.models.load_spacy`) and reuses its analysis instead of re-parsing: the
tagger's input features are the tokens plus the part-of-speech tags and dependency labels
already assigned by that pipeline, and the span search stays within the sentences its
parser found. Linking spans into attributions is rule-based (see
:mod:`narrascope.annotators.attribution_model`).

Conversion of PolNeAR: every fragment of a (possibly discontinuous) span becomes one
token span (``doc.char_span(..., alignment_mode="expand")``), cut at the parser's sentence
boundaries; overlapping spans (rare, after expansion) keep the longest.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from narrascope.annotators.attribution_embed import ARCHITECTURE
from narrascope.evaluation.attribution import GoldArticle, Predicted, read_polnear, score

__all__ = ["COMPONENT", "LABELS", "component_config", "train_quotes"]

COMPONENT = "attribution"
LABELS = ("SOURCE", "CUE", "CONTENT")
SEED = 1234
BIAS_GRID = (0.0, -0.25, -0.5, -0.75, -1.0)


KINDS = ("lemma", "own", "fast", "wide", "listener", "tensor", "minilm")
CONTEXT_KINDS = {"tensor": 96, "minilm": 384}
"""Kinds that read frozen contextual vectors beside their own features, and their width."""


def component_config(kind: str = "lemma") -> dict[str, Any]:
    """The ``ner`` factory config of the attribution tagger.

    ``lemma``: a small own token encoder (width 64, 4 maxout-window layers) over
    NORM/PREFIX/SUFFIX/SHAPE/LEMMA plus the TAG and DEP the pipeline already assigned.
    ``own``: the same without LEMMA. ``fast``: ``lemma`` with 2 layers. ``wide``: ``lemma``
    with window 2. ``listener``: only the frozen pipeline tok2vec output (``doc.tensor``).
    ``tensor``: ``lemma`` with the frozen ``doc.tensor`` beside the hashed features
    (:mod:`narrascope.annotators.attribution_embed`). ``minilm`` (shipped): the same with the
    token states of the pipeline's shared encoder pass
    (:func:`narrascope.annotators.checkworthy.token_states`) instead.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}; one of {', '.join(KINDS)}")
    if kind == "listener":
        tok2vec: dict[str, Any] = {
            "@architectures": "spacy.Tok2VecListener.v1",
            "width": 96,
            "upstream": "tok2vec",
        }
    else:
        with_lemma = kind in ("lemma", "wide", "fast", "tensor", "minilm")
        embed: dict[str, Any] = {
            "@architectures": "spacy.MultiHashEmbed.v2",
            "width": 64,
            "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE", "TAG", "DEP"] + (["LEMMA"] if with_lemma else []),
            "rows": [5000, 1000, 2500, 2500, 100, 100] + ([5000] if with_lemma else []),
            "include_static_vectors": False,
        }
        if kind in CONTEXT_KINDS:
            del embed["include_static_vectors"]
            embed.update({"@architectures": ARCHITECTURE, "tensor_width": CONTEXT_KINDS[kind]})
        tok2vec = {
            "@architectures": "spacy.Tok2Vec.v2",
            "embed": embed,
            "encode": {
                "@architectures": "spacy.MaxoutWindowEncoder.v2",
                "width": 64,
                "depth": 2 if kind == "fast" else 4,
                "window_size": 2 if kind == "wide" else 1,
                "maxout_pieces": 3,
            },
        }
    return {
        "model": {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "extra_state_tokens": False,
            "hidden_width": 64,
            "maxout_pieces": 2,
            "use_upper": True,
            "nO": None,
            "tok2vec": tok2vec,
        },
        "update_with_oracle_cut_size": 100,
    }


def _gold_spans(article: GoldArticle) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for att in article.attributions:
        for label, frags in (("SOURCE", att.source), ("CUE", att.cue), ("CONTENT", att.content)):
            for start, end in frags or ():
                spans.append((start, end, label))
    return spans


def to_docs(articles: list[GoldArticle], nlp: Any) -> list[Any]:
    """Parse the texts with the pipeline and mark the gold spans as entities (see module doc)."""
    from spacy.util import filter_spans

    docs: list[Any] = []
    texts = [a.text for a in articles]
    for article, doc in zip(articles, nlp.pipe(texts, batch_size=16), strict=True):
        spans = []
        for start, end, label in _gold_spans(article):
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is None:
                continue
            # cut at sentence boundaries, and drop whitespace tokens at the edges
            piece_start = span.start
            for i in range(span.start, span.end + 1):
                if i == span.end or (i > piece_start and doc[i].is_sent_start):
                    lo, hi = piece_start, i
                    while lo < hi and doc[lo].is_space:
                        lo += 1
                    while hi > lo and doc[hi - 1].is_space:
                        hi -= 1
                    if lo < hi:
                        spans.append(doc[lo:hi])
                        spans[-1].label_ = label
                    piece_start = i
        doc.set_ents(filter_spans(spans), default="outside")
        docs.append(doc)
    return docs


def _states_path(docbin: Path) -> Path:
    from narrascope.annotators.checkworthy import load_checkworthy_model

    return docbin.with_name(f"{docbin.stem}-states-{load_checkworthy_model().digest}.npz")


def _register_reader() -> None:
    """A corpus reader whose predicted docs keep the stored tags, parse and sentences (no entities),
    and the encoder's token states as ``doc.tensor`` when they were stored beside the docs."""
    from spacy.util import registry

    if "narrascope.polnear_docs.v1" in registry.readers.get_all():
        return

    def polnear_docs(path: str, states: bool = False) -> Any:
        import numpy as np
        from spacy.tokens import DocBin
        from spacy.training import Example

        def read(nlp: Any) -> Any:
            arrays = np.load(_states_path(Path(path))) if states else None
            for number, doc in enumerate(DocBin().from_disk(path).get_docs(nlp.vocab)):
                if arrays is not None:
                    doc.tensor = arrays[f"arr_{number}"]
                predicted = doc.copy()
                predicted.set_ents([], default="missing")
                yield Example(predicted, doc)

        return read

    registry.readers.register("narrascope.polnear_docs.v1", func=polnear_docs)


def _config(base: Path, kind: str, train: Path, dev: Path, max_epochs: int, patience: int, seed: int = SEED) -> Any:
    from spacy.util import load_config_from_str

    annot = ["tok2vec"] if kind in ("listener", "tensor") else []
    states = "true" if kind == "minilm" else "false"
    text = f"""
[paths]
train = "{train}"
dev = "{dev}"

[system]
seed = {seed}
gpu_allocator = null

[nlp]
lang = "en"
pipeline = {json.dumps([*annot, COMPONENT])}
batch_size = 64
tokenizer = {{"@tokenizers":"spacy.Tokenizer.v1"}}

[components]
{"".join(f'[components.{name}]{chr(10)}source = "{base}"{chr(10)}' for name in annot)}
[corpora]
[corpora.train]
@readers = "narrascope.polnear_docs.v1"
path = ${{paths.train}}
states = {states}
[corpora.dev]
@readers = "narrascope.polnear_docs.v1"
path = ${{paths.dev}}
states = {states}

[training]
seed = ${{system.seed}}
dropout = 0.1
accumulate_gradient = 1
patience = {patience}
max_epochs = {max_epochs}
max_steps = 0
eval_frequency = 200
frozen_components = {json.dumps(annot)}
annotating_components = {json.dumps(annot)}
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2
size = 2000

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = true
eps = 1e-8
learn_rate = 0.001

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0
tag_acc = null
pos_acc = null
dep_uas = null
dep_las = null
dep_las_per_type = null
sents_p = null
sents_r = null
sents_f = null

[initialize]
vectors = null
"""
    from spacy.language import DEFAULT_CONFIG

    config = DEFAULT_CONFIG.merge(load_config_from_str(text))
    config["components"][COMPONENT] = {"factory": "ner", **component_config(kind)}
    return config


def train_quotes(
    data_dir: Path,
    output: Path,
    *,
    kind: str = "minilm",
    max_epochs: int = 12,
    patience: int = 1600,
    work_dir: Path | None = None,
    limit: int | None = None,
    seed: int = SEED,
) -> dict[str, Any]:
    """Train on PolNeAR train, select the best step and the action shift on PolNeAR dev.

    Writes ``attribution/`` (the spaCy component) and ``meta.json`` to *output* (replaced)
    and returns the meta: config, dev scores of the spaCy scorer (token spans) and of
    :func:`narrascope.evaluation.attribution.score` (end to end), seconds. Conversion
    parses the 924 articles with the shared pipeline (about 2.5 min on one core); the
    defaults rebuild the shipped model (about 22 min on one core). *work_dir* keeps the
    converted corpora and checkpoints (reused when present); *limit* trains on the first
    articles only (for a quick check). Deterministic for a given *seed* on one machine
    (``SEED`` by default); CPU only.
    """
    import spacy
    from spacy.about import __version__ as spacy_version
    from spacy.tokens import DocBin
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as train_loop
    from thinc.api import fix_random_seed

    from narrascope.models import load_spacy, spacy_model_path

    t0 = time.monotonic()
    fix_random_seed(seed)
    random.seed(seed)
    base = spacy_model_path()
    nlp = load_spacy()
    work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="narrascope-quotes-"))
    work.mkdir(parents=True, exist_ok=True)
    paths = {}
    for split in ("train", "dev"):
        path = work / f"{split}.spacy"
        paths[split] = path
        if path.exists() and (kind != "minilm" or _states_path(path).exists()):
            print(f"[quotes] reusing {path}", flush=True)
            continue
        articles = read_polnear(Path(data_dir), split)
        if limit is not None:
            articles = articles[:limit]
        print(f"[quotes] converting {split}: {len(articles)} articles", flush=True)
        docs = to_docs(articles, nlp)
        DocBin(docs=docs, store_user_data=False).to_disk(path)
        if kind == "minilm":
            _store_states(docs, _states_path(path))
    t_convert = time.monotonic() - t0
    _register_reader()
    config = _config(base, kind, paths["train"], paths["dev"], max_epochs, patience, seed)
    print(f"[quotes] training ({kind}), max {max_epochs} epochs; dev scores every 200 steps", flush=True)
    train_nlp = init_nlp(config, use_gpu=-1)
    train_out = work / f"train-{kind}"
    train_out.mkdir(parents=True, exist_ok=True)
    train_loop(train_nlp, train_out, use_gpu=-1, stdout=__import__("sys").stdout)
    best = spacy.load(train_out / "model-best")
    pipe: Any = best.get_pipe(COMPONENT)
    output = Path(output)
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
    pipe.to_disk(output / COMPONENT, exclude=["vocab"])
    meta = {
        "component": COMPONENT,
        "factory": "ner",
        "kind": kind,
        "config": component_config(kind),
        "labels": list(LABELS),
        "seed": seed,
        "spacy": spacy_version,
        "trained_on": "PolNeAR train (840 articles), best step selected on PolNeAR dev",
        "dev_spacy_scores": {k: v for k, v in best.meta.get("performance", {}).items() if k.startswith("ents")},
        "train_seconds": round(time.monotonic() - t0, 1),
        "convert_seconds": round(t_convert, 1),
        "threads": os.environ.get("OMP_NUM_THREADS", ""),
    }
    (output / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    meta.update(tune_bias(Path(data_dir), output, nlp, limit=limit))
    meta["train_seconds"] = round(time.monotonic() - t0, 1)
    (output / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    if work_dir is None:
        shutil.rmtree(work, ignore_errors=True)
    print(f"[quotes] wrote {output} in {meta['train_seconds']} s", flush=True)
    return meta


def _store_states(docs: list[Any], path: Path) -> None:
    """The shared encoder's token states of every doc, in order, beside the DocBin."""
    import numpy as np

    from narrascope.annotators.checkworthy import token_states

    print(f"[quotes] encoding {len(docs)} docs with the sentence encoder", flush=True)
    np.savez(path, *token_states(docs))


def _predictions(model: Any, docs: list[Any], states: list[Any] | None) -> list[list[Predicted]]:
    from narrascope.annotators.attribution_model import link

    out = []
    for doc, spans in zip(docs, model.spans_many(docs, states=states), strict=True):
        found = []
        for raw in link(doc, spans):
            source = (raw.source,) if raw.source else None
            found.append(Predicted(cue=(raw.cue,), source=source, content=raw.content_fragments or None))
        out.append(found)
    return out


def tune_bias(data_dir: Path, model_path: Path, nlp: Any, limit: int | None = None) -> dict[str, Any]:
    """Choose the shift of the tagger's "O" action on PolNeAR dev (end-to-end, mean of all F1s)."""
    from narrascope.annotators.attribution_model import AttributionModel

    articles = read_polnear(data_dir, "dev")
    if limit is not None:
        articles = articles[:limit]
    docs = list(nlp.pipe([a.text for a in articles], batch_size=16))
    model = AttributionModel(model_path, vocab=nlp.vocab)
    states = None
    if model.needs_encoder:  # the encoder pass does not depend on the shift: run it once
        from narrascope.annotators.checkworthy import token_states

        states = token_states(docs)
    best: tuple[float, float, dict[str, float]] | None = None
    for shift in BIAS_GRID:
        model.set_action_bias({"O": shift})
        preds = _predictions(model, docs, states)
        result = score(articles, {a.article_id: p for a, p in zip(articles, preds, strict=True)})
        mean_f1 = sum(v for k, v in result.items() if k.endswith("f1")) / 7
        print(f"[quotes] dev, O shift {shift:+.2f}: mean F1 {mean_f1:.4f}", flush=True)
        if best is None or mean_f1 > best[0] + 1e-9:
            best = (mean_f1, shift, result)
    assert best is not None
    return {"action_bias": {"O": best[1]}, "dev_scores": {k: round(v, 4) for k, v in best[2].items()}}
