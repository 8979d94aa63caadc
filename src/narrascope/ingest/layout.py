"""Separate an article's furniture from its body.

Headline, dateline, byline and "Source:" lines are metadata about the article, not part of what
it says; web-page leftovers ("Leave a Reply", share prompts) are not part of it at all. Feeding
them to the annotators produces false entities ("Kazakhstan\\n\\n06.01.2021") and false quotes,
so they are lifted out here, and every removal is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from narrascope.dating import MONTH_PATTERN, DateOrder, read_date
from narrascope.model import Issue, Published

_BOILERPLATE = re.compile(
    r"""^(?:
        leave\ a\ (?:reply|comment)|post\ a\ comment|add\ (?:a\ )?comment|cancel\ reply|
        you\ must\ be\ logged\ in\ to\ post\ a\ comment\.?|
        \d*\s*comments?|no\ comments(?:\ yet)?|show\ comments|comments\ are\ closed\.?|
        share(?:\ this)?(?:\ (?:article|post|story|page))?(?:\ (?:on|via)\ \w+)?:?|
        share\ on\ \w+|tweet(?:\ this)?|email|print(?:\ this)?|like\ this:?|like\ loading\.{3}|
        click\ to\ (?:share|print|email)[^.]*\.?|related(?:\ (?:posts|articles|stories|news))?:?|
        post\ navigation|read\ (?:more|also)[:.…]*|follow\ us\ on\ [\w ,]+|
        subscribe(?:\ to\ (?:our|the)\ newsletter)?\.?|sign\ up\ for\ our\ newsletter\.?|
        оставить\ комментарий|оставьте\ комментарий|комментарии|поделиться(?:\ в\ \w+)?:?|
        читайте\ также:?|подписывайтесь\ на\ \w+.*
    )$""",
    re.I | re.X,
)
_SOURCE = re.compile(r"^(?:(?:sources?|источник)\s*:|originally published (?:by|at|in)\s*:?)\s*(.{2,80}?)\.?$", re.I)
_BYLINE = re.compile(
    r"^(?:by|автор:?)\s+([^\W\d_][\w.'’ -]{2,60}?(?:\s*(?:,|and|и)\s*[^\W\d_][\w.'’ -]{2,60}?)*)\.?$", re.I
)
_DATE_TEXT = (
    r"(?:\d{1,4}[./-]\d{1,2}[./-]\d{2,4}"
    r"|\d{1,2}\s+(?:MONTHS)\.?,?\s+\d{4}"
    r"|(?:MONTHS)\.?\s+\d{1,2},?\s+\d{4})"
).replace("MONTHS", MONTH_PATTERN)
_PLACE = r"[^\W\d_][\w'’.-]*(?:[ -][^\W\d_][\w'’.-]*){0,3}"
_DATELINE = re.compile(
    rf"^(?:(?P<date>{_DATE_TEXT})(?:\s*,\s*|\s+[-–—]\s+|\s+)(?P<place>{_PLACE})"
    rf"|(?P<place2>{_PLACE})\s*,\s*(?P<date2>{_DATE_TEXT}))\.?$",
    re.I,
)
_INLINE_DATELINE = re.compile(
    r"^(?P<place>[A-ZА-ЯЁ][A-ZА-ЯЁ'’. -]{1,30}[A-ZА-ЯЁ])"
    r"(?:\s*,\s*(?P<date>[\w ,.]{3,30}?))?\s*(?:\((?P<agency>[^()]{2,40})\))?\s*[-–—]+\s+"
)


@dataclass
class Layout:
    """What the furniture said, and the body left once it is lifted out."""

    body: str
    paragraphs: list[tuple[int, int]]
    title: str | None = None
    place: str | None = None
    published: Published | None = None
    outlet: str | None = None
    authors: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; a text without any has one per line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    blocks = re.split(r"\n[ \t\u00a0]*\n", text) if re.search(r"\n[ \t\u00a0]*\n", text) else text.split("\n")
    return [re.sub(r"[ \t\u00a0]*\n[ \t\u00a0]*", " ", b).strip() for b in blocks if b.strip()]


def _is_headline(paragraph: str, rest: list[str]) -> bool:
    return bool(rest) and len(paragraph) <= 200 and "\n" not in paragraph and not re.search(r"[.!…:;,]$", paragraph)


def _dateline(paragraph: str, order: DateOrder) -> tuple[str, Published, list[Issue]] | None:
    m = _DATELINE.match(paragraph)
    if not m:
        return None
    raw, place = (m.group("date"), m.group("place")) if m.group("date") else (m.group("date2"), m.group("place2"))
    found = read_date(raw, order=order)
    if not found:
        return None
    issues = []
    if found.ambiguous_order:
        issues.append(
            Issue(code="date-order-assumed", message=f"dateline {raw!r} read {order} as {found.value.isoformat()}")
        )
    return (
        place.strip().rstrip("."),
        Published(value=found.value.isoformat(), precision=found.precision, source="dateline", raw=raw),
        issues,
    )


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", " ", a).strip().casefold() == re.sub(r"\W+", " ", b).strip().casefold()


def parse_layout(text: str, order: DateOrder = "DMY", title_hint: str | None = None) -> Layout:
    """Lift headline, dateline, byline, source line and leftovers out of a plain-text article.

    With ``title_hint`` (a title known from HTML metadata) a first line is taken as the headline
    only when it repeats that title; without it, a short first line with no final punctuation is.
    """
    paragraphs = split_paragraphs(text)
    layout = Layout(body="", paragraphs=[], title=title_hint)
    kept: list[str] = []
    for i, para in enumerate(paragraphs):
        near_start, near_end = len(kept) < 3, i >= len(paragraphs) - 4
        if _BOILERPLATE.match(para):
            layout.issues.append(Issue(code="boilerplate-removed", message="web-page leftover removed", removed=para))
            continue
        if not kept and i == 0:
            if title_hint is not None and _same(para, title_hint):
                continue
            if title_hint is None and _is_headline(para, paragraphs[1:]):
                layout.title = para
                continue
        if near_start and layout.published is None and (dl := _dateline(para, order)):
            layout.place, layout.published, issues = dl
            layout.issues.extend(issues)
            continue
        if near_start and not layout.authors and (by := _BYLINE.match(para)):
            layout.authors = [a.strip() for a in re.split(r"\s*(?:,|\band\b|\bи\b)\s*", by.group(1)) if a.strip()]
            continue
        if near_end and layout.outlet is None and (src := _SOURCE.match(para)):
            layout.outlet = src.group(1).strip()
            continue
        kept.append(para)
    if kept and layout.place is None and (inline := _INLINE_DATELINE.match(kept[0])):
        place = inline.group("place").strip()
        if len(place) > 2 and place.upper() == place:
            layout.place = place.title()
            if inline.group("agency") and layout.outlet is None:
                layout.outlet = inline.group("agency").strip()
            if (
                inline.group("date")
                and layout.published is None
                and (found := read_date(inline.group("date"), order=order))
            ):
                layout.published = Published(
                    value=found.value.isoformat(),
                    precision=found.precision,
                    source="dateline",
                    raw=inline.group("date"),
                )
            kept[0] = kept[0][inline.end() :]
    offsets: list[tuple[int, int]] = []
    position = 0
    for para in kept:
        offsets.append((position, position + len(para)))
        position += len(para) + 2
    layout.body = "\n\n".join(kept)
    layout.paragraphs = offsets
    return layout
