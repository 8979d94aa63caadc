"""The report as ONE self-contained HTML page: no script, no external asset, strict CSP.

The article text is shown with its span layers highlighted. A layer is one entry of
``SPAN_LAYERS``: a function giving the layer's ``Highlight`` spans (start, end, kind, tooltip)
and the CSS of each kind when the layer is switched on. To show a new layer (claims,
techniques...), write its highlight function and style, and add one ``SpanLayer`` line.

The quote layers colour each quote by its speaker: the kind of a quote highlight is a stable,
CSS-safe token of the speaker (``e-<entity id>`` or ``h-<hash>``), which also picks its colour,
and every mark of one speaker carries the class ``spk-<token>``, so hovering one quote (or its row
in the quotes table, or its bar in the sourcing chart) outlines all that speaker's quotes, with
``:has()`` CSS alone.

Overlapping and nested spans are cut into non-overlapping segments; each segment is wrapped in
one ``<mark>`` per span covering it, outermost (earliest, longest) span outside, so no character
is lost or repeated. The legend's checkboxes toggle each layer with ``:checked ~`` CSS alone.

Safety: every string that comes from the article or its metadata passes through ``esc``
(``html.escape`` with ``quote=True``); CSS class names are built from ``[A-Za-z0-9_-]`` only;
the only link is the source URL, and only when it is plain ``http(s)``.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

import narrascope
from narrascope.model import Analysis, Quote
from narrascope.report.claims import (
    CLAIM_HEADER,
    CUE_KINDS,
    FACTCHECK_HEADER,
    FIGURE_HEADER,
    LABEL_HEADER,
    LABEL_KINDS,
    LABEL_NOTE,
    claim_rows,
    cue_tooltip,
    factcheck_note,
    factcheck_rows,
    figure_rows,
    figure_tooltip,
    label_rows,
    label_tooltip,
    profile_facts,
)
from narrascope.report.common import (
    QUOTE_KINDS,
    SOURCE_HEADER,
    SPEAKER_KINDS,
    article_facts,
    cue_text,
    date_tooltip,
    date_value_text,
    entity_groups,
    evidence_text,
    mention_tooltip,
    models_text,
    percent,
    plural,
    quote_content,
    quote_kind_text,
    quote_speaker_key,
    quote_tooltip,
    shorten,
    sorted_dates,
    sorted_quotes,
    source_key,
    source_kind_text,
    source_name,
    source_rows,
    sourcing_facts,
    speaker_lines,
    speaker_name,
    speaker_said,
    speaker_text,
    type_name,
    type_sort_key,
    variants_text,
    visible_controls,
)
from narrascope.report.techniques import (
    FAMILY_COLOURS,
    PARAGRAPH_HEADER,
    TECHNIQUE_HEADER,
    TECHNIQUE_NOTE,
    family_rows,
    paragraph_rows,
    technique_facts,
    technique_rows,
    technique_tooltip,
)

CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def esc(value: object) -> str:
    """Escape for HTML text and quoted attribute values."""
    return html.escape(str(value), quote=True)


def esc_meta(value: object) -> str:
    """Escape metadata (not article text): control and bidi-override characters made visible too."""
    return esc(visible_controls(str(value)))


def css_token(value: str) -> str:
    """A class-name-safe form of ``value``: only ASCII letters, digits, ``_`` and ``-``."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", value) or "_"


# --- span layers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    """One highlighted stretch of the text: ``kind`` picks its colour, ``tooltip`` is its evidence.

    ``classes`` are extra CSS classes of the mark (made CSS-safe), e.g. the speaker of a quote.
    """

    start: int
    end: int
    kind: str
    tooltip: str
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpanLayer:
    """A layer that can be highlighted in the article text and toggled in the legend.

    ``name`` must be a CSS-safe identifier; ``style`` gives the CSS declarations of one kind
    when the layer is on; ``kind_label`` and ``kind_help`` the legend text and tooltip of a kind.
    ``legend``, when given, names the kinds that depend on the article (a speaker's name): it maps
    kind to (label, help), and the legend lists its kinds in its order. ``count``, when given, is
    the number the legend shows (e.g. quotes rather than the marks of their fragments).
    """

    name: str
    label: str
    highlights: Callable[[Analysis], Iterable[Highlight]]
    style: Callable[[str], str]
    kind_label: Callable[[str], str] = field(default=lambda kind: kind)
    kind_help: Callable[[str], str] = field(default=lambda kind: kind)
    legend: Callable[[Analysis], dict[str, tuple[str, str]]] | None = None
    count: Callable[[Analysis], int] | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", self.name):
            raise ValueError(f"layer name {self.name!r} is not a CSS-safe identifier")


ENTITY_COLOURS = {
    "PERSON": "#ffd29d",
    "ORG": "#b4d0ff",
    "NORP": "#f5c2f0",
    "GPE": "#c2efb3",
    "LOC": "#a8ecec",
    "FAC": "#f6efa6",
    "EVENT": "#ffb8b8",
    "PRODUCT": "#d9c8ff",
    "WORK_OF_ART": "#e8d5b5",
    "LAW": "#d0d0d0",
}


def _entity_highlights(analysis: Analysis) -> Iterator[Highlight]:
    for entity in analysis.entities:
        for mention in entity.mentions:
            yield Highlight(mention.span.start, mention.span.end, entity.type, mention_tooltip(entity, mention))


def entity_style(kind: str) -> str:
    colour = ENTITY_COLOURS.get(kind)
    if colour is None:  # a stable pastel for any other type
        hue = int(hashlib.sha256(kind.encode()).hexdigest()[:4], 16) % 360
        colour = f"hsl({hue} 70% 84%)"
    return f"background-color: {colour};"


def _date_highlights(analysis: Analysis) -> Iterator[Highlight]:
    for expression in analysis.dates:
        kind = "resolved" if expression.value is not None else "unresolved"
        yield Highlight(expression.span.start, expression.span.end, kind, date_tooltip(expression))


def _date_style(kind: str) -> str:
    line = "solid" if kind == "resolved" else "dashed"
    return f"border-bottom: 0.18em {line} #7a2bb8;"


SCARE = "scare"
"""The quotes-layer kind of scare quotes; speaker kinds all start with ``e-`` or ``h-``."""


def speaker_token(key: str) -> str:
    """A CSS-safe token of a speaker key: ``e-<entity id>`` when the id is plain ASCII, else a hash."""
    entity_id = key.removeprefix("entity:")
    if entity_id != key and re.fullmatch(r"[A-Za-z0-9_-]{1,40}", entity_id):
        return f"e-{entity_id}"
    return "h-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def _quote_token(quote: Quote) -> str:
    key = quote_speaker_key(quote)
    return SCARE if key is None else speaker_token(key)


def _hue(token: str) -> int:
    return int(hashlib.sha256(token.encode()).hexdigest()[:4], 16) % 360


def _speaker_classes(quote: Quote) -> tuple[str, ...]:
    token = _quote_token(quote)
    return () if token == SCARE else (f"spk-{token}",)


def _quote_highlights(analysis: Analysis) -> Iterator[Highlight]:
    for quote in analysis.quotes:
        token, classes = _quote_token(quote), _speaker_classes(quote)
        if quote.fragments:
            for part, fragment in enumerate(quote.fragments, start=1):
                yield Highlight(fragment.start, fragment.end, token, quote_tooltip(quote, part), classes)
        else:
            yield Highlight(quote.content.start, quote.content.end, token, quote_tooltip(quote), classes)


def _quote_style(kind: str) -> str:
    if kind == SCARE:
        return "outline: 1.5px dotted #6d6d6d; outline-offset: 1px; background-color: #efefec;"
    hue = _hue(kind)
    return f"background-color: hsl({hue} 85% 91%); box-shadow: inset 0 -0.14em hsl({hue} 55% 58%);"


def _quote_legend(analysis: Analysis) -> dict[str, tuple[str, str]]:
    """Speaker names in order of their first quote, scare quotes last."""
    first: dict[str, Quote] = {}
    counts: Counter[str] = Counter()
    for quote in sorted_quotes(analysis):
        token = _quote_token(quote)
        first.setdefault(token, quote)
        counts[token] += 1
    legend: dict[str, tuple[str, str]] = {}
    for token, quote in first.items():
        if token == SCARE:
            continue
        name = speaker_name(quote.speaker) or "(no speaker)"
        entity = f", entity {quote.speaker.entity_id}" if quote.speaker.entity_id else ""
        legend[token] = (shorten(name, 40), f"{name}: {plural(counts[token], 'quote')}{entity}")
    if SCARE in counts:
        legend[SCARE] = ("scare quotes", QUOTE_KINDS["scare"])
    return legend


def _merged(found: dict[tuple[int, int], Highlight], highlight: Highlight) -> None:
    """Keep one mark per stretch: a cue or source shared by several quotes lists them all."""
    key = (highlight.start, highlight.end)
    seen = found.get(key)
    if seen is None:
        found[key] = highlight
        return
    classes = tuple(dict.fromkeys((*seen.classes, *highlight.classes)))
    found[key] = Highlight(seen.start, seen.end, seen.kind, f"{seen.tooltip}\n\n{highlight.tooltip}", classes)


def _cue_highlights(analysis: Analysis) -> Iterator[Highlight]:
    found: dict[tuple[int, int], Highlight] = {}
    for quote in analysis.quotes:
        if quote.cue is None:
            continue
        tooltip = "\n".join([f'cue of {quote.id or "a quote"}: "{cue_text(quote)}"', *speaker_lines(quote)])
        _merged(found, Highlight(quote.cue.start, quote.cue.end, "cue", tooltip, _speaker_classes(quote)))
    yield from found.values()


def _cue_style(kind: str) -> str:
    return "font-weight: 700; text-decoration: underline 0.09em; text-underline-offset: 0.16em;"


def _source_highlights(analysis: Analysis) -> Iterator[Highlight]:
    found: dict[tuple[int, int], Highlight] = {}
    for quote in analysis.quotes:
        speaker = quote.speaker
        if speaker.span is None or quote.kind == SCARE:
            continue
        tooltip = "\n".join([f'source of {quote.id or "a quote"}: "{speaker_said(speaker)}"', *speaker_lines(quote)])
        highlight = Highlight(speaker.span.start, speaker.span.end, speaker.kind, tooltip, _speaker_classes(quote))
        _merged(found, highlight)
    yield from found.values()


SOURCE_LINES = {
    "entity": "1.5px solid #3c4a54",
    "named": "1.5px solid #8a8f94",
    "descriptor": "1.5px dashed #3c4a54",
    "pronoun": "1.5px dashed #3c4a54",
    "vague": "1.5px dotted #b0463c",
    "anonymous": "1.5px dotted #b0463c",
}


def _source_style(kind: str) -> str:
    return f"border: {SOURCE_LINES.get(kind, '1px dotted #a0a0a0')}; border-radius: 3px;"


def _certainty_highlights(analysis: Analysis) -> Iterator[Highlight]:
    for claim in analysis.claims:
        for cue in claim.cues:
            yield Highlight(cue.span.start, cue.span.end, cue.kind, cue_tooltip(cue, claim))


CUE_COLOURS = {"hedge": "#e0a400", "booster": "#c2185b", "evidential": "#00897b"}


def _certainty_style(kind: str) -> str:
    return f"border-bottom: 0.2em double {CUE_COLOURS.get(kind, '#777')};"


def _figure_highlights(analysis: Analysis) -> Iterator[Highlight]:
    for figure in analysis.figures:
        kind = "approximate" if figure.approximate else "stated"
        yield Highlight(figure.span.start, figure.span.end, kind, figure_tooltip(figure))


def _figure_style(kind: str) -> str:
    return f"outline: 1.5px {'dashed' if kind == 'approximate' else 'solid'} #1565c0; outline-offset: 1px;"


def _label_highlights(analysis: Analysis) -> Iterator[Highlight]:
    for label in analysis.labels:
        yield Highlight(label.span.start, label.span.end, label.kind, label_tooltip(label))


def _label_style(kind: str) -> str:
    return "color: #5d4037; background-color: #efebe9; font-style: italic;"


def _technique_highlights(analysis: Analysis) -> Iterator[Highlight]:
    for technique in analysis.techniques:
        if technique.level == "span":
            span = technique.span
            yield Highlight(span.start, span.end, technique.family, technique_tooltip(technique))


def _technique_style(kind: str) -> str:
    colour = FAMILY_COLOURS.get(kind, "#9e9e9e")
    return f"background-image: linear-gradient(transparent 62%, {colour}99 62%); box-shadow: inset 0 -2px {colour};"


SPAN_LAYERS: tuple[SpanLayer, ...] = (
    SpanLayer("entities", "Entities", _entity_highlights, entity_style, kind_help=type_name),
    SpanLayer(
        "dates",
        "Dates",
        _date_highlights,
        _date_style,
        kind_help=lambda kind: "resolved to a calendar date" if kind == "resolved" else "not resolved",
    ),
    SpanLayer(
        "quotes",
        "Quotes",
        _quote_highlights,
        _quote_style,
        legend=_quote_legend,
        count=lambda analysis: len(analysis.quotes),
    ),
    SpanLayer(
        "cues",
        "Cues",
        _cue_highlights,
        _cue_style,
        kind_label=lambda kind: "said",
        kind_help=lambda kind: "the words that attribute a quote",
    ),
    SpanLayer(
        "sources",
        "Sources",
        _source_highlights,
        _source_style,
        kind_help=lambda kind: SPEAKER_KINDS.get(kind, kind),
    ),
    SpanLayer(
        "certainty", "Certainty", _certainty_highlights, _certainty_style, kind_help=lambda k: CUE_KINDS.get(k, k)
    ),
    SpanLayer(
        "figures",
        "Figures",
        _figure_highlights,
        _figure_style,
        kind_help=lambda kind: "an approximate figure" if kind == "approximate" else "a figure as stated",
    ),
    SpanLayer("labels", "Labels", _label_highlights, _label_style, kind_help=lambda k: LABEL_KINDS.get(k, k)),
    SpanLayer(
        "techniques",
        "Techniques",
        _technique_highlights,
        _technique_style,
        kind_help=lambda kind: f"persuasion techniques of the family {kind!r}",
    ),
)


@dataclass(frozen=True)
class _Placed:
    """A highlight clamped to the text, with its layer, in painting order."""

    start: int
    end: int
    layer: SpanLayer
    highlight: Highlight

    @property
    def css_class(self) -> str:
        extra = "".join(f" {css_token(name)}" for name in self.highlight.classes)
        return f"l-{self.layer.name} k-{css_token(self.highlight.kind)}{extra}"


def placed_spans(analysis: Analysis, layers: tuple[SpanLayer, ...]) -> list[_Placed]:
    """Every non-empty highlight clamped to the text, sorted outermost-first."""
    size = len(analysis.document.text)
    placed: list[tuple[int, _Placed]] = []
    for rank, layer in enumerate(layers):
        for highlight in layer.highlights(analysis):
            start, end = max(0, highlight.start), min(size, highlight.end)
            if start < end:
                placed.append((rank, _Placed(start, end, layer, highlight)))
    placed.sort(key=lambda item: (item[1].start, -item[1].end, item[0]))
    return [item for _, item in placed]


def _blocks(analysis: Analysis) -> Iterator[tuple[int, int, bool]]:
    """``(start, end, is_paragraph)`` covering the whole text exactly once, in order."""
    document = analysis.document
    size = len(document.text)
    cursor = 0
    for start, end in sorted(document.paragraphs):
        start, end = max(start, cursor), min(end, size)
        if start >= end:
            continue
        if cursor < start:
            yield cursor, start, False
        yield start, end, True
        cursor = end
    if cursor < size:
        yield cursor, size, not document.paragraphs


def _segments(text: str, start: int, end: int, placed: list[_Placed]) -> str:
    """``text[start:end]`` escaped, each stretch wrapped in the marks of the spans covering it."""
    inside = [p for p in placed if p.start < end and p.end > start]
    cuts = sorted({start, end, *(max(p.start, start) for p in inside), *(min(p.end, end) for p in inside)})
    out: list[str] = []
    active: list[_Placed] = []
    waiting = iter(inside)
    upcoming = next(waiting, None)
    for a, b in pairwise(cuts):
        active = [p for p in active if p.end > a]
        while upcoming is not None and max(upcoming.start, start) <= a:
            active.append(upcoming)
            upcoming = next(waiting, None)
        chunk = esc(text[a:b])
        for p in reversed(active):
            chunk = f'<mark class="{p.css_class}" title="{esc_meta(p.highlight.tooltip)}">{chunk}</mark>'
        out.append(chunk)
    return "".join(out)


def article_html(analysis: Analysis, layers: tuple[SpanLayer, ...] = SPAN_LAYERS) -> str:
    """The article text as ``<p>`` elements with highlights; tags stripped and unescaped, it is
    exactly ``document.text``."""
    text = analysis.document.text
    placed = placed_spans(analysis, layers)
    parts: list[str] = []
    number = 0
    for start, end, paragraph in _blocks(analysis):
        if not paragraph and not text[start:end].strip():
            parts.append(esc(text[start:end]))  # the blank lines between paragraphs
            continue
        number += 1
        css = "" if paragraph else ' class="loose"'
        parts.append(
            f'<p id="p{number}"{css} dir="auto" data-start="{start}" data-end="{end}">'
            f"{_segments(text, start, end, placed)}</p>"
        )
    return "".join(parts)


# --- page ----------------------------------------------------------------------------------------

STYLE = """
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --rule: #dadce0; --paper: #fff; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f4f1; color: var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
.page { max-width: 62rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
header, section { background: var(--paper); border: 1px solid var(--rule); border-radius: 6px;
  padding: 1rem 1.25rem; margin-bottom: 1rem; }
.kicker { margin: 0; color: var(--muted); font-size: .8rem; letter-spacing: .06em; text-transform: uppercase; }
h1 { font-size: 1.55rem; line-height: 1.25; margin: .25rem 0 .75rem; }
h2 { font-size: 1.1rem; margin: 0 0 .6rem; }
h3 { font-size: .95rem; margin: 1rem 0 .3rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; font-size: .92rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.none { color: var(--muted); font-style: italic; }
.article { margin-top: .5rem; max-width: 44rem; font-family: Georgia, "Noto Serif", "Times New Roman", serif;
  font-size: 1.05rem; }
.article p { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0 0 .9em; }
.article p.loose { border-left: 3px solid var(--rule); padding-left: .5rem; }
mark { background: none; color: inherit; padding: 0; border-radius: 2px; }
.entity-table mark { padding: 0 .3rem; font-size: .8rem; }
.layer-toggle { margin: 0 .3rem 0 0; vertical-align: middle; }
.layer-label { font-size: .88rem; line-height: 2; cursor: pointer; }
.layer-label::after { content: "\\A"; white-space: pre; }
.family { display: inline-block; width: .8rem; height: .8rem; margin-right: .4rem; border-radius: 2px;
  vertical-align: -1px; }
.swatch { display: inline-block; padding: 0 .35rem; margin: 0 .1rem; border-radius: 3px; font-size: .8rem;
  color: var(--muted); }
.hint { color: var(--muted); font-size: .85rem; margin: 0 0 .6rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--rule);
  overflow-wrap: anywhere; }
th { font-weight: 600; color: var(--muted); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th.num { text-align: right; }
.removed { white-space: pre-wrap; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .82rem; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .85rem; }
footer { color: var(--muted); font-size: .8rem; text-align: center; }
.bars { display: grid; grid-template-columns: minmax(6rem, max-content) minmax(8rem, 1fr) 3.2rem;
  gap: .3rem .75rem; align-items: center; margin: .9rem 0; font-size: .9rem; }
.bar-row { display: contents; }
.bar-label { overflow-wrap: anywhere; }
.bar-track { display: block; height: .95rem; background: #efefec; border-radius: 3px; overflow: hidden; }
.bar { display: block; height: 100%; min-width: 2px; background-color: #9aa0a6; }
.bar.zero { min-width: 0; }
.bar.outlet { background-color: #c4c7c5; }
.bar-value { text-align: right; font-variant-numeric: tabular-nums; color: var(--muted); }
.bar-row.outlet-row .bar-label { font-style: italic; color: var(--muted); }
ul.notes { margin: .6rem 0 0; padding-left: 1.2rem; font-size: .9rem; }
.flag { color: #a3261b; font-weight: 600; }
.quote-table mark { padding: 0 .2rem; }
.quote-table td { overflow-wrap: break-word; }
.quote-table td.content { font-family: Georgia, "Noto Serif", "Times New Roman", serif; }
@media print { body { background: #fff; } .layer-toggle, .hint { display: none; } }
"""


def speaker_tokens(analysis: Analysis) -> list[str]:
    """Every speaker of a quote or source, as its CSS token, in a stable order."""
    tokens = {_quote_token(q) for q in analysis.quotes} - {SCARE}
    if analysis.sourcing is not None:
        tokens.update(speaker_token(source_key(s)) for s in analysis.sourcing.sources)
    return sorted(tokens)


def speaker_css(tokens: list[str]) -> str:
    """Speaker colours outside the article, and hover links between one speaker's marks.

    Hovering anything of class ``spk-<token>`` (a quote, its cue or source, a table row, a bar)
    outlines every mark of that speaker in the article and its rows in the tables.
    """
    rules: list[str] = []
    for token in tokens:
        hue = _hue(token)
        rules.append(f".quote-table mark.l-quotes.k-{token} {{ {_quote_style(token)} }}")
        rules.append(f".bars .bar.k-{token} {{ background-color: hsl({hue} 55% 66%); }}")
        on = f".page:has(.spk-{token}:hover)"
        rules.append(
            f"{on} #layer-quotes:checked ~ .article mark.spk-{token} "
            f"{{ outline: 2px solid hsl({hue} 65% 36%); outline-offset: 1px; }}"
        )
        rules.append(f"{on} tr.spk-{token}, {on} .bar-row.spk-{token} > .bar-label {{ background-color: #fff6cc; }}")
    rules.append(f".quote-table mark.l-quotes.k-{SCARE} {{ {_quote_style(SCARE)} }}")
    return "\n".join(rules)


def layer_css(layers: tuple[SpanLayer, ...], kinds: dict[str, list[str]]) -> str:
    """Colours of every kind present, applied only while its layer's checkbox is checked."""
    rules: list[str] = []
    for layer in layers:
        for kind in kinds[layer.name]:
            selector = f"l-{layer.name}.k-{css_token(kind)}"
            on = f"#layer-{layer.name}:checked ~"
            rules.append(
                f"{on} .article mark.{selector}, {on} .layer-label .swatch.{selector} "
                f"{{ {layer.style(kind)} color: var(--ink); }}"
            )
    return "\n".join(rules)


def legend_section(
    layers: tuple[SpanLayer, ...],
    kinds: dict[str, list[str]],
    counts: dict[str, int],
    named: dict[str, dict[str, tuple[str, str]]],
) -> str:
    """Checkbox and label for each layer; the inputs must stay siblings before ``.article``."""
    parts: list[str] = []
    for layer in layers:
        described = named[layer.name]
        swatches = "".join(
            f'<span class="swatch l-{layer.name} k-{css_token(kind)}" '
            f'title="{esc_meta(described[kind][1] if kind in described else layer.kind_help(kind))}">'
            f"{esc_meta(described[kind][0] if kind in described else layer.kind_label(kind))}</span>"
            for kind in kinds[layer.name]
        )
        parts.append(
            f'<input type="checkbox" class="layer-toggle" id="layer-{layer.name}" checked>'
            f'<label class="layer-label" for="layer-{layer.name}"><strong>{esc(layer.label)}</strong> '
            f"({counts[layer.name]}) {swatches}</label>\n"
        )
    return "".join(parts)


def facts_section(analysis: Analysis) -> str:
    rows: list[str] = []
    for fact in article_facts(analysis)[1:]:
        value = esc_meta(fact.value)
        if fact.href:
            value = f'<a href="{esc(fact.href)}" rel="noopener noreferrer nofollow">{value}</a>'
        rows.append(f"<dt>{esc(fact.label)}</dt><dd>{value}</dd>")
    return '<dl class="facts">' + "".join(rows) + "</dl>"


def issues_section(analysis: Analysis) -> str:
    issues = analysis.document.issues
    if not issues:
        return '<p class="none">None.</p>'
    items = []
    for issue in issues:
        removed = ""
        if issue.removed is not None:
            removed = f'<div>Removed: <span class="removed">{esc_meta(issue.removed)}</span></div>'
        items.append(f"<li><code>{esc_meta(issue.code)}</code> {esc_meta(issue.message)}{removed}</li>")
    return "<ul>" + "".join(items) + "</ul>"


def entities_section(analysis: Analysis) -> str:
    if not analysis.entities:
        return '<p class="none">None.</p>'
    rows: list[str] = []
    for entity_type, entities in entity_groups(analysis):
        kind = css_token(entity_type)
        for entity in entities:
            rows.append(
                f'<tr><td><mark class="l-entities k-{kind}">{esc_meta(entity_type)}</mark></td>'
                f"<td>{esc_meta(entity.name)}</td>"
                f'<td class="num">{len(entity.mentions)}</td>'
                f"<td>{esc_meta(variants_text(entity))}</td>"
                f"<td>{esc_meta(evidence_text(entity))}</td></tr>"
            )
    head = "<tr><th>Type</th><th>Entity</th><th>Mentions</th><th>Written as</th><th>Found by</th></tr>"
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _dates(analysis: Analysis) -> str:
    dates = sorted_dates(analysis)
    if not dates:
        return '<p class="none">None.</p>'
    rows = [
        f"<tr><td>{esc_meta(d.span.text)}</td><td>{d.span.start}–{d.span.end}</td>"
        f"<td>{esc_meta(date_value_text(d))}</td></tr>"
        for d in dates
    ]
    head = "<tr><th>In the text</th><th>Characters</th><th>Resolved to</th></tr>"
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def rows_table(header: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return '<p class="none">None.</p>'
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc_meta(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def claims_section(analysis: Analysis) -> str:
    profile = analysis.claim_profile
    if profile is None:
        return '<p class="none">Not analysed.</p>'
    facts = "".join(f"<dt>{esc(f.label)}</dt><dd>{esc_meta(f.value)}</dd>" for f in profile_facts(profile))
    note = '<p class="hint">Cues: H hedge, B booster, E evidential; scores in [0, 1].</p>'
    checks = ""
    if (looked := factcheck_note(analysis)) is not None:
        rows = factcheck_rows(analysis)
        checks = f'<h3>Fact-checks</h3><p class="hint">{esc(looked)}</p>' + (
            rows_table(FACTCHECK_HEADER, rows) if rows else ""
        )
    return f'<dl class="facts">{facts}</dl>{note}{rows_table(CLAIM_HEADER, claim_rows(analysis))}{checks}'


def techniques_section(analysis: Analysis) -> str:
    if analysis.technique_profile is None:
        return '<p class="none">Not analysed.</p>'
    if not analysis.techniques:
        return '<p class="none">None found.</p>'
    facts = "".join(f"<dt>{esc(f.label)}</dt><dd>{esc_meta(f.value)}</dd>" for f in technique_facts(analysis))
    summary = "".join(
        f'<tr><td><span class="family fam-{css_token(family)}"></span>{esc(family)}</td>'
        f"<td>{esc(count)}</td><td>{esc(names)}</td></tr>"
        for family, count, names in family_rows(analysis)
    )
    return (
        f'<p class="hint">{esc(TECHNIQUE_NOTE)}</p><dl class="facts">{facts}</dl>'
        f"<table><thead><tr><th>Family</th><th>Findings</th><th>Techniques</th></tr></thead>"
        f"<tbody>{summary}</tbody></table>"
        f"<h3>Marked passages</h3>{rows_table(TECHNIQUE_HEADER, technique_rows(analysis))}"
        f"<h3>Paragraph findings</h3>{rows_table(PARAGRAPH_HEADER, paragraph_rows(analysis))}"
    )


FAMILY_CSS = "\n".join(
    f".family.fam-{css_token(family)} {{ background: {colour}; }}" for family, colour in FAMILY_COLOURS.items()
)


def _bar(css: str, label: str, tooltip: str, share: float, width: str, row_class: str = "") -> str:
    zero = " zero" if share <= 0 else ""
    return (
        f'<div class="bar-row{row_class}" title="{esc_meta(tooltip)}"><span class="bar-label">{esc_meta(label)}</span>'
        f'<span class="bar-track"><span class="bar {css} {width}{zero}"></span></span>'
        f'<span class="bar-value">{esc(percent(share))}</span></div>'
    )


def sourcing_section(analysis: Analysis) -> tuple[str, str]:
    """The sourcing section's HTML and the CSS of its bar widths."""
    sourcing = analysis.sourcing
    if sourcing is None:
        return '<p class="none">Not analysed.</p>', ""
    rows: list[str] = []
    for fact in sourcing_facts(sourcing):
        value = esc_meta(fact.value)
        if fact.label == "Single source" and sourcing.single_source:
            value = f'<span class="flag">{value}</span>'
        rows.append(f"<dt>{esc(fact.label)}</dt><dd>{value}</dd>")
    facts = '<dl class="facts">' + "".join(rows) + "</dl>"
    widths: list[str] = []
    bars: list[str] = []
    for number, source in enumerate(sourcing.sources, start=1):
        token = speaker_token(source_key(source))
        tooltip = (
            f"{source_name(source)}: {source_kind_text(source)}, {plural(source.quotes, 'quote')}, "
            f"{plural(source.words, 'word')}, {percent(source.share)} of the article"
        )
        bars.append(_bar(f"k-{token}", source_name(source), tooltip, source.share, f"w-{number}", f" spk-{token}"))
        widths.append(f".bars .w-{number} {{ width: {source.share * 100:.2f}%; }}")
    outlet = analysis.document.outlet
    label = "Outlet's own voice" + (f" ({outlet})" if outlet else "")
    tooltip = f"{label}: {plural(sourcing.outlet_words, 'word')} not attributed to anyone"
    bars.append(_bar("outlet", label, tooltip, sourcing.outlet_share, "w-0", " outlet-row"))
    widths.append(f".bars .w-0 {{ width: {sourcing.outlet_share * 100:.2f}%; }}")
    chart = '<div class="bars">' + "".join(bars) + "</div>"
    if sourcing.sources:
        numeric = [' class="num"' if i >= 2 else "" for i in range(len(SOURCE_HEADER))]
        head = "".join(f"<th{css}>{esc(h)}</th>" for css, h in zip(numeric, SOURCE_HEADER, strict=True))
        body = "".join(
            f'<tr class="spk-{speaker_token(source_key(source))}">'
            + "".join(f"<td{css}>{esc_meta(v)}</td>" for css, v in zip(numeric, row, strict=True))
            + "</tr>"
            for source, row in zip(sourcing.sources, source_rows(sourcing), strict=True)
        )
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    else:
        table = '<p class="none">No attributed sources.</p>'
    notes = ""
    if sourcing.notes:
        notes = '<ul class="notes">' + "".join(f"<li>{esc_meta(note)}</li>" for note in sourcing.notes) + "</ul>"
    return facts + chart + table + notes, "\n".join(widths)


def quotes_section(analysis: Analysis) -> str:
    quotes = sorted_quotes(analysis)
    if not quotes:
        return '<p class="none">None.</p>'
    rows: list[str] = []
    for quote in quotes:
        token = _quote_token(quote)
        row_class = "" if token == SCARE else f' class="spk-{token}"'
        rows.append(
            f'<tr{row_class} title="{esc_meta(quote_tooltip(quote))}">'
            f'<td><mark class="l-quotes k-{token}">{esc_meta(speaker_text(quote))}</mark></td>'
            f"<td>{esc_meta(quote_kind_text(quote))}</td>"
            f"<td>{esc_meta(cue_text(quote))}</td>"
            f'<td class="content">{esc_meta(quote_content(quote))}</td></tr>'
        )
    head = "<tr><th>Speaker</th><th>Kind</th><th>Cue</th><th>Content</th></tr>"
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def lang_attribute(analysis: Analysis) -> str:
    language = analysis.document.language
    if language is None or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", language.code):
        return ""
    return f' lang="{esc(language.code)}"'


class LegendState(NamedTuple):
    """What the legend shows per layer: its count, its kinds in legend order, their names."""

    counts: dict[str, int]
    ordered: dict[str, list[str]]
    named: dict[str, dict[str, tuple[str, str]]]


def legend_state(analysis: Analysis, layers: tuple[SpanLayer, ...]) -> LegendState:
    """Count each layer's highlights (or take the layer's own count) and order its kinds: those
    the layer names first, in its order, then the rest."""
    counts = {layer.name: 0 for layer in layers}
    kinds: dict[str, set[str]] = {layer.name: set() for layer in layers}
    for placed in placed_spans(analysis, layers):
        counts[placed.layer.name] += 1
        kinds[placed.layer.name].add(placed.highlight.kind)
    for layer in layers:
        if layer.count is not None:
            counts[layer.name] = layer.count(analysis)
    named = {layer.name: layer.legend(analysis) if layer.legend else {} for layer in layers}
    ordered: dict[str, list[str]] = {}
    for layer in layers:
        listed = [kind for kind in named[layer.name] if kind in kinds[layer.name]]
        rest = sorted(kinds[layer.name] - set(listed), key=type_sort_key)
        ordered[layer.name] = listed + rest
    return LegendState(counts, ordered, named)


def entity_table_css(analysis: Analysis) -> str:
    """The entities table shows its type colours whatever the layer toggles say."""
    return "\n".join(
        f".entity-table mark.l-entities.k-{css_token(t)} {{ {entity_style(t)} }}"
        for t in sorted({e.type for e in analysis.entities})
    )


def render_html(analysis: Analysis, layers: tuple[SpanLayer, ...] = SPAN_LAYERS) -> str:
    """The self-contained HTML report of ``analysis``."""
    document = analysis.document
    counts, ordered, named = legend_state(analysis, layers)
    sourcing_html, bar_css = sourcing_section(analysis)
    legend = legend_section(layers, ordered, counts, named)
    title = esc_meta(document.title or "Untitled article")
    lang = lang_attribute(analysis)
    entity_css = entity_table_css(analysis)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="narrascope {esc(narrascope.__version__)}">
<title>{title} · narrascope</title>
<style>{STYLE}
{layer_css(layers, ordered)}
{entity_css}
{speaker_css(speaker_tokens(analysis))}
{bar_css}
{FAMILY_CSS}
</style>
</head>
<body>
<div class="page">
<header>
<p class="kicker">narrascope report</p>
<h1{lang} dir="auto">{title}</h1>
{facts_section(analysis)}
</header>
<section aria-labelledby="h-sourcing">
<h2 id="h-sourcing">Sourcing</h2>
{sourcing_html}
</section>
<section class="reading" aria-labelledby="h-article">
<h2 id="h-article">Article</h2>
<p class="hint">Hover a highlight for its evidence; untick a layer to hide it.</p>
{legend}<div class="article" id="article-text"{lang}>{article_html(analysis, layers)}</div>
</section>
<section aria-labelledby="h-quotes" class="quote-table">
<h2 id="h-quotes">Quotes ({len(analysis.quotes)})</h2>
{quotes_section(analysis)}
</section>
<section aria-labelledby="h-claims">
<h2 id="h-claims">Claims ({len(analysis.claims)})</h2>
{claims_section(analysis)}
</section>
<section aria-labelledby="h-figures">
<h2 id="h-figures">Figures ({len(analysis.figures)})</h2>
{rows_table(FIGURE_HEADER, figure_rows(analysis))}
</section>
<section aria-labelledby="h-labels">
<h2 id="h-labels">Designation labels ({len(analysis.labels)})</h2>
<p class="hint">{esc(LABEL_NOTE)}</p>
{rows_table(LABEL_HEADER, label_rows(analysis))}
</section>
<section aria-labelledby="h-techniques">
<h2 id="h-techniques">Persuasion techniques ({len(analysis.techniques)})</h2>
{techniques_section(analysis)}
</section>
<section aria-labelledby="h-issues">
<h2 id="h-issues">Issues on ingest ({len(document.issues)})</h2>
{issues_section(analysis)}
</section>
<section aria-labelledby="h-entities" class="entity-table">
<h2 id="h-entities">Entities ({len(analysis.entities)})</h2>
{entities_section(analysis)}
</section>
<section aria-labelledby="h-dates">
<h2 id="h-dates">Dates ({len(analysis.dates)})</h2>
{_dates(analysis)}
</section>
<footer>Document {esc_meta(document.id)} · schema {esc_meta(analysis.schema_version)} ·
models: {esc_meta(models_text(analysis))}</footer>
</div>
</body>
</html>
"""


__all__ = [
    "CSP",
    "SPAN_LAYERS",
    "Highlight",
    "SpanLayer",
    "article_html",
    "claims_section",
    "css_token",
    "entities_section",
    "entity_style",
    "entity_table_css",
    "esc",
    "facts_section",
    "issues_section",
    "lang_attribute",
    "layer_css",
    "legend_section",
    "legend_state",
    "placed_spans",
    "quotes_section",
    "render_html",
    "rows_table",
    "sourcing_section",
    "speaker_css",
    "speaker_token",
    "speaker_tokens",
    "techniques_section",
]
