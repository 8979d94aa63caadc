"""From one input (text, HTML, bytes, a path, stdin or a URL) to a ``Document``.

Each step records what it changed as an issue of the document, so a reader can see that the
text was repaired from cp1251 or that a "Leave a Reply" line was dropped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path

from narrascope.dating import DateOrder, read_date
from narrascope.errors import InputError
from narrascope.ingest import html as html_
from narrascope.ingest.decode import MAX_BYTES, decode
from narrascope.ingest.fetch import fetch
from narrascope.ingest.language import identify
from narrascope.ingest.layout import Layout, parse_layout
from narrascope.model import Document, Issue, Precision, Published, document_id

_URL = re.compile(r"^https?://", re.I)


def from_text(
    text: str,
    source: str | None = None,
    url: str | None = None,
    outlet: str | None = None,
    date_order: DateOrder | None = None,
    issues: list[Issue] | None = None,
) -> Document:
    """Build a Document from plain text or HTML given as a string."""
    issues = list(issues or [])
    text = text.replace("\x00", "")
    if not text.strip():
        raise InputError("input is empty")
    if text.lstrip().startswith("{"):
        return _from_json(text, source, outlet, date_order, issues)
    if html_.looks_like_html(text):
        return _from_html(text, source, url, outlet, date_order, issues)
    layout = parse_layout(text, order=date_order or "DMY")
    return _document(layout.body, layout, source or url, outlet, issues, None)


def from_bytes(
    data: bytes,
    source: str | None = None,
    url: str | None = None,
    encoding: str | None = None,
    outlet: str | None = None,
    date_order: DateOrder | None = None,
    max_bytes: int = MAX_BYTES,
) -> Document:
    """Decode ``data`` (recording any repair) and build a Document from it."""
    decoded = decode(data, encoding, max_bytes=max_bytes, fallback=html_.declared_charset(data))
    return from_text(decoded.text, source, url, outlet, date_order, decoded.issues)


def read_source(
    spec: str,
    allow_fetch: bool = False,
    encoding: str | None = None,
    outlet: str | None = None,
    date_order: DateOrder | None = None,
    max_bytes: int = MAX_BYTES,
) -> Document:
    """Read a path, ``-`` (stdin) or a URL (only with ``allow_fetch``) into a Document."""
    if spec == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        return from_bytes(data, "<stdin>", None, encoding, outlet, date_order, max_bytes)
    if _URL.match(spec):
        if not allow_fetch:
            raise InputError(f"{spec} is a URL: pass --fetch to allow fetching it")
        page = fetch(spec, max_bytes=max_bytes)
        return from_bytes(page.content, spec, page.url, encoding, outlet, date_order, max_bytes)
    path = Path(spec)
    if not path.exists():
        raise InputError(f"no such file: {spec}")
    if path.is_dir():
        raise InputError(f"{spec} is a directory, not an article")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{spec} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {spec}: {err.strerror}") from None
    return from_bytes(data, str(path), None, encoding, outlet, date_order, max_bytes)


def _from_json(
    text: str, source: str | None, outlet: str | None, order: DateOrder | None, issues: list[Issue]
) -> Document:
    """One article as a JSON object (see :func:`from_record`)."""
    try:
        item = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(f"invalid or truncated JSON: {err.msg} at line {err.lineno}, column {err.colno}") from None
    return from_record(item, source, outlet, order, issues)


def from_record(
    item: object,
    source: str | None = None,
    outlet: str | None = None,
    order: DateOrder | None = None,
    issues: list[Issue] | None = None,
) -> Document:
    """One article as a mapping (a JSON object, a CSV row): ``text`` or ``html``, optional
    title, url, outlet, published, authors."""
    issues = list(issues or [])
    if not isinstance(item, dict) or not isinstance(item.get("text") or item.get("html"), str):
        raise InputError("a JSON article needs a string field 'text' or 'html'")
    url = item.get("url") if isinstance(item.get("url"), str) else None
    outlet = outlet or (item["outlet"] if isinstance(item.get("outlet"), str) else None)
    document = from_text(item.get("text") or item["html"], source or url, url, outlet, order, issues)
    updates: dict[str, object] = {}
    if isinstance(item.get("title"), str) and item["title"].strip():
        updates["title"] = item["title"].strip()
    if isinstance(item.get("authors"), list):
        updates["authors"] = [str(a) for a in item["authors"] if str(a).strip()]
    if isinstance(item.get("published"), str) and (moment := _date_and_time(item["published"])):
        updates["published"] = moment
    elif isinstance(item.get("published"), str) and (found := read_date(item["published"], order=order or "DMY")):
        updates["published"] = Published(
            value=found.value.isoformat(), precision=found.precision, source="user", raw=item["published"]
        )
    return document.model_copy(update=updates) if updates else document


_SECONDS = re.compile(r"[T ]\d{2}:\d{2}:\d{2}")


def _date_and_time(text: str) -> Published | None:
    """An ISO 8601 date with a time of day, kept to the precision given (and its UTC offset, if
    any): the time is what coordination windows of minutes or hours measure."""
    raw = text.strip()
    if len(raw) <= 10:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    precision: Precision = "second" if _SECONDS.match(raw[10:]) else "minute"
    value = moment.isoformat(timespec="seconds" if precision == "second" else "minutes")
    return Published(value=value, precision=precision, source="user", raw=text)


def _from_html(
    text: str,
    source: str | None,
    url: str | None,
    outlet: str | None,
    order: DateOrder | None,
    issues: list[Issue],
) -> Document:
    page = html_.extract(text, url)
    layout = parse_layout(page.text, order=order or page.date_order, title_hint=page.title)
    meta_date = Published(value=page.date, precision="day", source="html-meta") if page.date else None
    if meta_date and layout.published and layout.published.value != meta_date.value:
        issues.append(
            Issue(
                code="date-conflict",
                message=f"page metadata says {meta_date.value}, dateline says {layout.published.value}",
            )
        )
    layout.published = meta_date or layout.published
    layout.authors = page.authors or layout.authors
    if outlet is None and layout.outlet is None and page.sitename:
        return _document(layout.body, layout, source or url, page.sitename, issues, "site-name")
    return _document(layout.body, layout, source or url, outlet, issues, None)


def _document(
    body: str,
    layout: Layout,
    source: str | None,
    outlet: str | None,
    issues: list[Issue],
    outlet_source: str | None,
) -> Document:
    if not body.strip():
        raise InputError("no article text left after removing headline, dateline and page leftovers")
    if outlet:
        outlet_source = outlet_source or "user"
    elif layout.outlet:
        outlet, outlet_source = layout.outlet, "source-line"
    return Document(
        id=document_id(outlet, body),
        source=source,
        outlet=outlet,
        outlet_source=outlet_source,
        title=layout.title,
        authors=layout.authors,
        published=layout.published,
        place=layout.place,
        language=identify(body),
        text=body,
        paragraphs=layout.paragraphs,
        issues=[*issues, *layout.issues],
    )
