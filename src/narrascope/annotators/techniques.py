"""The ``techniques`` layer: persuasion-technique spans with a score, the cue that fired and the
family a reader sees, plus a per-family summary of the article.

English only (the model is trained on SemEval-2023's English articles); other languages get an
empty layer rather than an English model's guesses. Hedges belong to the claims layer and legal
designation labels to the labels layer, so spans that are only one of those are left out here:
a "doubt" span consisting of nothing but a certainty cue, or a span lying inside a designation
label, is dropped.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from narrascope.annotators.certainty import find_cues
from narrascope.annotators.technique_families import FAMILIES, FAMILY_OF
from narrascope.model import Span, Technique, TechniqueProfile
from narrascope.pipeline import Work, annotator

__all__ = ["TechniqueAnnotator", "build_techniques", "profile"]


def _only_a_hedge(text: str, start: int, end: int, language: str) -> bool:
    piece = text[start:end].strip(" ,.;:")
    cues = find_cues(piece, language)
    return (
        bool(cues) and all(c.kind == "hedge" for c in cues) and sum(c.end - c.start for c in cues) >= 0.8 * len(piece)
    )


def build_techniques(
    text: str, spans: list[tuple[int, int]], guesses: list[list[Any]], labels: list[Any]
) -> list[Technique]:
    """Technique records for the found spans and the classifier's guesses for each."""
    label_spans = [(label.span.start, label.span.end) for label in labels]
    out: list[Technique] = []
    for (start, end), found in zip(spans, guesses, strict=True):
        if any(ls <= start and end <= le for ls, le in label_spans):
            continue
        for guess in found:
            if guess.technique == "Doubt" and _only_a_hedge(text, start, end, "en"):
                continue
            cue = None
            if guess.cue:
                at = text.lower().find(guess.cue, start, end)
                if at >= 0:
                    cue = Span.of(text, at, at + len(guess.cue))
            out.append(
                Technique(
                    id="",
                    span=Span.of(text, start, end),
                    technique=guess.technique,
                    family=FAMILY_OF.get(guess.technique, "other"),
                    score=round(guess.score, 4),
                    cue=cue,
                )
            )
    out.sort(key=lambda t: (t.span.start, -t.score))
    return [t.model_copy(update={"id": f"P{i}"}) for i, t in enumerate(out, start=1)]


def profile(techniques: list[Technique], words: int) -> TechniqueProfile:
    """Per family: how many spans, and the article's rate per 1,000 words."""
    by_family = Counter(t.family for t in techniques)
    return TechniqueProfile(
        spans=len(techniques),
        per_1000_words=round(1000 * len(techniques) / words, 2) if words else 0.0,
        families={family: by_family[family] for family in FAMILIES if by_family[family]},
        techniques=dict(Counter(t.technique for t in techniques).most_common()),
    )


class TechniqueAnnotator:
    name = "techniques"

    def __init__(self, config: dict[str, Any]) -> None:
        from narrascope.annotators.persuasion import load_persuasion_model

        self.model = load_persuasion_model()
        self.models = {"techniques": self.model.version}

    def prepare(self, batch: list[Work]) -> None:
        """Find the spans of the whole batch at once (batched is faster)."""
        parsed = [w for w in batch if w.parse is not None]
        for work, spans in zip(parsed, self.model.spans_many([w.parse for w in parsed]), strict=True):
            work.cache["technique_spans"] = spans

    def __call__(self, work: Work) -> None:
        from narrascope.model import WORD

        if work.parse is None:
            work.layers["techniques"] = []
            return
        spans = work.cache.pop("technique_spans", None)
        if spans is None:
            spans = self.model.spans_many([work.parse])[0]
        text = work.document.text
        found = build_techniques(text, spans, self.model.techniques(text, spans), work.layers.get("labels", []))
        work.layers["techniques"] = found
        work.layers["technique_profile"] = profile(found, len(WORD.findall(text)))


@annotator("techniques")
def make_techniques(config: dict[str, Any]) -> TechniqueAnnotator:
    return TechniqueAnnotator(config)
