"""What the human-readable reports say, in words shared by the text, Markdown and HTML renderers.

Each renderer escapes for its own medium; these helpers return raw, unescaped strings.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from narrascope.model import (
    WORD,
    Analysis,
    Document,
    Entity,
    Mention,
    Quote,
    SourceShare,
    Sourcing,
    Speaker,
    TimeExpression,
    voice_key,
)

OUTLET_SOURCES = {
    "user": "given by the user",
    "source-line": "from the article's source line",
    "site-name": "from the web page's site name",
}
DATE_SOURCES = {
    "dateline": "from the dateline",
    "html-meta": "from the page metadata",
    "url": "from the URL",
    "feed": "from the feed",
    "user": "given by the user",
    "text": "from the article text",
}
ORIGINS = {
    "model": "found by the statistical model",
    "gazetteer": "matched in the gazetteer",
    "propagated": "repeat of a name found elsewhere in the text",
}
# Entity types in reading order; anything else follows alphabetically.
TYPE_ORDER = ("PERSON", "ORG", "NORP", "GPE", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW")
TYPE_NAMES = {
    "PERSON": "People",
    "ORG": "Organisations",
    "NORP": "Nationalities, religious and political groups",
    "GPE": "Countries, cities, states",
    "LOC": "Other locations",
    "FAC": "Facilities",
    "EVENT": "Events",
    "PRODUCT": "Products",
    "WORK_OF_ART": "Works of art",
    "LAW": "Laws",
}

# How a speaker was established, from the surest link to none at all.
SPEAKER_KINDS = {
    "entity": "a person or organisation found among the entities",
    "descriptor": 'a description ("the expert") linked to an earlier named speaker',
    "pronoun": 'a pronoun ("he") linked to an earlier named speaker',
    "named": "a name not matched to any entity",
    "vague": 'a vague crowd ("experts say")',
    "anonymous": 'an anonymous source ("sources close to")',
    "abstract": 'a thing, not a speaker ("the position of ...")',
    "none": "no speaker given",
}
QUOTE_KINDS = {
    "direct": "direct quote: the speaker's own words in quote marks",
    "partial": "partial quote: some of the speaker's words in quote marks",
    "indirect": "indirect (reported) speech",
    "according-to": '"according to" attribution',
    "scare": "scare quote: words set in quote marks with no one said to speak them",
}
CONTENT_PREVIEW = 160
"""Quoted content longer than this is shortened in the text and Markdown reports."""
FRAGMENT_JOIN = " […] "
"""Joins the pieces of a quote interrupted by its cue ("“A,” he said, “B.”")."""

_URL = re.compile(r"https?://[^\s<>\"'`]+\Z", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Fact(NamedTuple):
    """One line of article metadata; ``href`` is set only for a safe http(s) source URL."""

    label: str
    value: str
    href: str | None = None


def visible_controls(text: str) -> str:
    """``text`` with control and bidi-override characters shown as ``\\xNN`` / ``\\uNNNN`` escapes.

    Newlines and tabs are kept. Terminal escape sequences or right-to-left overrides hidden in an
    article must not restyle a report or reorder what a reader sees.
    """

    def show(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CONTROL.sub(show, text)


def plural(count: int, noun: str) -> str:
    """E.g. ``1 entity``, ``2 entities``, ``3 mentions``."""
    if count == 1:
        return f"1 {noun}"
    return f"{count} {noun[:-1]}ies" if noun.endswith("y") else f"{count} {noun}s"


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def published_text(document: Document) -> str | None:
    """E.g. ``2021-01-06 (day precision, from the dateline "06.01.2021")``."""
    published = document.published
    if published is None:
        return None
    where = DATE_SOURCES.get(published.source, f"from {published.source}")
    raw = f' "{published.raw}"' if published.raw and published.raw != published.value else ""
    return f"{published.value} ({published.precision} precision, {where}{raw})"


def article_facts(analysis: Analysis) -> list[Fact]:
    """The article's metadata as label/value lines, missing values shown as "unknown"."""
    doc = analysis.document
    unknown = "unknown"
    outlet = doc.outlet or unknown
    if doc.outlet and doc.outlet_source:
        outlet += f" ({OUTLET_SOURCES.get(doc.outlet_source, 'from ' + doc.outlet_source)})"
    if doc.language is None:
        language = unknown
    else:
        language = f"{doc.language.code} (confidence {doc.language.confidence:.0%})"
        if not doc.language.supported:
            language += " (not analysed: narrascope reads English and Russian)"
    source = doc.source or unknown
    href = doc.source if doc.source and _URL.match(doc.source) else None
    return [
        Fact("Title", doc.title or "(none)"),
        Fact("Outlet", outlet),
        Fact("Source", source, href),
        Fact("Published", published_text(doc) or unknown),
        Fact("Dateline", doc.place or unknown),
        Fact("Language", language),
        Fact("Authors", "; ".join(doc.authors) if doc.authors else unknown),
        Fact("Id", doc.id),
        Fact(
            "Words",
            f"{word_count(doc.text)} ({plural(len(doc.text), 'character')}, "
            f"{plural(len(doc.paragraphs), 'paragraph')})",
        ),
    ]


def models_text(analysis: Analysis) -> str:
    return ", ".join(f"{name} {version}" for name, version in sorted(analysis.models.items())) or "unknown"


def type_sort_key(entity_type: str) -> tuple[int, str]:
    return (TYPE_ORDER.index(entity_type) if entity_type in TYPE_ORDER else len(TYPE_ORDER), entity_type)


def type_name(entity_type: str) -> str:
    return TYPE_NAMES.get(entity_type, entity_type)


def _first_offset(entity: Entity) -> int:
    return min((m.span.start for m in entity.mentions), default=0)


def entity_groups(analysis: Analysis) -> list[tuple[str, list[Entity]]]:
    """Entities grouped by type (known types first), most-mentioned first within a group."""
    groups: dict[str, list[Entity]] = {}
    for entity in analysis.entities:
        groups.setdefault(entity.type, []).append(entity)
    return [
        (entity_type, sorted(groups[entity_type], key=lambda e: (-len(e.mentions), _first_offset(e), e.name)))
        for entity_type in sorted(groups, key=type_sort_key)
    ]


def variant_counts(entity: Entity) -> list[tuple[str, int]]:
    """Each way the entity is written with how often it occurs, listed variants first."""
    counts = Counter(m.span.text for m in entity.mentions)
    ordered = [(variant, counts.pop(variant, 0)) for variant in entity.variants]
    ordered.extend(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    return ordered


def variants_text(entity: Entity) -> str:
    """E.g. ``Yury Byaly ×3, Byaly ×2, Byalyi ×1``; empty when always written as its name."""
    counts = variant_counts(entity)
    if len(counts) == 1:
        return "" if counts[0][0] == entity.name else counts[0][0]
    return ", ".join(f"{variant} ×{count}" for variant, count in counts)


def evidence_text(entity: Entity) -> str:
    """How the mentions were found, and any mention labelled differently from the entity type."""
    origins: Counter[str] = Counter(m.origin for m in entity.mentions)
    ranked = sorted(origins.items(), key=lambda item: (-item[1], item[0]))
    parts = [ranked[0][0]] if len(ranked) == 1 else [f"{origin} ×{count}" for origin, count in ranked]
    labels = Counter(m.label for m in entity.mentions if m.label != entity.type)
    if labels:
        parts.append("also labelled " + ", ".join(f"{label} ×{n}" for label, n in sorted(labels.items())))
    return "; ".join(parts)


def mention_tooltip(entity: Entity, mention: Mention) -> str:
    """The evidence for one highlighted mention, several lines of plain text."""
    label = f", labelled {mention.label} here" if mention.label != entity.type else ""
    variants = variants_text(entity)
    described = type_name(entity.type)
    kind = entity.type if described == entity.type else f"{entity.type} ({described})"
    lines = [
        f"{entity.name} — {kind}, entity {entity.id}",
        f'mention "{mention.span.text}" at {mention.span.start}–{mention.span.end}{label}',
        f"origin: {mention.origin} ({ORIGINS.get(mention.origin, mention.origin)})",
        f"{plural(len(entity.mentions), 'mention')} in the text" + (f": {variants}" if variants else ""),
    ]
    return "\n".join(lines)


def date_value_text(expression: TimeExpression) -> str:
    """E.g. ``2021-01-06 (day, relative)`` or ``unresolved``."""
    if expression.value is None:
        return "unresolved"
    notes = [note for note in (expression.precision, "relative" if expression.relative else None) if note]
    return f"{expression.value} ({', '.join(notes)})" if notes else expression.value


def date_tooltip(expression: TimeExpression) -> str:
    span = expression.span
    lines = [f'date "{span.text}" at {span.start}–{span.end}']
    if expression.value is None:
        lines.append("not resolved to a calendar date")
    else:
        lines.append(
            f"resolved to {expression.value}" + (f" ({expression.precision} precision)" if expression.precision else "")
        )
        if expression.relative:
            lines.append("relative: resolved against the publication date")
    return "\n".join(lines)


def sorted_dates(analysis: Analysis) -> list[TimeExpression]:
    return sorted(analysis.dates, key=lambda d: (d.span.start, d.span.end))


# --- quotes and sourcing ------------------------------------------------------------------------


def shorten(text: str, limit: int = CONTENT_PREVIEW) -> str:
    """``text`` on one line, cut at a word boundary with an ellipsis when longer than ``limit``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def percent(share: float) -> str:
    """E.g. ``52%``; a small non-zero share is ``<1%``, not a misleading ``0%``."""
    if 0 < share < 0.005:
        return "<1%"
    return f"{share:.0%}"


def sorted_quotes(analysis: Analysis) -> list[Quote]:
    """Quotes in text order."""
    return sorted(analysis.quotes, key=lambda q: (q.content.start, q.content.end, q.kind == "scare"))


def speaker_said(speaker: Speaker) -> str:
    """The words of the text that name the speaker ("the expert"), or empty."""
    return " ".join(speaker.span.text.split()) if speaker.span else ""


def speaker_name(speaker: Speaker) -> str:
    """Who the speaker is, as briefly as possible: the entity or resolved name, else the words used."""
    return speaker.name or speaker_said(speaker)


def quote_speaker_key(quote: Quote) -> str | None:
    """The voice of ``quote``; ``None`` for a scare quote, which no one speaks."""
    if quote.kind == "scare":
        return None
    speaker = quote.speaker
    return voice_key(speaker.kind, speaker.entity_id, speaker_name(speaker))


def source_key(source: SourceShare) -> str:
    return voice_key(source.kind, source.entity_id, source.source)


def speaker_text(quote: Quote) -> str:
    """E.g. ``Yury Byaly (entity)``, ``→ Yury Byaly, from 'the expert' (descriptor)``, ``vague: experts``."""
    if quote.kind == "scare":
        return "— (scare quote)"
    speaker = quote.speaker
    said = speaker_said(speaker)
    if speaker.kind == "entity":
        return f"{speaker_name(speaker)} (entity)"
    if speaker.kind in ("descriptor", "pronoun"):
        if speaker.name:
            return f"→ {speaker.name}, from '{said}' ({speaker.kind})"
        return f"'{said}' ({speaker.kind}, not linked to a speaker)"
    if speaker.kind in ("vague", "anonymous"):
        return f"{speaker.kind}: {speaker_name(speaker)}"
    if speaker.kind == "named":
        return f"{speaker_name(speaker)} (named, not an entity)"
    if speaker.kind == "abstract":
        return f"'{said}' (abstract: not a speaker)"
    return "— (no speaker)"


def quote_kind_text(quote: Quote) -> str:
    """E.g. ``direct``, ``indirect, inverted``."""
    return f"{quote.kind}, inverted" if quote.inverted else quote.kind


def quote_content(quote: Quote) -> str:
    """What the quote attributes: its fragments joined when its cue interrupts it."""
    if quote.fragments:
        return FRAGMENT_JOIN.join(fragment.text.strip() for fragment in quote.fragments)
    return quote.content.text


def cue_text(quote: Quote) -> str:
    return " ".join(quote.cue.text.split()) if quote.cue else "—"


def speaker_lines(quote: Quote) -> list[str]:
    """How the speaker of ``quote`` was established, a line or two of evidence."""
    if quote.kind == "scare":
        return ["scare quote: no speaker", "the outlet's own words, set in quote marks"]
    speaker = quote.speaker
    how = SPEAKER_KINDS.get(speaker.kind, speaker.kind)
    lines = [f"speaker: {speaker_text(quote)}"]
    if speaker.span is not None:
        lines.append(f'named in the text as "{speaker_said(speaker)}" at {speaker.span.start}–{speaker.span.end}')
    if speaker.entity_id:
        lines.append(f"entity {speaker.entity_id}")
    if speaker.antecedent is not None:
        antecedent = speaker.antecedent
        lines.append(f'linked to the earlier "{antecedent.text}" at {antecedent.start}–{antecedent.end}')
    lines.append(f"how: {speaker.kind} ({how})")
    return lines


def quote_tooltip(quote: Quote, part: int | None = None) -> str:
    """The evidence for one highlighted quote (or ``part`` of its fragments), several lines of plain text."""
    kind = QUOTE_KINDS.get(quote.kind, quote.kind)
    inverted = ', inverted ("..., said X")' if quote.inverted else ""
    lines = [f"{quote.id or 'quote'} — {kind}{inverted}"]
    if part is not None:
        lines.append(f"part {part} of {len(quote.fragments)}")
    lines.extend(speaker_lines(quote))
    if quote.cue is not None:
        lines.append(f'cue: "{cue_text(quote)}" at {quote.cue.start}–{quote.cue.end}')
    if quote.kind != "scare":
        lines.append(f"score: {quote.score:.2f}")
    return "\n".join(lines)


def source_kind_text(source: SourceShare) -> str:
    """How a source of the profile was established, e.g. ``entity E1``, ``descriptor → entity E1``, ``vague``."""
    if source.entity_id:
        return f"entity {source.entity_id}" if source.kind == "entity" else f"{source.kind} → entity {source.entity_id}"
    return source.kind


def source_name(source: SourceShare) -> str:
    return " ".join(source.source.split()) or "(unnamed)"


def source_rows(sourcing: Sourcing) -> list[list[str]]:
    """Source, how established, quotes, words, share of the article: one row per voice."""
    return [
        [source_name(s), source_kind_text(s), str(s.quotes), str(s.words), percent(s.share)] for s in sourcing.sources
    ]


SOURCE_HEADER = ["Source", "Established as", "Quotes", "Words", "Share of article"]


def sourcing_facts(sourcing: Sourcing) -> list[Fact]:
    """The sourcing profile's figures as label/value lines."""
    quoted_words = sourcing.words - sourcing.outlet_words
    top = sourcing.sources[0] if sourcing.sources else None
    facts = [
        Fact(
            "Outlet's own voice",
            f"{percent(sourcing.outlet_share)} ({sourcing.outlet_words} of {plural(sourcing.words, 'word')})",
        ),
        Fact("Quoted", f"{percent(sourcing.quoted_share)} ({plural(quoted_words, 'word')} attributed to sources)"),
        Fact("Distinct sources", str(sourcing.distinct_sources)),
        Fact("Vague attributions", str(sourcing.vague_quotes)),
        Fact("Anonymous attributions", str(sourcing.anonymous_quotes)),
    ]
    if top is not None:
        facts.append(
            Fact("Top source", f"{source_name(top)}: {percent(sourcing.top_source_share)} of the quoted words")
        )
    single = "YES: one voice carries the article" if sourcing.single_source else "no"
    facts.append(Fact("Single source", single))
    return facts
