"""Figures: the numbers an article reports, what they count and how exact they claim to be.

"so far 14 servicemen have been killed" gives the figure "14", counting "servicemen", in the
event "killed"; "about half the population" is approximate ("about"). Dates, times and ordinals
are not figures (the dates layer has them). Who reports a figure is decided by the claims
layer, which knows the quotes: a figure inside an attributed stretch is that source's figure.

Reads the shared spaCy parse (entity types CARDINAL, QUANTITY, PERCENT, MONEY, plus numerals
the recogniser missed) and never parses again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from narrascope.model import Figure, Quote, Span
from narrascope.pipeline import Work, annotator

__all__ = ["FoundFigure", "find_figures", "find_figures_plain", "parse_value", "reporting_quote"]

_TYPES = {"CARDINAL", "QUANTITY", "PERCENT", "MONEY"}
_NOT_FIGURES = {"DATE", "TIME", "ORDINAL"}
_APPROXIMATORS = (
    "about", "around", "roughly", "approximately", "nearly", "almost", "some", "over", "more than", "less than",
    "fewer than", "at least", "up to", "as many as", "as few as", "under", "close to", "upwards of", "an estimated",
    "estimated", "dozens", "hundreds", "thousands", "tens of thousands", "millions", "half", "a third", "a quarter",
    "several", "many", "few",
)  # fmt: skip
_APPROX = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, _APPROXIMATORS), key=len, reverse=True)) + r")(?!\w)", re.I
)
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12, "half": 0.5, "third": 1 / 3,
    "quarter": 0.25,
}  # fmt: skip
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "mln": 1e6, "bn": 1e9, "k": 1e3}


@dataclass(frozen=True)
class FoundFigure:
    start: int
    end: int
    value: float | None
    unit: str | None
    counts: tuple[int, int] | None
    event: tuple[int, int] | None
    approximate: bool


def parse_value(text: str) -> float | None:
    """The number a figure's words state ("14", "3.5 million", "about half", "1,200"), if any."""
    words = re.findall(r"[\d.,]+|[a-z]+", text.lower())
    value: float | None = None
    for word in words:
        if word[0].isdigit():
            cleaned = word.replace(",", "")
            try:
                value = float(cleaned.rstrip("."))
            except ValueError:
                continue
        elif word in _WORDS and value is None:
            value = float(_WORDS[word])
        elif word in _SCALE and value is not None:
            value *= _SCALE[word]
    return value


def _unit(text: str) -> str | None:
    if "%" in text or "percent" in text.lower() or "per cent" in text.lower():
        return "%"
    for symbol in ("$", "€", "£", "₽", "¥"):
        if symbol in text:
            return symbol
    return None


def _noun_phrase(token: Any) -> tuple[int, int]:
    """The counted noun with its compounds and adjectives ("military servicemen")."""
    left = [c for c in token.lefts if c.dep_ in ("compound", "amod")]
    start = min([token.i, *[c.left_edge.i for c in left]])
    return token.doc[start].idx, token.idx + len(token)


def _event(token: Any) -> tuple[int, int] | None:
    head = token
    for _ in range(3):
        if head.pos_ in ("VERB",) and head is not token:
            return head.idx, head.idx + len(head)
        if head.head.i == head.i:
            break
        head = head.head
    return None


def find_figures(doc: Any, skip: list[tuple[int, int]] | None = None) -> list[FoundFigure]:
    """Figures in a parsed English *doc*; *skip* are character spans that are not figures (dates)."""
    skip = skip or []
    spans: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ in _TYPES:
            spans.append((ent.start, ent.end))
    covered = {i for s, e in spans for i in range(s, e)}
    for token in doc:
        if (
            token.like_num
            and token.i not in covered
            and token.ent_type_ not in _NOT_FIGURES
            and token.is_alpha is False
        ):
            spans.append((token.i, token.i + 1))
    found: list[FoundFigure] = []
    for s, e in sorted(spans):
        span = doc[s:e]
        start, end = span.start_char, span.end_char
        if any(a < end and start < b for a, b in skip):
            continue
        if re.fullmatch(r"(1[5-9]|20)\d\d", span.text.strip()):
            continue  # a bare year is a date, not a figure
        root = span.root
        counts = None
        counted = (
            root.head
            if root.dep_ in ("nummod", "quantmod", "npadvmod") and root.head.pos_ in ("NOUN", "PROPN")
            else None
        )
        if counted is None and root.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj"):
            of = [c for c in root.children if c.dep_ == "prep" and c.lower_ == "of"]
            objects = [g for c in of for g in c.children if g.dep_ == "pobj"]
            counted = objects[0] if objects else None
        if counted is not None:
            counts = _noun_phrase(counted)
        event = _event(counted if counted is not None and counted is root.head else root)
        before = doc.text[max(0, start - 20) : start]
        approximate = bool(_APPROX.search(span.text) or _APPROX.search(before.split(",")[-1][-14:]))
        found.append(FoundFigure(start, end, parse_value(span.text), _unit(span.text), counts, event, approximate))
    return found


_PLAIN = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ ,.\u00a0]\d{3})+|\d+(?:[.,]\d+)?)(\s*%)?(?:\s+(\w+))?")


_PLAIN_APPROX = re.compile(r"(?:около|примерно|почти|более|менее|свыше|порядка|до|about|nearly)\s*$", re.I)


def find_figures_plain(text: str, skip: list[tuple[int, int]] | None = None) -> list[FoundFigure]:
    """Figures without a dependency parse (Russian): numerals, a per cent sign, and the
    word after the number as what it counts."""
    skip = skip or []
    found = []
    for match in _PLAIN.finditer(text):
        start, end = match.span(1)
        if match.group(2):
            end = match.end(2)
        if any(a < end and start < b for a, b in skip) or re.fullmatch(r"(1[5-9]|20)\d\d", match.group(1)):
            continue
        counts = match.span(3) if match.group(3) and match.group(3).isalpha() and not match.group(2) else None
        value = parse_value(match.group(1).replace(" ", "").replace("\u00a0", ""))
        before = text[max(0, start - 14) : start]
        approximate = bool(
            re.search(r"(?:около|примерно|почти|более|менее|свыше|порядка|до|about|nearly)\s*$", before, re.I)
        )
        found.append(FoundFigure(start, end, value, "%" if match.group(2) else None, counts, None, approximate))
    return found


def reporting_quote(quotes: list[Quote], start: int, end: int) -> Quote | None:
    """The attribution whose content holds the stretch (the innermost when they nest)."""
    holding = [
        q
        for q in quotes
        if q.kind != "scare" and any(f.start <= start and end <= f.end for f in (q.fragments or [q.content]))
    ]
    return min(holding, key=lambda q: q.content.end - q.content.start, default=None)


def speaker_label(quote: Quote) -> str:
    """The speaker as a reader would name them."""
    speaker = quote.speaker
    return speaker.name or (speaker.span.text if speaker.span else "") or speaker.kind


class FigureAnnotator:
    name = "figures"

    def __init__(self, config: dict[str, Any]) -> None:
        pass

    def __call__(self, work: Work) -> None:
        text = work.document.text
        skip = [(d.span.start, d.span.end) for d in work.layers.get("dates", [])]
        if work.parse is not None:
            found = find_figures(work.parse, skip)
        elif work.russian is not None:
            found = find_figures_plain(text, skip)
        else:  # a language narrascope does not read: no layer rather than guesses
            found = []
        quotes: list[Quote] = work.layers.get("quotes", [])
        figures = []
        for index, item in enumerate(found, start=1):
            quote = reporting_quote(quotes, item.start, item.end)
            figures.append(
                Figure(
                    id=f"F{index}",
                    span=Span.of(text, item.start, item.end),
                    value=item.value,
                    unit=item.unit,
                    counts=Span.of(text, *item.counts) if item.counts else None,
                    event=Span.of(text, *item.event) if item.event else None,
                    approximate=item.approximate,
                    quote_id=quote.id if quote else None,
                    reported_by=speaker_label(quote) if quote else None,
                )
            )
        work.layers["figures"] = figures


@annotator("figures")
def make_figures(config: dict[str, Any]) -> FigureAnnotator:
    return FigureAnnotator(config)
