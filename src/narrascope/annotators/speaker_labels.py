"""Attributions that layout marks instead of a verb.

News copy attributes words without a reporting verb in three common shapes, which a
tagger trained on running prose mostly misses:

* a speaker label at the start of a line: transcripts (``WALLACE: Let's start…``), interviews
  (``Q:``/``A:``) and headlines (``Pence: Flowers won't be at debate``);
* a sign-off after a quotation: ``“… our greatest shame.” ― Sonya Herridge``;
* an embedded post: ``Why isn't Pence wearing…? — Ben Jacobs (@Bencjacobs) September 1, 2016``.

Each rule yields (source, cue, content) character spans; the colon or the dash is the cue.
Lines that only look like labels (``Update:``, ``Photo:``, ``Source:``) are not speakers, and
neither are section headings (``The Gap Goes On: …``) nor one-off shouts (``BOOM: …``): see
:func:`layout_attributions`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

__all__ = ["LayoutAttribution", "layout_attributions"]

#: (source, cue, content) as (start, end) character offsets.
LayoutAttribution = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]

_NAME_WORD = r"(?:[A-Z][\w’'.\-]*|\d+)"
_LINKERS = r"(?:of|the|de|da|van|von|al|bin|for|and|&)"
_LABEL = re.compile(
    rf"^[ \t]*[\"“‘']?(?P<src>{_NAME_WORD}(?:[ \t]+(?:{_NAME_WORD}|{_LINKERS})){{0,4}})"
    rf"(?P<cue>:)[ \t]+(?P<content>\S[^\n]*)$",
    re.MULTILINE,
)
_DASH = r"(?:―|—|–|--)"
_SIGN_OFF = re.compile(
    rf"(?P<content>[\"“”][^\n]*?[\"”])[ \t]*(?P<cue>{_DASH})[ \t]*(?P<src>[A-Z][^\n]{{0,60}}?)[ \t.]*$",
    re.MULTILINE,
)
_EMBED = re.compile(
    rf"^(?P<content>[^\n]*?\S)[ \t]+(?P<cue>{_DASH})[ \t]+(?P<src>[A-Z][^\n(]{{0,40}}\(@\w+\))[^\n]*$",
    re.MULTILINE,
)

#: Words that open a line with a colon without naming a speaker.
_NOT_SPEAKERS = """
    update updated updates note notes editor editor's editors' correction clarification disclaimer photo photos
    image images picture video watch listen audio credit credits caption source sources via by posted published
    filed tags tag topics related read see also more share subscribe follow contact email e-mail phone tel fax
    address date time when where location place title subject re fw fwd warning breaking exclusive live
    opinion comment comments summary background context timeline transcript full text download
    getty ap reuters afp step part chapter section question answer example total price cost
"""
NOT_SPEAKERS = frozenset(_NOT_SPEAKERS.split())
#: Labels that name a source without naming a person: ``Poll: Clinton leads in Ohio``.
SOURCE_NOUNS = frozenset({"poll", "polls", "report", "survey", "study", "analysis", "statement", "memo", "lawsuit"})


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == "."):
        end -= 1
    return start, end


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _is_speaker(label: str) -> bool:
    words = label.lower().split()
    if not words or words[0] in NOT_SPEAKERS or words[-1] in NOT_SPEAKERS:
        return False
    return not all(w.isdigit() for w in words)


def _name_elsewhere(text: str, label: str) -> bool:
    """A one-word label written as a name in the middle of a sentence elsewhere ("… said Pence")."""
    if " " in label:
        return False
    forms = {re.escape(label), re.escape(label.title())}
    return re.search(rf"[a-z,] (?:{'|'.join(forms)})\b", text) is not None


def layout_attributions(text: str, has_name: Callable[[int, int], bool] | None = None) -> list[LayoutAttribution]:
    """Speaker labels, sign-offs and embedded posts in *text*, in text order.

    A line label counts as a speaker when it holds a name (*has_name(start, end)*, the caller's
    entity finder), when the same label opens several lines (a transcript: ``Q:``/``A:``,
    ``WALLACE:``), when a one-word label is written as a name mid-sentence elsewhere in the text,
    or when it names a kind of source (``Poll:``). One-off shouts such as
    ``BOOM:`` or ``Revealed:`` are headlines, not speakers.
    """
    found: list[LayoutAttribution] = []
    labels = [m for m in _LABEL.finditer(text) if _is_speaker(m["src"]) and _words(m["content"]) >= 3]
    counts = Counter(m["src"].lower() for m in labels)
    for match in labels:
        label = match["src"]
        named = has_name(*match.span("src")) if has_name is not None else False
        if not (named or counts[label.lower()] > 1 or label.lower() in SOURCE_NOUNS or _name_elsewhere(text, label)):
            continue
        content = _strip(text, *match.span("content"))
        found.append((match.span("src"), match.span("cue"), content))
    for pattern in (_SIGN_OFF, _EMBED):
        for match in pattern.finditer(text):
            source = _strip(text, *match.span("src"))
            if _words(match["content"]) < 3 or not 1 <= _words(text[slice(*source)]) <= 8:
                continue
            found.append((source, match.span("cue"), _strip(text, *match.span("content"))))
    found.sort(key=lambda item: item[1])
    return found
