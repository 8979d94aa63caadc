"""What the reports say about persuasion techniques: the per-family summary and the findings.

Shared by the text, Markdown and HTML renderers, which escape for their own medium; these
helpers return raw strings.
"""

from __future__ import annotations

from narrascope.annotators.technique_families import FAMILIES, label_of
from narrascope.model import Analysis, Technique
from narrascope.report.common import Fact, shorten

TECHNIQUE_HEADER = ["Id", "Family", "Technique", "Score", "Cue", "Passage"]
PARAGRAPH_HEADER = ["Paragraph", "Techniques (score, cue)"]
FAMILY_HEADER = ["Family", "Findings", "Techniques"]
TECHNIQUE_NOTE = (
    "Persuasion techniques as a model trained on SemEval-2023 news annotations reads them: each "
    "finding is a candidate for a reader to judge, with the model's probability and the words that "
    "weighed most. Paragraph findings are a separate, paragraph-wide reading (SemEval's paragraph "
    "labels): weaker evidence, listed to be checked. Hedges are in Claims and legal labels in Designation labels."
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


def technique_rows(analysis: Analysis) -> list[list[str]]:
    """The marked passages, one row per technique guess."""
    return [
        [t.id, t.family, label_of(t.technique), score_text(t), cue_of(t), shorten(t.span.text, 100)]
        for t in analysis.techniques
        if t.level == "span"
    ]


def paragraph_rows(analysis: Analysis) -> list[list[str]]:
    """The paragraph findings, one row per paragraph: its opening words, then each technique."""
    grouped: dict[tuple[int, int], list[Technique]] = {}
    for t in analysis.techniques:
        if t.level == "paragraph":
            grouped.setdefault((t.span.start, t.span.end), []).append(t)
    rows = []
    for found in grouped.values():
        found.sort(key=lambda t: -t.score)
        listed = "; ".join(
            f"{label_of(t.technique)} {score_text(t)}" + (f' "{t.cue.text}"' if t.cue else "") for t in found
        )
        rows.append([shorten(found[0].span.text, 60), listed])
    return rows


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
    "PARAGRAPH_HEADER",
    "TECHNIQUE_HEADER",
    "TECHNIQUE_NOTE",
    "family_rows",
    "paragraph_rows",
    "technique_facts",
    "technique_rows",
    "technique_tooltip",
]
