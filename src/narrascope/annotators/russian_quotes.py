"""Attributions in Russian text by rule: no Russian attribution corpus is at hand to train on.

Three patterns carry most attribution in Russian news: "X заявил, что …" (a speech verb with
its speaker before it), "«…», — заявил X" (a quote, a dash and the verb before its speaker),
and "по словам X, …" / "по данным X, …" / "как сообщает (заявил, сказал, отметил) X, …". The speaker must be a named
entity that natasha found next to the cue; anything less certain is left out.
"""

from __future__ import annotations

import re

from narrascope.annotators.attribution_model import RawAttribution
from narrascope.model import Entity

_VERB = (
    r"(?:заяви|сказа|отмети|подчеркну|сообщи|добави|предупреди|уточни|призна|напомни|пояснил|рассказа|"
    r"объясни|указа)(?:л|ла|ли)|(?:считает|полагает|уверен|уверена|пишет|говорит|утверждает|отмечает|"
    r"подчеркивает|подчёркивает|сообщает|заявляет)"
)
_NAME = r"[А-ЯЁA-Z][\w«»\"'’.-]*(?:\s+[А-ЯЁA-Z][\w«»\"'’.-]*){0,3}"
_SENTENCE = re.compile(r"[^.!?…]+(?:[.!?…]+[»”\"]?|$)")
FORWARD = re.compile(rf"(?P<source>{_NAME})\s+(?P<cue>{_VERB})\s*,?\s*(?:что\s+)?(?P<content>[^\n]+)", re.I)
INVERTED = re.compile(rf"(?P<content>«[^»]+»|“[^”]+”),?\s*[—–-]+\s*(?P<cue>{_VERB})\s+(?P<source>{_NAME})")
ACCORDING = re.compile(
    rf"(?P<cue>по\s+словам|по\s+данным|по\s+мнению|как\s+сообщает|как\s+(?:сообщил|заявил|сказал|отметил)[аи]?)"
    rf"\s+(?P<source>{_NAME})\s*,\s*"
    r"(?P<content>[^\n]+)",
    re.I,
)


def _named(start: int, end: int, spans: set[tuple[int, int]]) -> tuple[int, int] | None:
    """The entity mention inside a candidate source, if there is one."""
    inside = [(s, e) for s, e in spans if start <= s and e <= end]
    return max(inside, key=lambda se: se[1]) if inside else None


def find_russian_attributions(text: str, entities: list[Entity]) -> list[RawAttribution]:
    """Attributions whose speaker is an entity mention next to a Russian speech cue."""
    spans = {(m.span.start, m.span.end) for e in entities if e.type in ("PERSON", "ORG") for m in e.mentions}
    found: list[RawAttribution] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], base: int) -> bool:
        source = _named(base + m.start("source"), base + m.end("source"), spans)
        start, end = base + m.start("content"), base + m.end("content")
        end -= len(text[start:end]) - len(text[start:end].rstrip(" .…!?"))
        if source is None or end <= start or any(s < end and start < e for s, e in taken):
            return False
        taken.append((start, end))
        found.append(RawAttribution(source, (base + m.start("cue"), base + m.end("cue")), (start, end), 0.6, ()))
        return True

    for quoted in INVERTED.finditer(text):  # quotes may hold several sentences: read them whole
        add(quoted, 0)
    for sentence in _SENTENCE.finditer(text):
        for pattern in (ACCORDING, FORWARD):
            if (match := pattern.search(sentence.group())) and add(match, sentence.start()):
                break
    return sorted(found, key=lambda r: r.cue[0])
