"""What ``narrascope ingest`` reads: folders of articles, JSON Lines and CSV files, WARC
archives (warcio: each HTML response record is an article) and RSS/Atom feed files (feedparser:
each entry with its title, link, date and content or summary).

Each input yields ``Item``s: where it came from (``path`` or ``path:line``) and either the
``Document`` or the one-line reason it could not be read, so one broken file among thousands is
reported and skipped instead of stopping the run.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from narrascope.errors import InputError, NarrascopeError
from narrascope.ingest import from_bytes, from_record, read_source
from narrascope.ingest.decode import decode
from narrascope.model import Document

__all__ = ["ARTICLE_SUFFIXES", "Columns", "Item", "count_inputs", "read_inputs"]

ARTICLE_SUFFIXES = frozenset({".txt", ".html", ".htm", ".json"})
"""Files of a folder that are read as one article each (others are left alone)."""


@dataclass(frozen=True)
class Columns:
    """Which CSV columns (or JSON Lines fields) hold the text and the metadata."""

    text: str = "text"
    title: str = "title"
    url: str = "url"
    outlet: str = "outlet"
    published: str = "published"

    def record(self, row: dict[str, object]) -> dict[str, object]:
        """*row* renamed to the fields ``ingest.from_record`` reads; empty cells left out."""
        out: dict[str, object] = {}
        for field, column in (
            ("text", self.text),
            ("title", self.title),
            ("url", self.url),
            ("outlet", self.outlet),
            ("published", self.published),
        ):
            value = row.get(column)
            if value not in (None, ""):
                out[field] = value
        if "text" not in out and isinstance(row.get("html"), str):
            out["html"] = row["html"]
        return out


@dataclass(frozen=True)
class Item:
    origin: str
    document: Document | None = None
    error: str | None = None


def _article(path: Path) -> Item:
    try:
        return Item(str(path), read_source(str(path)))
    except NarrascopeError as error:
        return Item(str(path), error=str(error))


def _is_utf8(path: Path) -> bool:
    """Whether the whole file is valid UTF-8 (read in 1 MB chunks, nothing kept)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _open_text(path: Path) -> IO[str]:
    """A table or lines file as text: streamed when it is UTF-8 (a BOM dropped), else decoded
    whole by narrascope's detection (cp1251, latin-1…), as single articles are."""
    if _is_utf8(path):
        return open(path, encoding="utf-8-sig", newline="")
    return io.StringIO(decode(path.read_bytes(), max_bytes=path.stat().st_size + 1).text, newline="")


def _lines(path: Path, columns: Columns) -> Iterator[Item]:
    try:
        with _open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                origin = f"{path}:{number}"
                try:
                    row = json.loads(line)
                    if not isinstance(row, dict):
                        raise InputError("a JSON Lines row must be an object")
                    yield Item(origin, from_record(columns.record(row), origin))
                except json.JSONDecodeError as error:
                    yield Item(origin, error=f"invalid or truncated JSON: {error.msg}")
                except NarrascopeError as error:
                    yield Item(origin, error=str(error))
    except (OSError, InputError) as error:
        yield Item(str(path), error=f"cannot read: {error}")


def _rows(path: Path, columns: Columns) -> Iterator[Item]:
    try:
        with _open_text(path) as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or columns.text not in reader.fieldnames:
                yield Item(str(path), error=f"no column {columns.text!r} (use --text-col)")
                return
            for number, row in enumerate(reader, start=2):
                origin = f"{path}:{number}"
                try:
                    yield Item(origin, from_record(columns.record(dict(row)), origin))
                except NarrascopeError as error:
                    yield Item(origin, error=str(error))
    except (OSError, InputError, csv.Error) as error:
        yield Item(str(path), error=f"cannot read: {error}")


WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
FEED_SUFFIXES = (".rss", ".atom", ".xml")


def _warc_records(path: Path) -> Iterator[tuple[int, str | None, bytes]]:
    """(record number, target URL, payload) of each HTML response; warcio's warnings about a
    malformed file are kept off the terminal (the caller reports the file instead)."""
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as handle:
        records = iter(ArchiveIterator(handle))
        number = 0
        while True:
            with contextlib.redirect_stderr(io.StringIO()):
                record = next(records, None)
                if record is None:
                    return
                number += 1
                headers = record.http_headers
                kind = (headers.get_header("Content-Type") or "").lower() if headers is not None else ""
                wanted = record.rec_type == "response" and "html" in kind
                payload = record.content_stream().read() if wanted else b""
                url = record.rec_headers.get_header("WARC-Target-URI")
            if wanted:
                yield number, url, payload


def _warc(path: Path) -> Iterator[Item]:
    from warcio.exceptions import ArchiveLoadFailed

    found = 0
    try:
        for number, url, payload in _warc_records(path):
            found += 1
            origin = f"{path}:{number}" + (f" ({url})" if url else "")
            try:
                yield Item(origin, from_bytes(payload, url or origin, url))
            except NarrascopeError as error:
                yield Item(origin, error=str(error))
    except (OSError, ArchiveLoadFailed, ValueError) as error:
        yield Item(str(path), error=f"cannot read the archive: {error}")
        return
    if not found:
        yield Item(str(path), error="cannot read the archive: no HTML response records in it")


def _fragment_text(fragment: str) -> str:
    """The text of an HTML fragment (a feed entry's content), paragraphs on their own lines."""
    import lxml.html

    try:
        root = lxml.html.fromstring(fragment)
    except (ValueError, lxml.etree.ParserError):
        return fragment
    for block in root.iter("p", "br", "div", "li", "h1", "h2", "h3"):
        block.tail = "\n\n" + (block.tail or "")
    return "\n".join(line.strip() for line in root.text_content().splitlines()).strip()


def _feed(path: Path) -> Iterator[Item]:
    import feedparser

    try:
        parsed = feedparser.parse(path.read_bytes())
    except OSError as error:
        yield Item(str(path), error=f"cannot read: {error}")
        return
    if not parsed.entries:
        reason = parsed.get("bozo_exception")
        yield Item(str(path), error=f"no feed entries{f' ({reason})' if reason else ''}")
        return
    for number, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link")
        origin = f"{path}:{number}" + (f" ({link})" if link else "")
        content = entry.get("content") or []
        body = content[0].get("value") if content else entry.get("summary")
        text = _fragment_text(body) if body else None
        if not text:
            yield Item(origin, error="the feed entry has no content or summary")
            continue
        record = {"text": text, "title": entry.get("title"), "url": link, "published": entry.get("published")}
        try:
            yield Item(origin, from_record({k: v for k, v in record.items() if v}, link or origin))
        except NarrascopeError as error:
            yield Item(origin, error=str(error))


def _url(url: str, fetch: bool) -> Item:
    from narrascope.ingest.fetch import robots_allowed

    if not fetch:
        return Item(url, error="a URL: pass --fetch to allow fetching it")
    try:
        if not robots_allowed(url):
            return Item(url, error="refused by the site's robots.txt")
        return Item(url, read_source(url, allow_fetch=True))
    except NarrascopeError as error:
        return Item(url, error=str(error))


def read_inputs(paths: Sequence[Path | str], columns: Columns = Columns(), fetch: bool = False) -> Iterator[Item]:
    """Every article of *paths*: a folder (its ``.txt``, ``.html``, ``.json`` files, recursively,
    in sorted order), a ``.jsonl`` / ``.ndjson`` file (one article per line), a ``.csv`` file
    (one per row), a WARC file (one per HTML response), an RSS/Atom file (``.rss``, ``.atom``,
    ``.xml``; one per entry), a single article file, or an http(s) URL (fetched only with
    *fetch*, obeying robots.txt, never from a private address)."""
    for given in paths:
        if isinstance(given, str) and given.lower().startswith(("http://", "https://")):
            yield _url(given, fetch)
            continue
        path = Path(given)
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES):
                yield _article(found)
        elif not path.exists():
            yield Item(str(path), error="no such file or folder")
        elif path.suffix.lower() in (".jsonl", ".ndjson"):
            yield from _lines(path, columns)
        elif path.suffix.lower() == ".csv":
            yield from _rows(path, columns)
        elif path.name.lower().endswith(WARC_SUFFIXES):
            yield from _warc(path)
        elif path.suffix.lower() in FEED_SUFFIXES:
            yield from _feed(path)
        else:
            yield _article(path)


def count_inputs(paths: Sequence[Path | str]) -> int:
    """About how many items :func:`read_inputs` will yield, for a progress bar: CSV rows with
    line breaks inside a cell make it an overestimate; a WARC archive or a feed counts as one
    (knowing more would mean reading it twice)."""
    total = 0
    for given in paths:
        path = Path(given)
        if path.is_dir():
            total += sum(1 for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
        elif path.suffix.lower() in (".jsonl", ".ndjson", ".csv") and path.is_file():
            try:
                with open(path, "rb") as handle:
                    lines = sum(1 for line in handle if line.strip())
            except OSError:
                lines = 1
            total += max(lines - (path.suffix.lower() == ".csv"), 1)
        else:
            total += 1
    return total
