"""Designation labels: the legal or editorial tags an outlet attaches to an organisation or person.

"ISIL (organization banned in Russia)", "Meduza, designated a foreign agent", "запрещённая в РФ
организация": such tags are often required by a state's media law. They say something about
the outlet and its jurisdiction, not about the facts of the story, so they are reported as the
outlet's markers, attached to what they label, and kept out of the claims.

Each label has a ``kind`` (banned, terrorist, extremist, foreign-agent, undesirable) and, where
the text says it, the jurisdiction ("Russia"). The labelled thing is the entity mention (or
the capitalised name) right before a parenthesised label or an appositive one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from narrascope.model import Entity, Label, LabelKind, Span
from narrascope.pipeline import Work, annotator, language_of

__all__ = ["FoundLabel", "find_labels"]

_COUNTRY = r"(?:Russia|Russian\s+Federation|RF|Belarus|Ukraine|China|Kazakhstan|the\s+EU|the\s+US|the\s+UK)"
_PLACE = rf"(?:in\s+(?:the\s+)?{_COUNTRY}|by\s+(?:the\s+)?\w+(?:\s+\w+)?\s+(?:government|authorities|court))"
_KINDS_OF_BODY = r"(?:organi[sz]ation|group|movement|network|party|outlet|media|entity|structure)"
_ORG = rf"(?:(?:terrorist|extremist|radical)\s+)?{_KINDS_OF_BODY}"
_A = r"(?:an?\s+)?"
_ORG_AND_PLACE = rf"(?:\s+{_ORG})?(?:\s+{_PLACE})?"
_DESIGNATED = rf"(?:designated\s+(?:as\s+)?{_A}|recogni[sz]ed\s+as\s+{_A}|listed\s+as\s+{_A}|declared\s+{_A})?"
_BANNED = r"(?:banned|outlawed|prohibited|proscribed)"
_Q_OPEN, _Q_CLOSE = r"(?:\"|“)?", r"(?:\"|”)?"
_AGENT_ROLE = r"(?:performing\s+the\s+functions\s+of\s+an?\s+|acting\s+as\s+an?\s+)?"

_EN: list[tuple[LabelKind, str]] = [
    ("terrorist", rf"{_A}{_DESIGNATED}terrorist\s+{_ORG}(?:\s*,?\s*{_BANNED}(?:\s+{_PLACE})?)?"),
    (
        "terrorist",
        rf"(?:designated|recogni[sz]ed|listed|classified)\s+as\s+{_A}terrorist(?:\s+{_ORG})?(?:\s+{_PLACE})?",
    ),
    ("extremist", rf"{_A}{_DESIGNATED}extremist\s+{_ORG}(?:\s*,?\s*{_BANNED}(?:\s+{_PLACE})?)?"),
    ("extremist", rf"(?:designated|recogni[sz]ed|declared)\s+(?:as\s+)?{_A}extremist(?:\s+{_PLACE})?"),
    ("banned", rf"{_A}(?:{_ORG}\s+)?(?:whose\s+activit(?:y|ies)\s+(?:is|are)\s+)?{_BANNED}\s+{_PLACE}"),
    (
        "foreign-agent",
        rf"{_A}(?:(?:media\s+)?(?:outlet|organi[sz]ation|individual|person)\s+)?{_DESIGNATED}{_AGENT_ROLE}"
        rf"{_Q_OPEN}foreign\s+agents?{_Q_CLOSE}(?:\s+in\s+(?:the\s+)?(?:Russia|Russian\s+Federation))?",
    ),
    ("undesirable", rf"{_A}{_DESIGNATED}{_Q_OPEN}undesirable{_Q_CLOSE}\s+{_ORG}(?:\s+{_PLACE})?"),
]
_RU_PLACE = r"(?:в\s+(?:России|РФ|Российской\s+Федерации|Беларуси))"
_RU_ORG = r"(?:\s+организаци\w+)?"
_RU_BANNED = rf"(?:\s*,?\s*запрещ[её]нн?\w*\s+{_RU_PLACE})?"
_RU_DECLARED = r"(?:признан\w*\s+)?"
_RU: list[tuple[LabelKind, str]] = [
    ("terrorist", rf"{_RU_DECLARED}террористическ\w+{_RU_ORG}{_RU_BANNED}"),
    ("extremist", rf"{_RU_DECLARED}экстремистск\w+{_RU_ORG}{_RU_BANNED}"),
    ("banned", rf"(?:организаци\w+\s+)?(?:деятельность\s+которой\s+)?запрещ[её]н\w*\s+{_RU_PLACE}{_RU_ORG}"),
    (
        "foreign-agent",
        rf"{_RU_DECLARED}(?:СМИ\s*[-–—]\s*|выполняющ\w+\s+функции\s+)?(?:иностранн\w+\s+агент\w*|иноагент\w*)",
    ),
    ("undesirable", rf"{_RU_DECLARED}нежелательн\w+{_RU_ORG}(?:\s+{_RU_PLACE})?"),
]


@dataclass(frozen=True)
class FoundLabel:
    start: int
    end: int
    kind: LabelKind
    jurisdiction: str | None
    target: tuple[int, int] | None
    parenthetical: bool


def _compile(rules: list[tuple[LabelKind, str]]) -> list[tuple[LabelKind, re.Pattern[str]]]:
    return [(kind, re.compile(rf"(?<![\w-]){body}(?![\w-])", re.IGNORECASE)) for kind, body in rules]


_RULES = {"en": _compile(_EN), "ru": _compile(_RU)}
_JURISDICTION = re.compile(
    r"\b(Russia|Russian Federation|RF|Belarus|Ukraine|China|Kazakhstan|EU|US|UK"
    r"|России|РФ|Российской Федерации|Беларуси)\b"
)
_CANON = {
    "Russian Federation": "Russia",
    "RF": "Russia",
    "России": "Russia",
    "РФ": "Russia",
    "Российской Федерации": "Russia",
    "Беларуси": "Belarus",
}
_NAME_WORD = r"(?:[A-ZА-ЯЁ«\"“][\w’'.»\"”-]*|of|the|al-\w+|ут|аль|де|of\s+the)"
_HEAD = r"(?:\s+(?:movement|party|group|organi[sz]ation|foundation|fund|center|centre|network|channel|agency))?"
_NAME_BEFORE = re.compile(rf"({_NAME_WORD}(?:[\s-]+{_NAME_WORD})*{_HEAD})\s*$")


def _target(text: str, start: int, mentions: Iterable[tuple[int, int]]) -> tuple[int, int] | None:
    """The entity mention (or capitalised name) that ends just before *start* (before "(" or ",")."""
    gap = re.search(r"[\s(,–—-]*$", text[max(0, start - 6) : start])
    edge = start - (len(gap.group(0)) if gap else 0)
    best = [m for m in mentions if edge - 2 <= m[1] <= edge]
    if best:
        return max(best, key=lambda m: m[1])
    name = _NAME_BEFORE.search(text[max(0, edge - 80) : edge])
    if name is None:
        return None
    lo = edge - len(name.group(1))
    while lo < edge and not (text[lo].isupper() or text[lo] in '«"“'):
        lo = text.find(" ", lo, edge) + 1 or edge
    return (lo, edge) if lo < edge else None


def find_labels(text: str, language: str = "en", mentions: Iterable[tuple[int, int]] = ()) -> list[FoundLabel]:
    """Designation labels in *text*, each attached to the mention it follows (see module doc)."""
    rules = _RULES.get(language)
    if rules is None:
        return []
    spans = sorted(mentions)
    found: list[FoundLabel] = []
    taken: list[tuple[int, int]] = []
    hits = sorted(
        ((m.start(), -m.end(), kind, m) for kind, pattern in rules for m in pattern.finditer(text)),
        key=lambda h: (h[0], h[1]),
    )
    for start, neg_end, kind, match in hits:
        end = -neg_end
        if any(s < end and start < e for s, e in taken):
            continue
        taken.append((start, end))
        before = text[max(0, start - 2) : start]
        parenthetical = "(" in before and text[end : end + 1] == ")"
        appositive = parenthetical or "," in before or "–" in before or "—" in before
        place = _JURISDICTION.search(match.group(0))
        jurisdiction = _CANON.get(place.group(1), place.group(1)) if place else None
        target = _target(text, start, spans) if appositive else None
        found.append(FoundLabel(start, end, kind, jurisdiction, target, parenthetical))
    return found


class LabelAnnotator:
    name = "labels"

    def __init__(self, config: dict[str, Any]) -> None:
        pass

    def __call__(self, work: Work) -> None:
        text = work.document.text
        language = language_of(work.document)
        entities: list[Entity] = work.layers.get("entities", [])
        owner = {(m.span.start, m.span.end): e.id for e in entities for m in e.mentions}
        labels = []
        for index, item in enumerate(find_labels(text, language, owner), start=1):
            labels.append(
                Label(
                    id=f"L{index}",
                    span=Span.of(text, item.start, item.end),
                    kind=item.kind,
                    jurisdiction=item.jurisdiction,
                    target=Span.of(text, *item.target) if item.target else None,
                    entity_id=owner.get(item.target) if item.target else None,
                    parenthetical=item.parenthetical,
                )
            )
        work.layers["labels"] = labels


@annotator("labels")
def make_labels(config: dict[str, Any]) -> LabelAnnotator:
    return LabelAnnotator(config)
