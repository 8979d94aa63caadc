"""Reports of one analysis: a terminal summary, Markdown, a self-contained HTML page, or JSON.

>>> from narrascope.report import render
>>> print(render(analysis, "md"))

The renderers share the helpers of ``narrascope.report.common``, so the three human-readable
formats say the same things in the same words.
"""

from __future__ import annotations

from typing import Literal

from narrascope.model import Analysis

Format = Literal["text", "json", "md", "html"]
FORMATS: tuple[Format, ...] = ("text", "json", "md", "html")


def render(analysis: Analysis, fmt: Format, *, color: bool = False) -> str:
    """The report of ``analysis`` in ``fmt``; ``color`` only matters for ``text`` (ANSI styles)."""
    if fmt == "json":
        return analysis.to_json()
    if fmt == "text":
        from narrascope.report.text import render_text

        return render_text(analysis, color=color)
    if fmt == "md":
        from narrascope.report.markdown import render_markdown

        return render_markdown(analysis)
    if fmt == "html":
        from narrascope.report.html import render_html

        return render_html(analysis)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "Format", "render"]
