"""What the reports say about persuasion techniques: the per-family summary and the findings.

Shared by the text, Markdown and HTML renderers, which escape for their own medium; these
helpers return raw strings.
"""

from __future__ import annotations

from narrascope.annotators.technique_families import FAMILIES, label_of
from narrascope.model import Analysis, Technique
from narrascope.report.common import Fact, shorten

TECHNIQUE_HEADER = ["Id", "Family", "Technique", "Score", "Cue", "Passage"]
FAMILY_HEADER = ["Family", "Findings", "Techniques"]
TECHNIQUE_NOTE = (
    "Persuasion techniques as a model trained on SemEval-2023 news annotations reads them: each "
    "finding is a candidate for a reader to judge, with the model's probability and the words that "
    "weighed most. Paragraph findings name a technique the paragraph-level model finds where no "
    "passage was marked for it. Hedges are in Claims and legal labels in Designation labels."
)
FAMILY_COLOURS = {
    "emotional wording": "#e57373",
    "attacks on people": "#ba68c8",
    "doubt": "#ffb74d",
    "appeals": "#4fc3f7",
    "simplification": "#aed581",
    "distraction": "#90a4ae",
    "calls and slogans": "#f06292",
}
"""One colour per family, shared by every format that can show colour."""


def score_text(technique: Technique) -> str:
    return f"{technique.score:.2f}"


def cue_of(technique: Technique) -> str:
    return technique.cue.text if technique.cue else "—"


def technique_name(technique: Technique) -> str:
    name = label_of(technique.technique)
    return f"{name} (paragraph)" if technique.level == "paragraph" else name


def technique_rows(analysis: Analysis) -> list[list[str]]:
    return [
        [t.id, t.family, technique_name(t), score_text(t), cue_of(t), shorten(t.span.text, 100)]
        for t in analysis.techniques
    ]


def family_rows(analysis: Analysis) -> list[list[str]]:
    """Per family, in the fixed family order: how many findings and which techniques."""
    rows = []
    for family, members in FAMILIES.items():
        found = [t for t in analysis.techniques if t.family == family]
        if not found:
            continue
        names = ", ".join(f"{label_of(m)} ×{n}" for m in members if (n := sum(1 for t in found if t.technique == m)))
        rows.append([family, str(len(found)), names])
    return rows


def technique_facts(analysis: Analysis) -> list[Fact]:
    profile = analysis.technique_profile
    if profile is None:
        return []
    return [
        Fact("Marked passages", f"{profile.spans} ({profile.per_1000_words:g} per 1,000 words)"),
        Fact("Paragraph findings", str(profile.paragraphs)),
        Fact("Families", ", ".join(f"{f} {n}" for f, n in profile.families.items()) or "none"),
    ]


def technique_tooltip(technique: Technique) -> str:
    what = "paragraph finding" if technique.level == "paragraph" else "marked passage"
    lines = [
        f"{label_of(technique.technique)} ({technique.family}), {what} {technique.id}",
        f"score {technique.score:.2f} at {technique.span.start}–{technique.span.end}",
    ]
    if technique.cue:
        lines.append(f'cue: "{technique.cue.text}"')
    return "\n".join(lines)


__all__ = [
    "FAMILY_COLOURS",
    "FAMILY_HEADER",
    "TECHNIQUE_HEADER",
    "TECHNIQUE_NOTE",
    "family_rows",
    "technique_facts",
    "technique_name",
    "technique_rows",
    "technique_tooltip",
]
