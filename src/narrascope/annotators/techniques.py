"""The ``techniques`` layer: persuasion-technique spans with a score, the cue that fired and the
family a reader sees, plus a per-family summary of the article.

Two kinds of finding: passages the span finder marked (``level="span"``), and the techniques
the paragraph classifier finds in each paragraph (a line of the text; ``level="paragraph"``, the
paragraph as the span and its strongest words as the cue). The two are separate readings: a
paragraph finding is a weaker, paragraph-wide signal, listed so a reader can check it.

English only (the model is trained on SemEval-2023's English articles); other languages get an
empty layer rather than an English model's guesses. Hedges belong to the claims layer and legal
designation labels to the labels layer, so spans that are only one of those are left out here:
a "doubt" span consisting of nothing but a certainty cue, or a span lying inside a designation
label, is dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from narrascope.annotators.certainty import find_cues
from narrascope.annotators.technique_families import FAMILIES, FAMILY_OF
from narrascope.model import Span, Technique, TechniqueProfile
from narrascope.pipeline import Work, annotator, shared_readings

__all__ = ["TechniqueAnnotator", "build_techniques", "paragraphs_of", "profile"]


def _only_a_hedge(text: str, start: int, end: int, language: str) -> bool:
    piece = text[start:end].strip(" ,.;:")
    cues = find_cues(piece, language)
    return (
        bool(cues) and all(c.kind == "hedge" for c in cues) and sum(c.end - c.start for c in cues) >= 0.8 * len(piece)
    )


def paragraphs_of(text: str) -> list[tuple[int, int]]:
    """The non-empty lines of *text* (SemEval's paragraphs), as stripped character spans: the
    paragraphs of a document that came without the ones ingest found."""
    out, start = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            at = start + line.index(stripped)
            out.append((at, at + len(stripped)))
        start += len(line) + 1
    return out


def _technique(text: str, start: int, end: int, guess: Any, level: str) -> Technique:
    cue = None
    if guess.cue:
        at = text.lower().find(guess.cue, start, end)
        if at >= 0:
            cue = Span.of(text, at, at + len(guess.cue))
    return Technique(
        id="",
        span=Span.of(text, start, end),
        technique=guess.technique,
        family=FAMILY_OF.get(guess.technique, "other"),
        score=round(guess.score, 4),
        cue=cue,
        level="paragraph" if level == "paragraph" else "span",
    )


def build_techniques(
    text: str,
    spans: list[tuple[int, int]],
    guesses: list[list[Any]],
    labels: list[Any],
    paragraphs: Sequence[tuple[tuple[int, int], list[Any]]] = (),
) -> list[Technique]:
    """Technique records for the found spans and the classifier's guesses for each, then the
    paragraph classifier's findings (*paragraphs*: each paragraph with its guesses)."""
    label_spans = [(label.span.start, label.span.end) for label in labels]
    out: list[Technique] = []
    for (start, end), found in zip(spans, guesses, strict=True):
        if any(ls <= start and end <= le for ls, le in label_spans):
            continue
        for guess in found:
            if guess.technique == "Doubt" and _only_a_hedge(text, start, end, "en"):
                continue
            out.append(_technique(text, start, end, guess, "span"))
    for (start, end), found in paragraphs:
        out.extend(_technique(text, start, end, g, "paragraph") for g in found)
    out.sort(key=lambda t: (t.span.start, t.level != "span", -t.score))
    return [t.model_copy(update={"id": f"P{i}"}) for i, t in enumerate(out, start=1)]


def profile(techniques: list[Technique], words: int) -> TechniqueProfile:
    """Per family and per technique: how many findings; marked spans per 1,000 words."""
    by_family = Counter(t.family for t in techniques)
    spans = sum(1 for t in techniques if t.level == "span")
    return TechniqueProfile(
        spans=spans,
        paragraphs=len(techniques) - spans,
        per_1000_words=round(1000 * spans / words, 2) if words else 0.0,
        families={family: by_family[family] for family in FAMILIES if by_family[family]},
        techniques=dict(Counter(t.technique for t in techniques).most_common()),
    )


class TechniqueAnnotator:
    name = "techniques"

    def __init__(self, config: dict[str, Any]) -> None:
        from narrascope.annotators.persuasion import load_persuasion_model

        self.model = load_persuasion_model()
        self.models = {"techniques": self.model.version}
        self.needs_encoder = self.model.needs_encoder

    def __call__(self, work: Work) -> None:
        from narrascope.model import WORD

        if work.parse is None:  # only English is parsed by spaCy; the model reads English only
            work.layers["techniques"] = []
            return
        readings = shared_readings([work])
        spans = self.model.spans_many([work.parse], readings)[0]
        text = work.document.text
        paragraphs = list(work.document.paragraphs) or paragraphs_of(text)
        found = build_techniques(
            text,
            spans,
            self.model.techniques(text, spans),
            work.layers.get("labels", []),
            list(
                zip(
                    paragraphs,
                    self.model.paragraph_techniques(
                        text, paragraphs, work.parse, readings[0].tokens if readings else None
                    ),
                    strict=True,
                )
            ),
        )
        work.layers["techniques"] = found
        work.layers["technique_profile"] = profile(found, len(WORD.findall(text)))


@annotator("techniques")
def make_techniques(config: dict[str, Any]) -> TechniqueAnnotator:
    return TechniqueAnnotator(config)
