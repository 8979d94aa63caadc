"""The ``quotes`` layer: who says what, in whose words.

The attribution model (trained on PolNeAR, see ``attribution_model``) finds source, cue and
content spans on the shared parse. This module turns them into quotes a reader can use: what
kind of attribution each is (direct, partial, indirect, according-to; inverted "..., said X"),
who the speaker is (``speakers``), and which quoted phrases are scare quotes, labels put in
quote marks with no one speaking them ("unidentified helicopters").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from narrascope.annotators.attribution_model import link
from narrascope.annotators.russian_quotes import find_russian_attributions
from narrascope.model import Entity, Quote, QuoteKind, Span, Speaker
from narrascope.pipeline import Work, annotator, shared_token_states

PAIRS = {"“": "”", "‘": "’", "«": "»", "„": "“", '"': '"'}
_OPENERS = "".join(PAIRS)
SCARE_MAX_WORDS = 4
ACCORDING_CUES = ("according to", "по словам", "по данным", "по мнению", "как сообщает", "как сообщил")


def quoted_stretches(text: str) -> list[tuple[int, int]]:
    """Character ranges inside matching quote marks (outermost pairs; inner pairs stay inside).

    A straight double quote after a space opens, elsewhere it closes. A quote left open at a
    paragraph break ends there: running quotes reopen with a new mark in the next paragraph.
    """
    found: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for i, ch in enumerate(text):
        if stack and ch == PAIRS[stack[-1][0]] and not (ch == '"' and (i == 0 or text[i - 1].isspace())):
            _, start = stack.pop()
            if not stack:
                found.append((start + 1, i))
        elif ch in PAIRS:
            stack.append((ch, i))
        elif ch == "\n" and stack and text[i + 1 : i + 2] == "\n":
            found.append((stack[0][1] + 1, i))
            stack.clear()
    if stack:
        found.append((stack[0][1] + 1, len(text)))
    return found


def _kind(text: str, cue: Span | None, content: Span, quoted: list[tuple[int, int]]) -> QuoteKind:
    """According-to by its cue; direct when the content is (inside) a quotation, partial when it
    quotes a phrase of two words or more, indirect otherwise."""
    if cue is not None and cue.text.lower().startswith(ACCORDING_CUES):
        return "according-to"
    body = content.text.strip(" ,.;:")
    lead = content.start + (len(content.text) - len(content.text.lstrip(" ,.;:")))
    if body[:1] in _OPENERS or any(s - 1 <= lead and content.end <= e + 2 for s, e in quoted):
        return "direct"
    inner = [(s, e) for s, e in quoted if s >= content.start - 1 and e <= content.end + 1]
    if any(len(text[s:e].split()) >= 2 for s, e in inner):
        return "partial"
    return "indirect"


def _word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def scare_quotes(text: str, quoted: Iterable[tuple[int, int]], contents: list[Span]) -> list[tuple[int, int]]:
    """Short quoted phrases that are labels, not speech: no sentence inside, not a whole quote."""
    found = []
    for start, end in quoted:
        phrase = text[start:end]
        if not 1 <= _word_count(phrase) <= SCARE_MAX_WORDS or re.search(r"[.!?…,;:]", phrase):
            continue
        if any(c.text.strip(' ,.;:“”"«»‘’') == phrase.strip() for c in contents):
            continue
        found.append((start, end))
    return found


def build_quotes(text: str, doc: Any, raw: list[Any], entities: list[Entity]) -> list[Quote]:
    """Quotes from the model's attributions (``RawAttribution``), plus scare quotes."""
    from narrascope.annotators.speakers import SpeakerResolver

    resolver = SpeakerResolver(text, doc, entities)
    quoted = quoted_stretches(text)
    quotes: list[Quote] = []
    for item in sorted(raw, key=lambda r: min(r.cue[0], (r.source or r.cue)[0])):
        if item.content is None:
            continue
        content = Span.of(text, *item.content)
        cue = Span.of(text, *item.cue)
        speaker = resolver.resolve(*item.source).speaker if item.source else Speaker(kind="none")
        fragments = [Span.of(text, s, e) for s, e in item.content_fragments]
        quotes.append(
            Quote(
                id="",
                kind=_kind(text, cue, content, quoted),
                speaker=speaker,
                cue=cue,
                content=content,
                fragments=fragments if len(fragments) > 1 else [],
                inverted=cue.start >= content.end,
                score=round(float(item.score), 4),
            )
        )
    for start, end in scare_quotes(text, quoted, [q.content for q in quotes]):
        quotes.append(
            Quote(
                id="",
                kind="scare",
                speaker=Speaker(kind="none"),
                content=Span.of(text, start, end),
            )
        )
    quotes.sort(key=lambda q: (q.content.start, q.kind == "scare"))
    return [q.model_copy(update={"id": f"Q{i}"}) for i, q in enumerate(quotes, start=1)]


class QuoteAnnotator:
    name = "quotes"

    def __init__(self, config: dict[str, Any]) -> None:
        from narrascope.annotators.attribution_model import load_attribution_model

        self.model = load_attribution_model()
        self.models = {"quotes": self.model.version}
        self.needs_encoder = self.model.needs_encoder

    def prepare(self, batch: list[Work]) -> None:
        """Tag the whole batch at once (batched is faster); linking happens per article."""
        parsed = [w for w in batch if w.parse is not None]
        states = shared_token_states(parsed) if self.needs_encoder else None
        for work, spans in zip(parsed, self.model.spans_many([w.parse for w in parsed], states=states), strict=True):
            work.cache["attribution_spans"] = spans

    def __call__(self, work: Work) -> None:
        if work.russian is not None:
            entities = work.layers.get("entities", [])
            raw_ru = find_russian_attributions(work.document.text, entities)
            work.layers["quotes"] = build_quotes(work.document.text, None, raw_ru, entities)
            return
        if work.parse is None:
            work.layers["quotes"] = []
            return
        spans = work.cache.pop("attribution_spans", None)
        raw = link(work.parse, spans) if spans is not None else self.model.predict(work.parse)
        work.layers["quotes"] = build_quotes(work.document.text, work.parse, raw, work.layers.get("entities", []))


@annotator("quotes")
def make_quotes(config: dict[str, Any]) -> QuoteAnnotator:
    return QuoteAnnotator(config)
