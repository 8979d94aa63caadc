"""The terminal report: what a fact-checker needs at a glance, rendered with Rich.

Every piece of article content goes in as a ``rich.text.Text`` (never as markup), with control
characters made visible, so an article cannot inject Rich markup or terminal escape sequences.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from narrascope.model import Analysis
from narrascope.report.claims import (
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

WIDTH = 100
REMOVED_PREVIEW = 160


def _t(value: object, style: str = "") -> Text:
    """Article-derived content as inert text."""
    return Text(visible_controls(str(value)), style=style)


def _heading(title: str, count: int | None = None) -> Text:
    heading = Text(title, style="bold cyan")
    if count is not None:
        heading.append(f" ({count})", style="cyan")
    return heading


def _table(*columns: str) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _facts_grid(rows: list[tuple[str, Text]]) -> Table:
    """Label/value lines: labels bold, values folded to the width."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def _article(analysis: Analysis) -> RenderableType:
    facts = article_facts(analysis)
    grid = _facts_grid([(fact.label, _t(fact.value)) for fact in facts[1:]])
    models = Text(f"models: {models_text(analysis)}; schema {analysis.schema_version}", style="dim")
    return Group(_t(facts[0].value, "bold"), grid, models)


def _sourcing(analysis: Analysis) -> RenderableType:
    sourcing = analysis.sourcing
    if sourcing is None:
        return Group(_heading("Sourcing"), Text("not analysed", style="dim"))
    flagged = "Single source" if sourcing.single_source else None
    grid = _facts_grid(
        [(f.label, _t(f.value, "bold red" if f.label == flagged else "")) for f in sourcing_facts(sourcing)]
    )
    parts: list[RenderableType] = [_heading("Sourcing"), grid]
    if sourcing.sources:
        table = _table(*SOURCE_HEADER)
        for column in table.columns[2:]:
            column.justify = "right"
        for row in source_rows(sourcing):
            table.add_row(_t(row[0], "bold"), _t(row[1], "dim"), *row[2:])
        parts.extend([Text(""), table])
    else:
        parts.append(Text("no attributed sources", style="dim"))
    for note in sourcing.notes:
        parts.append(_t(f"• {note}", "italic"))
    return Group(*parts)


def _quotes(analysis: Analysis) -> RenderableType:
    quotes = sorted_quotes(analysis)
    if not quotes:
        return Group(_heading("Quotes", 0), Text("none", style="dim"))
    table = _table("Speaker", "Kind", "Cue", "Content")
    table.columns[0].max_width = 30
    table.columns[1].max_width = 10
    table.columns[2].max_width = 14
    for quote in quotes:
        scare = quote.kind == "scare"
        table.add_row(
            _t(speaker_text(quote), "dim" if scare else "bold"),
            _t(quote_kind_text(quote)),
            _t(cue_text(quote), "dim" if quote.cue is None else ""),
            _t(shorten(quote_content(quote)), "italic" if scare else ""),
        )
    return Group(_heading("Quotes", len(quotes)), table)


def _issues(analysis: Analysis) -> RenderableType:
    issues = analysis.document.issues
    if not issues:
        return Group(_heading("Issues on ingest", 0), Text("none", style="dim"))
    table = _table("Code", "Message", "Removed text")
    for issue in issues:
        removed = Text("—", style="dim")
        if issue.removed is not None:
            preview = issue.removed
            if len(preview) > REMOVED_PREVIEW:
                preview = f"{preview[:REMOVED_PREVIEW]}… ({len(issue.removed)} characters)"
            removed = _t(preview, "italic")
        table.add_row(_t(issue.code, "yellow"), _t(issue.message), removed)
    return Group(_heading("Issues on ingest", len(issues)), table)


def _entities(analysis: Analysis) -> RenderableType:
    parts: list[RenderableType] = [_heading("Entities", len(analysis.entities))]
    if not analysis.entities:
        parts.append(Text("none", style="dim"))
    for entity_type, entities in entity_groups(analysis):
        mentions = sum(len(e.mentions) for e in entities)
        counts = f"{plural(len(entities), 'entity')}, {plural(mentions, 'mention')}"
        title = _t(f"{entity_type} · {type_name(entity_type)} · {counts}", "bold")
        table = _table("Entity", "#", "Written as", "Found by")
        table.columns[1].justify = "right"
        for entity in entities:
            table.add_row(
                _t(entity.name, "bold"),
                str(len(entity.mentions)),
                _t(variants_text(entity)),
                _t(evidence_text(entity), "dim"),
            )
        parts.extend([Text(""), title, table])
    return Group(*parts)


def _dates(analysis: Analysis) -> RenderableType:
    dates = sorted_dates(analysis)
    if not dates:
        return Group(_heading("Dates", 0), Text("none", style="dim"))
    table = _table("In the text", "At", "Resolved to")
    for expression in dates:
        style = "" if expression.value else "dim"
        table.add_row(
            _t(expression.span.text),
            f"{expression.span.start}–{expression.span.end}",
            _t(date_value_text(expression), style),
        )
    return Group(_heading("Dates", len(dates)), table)


def _rows_table(header: list[str], rows: list[list[str]]) -> Table:
    table = _table(*header)
    for row in rows:
        table.add_row(*(_t(value) for value in row))
    return table


def _claims(analysis: Analysis) -> RenderableType:
    profile = analysis.claim_profile
    if profile is None:
        return Group(_heading("Claims"), Text("not analysed", style="dim"))
    grid = _facts_grid([(fact.label, _t(fact.value)) for fact in profile_facts(profile)])
    parts: list[RenderableType] = [_heading("Claims", profile.claims), grid]
    for note in profile.notes:
        parts.append(_t(f"• {note}", "italic"))
    if analysis.claims:
        table = _rows_table(["Id", "Claimant", "Cert.", "Check", "Cues", "Claim"], claim_rows(analysis))
        table.columns[1].max_width = 18
        table.columns[4].max_width = 16
        parts.extend([Text(""), Text("cues: H hedge, B booster, E evidential", style="dim"), table])
    if (looked := factcheck_note(analysis)) is not None:
        parts.extend([Text(""), _t("Fact-checks", "bold"), Text(looked, style="dim")])
        if rows := factcheck_rows(analysis):
            parts.append(_rows_table(FACTCHECK_HEADER, rows))
    return Group(*parts)


def _figures(analysis: Analysis) -> RenderableType:
    if not analysis.figures:
        return Group(_heading("Figures", 0), Text("none", style="dim"))
    return Group(_heading("Figures", len(analysis.figures)), _rows_table(FIGURE_HEADER, figure_rows(analysis)))


def _labels(analysis: Analysis) -> RenderableType:
    if not analysis.labels:
        return Group(_heading("Designation labels", 0), Text("none", style="dim"))
    table = _rows_table(LABEL_HEADER, label_rows(analysis))
    return Group(_heading("Designation labels", len(analysis.labels)), Text(LABEL_NOTE, style="dim"), table)


def _techniques(analysis: Analysis) -> RenderableType:
    if analysis.technique_profile is None:
        return Group(_heading("Persuasion techniques"), Text("not analysed", style="dim"))
    if not analysis.techniques:
        return Group(_heading("Persuasion techniques", 0), Text("none found", style="dim"))
    grid = _facts_grid([(fact.label, _t(fact.value)) for fact in technique_facts(analysis)])
    table = _rows_table(TECHNIQUE_HEADER, technique_rows(analysis))
    table.columns[4].max_width = 16
    return Group(
        _heading("Persuasion techniques", len(analysis.techniques)),
        Text(TECHNIQUE_NOTE, style="dim"),
        grid,
        Text(""),
        _rows_table(FAMILY_HEADER, family_rows(analysis)),
        table,
        _rows_table(PARAGRAPH_HEADER, paragraph_rows(analysis)),
    )


def render_text(analysis: Analysis, color: bool = False) -> str:
    """The terminal report, 100 columns wide, with ANSI styles only when ``color`` is true."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=WIDTH,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
        legacy_windows=False,
        force_jupyter=False,
        force_interactive=False,
    )
    for section in (_article, _sourcing, _issues, _quotes, _claims, _figures, _labels, _techniques, _entities, _dates):
        console.print(section(analysis))
        console.print()
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    return "\n".join(lines).rstrip("\n") + "\n"


__all__ = ["render_text"]
