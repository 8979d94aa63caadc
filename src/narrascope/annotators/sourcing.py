"""The ``sourcing`` profile: whose words the article is made of.

Counts words, not quotes: one long quoted verdict weighs more than three short attributions.
A word inside an attributed content belongs to that content's speaker; where attributions nest
("Byaly stresses that Russia has stated that …"), the outermost wins: the article has those
words from the speaker it cites, who reports the inner one (who it relies on is the question).
Every other word is the outlet's own voice. Scare quotes are the outlet's words too: no one is
speaking them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from narrascope.model import WORD, Document, Quote, SourceShare, Sourcing, SpeakerKind, voice_key
from narrascope.pipeline import Work, annotator

SINGLE_SOURCE_SHARE = 2 / 3
"""A source supplying at least this share of all quoted words (twice all the others together) makes the article
single-sourced."""


def _source_key(quote: Quote) -> tuple[str, str, SpeakerKind]:
    speaker = quote.speaker
    if speaker.entity_id:
        label = speaker.name or ""
    else:
        label = (speaker.name or (speaker.span.text if speaker.span else "") or "unattributed").strip()
    return voice_key(speaker.kind, speaker.entity_id, label), label, speaker.kind


def profile(document: Document, quotes: list[Quote]) -> Sourcing:
    words = [(m.start(), m.end()) for m in WORD.finditer(document.text)]
    attributed = [q for q in quotes if q.kind != "scare"]
    by_char = [-1] * (len(document.text) + 1)

    def outer_last(item: tuple[int, Quote]) -> tuple[int, bool]:
        content, cue = item[1].content, item[1].cue
        inside = cue is not None and content.start <= cue.start < content.end  # ", Russia has stated, "
        return content.end - content.start, not inside

    for index, quote in sorted(enumerate(attributed), key=outer_last):
        for stretch in quote.fragments or [quote.content]:
            by_char[stretch.start : stretch.end] = [index] * (stretch.end - stretch.start)
    owner = {w: by_char[start] for w, (start, end) in enumerate(words) if by_char[start] >= 0 and by_char[end - 1] >= 0}
    counts: dict[str, int] = defaultdict(int)
    quote_counts: dict[str, int] = defaultdict(int)
    labels: dict[str, tuple[str, SpeakerKind, str | None]] = {}
    for quote in attributed:
        key, label, kind = _source_key(quote)
        quote_counts[key] += 1
        labels.setdefault(key, (label, kind, quote.speaker.entity_id))
    for index in owner.values():
        counts[_source_key(attributed[index])[0]] += 1
    total = max(len(words), 1)
    quoted = sum(counts.values())
    sources = sorted(
        (
            SourceShare(
                source=labels[k][0],
                kind=labels[k][1],
                entity_id=labels[k][2],
                quotes=quote_counts[k],
                words=counts.get(k, 0),
                share=round(counts.get(k, 0) / total, 4),
            )
            for k in quote_counts
        ),
        key=lambda s: (-s.words, -s.quotes),
    )
    # A source one can name: an entity, a named body, or a vague or anonymous crowd; not an unlinked "we" or a thing.
    named = [s for s in sources if s.entity_id or s.kind in ("named", "vague", "anonymous")]
    top = sources[0] if sources else None
    top_share = (top.words / quoted) if top and quoted else 0.0
    single = bool(named) and (len(named) == 1 or top_share >= SINGLE_SOURCE_SHARE)
    notes = []
    if top and quoted:
        notes.append(f"{top.source} supplies {top_share:.0%} of the quoted words and {top.share:.0%} of the article")
    if single:
        notes.append("single-source reliance: one voice carries the article")
    vague = sum(1 for q in attributed if q.speaker.kind == "vague")
    anonymous = sum(1 for q in attributed if q.speaker.kind == "anonymous")
    if vague or anonymous:
        notes.append(f"{vague} vague and {anonymous} anonymous attribution(s)")
    return Sourcing(
        words=len(words),
        outlet_words=len(words) - quoted,
        outlet_share=round((len(words) - quoted) / total, 4),
        quoted_share=round(quoted / total, 4),
        sources=sources,
        distinct_sources=len(named),
        vague_quotes=vague,
        anonymous_quotes=anonymous,
        top_source_share=round(top_share, 4),
        single_source=single,
        notes=notes,
    )


class SourcingAnnotator:
    name = "sourcing"

    def __init__(self, config: dict[str, Any]) -> None:
        pass

    def __call__(self, work: Work) -> None:
        work.layers["sourcing"] = profile(work.document, work.layers.get("quotes", []))


@annotator("sourcing")
def make_sourcing(config: dict[str, Any]) -> SourcingAnnotator:
    return SourcingAnnotator(config)
