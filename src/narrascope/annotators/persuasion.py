"""The persuasion-technique model: where the persuasive passages are, and which techniques.

Three linear parts, trained on SemEval-2023 Task 3 English by :mod:`narrascope.training.techniques`,
all reading what the shared passes already produced (no second parse, no encoder of its own):

1. **Span finder**: a logistic regression per token (is it inside a technique span?) over
   hashed features of the token, its neighbours, its place in the sentence and parse, and the
   words of its sentence, and (when ``finder_states_scale`` in ``meta.json`` is above 0) the
   token's state from the shared encoder pass, scaled by that constant. Where the model has a
   ``tagger.onnx`` (:mod:`.technique_tagger`: the shared encoder's layers above its first,
   fine-tuned for this, reading the pass's lower states), a token's probability is a weighted
   mean of the tagger's and the regression's. Runs of tokens above a threshold, bridged over
   short gaps within a sentence, become the spans when one of their tokens reaches a second,
   higher threshold. Trained on the gold spans of all techniques merged where they overlap,
   which is what span identification is scored on.
2. **Technique classifier**: a multinomial logistic regression over binary features of a span
   (its words and word pairs, three words either side, its length, whether its wording recurs in
   the article, punctuation, capitals, quotation marks); the strongest present word for the
   chosen technique is reported as the *cue* that fired.
3. **Paragraph classifier**: one logistic regression per technique over a paragraph's words and
   word pairs and those of the paragraph before it (SemEval's subtask 3 is labelled per
   paragraph) and (when ``paragraph_states_scale`` is above 0) the paragraph's mean token state
   from the shared encoder pass, scaled by that constant. It names techniques a paragraph carries
   where the finder found no span.

Weights are NumPy arrays with their feature names (or the hashing size) beside them, so
inference is a lookup, a sum and a logistic function (and, with the tagger, five transformer
layers over states the shared pass already computed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from narrascope.annotators.checkworthy import EARLIER_LOWER_LAYER, LOWER_LAYER
from narrascope.annotators.technique_tagger import TechniqueTagger
from narrascope.errors import ModelError

if TYPE_CHECKING:
    from narrascope.annotators.checkworthy import Reading

__all__ = [
    "HASH_SIZE",
    "Classifier",
    "ParagraphClassifier",
    "PersuasionModel",
    "SpanFinder",
    "TechniqueGuess",
    "TokenFeatures",
    "load_persuasion_model",
    "model_dir",
    "paragraph_features",
    "paragraph_vectors",
    "peaked_runs",
    "runs",
    "span_features",
    "token_features",
]

HASH_SIZE = 2**20
"""Hashed feature space of the span finder (sklearn's ``FeatureHasher``, MurmurHash3)."""
_CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ", "ADV", "PROPN"})
_TOKEN = re.compile(r"\w+|[^\w\s]")
_CONTENT = re.compile(r"[^\W\d_]{4,}")
_STOP = frozenset(
    [
        "that",
        "this",
        "with",
        "from",
        "have",
        "they",
        "their",
        "there",
        "were",
        "been",
        "will",
        "would",
        "what",
        "when",
        "which",
        "about",
        "into",
        "than",
        "them",
        "then",
        "also",
        "more",
        "most",
        "some",
        "such",
        "only",
        "other",
        "said",
        "says",
        "over",
        "just",
        "like",
        "very",
    ]
)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _cue_like(feature: str) -> bool:
    """A feature that can be shown as the cue: the span's own word or word pair (``w:``/``b:``)
    with at least one content word (not a stop word, punctuation or a number)."""
    kind, _, words = feature.partition(":")
    stop = _stop_words()
    return kind in ("w", "b") and any(w.isalpha() and len(w) > 2 and w not in stop for w in words.split())


def _bucket(n: int) -> str:
    for limit in (1, 2, 3, 5, 8, 13, 21, 34):
        if n <= limit:
            return str(limit)
    return "many"


def article_counts(text: str) -> Counter[str]:
    """How often each lower-cased content word occurs in the article (for repetition features)."""
    return Counter(w for w in _CONTENT.findall(text.lower()) if w not in _STOP)


def span_features(text: str, start: int, end: int, counts: Counter[str] | None = None) -> set[str]:
    """Binary features of ``text[start:end]`` in its article (see module doc)."""
    span = text[start:end]
    lower = span.lower()
    tokens = _TOKEN.findall(lower)
    found = {f"w:{t}" for t in tokens} | {f"b:{a} {b}" for a, b in pairwise(tokens)}
    left = _TOKEN.findall(text[max(0, start - 80) : start].lower())[-3:]
    right = _TOKEN.findall(text[end : end + 80].lower())[:3]
    found |= {f"l:{t}" for t in left} | {f"r:{t}" for t in right}
    found.add(f"l1:{left[-1] if left else '<s>'}")
    found.add(f"r1:{right[0] if right else '</s>'}")
    words = [t for t in tokens if t[0].isalnum()]
    found.add(f"len:{_bucket(len(words))}")
    stripped = lower.strip(" \"'“”‘’.,;:!?")
    if stripped:
        found.add(f"same:{min(text.lower().count(stripped), 4)}")
    counts = article_counts(text) if counts is None else counts
    content = [w for w in _CONTENT.findall(lower) if w not in _STOP]
    if content:
        found.add(f"recur:{min(max(counts[w] for w in content), 5)}")
    before = text[:start].rstrip(" ")
    if not before or before[-1] in '.!?\n"“”':
        found.add("starts_sentence")
    if span.rstrip()[-1:] in (".", "!", "?") or text[end : end + 1] in (".", "!", "?", "\n"):
        found.add("ends_sentence")
    for mark, name in (("!", "exclaim"), ("?", "question")):
        if mark in span or text[end : end + 2].strip()[:1] == mark:
            found.add(name)
    if any(q in text[max(0, start - 2) : end + 2] for q in ('"', "“", "”")):
        found.add("quoted")
    letters = [c for c in span if c.isalpha()]
    if len(letters) >= 4 and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        found.add("caps")
    if "\n" not in text[max(0, start - 200) : start] and start < 200:
        found.add("title")
    return found


def _linear(path: Path, name: str, what: str) -> tuple[Any, Any, list[str], list[str]]:
    """Weights (features × classes), biases, class names and feature names of a linear model
    stored as ``<name>.npz`` and ``<name>.json``."""
    import numpy as np

    try:
        data = np.load(path / f"{name}.npz")
        meta = json.loads((path / f"{name}.json").read_text(encoding="utf-8"))
        weights = np.asarray(data["weights"], dtype=np.float32)
        bias = np.asarray(data["bias"], dtype=np.float32)
        return weights, bias, list(meta["classes"]), list(meta["features"])
    except (OSError, ValueError, KeyError) as error:
        raise ModelError(f"{path}: cannot read the {what}: {error}") from error


@dataclass(frozen=True)
class TechniqueGuess:
    technique: str
    score: float
    cue: str | None


class Classifier:
    """Multinomial logistic regression over :func:`span_features` (weights in ``classifier.npz``)."""

    def __init__(self, path: Path) -> None:
        self.weights, self.bias, self.classes, names = _linear(path, "classifier", "technique classifier")
        self.index: dict[str, int] = {name: i for i, name in enumerate(names)}

    def rank(self, text: str, spans: list[tuple[int, int]]) -> list[list[TechniqueGuess]]:
        """Per span, every technique with its probability and cue, most probable first."""
        import numpy as np

        counts = article_counts(text)
        out = []
        for start, end in spans:
            names = {self.index[f]: f for f in span_features(text, start, end, counts) if f in self.index}
            rows = sorted(names)
            logits = self.bias + (self.weights[rows].sum(axis=0) if rows else 0.0)
            p = np.exp(logits - logits.max())
            p /= p.sum()
            own = [r for r in rows if _cue_like(names[r])]  # the span's own content words and pairs
            guesses = []
            for k in np.argsort(-p):
                cue = None
                if own:
                    column = self.weights[own, int(k)]
                    best = int(column.argmax())
                    if column[best] > 0:
                        cue = names[own[best]].split(":", 1)[1]
                guesses.append(TechniqueGuess(self.classes[int(k)], float(p[k]), cue))
            out.append(guesses)
        return out


@dataclass(frozen=True)
class TokenFeatures:
    """The finder's feature strings of a parsed ``Doc``: each non-space token's own, and those it
    shares with its sentence, kept once per sentence (hashing them for every token was half
    the hashing)."""

    indices: list[int]
    """The non-space tokens, in order."""
    own: list[list[str]]
    """Each of those tokens' own feature strings."""
    shared: list[list[str]]
    """Each sentence's feature strings, which every token of it carries."""
    sentence: list[int]
    """Each token's sentence, a row of :attr:`shared`."""


def token_features(doc: Any) -> TokenFeatures:
    """The finder's :class:`TokenFeatures` of a parsed ``Doc`` (each token's attributes are read
    once: reading them per neighbour was a third of the time)."""
    toks = list(doc)
    norm = [t.norm_ for t in toks]
    lemma = [t.lemma_.lower() for t in toks]
    tag = [t.tag_ for t in toks]
    pos = [t.pos_ for t in toks]
    dep = [t.dep_ for t in toks]
    head = [t.head.i for t in toks]
    space = [t.is_space for t in toks]
    lemma_counts = Counter(word for word, part in zip(lemma, pos, strict=True) if part in _CONTENT_POS)
    quoted, inside = [], False
    for t in toks:
        if t.text == '"':
            inside = not inside
        elif t.text in ("“", "”"):
            inside = t.text == "“"
        quoted.append(inside)
    found = TokenFeatures([], [], [], [])
    for sent in doc.sents:
        lo, hi = sent.start, sent.end
        words = {f"s:{lemma[j]}" for j in range(lo, hi) if not (toks[j].is_punct or space[j])}
        sentence = [f"slen:{min((hi - lo) // 5, 10)}", f"sex:{'!' in sent.text}", f"sq:{'?' in sent.text}"]
        found.shared.append([*sentence, *words])
        near = ["<s>"] * 3 + norm[lo:hi] + ["</s>"] * 3  # the norms around token i start at near[i - lo]
        tags = ["X", *tag[lo:hi], "X"]
        for i in range(lo, hi):
            if space[i]:
                continue
            t, k, h = toks[i], i - lo, head[i]
            f = [
                f"w:{norm[i]}",
                f"l:{lemma[i]}",
                f"sh:{t.shape_}",
                f"t:{tag[i]}",
                f"d:{dep[i]}",
                f"hl:{lemma[h]}",
                f"dh:{dep[i]}_{pos[h]}",
                f"e:{t.ent_iob_}{t.ent_type_}",
                f"q:{quoted[i]}",
                f"pos:{min(k, 8)}",
                f"rpos:{min(hi - 1 - i, 8)}",
                "bias",
                f"w-3:{near[k]}",
                f"w-2:{near[k + 1]}",
                f"w-1:{near[k + 2]}",
                f"t-1:{tags[k]}",
                f"w1:{near[k + 4]}",
                f"t1:{tags[k + 2]}",
                f"w2:{near[k + 5]}",
                f"w3:{near[k + 6]}",
                f"bg:{near[k + 2]}_{norm[i]}",
                f"bg2:{norm[i]}_{near[k + 4]}",
            ]
            if pos[i] in _CONTENT_POS:
                f.append(f"rec:{min(lemma_counts[lemma[i]], 5)}")
            found.indices.append(i)
            found.own.append(f)
            found.sentence.append(len(found.shared) - 1)
    return found


def hash_features(features: TokenFeatures) -> Any:
    """A token per row, its own and its sentence's feature strings hashed into ``HASH_SIZE``
    binary columns (a column two strings share counts once)."""
    from sklearn.feature_extraction import FeatureHasher

    hasher = FeatureHasher(n_features=HASH_SIZE, input_type="string", alternate_sign=False)
    matrix = (hasher.transform(features.own) + hasher.transform(features.shared)[features.sentence]).tocsr()
    matrix.data[:] = 1.0
    return matrix


def peaked_runs(
    doc: Any, indices: Sequence[int], probs: Sequence[float], threshold: float, gap: int
) -> list[tuple[int, int, float]]:
    """Character spans of the runs of tokens at or above *threshold*, bridged over at most *gap*
    tokens within a sentence, each with its highest token probability; a run neither starts
    nor ends on punctuation."""
    found: list[list[Any]] = []
    last = -1
    for i, p in zip(indices, probs, strict=True):
        token = doc[i]
        joins = bool(found) and i - last - 1 <= gap and token.sent.start == doc[found[-1][0]].sent.start
        if p < threshold or (token.is_punct and not joins):
            continue
        if joins:
            found[-1][1] = i
            found[-1][2] = max(found[-1][2], p)
        else:
            found.append([i, i, p])
        last = i
    out = []
    for a, b, peak in found:
        while b > a and doc[b].is_punct:
            b -= 1
        out.append((doc[a].idx, doc[b].idx + len(doc[b]), peak))
    return out


def runs(
    doc: Any, indices: Sequence[int], probs: Sequence[float], threshold: float, gap: int, keep: float = 0.0
) -> list[tuple[int, int]]:
    """The :func:`peaked_runs` one of whose tokens reaches *keep*, as character spans."""
    return [(start, end) for start, end, peak in peaked_runs(doc, indices, probs, threshold, gap) if peak >= keep]


def _tagger_files(meta: dict[str, Any]) -> list[str]:
    """The tagger's files ``meta.json`` names: its ``stages``, or one ``file``."""
    return [str(name) for name in meta["stages"]] if "stages" in meta else [str(meta["file"])]


def _load_tagger(path: Path, meta: dict[str, Any]) -> TechniqueTagger:
    """The tagger ``meta.json`` describes: its stages and their ``exits``."""
    return TechniqueTagger([path / name for name in _tagger_files(meta)], [float(e) for e in meta.get("exits", [])])


class SpanFinder:
    """Per-token logistic regression over hashed :func:`token_features` and, with a
    ``states_scale`` above 0, the shared encoder's token states (``finder.npz``); with a
    *tagger*, its probabilities mixed in at *tagger_weight*, on the runs where the regression
    reaches *tagger_floor* somewhere (elsewhere the regression's stand alone)."""

    def __init__(
        self,
        weights: Any,
        bias: float,
        threshold: float,
        gap: int,
        states_scale: float = 0.0,
        keep: float = 0.0,
        tagger: TechniqueTagger | None = None,
        tagger_weight: float = 0.0,
        tagger_floor: float = 0.0,
    ) -> None:
        self.weights, self.bias, self.threshold, self.gap, self.keep = weights, bias, threshold, gap, keep
        self.states_scale = states_scale
        self.tagger, self.tagger_weight, self.tagger_floor = tagger, tagger_weight, tagger_floor

    @classmethod
    def load(cls, path: Path, meta: dict[str, Any]) -> SpanFinder:
        import numpy as np

        try:
            data = np.load(path / "finder.npz")
            scale = float(meta.get("finder_states_scale", 0.0))
            tagger = meta.get("tagger")
            layer = int(tagger.get("lower_layer", EARLIER_LOWER_LAYER)) if tagger else LOWER_LAYER
            if layer != LOWER_LAYER:
                raise ValueError(
                    f"its tagger was fine-tuned on layer {layer}'s states, the shared pass gives layer"
                    f" {LOWER_LAYER}'s; retrain it (narrascope train techniques)"
                )
            return cls(
                np.asarray(data["weights"], dtype=np.float32),
                float(data["bias"]),
                **meta["finder_decoding"],
                states_scale=scale,
                tagger=_load_tagger(path, tagger) if tagger else None,
                tagger_weight=float(tagger["weight"]) if tagger else 0.0,
                tagger_floor=float(tagger.get("floor", 0.0)) if tagger else 0.0,
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelError(f"{path}: cannot read the technique span finder: {error}") from error

    @property
    def needs_encoder(self) -> bool:
        return self.states_scale > 0 or self.tagger is not None

    def probabilities(self, doc: Any, reading: Reading | None = None) -> tuple[list[int], Any]:
        """Token indices and each token's probability of lying inside a technique span; *reading*
        is the doc's shared encoder pass (needed when the finder reads it)."""
        import numpy as np

        features = token_features(doc)
        indices = features.indices
        if not indices:
            return [], np.zeros(0, dtype=np.float32)
        if self.needs_encoder and reading is None:
            raise ModelError("this technique span finder reads the shared encoder pass; none was given")
        logits = hash_features(features) @ self.weights[:HASH_SIZE] + self.bias
        if self.states_scale > 0 and reading is not None:
            logits += self.states_scale * (reading.tokens[indices] @ self.weights[HASH_SIZE:])
        probs = 1.0 / (1.0 + np.exp(-logits))
        if self.tagger is not None and reading is not None:
            tagged = self.tagger.at(reading.runs, len(doc), indices, probs, self.tagger_floor)
            probs = self.tagger_weight * tagged + (1.0 - self.tagger_weight) * probs
        return indices, probs

    def spans(self, doc: Any, reading: Reading | None = None) -> list[tuple[int, int]]:
        """Character spans of the persuasive passages of a parsed ``Doc``."""
        indices, probs = self.probabilities(doc, reading)
        return runs(doc, indices, list(map(float, probs)), self.threshold, self.gap, self.keep)


def paragraph_features(text: str, paragraph: tuple[int, int], previous: tuple[int, int] | None) -> set[str]:
    """A paragraph's words and word pairs, those of the paragraph before it, its length and
    whether it is the title (the first line)."""
    words = _TOKEN.findall(text[paragraph[0] : paragraph[1]].lower())
    found = {f"w:{w}" for w in words} | {f"b:{a} {b}" for a, b in pairwise(words)}
    found.add(f"len:{_bucket(len(words))}")
    if paragraph[0] == 0:
        found.add("title")
    if previous is not None:
        found |= {f"p:{w}" for w in _TOKEN.findall(text[previous[0] : previous[1]].lower())}
    return found


def paragraph_vectors(doc: Any, states: Any, paragraphs: Sequence[tuple[int, int]]) -> Any:
    """Each paragraph's mean token state from the shared encoder pass (unit length; zeros for a
    paragraph without tokens): what the paragraph classifier reads beside its words."""
    import numpy as np

    starts = np.array([token.idx for token in doc], dtype=np.int64)
    words = np.array([not token.is_space for token in doc], dtype=bool)
    out = np.zeros((len(paragraphs), states.shape[1]), dtype=np.float32)
    for row, (start, end) in enumerate(paragraphs):
        chosen = words & (starts >= start) & (starts < end)
        if chosen.any():
            mean = states[chosen].mean(axis=0)
            norm = float(np.linalg.norm(mean))
            out[row] = mean / norm if norm > 0 else mean
    return out


class ParagraphClassifier:
    """One logistic regression per technique over :func:`paragraph_features` (``paragraphs.npz``),
    and, when trained so, the paragraph's mean encoder state scaled by ``states_scale`` (its
    weights are ``dense`` in the same file)."""

    def __init__(self, path: Path, threshold: float, states_scale: float = 0.0) -> None:
        import numpy as np

        self.weights, self.bias, self.classes, self.names = _linear(path, "paragraphs", "paragraph classifier")
        self.index: dict[str, int] = {name: i for i, name in enumerate(self.names)}
        self.threshold = threshold
        self.states_scale = states_scale
        self.dense = None
        if states_scale > 0:
            try:
                self.dense = np.asarray(np.load(path / "paragraphs.npz")["dense"], dtype=np.float32)
            except (OSError, KeyError) as error:
                raise ModelError(f"{path}: the paragraph classifier has no weights for its states: {error}") from error

    def scores(
        self, text: str, paragraphs: Sequence[tuple[int, int]], vectors: Any = None
    ) -> tuple[Any, list[list[int]]]:
        """Probability of each technique (columns, ``classes``) in each paragraph (rows), and each
        paragraph's cue candidates: the rows of its own content words and pairs (read from the
        same features, so a paragraph is featurised once). *vectors*: :func:`paragraph_vectors`,
        needed when the classifier reads states."""
        import numpy as np

        if self.dense is not None and vectors is None:
            raise ValueError("this paragraph classifier reads the encoder states: give the paragraph vectors")
        out = np.zeros((len(paragraphs), len(self.classes)), dtype=np.float32)
        candidates: list[list[int]] = []
        previous = None
        for row, paragraph in enumerate(paragraphs):
            present = {f: self.index[f] for f in paragraph_features(text, paragraph, previous) if f in self.index}
            rows = sorted(present.values())
            logits = self.bias + (self.weights[rows].sum(axis=0) if rows else 0.0)
            if self.dense is not None:
                logits = logits + self.states_scale * (vectors[row] @ self.dense)
            out[row] = 1.0 / (1.0 + np.exp(-logits))
            candidates.append([r for f, r in present.items() if _cue_like(f)])
            previous = paragraph
        return out, candidates

    def cue(self, candidates: list[int], technique: str) -> str | None:
        """Of a paragraph's cue candidates, the word or word pair that weighs most for *technique*."""
        if not candidates:
            return None
        column = self.classes.index(technique)
        best = max(candidates, key=lambda r: float(self.weights[r, column]))
        return self.names[best].split(":", 1)[1] if self.weights[best, column] > 0 else None


class PersuasionModel:
    """The span finder and the two classifiers; build with :func:`load_persuasion_model`."""

    def __init__(self, path: Path) -> None:
        meta_path = path / "meta.json"
        try:
            self.meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ModelError(f"{path}: no technique model there ({error})") from error
        self.finder = SpanFinder.load(path, self.meta)
        self.classifier = Classifier(path)
        self.paragraphs = ParagraphClassifier(
            path, float(self.meta.get("paragraph_threshold", 1.0)), float(self.meta.get("paragraph_states_scale", 0.0))
        )
        self.second_label = float(self.meta.get("second_label", 1.0))
        digest = hashlib.sha256()
        tagger = self.meta.get("tagger")
        for name in ("finder.npz", "classifier.npz", "paragraphs.npz", *(_tagger_files(tagger) if tagger else [])):
            digest.update((path / name).read_bytes())
        kind = "tagger+linear" if tagger else "linear"
        self.version = f"techniques-{kind} sha256:{digest.hexdigest()[:12]}"

    @property
    def needs_encoder(self) -> bool:
        """Whether the span finder or the paragraph classifier reads the shared encoder pass."""
        return self.finder.needs_encoder or self.paragraphs.states_scale > 0

    def spans_many(self, docs: Sequence[Any], readings: Sequence[Reading] | None = None) -> list[list[tuple[int, int]]]:
        """Character spans of the persuasive passages of each doc (a ``Doc`` of ``load_spacy()``);
        the docs' *readings* come from the shared encoder pass, or are made here if needed."""
        if self.needs_encoder and readings is None:
            from narrascope.annotators.checkworthy import load_checkworthy_model

            readings = load_checkworthy_model().read(docs)
        return [
            self.finder.spans(doc, readings[i] if readings is not None else None) if len(doc) else []
            for i, doc in enumerate(docs)
        ]

    def techniques(self, text: str, spans: list[tuple[int, int]]) -> list[list[TechniqueGuess]]:
        """The techniques reported for each span: the best one, and the runner-up when it is
        nearly as likely (``second_label`` in ``meta.json``)."""
        out = []
        for guesses in self.classifier.rank(text, spans):
            out.append([g for g in guesses[:2] if g is guesses[0] or g.score >= self.second_label])
        return out

    def paragraph_techniques(
        self, text: str, paragraphs: Sequence[tuple[int, int]], doc: Any = None, states: Any = None
    ) -> list[list[TechniqueGuess]]:
        """Per paragraph, the techniques the paragraph classifier finds likely, with their cues
        (*doc*, the parse of *text*, and its token *states* when the classifier reads states;
        without *states* the encoder pass is run here)."""
        vectors = None
        if self.paragraphs.states_scale > 0:
            if doc is None:
                raise ValueError("this paragraph classifier reads the encoder states: give the parse of the text")
            if states is None:
                from narrascope.annotators.checkworthy import token_states

                states = token_states([doc])[0]
            vectors = paragraph_vectors(doc, states, paragraphs)
        scores, candidates = self.paragraphs.scores(text, paragraphs, vectors)
        out = []
        for cues, row in zip(candidates, scores, strict=True):
            found = [
                TechniqueGuess(technique, float(row[k]), self.paragraphs.cue(cues, technique))
                for k, technique in enumerate(self.paragraphs.classes)
                if row[k] >= self.paragraphs.threshold
            ]
            out.append(sorted(found, key=lambda g: -g.score))
        return out


def model_dir() -> Path:
    """Directory of the bundled model (``resources/models/techniques``)."""
    return Path(str(resources.files("narrascope.resources").joinpath("models") / "techniques"))


@lru_cache(maxsize=1)
def load_persuasion_model() -> PersuasionModel:
    """The bundled technique model, loaded once per process."""
    path = model_dir()
    if not (path / "meta.json").is_file():
        raise ModelError(
            f"the technique model is missing from {path}; rebuild it with `narrascope train techniques --data DIR`"
        )
    return PersuasionModel(path)
