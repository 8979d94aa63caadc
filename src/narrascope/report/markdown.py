"""The report as CommonMark/GitHub-flavoured Markdown, the same content as the terminal report.

Article-derived text is escaped everywhere: the ASCII punctuation that could act as Markdown is
backslash-escaped (so a name cannot open a link, emphasis, an HTML tag or a table cell) and line
breaks inside table cells become ``<br>``, so a ``|`` or a newline never breaks a table.
"""

from __future__ import annotations

import re

from narrascope.model import Analysis
from narrascope.report.claims import (
    CLAIM_HEADER,
    FACTCHECK_HEADER,
    FIGURE_HEADER,
    LABEL_HEADER,
    LABEL_NOTE,
    claim_rows,
    factcheck_note,
    factcheck_rows,
    figure_rows,
    label_rows,
    profile_facts,
)
from narrascope.report.common import (
    SOURCE_HEADER,
    article_facts,
    cue_text,
    date_value_text,
    entity_groups,
    evidence_text,
    models_text,
    plural,
    quote_content,
    quote_kind_text,
    shorten,
    sorted_dates,
    sorted_quotes,
    source_rows,
    sourcing_facts,
    speaker_text,
    type_name,
    variants_text,
    visible_controls,
)
from narrascope.report.techniques import (
    FAMILY_HEADER,
    PARAGRAPH_HEADER,
    TECHNIQUE_HEADER,
    TECHNIQUE_NOTE,
    family_rows,
    paragraph_rows,
    technique_facts,
    technique_rows,
)

# Enough to keep text literal wherever it is placed after a prefix (never at a line start):
# code spans, emphasis, links/images, raw HTML and autolinks, entities, tables, strikethrough,
# heading closers and math. Any ASCII punctuation may be backslash-escaped in CommonMark.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~#$])")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def escape(text: str) -> str:
    """``text`` as literal inline Markdown on one line (line breaks become spaces)."""
    return _SPECIAL.sub(r"\\\1", visible_controls(_LINE_BREAK.sub(" ", text)))


def cell(text: str) -> str:
    """``text`` as the content of one table cell: escaped, line breaks as ``<br>``."""
    lines = _LINE_BREAK.split(text)
    return "<br>".join(_SPECIAL.sub(r"\\\1", visible_controls(line)) for line in lines).strip() or " "


def table(header: list[str], rows: list[list[str]], right: frozenset[int] = frozenset()) -> list[str]:
    """A pipe table; ``header`` is trusted, ``rows`` are raw cell texts escaped here."""
    rule = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(cell(value) for value in row) + " |" for row in rows)
    return lines


def _article(analysis: Analysis) -> list[str]:
    facts = article_facts(analysis)
    lines = [f"# {escape(facts[0].value)}", ""]
    for fact in facts[1:]:
        lines.append(f"- **{fact.label}:** {escape(fact.value)}")
    lines.extend(["", f"*Models: {escape(models_text(analysis))}; schema {escape(analysis.schema_version)}*"])
    return lines


def _sourcing(analysis: Analysis) -> list[str]:
    sourcing = analysis.sourcing
    lines = ["## Sourcing", ""]
    if sourcing is None:
        return [*lines, "Not analysed."]
    for fact in sourcing_facts(sourcing):
        value = escape(fact.value)
        if fact.label == "Single source" and sourcing.single_source:
            value = f"**{value}**"
        lines.append(f"- **{fact.label}:** {value}")
    lines.append("")
    if sourcing.sources:
        lines.extend(table(SOURCE_HEADER, source_rows(sourcing), right=frozenset({2, 3, 4})))
    else:
        lines.append("No attributed sources.")
    if sourcing.notes:
        lines.extend(["", "Notes:", ""])
        lines.extend(f"- {escape(note)}" for note in sourcing.notes)
    return lines


def _quotes(analysis: Analysis) -> list[str]:
    quotes = sorted_quotes(analysis)
    lines = [f"## Quotes ({len(quotes)})", ""]
    if not quotes:
        return [*lines, "None."]
    rows = [[speaker_text(q), quote_kind_text(q), cue_text(q), shorten(quote_content(q))] for q in quotes]
    return lines + table(["Speaker", "Kind", "Cue", "Content"], rows)


def _issues(analysis: Analysis) -> list[str]:
    issues = analysis.document.issues
    lines = [f"## Issues on ingest ({len(issues)})", ""]
    if not issues:
        return [*lines, "None."]
    rows = [[issue.code, issue.message, issue.removed if issue.removed is not None else "—"] for issue in issues]
    return lines + table(["Code", "Message", "Removed text"], rows)


def _entities(analysis: Analysis) -> list[str]:
    lines = [f"## Entities ({len(analysis.entities)})"]
    if not analysis.entities:
        return [*lines, "", "None."]
    for entity_type, entities in entity_groups(analysis):
        mentions = sum(len(e.mentions) for e in entities)
        lines.extend(
            [
                "",
                f"### {escape(entity_type)} · {escape(type_name(entity_type))} "
                f"({plural(len(entities), 'entity')}, {plural(mentions, 'mention')})",
                "",
            ]
        )
        rows = [[e.name, str(len(e.mentions)), variants_text(e), evidence_text(e)] for e in entities]
        lines.extend(table(["Entity", "Mentions", "Written as", "Found by"], rows, right=frozenset({1})))
    return lines


def _dates(analysis: Analysis) -> list[str]:
    dates = sorted_dates(analysis)
    lines = [f"## Dates ({len(dates)})", ""]
    if not dates:
        return [*lines, "None."]
    rows = [[d.span.text, f"{d.span.start}–{d.span.end}", date_value_text(d)] for d in dates]
    return lines + table(["In the text", "Characters", "Resolved to"], rows)


def _claims(analysis: Analysis) -> list[str]:
    lines = [f"## Claims ({len(analysis.claims)})", ""]
    profile = analysis.claim_profile
    if profile is None:
        return [*lines, "Not analysed."]
    lines.extend(f"- **{fact.label}:** {escape(fact.value)}" for fact in profile_facts(profile))
    lines.append("")
    if analysis.claims:
        lines.append("Cues: H hedge, B booster, E evidential. Certainty and check-worthiness are scores in [0, 1].")
        lines.append("")
        lines.extend(table(CLAIM_HEADER, claim_rows(analysis), right=frozenset({2, 3})))
    if (note := factcheck_note(analysis)) is not None:
        lines.extend(["", "### Fact-checks", "", escape(note)])
        if rows := factcheck_rows(analysis):
            lines.extend(["", *table(FACTCHECK_HEADER, rows, right=frozenset({4}))])
    return lines


def _figures(analysis: Analysis) -> list[str]:
    lines = [f"## Figures ({len(analysis.figures)})", ""]
    if not analysis.figures:
        return [*lines, "None."]
    return lines + table(FIGURE_HEADER, figure_rows(analysis))


def _labels(analysis: Analysis) -> list[str]:
    lines = [f"## Designation labels ({len(analysis.labels)})", ""]
    if not analysis.labels:
        return [*lines, "None."]
    return [*lines, LABEL_NOTE, "", *table(LABEL_HEADER, label_rows(analysis))]


def _techniques(analysis: Analysis) -> list[str]:
    lines = [f"## Persuasion techniques ({len(analysis.techniques)})", ""]
    if analysis.technique_profile is None:
        return [*lines, "Not analysed."]
    if not analysis.techniques:
        return [*lines, "None found."]
    lines.extend([TECHNIQUE_NOTE, ""])
    lines.extend(f"- **{fact.label}:** {escape(fact.value)}" for fact in technique_facts(analysis))
    lines.append("")
    lines.extend(table(FAMILY_HEADER, family_rows(analysis), right=frozenset({1})))
    lines.append("")
    lines.extend(table(TECHNIQUE_HEADER, technique_rows(analysis), right=frozenset({3})))
    return [*lines, "", *table(PARAGRAPH_HEADER, paragraph_rows(analysis))]


def render_markdown(analysis: Analysis) -> str:
    """The Markdown report of ``analysis``."""
    sections = [
        _article(analysis),
        _sourcing(analysis),
        _issues(analysis),
        _quotes(analysis),
        _claims(analysis),
        _figures(analysis),
        _labels(analysis),
        _techniques(analysis),
        _entities(analysis),
        _dates(analysis),
    ]
    return "\n\n".join("\n".join(section) for section in sections) + "\n"


__all__ = ["cell", "escape", "render_markdown"]
