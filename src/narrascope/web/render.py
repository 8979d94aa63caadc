"""The analysis view of the web UI, built from the HTML report's own pieces.

The report (``narrascope.report.html``) already turns an analysis into escaped markup: the article
with its layers as nested ``<mark>`` elements, the legend's toggles, the sourcing bars, the quote
and claim tables, and the CSS of each kind present. The web page reuses those builders as they
are, so the report and the UI cannot drift apart, and only adds what a page with scripts can do
(focusable highlights, an evidence panel, picking a speaker), in ``static/app.js``.

All builders escape article text and metadata; their CSS is made of class tokens restricted to
``[A-Za-z0-9_-]``, so the page's ``<style nonce>`` holds nothing taken verbatim from the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from narrascope.model import Analysis
from narrascope.report import html as report
from narrascope.report.claims import FIGURE_HEADER, LABEL_HEADER, LABEL_NOTE, figure_rows, label_rows


@dataclass(frozen=True)
class View:
    """Markup pieces of one analysis for the templates (each already escaped)."""

    title: str
    css: Markup
    facts: Markup
    legend: Markup
    article: Markup
    sourcing: Markup
    quotes: Markup
    claims: Markup
    techniques: Markup
    figures: Markup
    labels: Markup
    label_note: str
    issues: Markup
    entities: Markup
    lang: str | None
    counts: dict[str, int]


def view(analysis: Analysis) -> View:
    """Everything the analysis templates show, from the report's builders."""
    layers = report.SPAN_LAYERS
    counts, ordered, named = report.legend_state(analysis, layers)
    sourcing, bar_css = report.sourcing_section(analysis)
    entity_css = report.entity_table_css(analysis)
    css = "\n".join(
        [
            report.layer_css(layers, ordered),
            entity_css,
            report.speaker_css(report.speaker_tokens(analysis)),
            bar_css,
            report.FAMILY_CSS,
        ]
    )
    language = analysis.document.language
    lang = report.lang_attribute(analysis).removeprefix(' lang="').removesuffix('"') or None
    return View(
        title=analysis.document.title or "Untitled article",
        css=Markup(css),
        facts=Markup(report.facts_section(analysis)),
        legend=Markup(report.legend_section(layers, ordered, counts, named)),
        article=Markup(report.article_html(analysis, layers)),
        sourcing=Markup(sourcing),
        quotes=Markup(report.quotes_section(analysis)),
        claims=Markup(report.claims_section(analysis)),
        techniques=Markup(report.techniques_section(analysis)),
        figures=Markup(report.rows_table(FIGURE_HEADER, figure_rows(analysis))),
        labels=Markup(report.rows_table(LABEL_HEADER, label_rows(analysis))),
        label_note=LABEL_NOTE,
        issues=Markup(report.issues_section(analysis)),
        entities=Markup(report.entities_section(analysis)),
        lang=lang if language is not None else None,
        counts=counts,
    )


REPORT_CSS = report.STYLE
"""The report's base stylesheet, served as a file so the page's CSP needs no inline styles for it."""
