"""The persuasion-technique model: where the persuasive passages are, and which techniques.

Two parts, trained on SemEval-2023 Task 3 English by :mod:`narrascope.training.techniques`:

1. **Span finder**: a spaCy transition-based span tagger (factory ``ner``, one label) over the
   ``Doc`` of the shared English pipeline; it reads the tokens and the tags and dependencies the
   pipeline already assigned (no second parse), like the attribution tagger. It was trained on
   the gold spans of all techniques merged where they overlap, which is what span
   identification is scored on.
2. **Technique classifier**: a multinomial logistic regression over binary features of a span
   (its words and word pairs, three words either side, its length, whether its wording recurs in
   the article, punctuation, capitals, quotation marks). Weights are a NumPy array
   (``classifier.npz``) with the feature names beside it, so inference is a lookup and a
   softmax; the strongest present feature for the chosen technique is reported as the *cue*
   that fired.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from narrascope.errors import ModelError

__all__ = [
    "SPAN_LABEL",
    "Classifier",
    "PersuasionModel",
    "TechniqueGuess",
    "load_persuasion_model",
    "model_dir",
    "span_features",
]

SPAN_LABEL = "PERSUASION"
COMPONENT = "techniques"
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


@dataclass(frozen=True)
class TechniqueGuess:
    technique: str
    score: float
    cue: str | None


class Classifier:
    """Multinomial logistic regression over :func:`span_features` (weights in ``classifier.npz``)."""

    def __init__(self, path: Path) -> None:
        import numpy as np

        try:
            data = np.load(path / "classifier.npz")
            meta = json.loads((path / "classifier.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as error:
            raise ModelError(f"{path}: cannot read the technique classifier: {error}") from error
        self.weights = np.asarray(data["weights"], dtype=np.float32)  # features × classes
        self.bias = np.asarray(data["bias"], dtype=np.float32)
        self.classes: list[str] = list(meta["classes"])
        self.index: dict[str, int] = {name: i for i, name in enumerate(meta["features"])}

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
            guesses = []
            for k in np.argsort(-p):
                cue = None
                if rows:
                    best = max(rows, key=lambda r, k=k: float(self.weights[r, k]))
                    if self.weights[best, k] > 0 and names[best].split(":", 1)[0] in ("w", "b"):
                        cue = names[best].split(":", 1)[1]
                guesses.append(TechniqueGuess(self.classes[int(k)], float(p[k]), cue))
            out.append(guesses)
        return out


class PersuasionModel:
    """The span finder and the technique classifier; build with :func:`load_persuasion_model`."""

    def __init__(self, path: Path, vocab: Any = None) -> None:
        import spacy

        meta_path = path / "meta.json"
        if not meta_path.is_file() or not (path / COMPONENT).is_dir():
            raise ModelError(f"{path}: no technique model there (meta.json or {COMPONENT}/ missing)")
        self.meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        nlp = spacy.blank("en", vocab=vocab if vocab is not None else True)
        try:
            pipe: Any = nlp.add_pipe("ner", name=COMPONENT, config=self.meta["config"])
            pipe.from_disk(path / COMPONENT, exclude=["vocab"])
        except Exception as error:  # spaCy raises assorted errors on a bad model directory
            raise ModelError(f"{path}: cannot load the technique span finder: {error}") from error
        self.pipe: Any = pipe
        self.classifier = Classifier(path)
        self.min_score = float(self.meta.get("min_score", 0.0))
        self.second_label = float(self.meta.get("second_label", 1.0))
        weights = hashlib.sha256((path / COMPONENT / "model").read_bytes()).hexdigest()[:12]
        self.version = f"techniques-ner+lr sha256:{weights}"

    def spans_many(self, docs: list[Any], batch_size: int = 16) -> list[list[tuple[int, int]]]:
        """Character spans of the persuasive passages of each doc (a ``Doc`` of ``load_spacy()``)."""
        found: list[list[tuple[int, int]]] = [[] for _ in docs]
        todo = [i for i, doc in enumerate(docs) if len(doc)]
        copies = []
        for i in todo:
            work = docs[i].copy()
            work.set_ents([], default="missing")
            copies.append(work)
        for i, tagged in zip(todo, self.pipe.pipe(copies, batch_size=batch_size), strict=True):
            found[i] = [(ent.start_char, ent.end_char) for ent in tagged.ents]
        return found

    def techniques(self, text: str, spans: list[tuple[int, int]]) -> list[list[TechniqueGuess]]:
        """The techniques reported for each span: the best one, and the runner-up when it is
        nearly as likely (``second_label`` in ``meta.json``)."""
        out = []
        for guesses in self.classifier.rank(text, spans):
            keep = [g for g in guesses[:2] if g is guesses[0] or g.score >= self.second_label]
            out.append([g for g in keep if g.score >= self.min_score])
        return out


def model_dir() -> Path:
    """Directory of the bundled model (``resources/models/techniques``)."""
    return Path(str(resources.files("narrascope.resources").joinpath("models") / "techniques"))


@lru_cache(maxsize=1)
def load_persuasion_model() -> PersuasionModel:
    """The bundled technique model, loaded once per process (shares the English vocab)."""
    from narrascope.models import load_spacy

    return PersuasionModel(model_dir(), vocab=load_spacy().vocab)
