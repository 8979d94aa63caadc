"""The ``entities`` layer: who and what the article names, one entity per actor.

The recogniser (spaCy for English, natasha for Russian) finds mentions; this module decides
which mentions are the same actor. Mentions with the same spelling-insensitive key merge
(Byaly, Byalyi, Bialy), a surname alone joins the one full name that ends with it, capitalised
occurrences the recogniser skipped are added when they spell a known entity (the model tags
"Uyghur" once and misses "Uighurs" twice), and the merged entity takes its mentions' majority
type. Gazetteer entries override the model on the characters they cover.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from narrascope.annotators.gazetteer import Gazetteer, default_gazetteer
from narrascope.annotators.names import is_plural_form, name_key, token_key
from narrascope.model import Document, Entity, Mention, Span
from narrascope.pipeline import Work, annotator

NAME_TYPES = {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
_LEADING = re.compile(r"^(?:the|a|an)\s+", re.I)
_TRAILING = re.compile(r"(?:['’]s|['’])$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass
class Found:
    """A mention before merging: where it is, what it was called, and who found it."""

    start: int
    end: int
    label: str
    origin: Literal["model", "gazetteer", "propagated"]
    key: str
    forced: str | None = None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Cut a name mention to its name: no article, no possessive, no trailing common nouns."""
    piece = text[start:end]
    if "\n" in piece:
        end = start + piece.index("\n")
        piece = text[start:end]
    if m := _LEADING.match(piece):
        start += m.end()
        piece = text[start:end]
    words = list(_WORD.finditer(piece))
    while len(words) > 1 and words[-1].group()[0].islower():
        words.pop()
        end = start + words[-1].end()
    piece = text[start:end]
    if m := _TRAILING.search(piece):
        end -= len(m.group())
    return start, end


RawSpan = tuple[int, int, str, bool, str | None]
"""A recogniser's mention: start, end, label, plural tag, and its normal (nominative) form if known."""


def _from_model(document: Document, spans: list[RawSpan]) -> list[Found]:
    found = []
    for raw_start, raw_end, label, plural_tag, normal in spans:
        if label not in NAME_TYPES:
            continue
        start, end = _trim(document.text, raw_start, raw_end)
        surface = document.text[start:end]
        if not surface.strip() or not any(ch.isupper() for ch in surface):
            continue
        if plural_tag and label in ("PERSON", "ORG"):
            label = "NORP"
        found.append(Found(start, end, label, "model", name_key(normal or surface), normal))
    return found


def _overlaps(a: Found, b: Found) -> bool:
    return a.start < b.end and b.start < a.end


def _with_gazetteer(text: str, found: list[Found], gazetteer: Gazetteer) -> list[Found]:
    hits = [
        Found(h.start, h.end, h.entry.type, "gazetteer", name_key(h.entry.name), h.entry.name)
        for h in gazetteer.find(text)
    ]
    kept = [f for f in found if not any(_overlaps(f, h) for h in hits)]
    return sorted(kept + hits, key=lambda f: f.start)


def _group(found: list[Found]) -> dict[str, list[Found]]:
    groups: dict[str, list[Found]] = {}
    for f in found:
        groups.setdefault(f.key, []).append(f)
    return groups


def _majority(mentions: list[Found]) -> str:
    forced = [m.label for m in mentions if m.origin == "gazetteer"]
    votes = Counter(forced or [m.label for m in mentions])
    return max(votes, key=lambda label: (votes[label], -[m.label for m in mentions].index(label)))


def _link_surnames(groups: dict[str, list[Found]]) -> None:
    """Move each one-word PERSON group into the one multi-word PERSON name that ends with it."""
    people = [k for k, ms in groups.items() if " " in k and _majority(ms) == "PERSON"]
    for key in [k for k, ms in groups.items() if " " not in k and _majority(ms) == "PERSON"]:
        owners = [p for p in people if p.split()[-1] == key]
        if len(owners) == 1:
            groups[owners[0]].extend(groups.pop(key))


def _propagate(text: str, groups: dict[str, list[Found]], tokens: list[tuple[int, int]]) -> None:
    """Add capitalised words the recogniser skipped that spell a one-word entity."""
    taken = [(f.start, f.end) for ms in groups.values() for f in ms]
    singles: dict[str, str] = {}
    for key, ms in groups.items():
        for part in {key, *([key.split()[-1]] if _majority(ms) == "PERSON" else [])}:
            if " " not in part:
                singles.setdefault(part, key)
    for start, end in tokens:
        word = text[start:end]
        if not word[:1].isupper() or any(s < end and start < e for s, e in taken):
            continue
        owner = singles.get(token_key(word))
        if owner is None:
            continue
        label = "NORP" if is_plural_form(word) else _majority(groups[owner])
        groups[owner].append(Found(start, end, label, "propagated", owner))


def _entity(index: int, text: str, mentions: list[Found]) -> Entity:
    mentions.sort(key=lambda f: f.start)
    kind = _majority(mentions)
    variants = list(dict.fromkeys(text[f.start : f.end] for f in mentions))
    forced = next((f.forced for f in mentions if f.forced), None)
    counts = Counter(text[f.start : f.end] for f in mentions)
    name = forced or max(variants, key=lambda v: (len(v.split()) if kind == "PERSON" else 0, counts[v], len(v)))
    return Entity(
        id=f"E{index}",
        name=name,
        type=kind,
        key=mentions[0].key,
        variants=variants,
        mentions=[Mention(span=Span.of(text, f.start, f.end), label=f.label, origin=f.origin) for f in mentions],
    )


def find_entities(
    document: Document,
    spans: list[RawSpan],
    tokens: list[tuple[int, int]],
    gazetteer: Gazetteer,
) -> list[Entity]:
    """Merge recogniser spans ``(start, end, label, plural)`` into entities over ``document.text``."""
    found = _with_gazetteer(document.text, _from_model(document, spans), gazetteer)
    groups = _group([f for f in found if f.key])
    _link_surnames(groups)
    _propagate(document.text, groups, tokens)
    ordered = sorted(groups.values(), key=lambda ms: min(f.start for f in ms))
    return [_entity(i, document.text, ms) for i, ms in enumerate(ordered, start=1)]


class EntityAnnotator:
    name = "entities"

    def __init__(self, config: dict[str, Any]) -> None:
        path: Path | None = config.get("gazetteer")
        self.gazetteer = default_gazetteer().extended(path) if path else default_gazetteer()

    def __call__(self, work: Work) -> None:
        if work.parse is not None:
            spans: list[RawSpan] = [
                (e.start_char, e.end_char, e.label_, e[-1].tag_ == "NNPS", None) for e in work.parse.ents
            ]
            tokens = [(t.idx, t.idx + len(t.text)) for t in work.parse if t.is_alpha]
        elif work.russian is not None:
            spans, tokens = work.russian.spans, work.russian.tokens
        else:
            spans, tokens = [], []
        work.layers["entities"] = find_entities(work.document, spans, tokens, self.gazetteer)


@annotator("entities")
def make_entities(config: dict[str, Any]) -> EntityAnnotator:
    return EntityAnnotator(config)
