"""Claims, figures and labels in the reports: present in every format, and inert when the article
is hostile (it goes through the real pipeline, so the new tables carry its words)."""

from __future__ import annotations

import re

import pytest

from narrascope.model import Analysis
from narrascope.pipeline import Pipeline
from narrascope.report import render
from narrascope.report.html import render_html
from narrascope.report.markdown import render_markdown
from report_helpers import ALLOWED_ATTRS, ALLOWED_TAGS, read

HOSTILE = (
    "Officials probably said <script>alert(1)</script> that 14 <img src=x onerror=alert(2)> people died.\n\n"
    'ISIL (organization banned in Russia) <a href="javascript:alert(3)">claimed</a> it, '
    "according to the police | chief."
)


@pytest.fixture(scope="module")
def hostile(nlp: Pipeline) -> Analysis:
    return nlp(HOSTILE)


def test_claim_layers_are_filled(hostile: Analysis) -> None:
    assert hostile.claims and hostile.labels and hostile.figures
    assert any(c.kind == "hedge" for claim in hostile.claims for c in claim.cues)


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_every_format_shows_claims_figures_labels(hostile: Analysis, fmt: str) -> None:
    out = render(hostile, fmt)
    for heading in ("Claims", "Figures", "Designation labels"):
        assert heading in out
    assert "organization banned in Russia" in out


def test_html_claim_tables_and_layers_are_inert(hostile: Analysis) -> None:
    page = render_html(hostile)
    lowered = page.lower()
    for needle in ("<script", "<img", '<a href="javascript'):
        assert needle not in lowered, needle
    reader = read(page)
    for tag, attrs in reader.raw_tags:
        assert tag in ALLOWED_TAGS, tag
        assert all(name in ALLOWED_ATTRS and not name.startswith("on") for name, _ in attrs)
    for layer in ("certainty", "figures", "labels"):
        assert f"l-{layer}" in page


def test_markdown_claim_tables_are_escaped(hostile: Analysis) -> None:
    out = render_markdown(hostile)
    assert not re.search(r"(?<!\\)<(?!br>)", out)
    for line in out.splitlines():
        if line.startswith("| C"):
            assert line.count("|") - line.count("\\|") == 7, line
