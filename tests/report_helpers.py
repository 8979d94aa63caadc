"""Helpers shared by the report tests: fixture paragraphs, an HTML reader, Markdown table splitting."""

from __future__ import annotations

import re
from html.parser import HTMLParser


def paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


# --- an HTML reader: tags, stylesheet, and the marks covering each character of the article --------

ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "div",
    "header",
    "footer",
    "section",
    "p",
    "h1",
    "h2",
    "h3",
    "dl",
    "dt",
    "dd",
    "a",
    "input",
    "label",
    "strong",
    "span",
    "mark",
    "ul",
    "li",
    "code",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRS = {
    "charset",
    "http-equiv",
    "content",
    "name",
    "lang",
    "dir",
    "class",
    "id",
    "title",
    "href",
    "rel",
    "type",
    "checked",
    "for",
    "data-start",
    "data-end",
    "aria-labelledby",
}


class Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        # the same tags with their attributes as parsed, in order and with any repeated name kept
        self.raw_tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.styles: list[str] = []
        self.in_style = False
        self.depth = 0  # > 0 while inside div#article-text
        self.marks: list[tuple[str, str]] = []
        self.chars: list[tuple[str, tuple[tuple[str, str], ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        self.raw_tags.append((tag, attrs))
        self.in_style = tag == "style"
        if self.depth:
            self.depth += 1
            if tag == "mark":
                self.marks.append((values.get("class") or "", values.get("title") or ""))
        elif tag == "div" and values.get("id") == "article-text":
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False
        if self.depth:
            self.depth -= 1
            if tag == "mark":
                self.marks.pop()

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.styles.append(data)
        if self.depth:
            self.chars.extend((char, tuple(self.marks)) for char in data)

    def marks_at(self, position: int) -> list[tuple[list[str], str]]:
        """The marks covering one character of the article: their classes and tooltip."""
        return [(css.split(), title) for css, title in self.chars[position][1]]


def read(page: str) -> Reader:
    reader = Reader()
    reader.feed(page)
    reader.close()
    return reader


# --- markdown tables ------------------------------------------------------------------------------


def cells(row: str) -> list[str]:
    """Split a pipe-table row on unescaped pipes (a pipe after an odd run of backslashes is literal)."""
    assert row.startswith("| ") and row.endswith(" |"), row
    found, current, escaped = [], "", False
    for char in row[1:-1]:
        if char == "|" and not escaped:
            found.append(current)
            current = ""
        else:
            current += char
        escaped = char == "\\" and not escaped
    return [*found, current]


def tables(markdown: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    return blocks
