"""Reports: every format renders, HTML is inert and faithful to the text, Markdown tables hold."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest

from narrascope.model import (
    Analysis,
    Document,
    Entity,
    Issue,
    Language,
    Mention,
    Published,
    Span,
    Technique,
    TechniqueProfile,
    TimeExpression,
)
from narrascope.report import render
from narrascope.report.html import CSP, SPAN_LAYERS, Highlight, SpanLayer, render_html
from narrascope.report.markdown import render_markdown
from narrascope.report.text import render_text
from report_helpers import ALLOWED_ATTRS, ALLOWED_TAGS, cells, paragraphs, read, tables

# --- fixtures ------------------------------------------------------------------------------------


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def span(text: str, needle: str, nth: int = 0) -> Span:
    start, end = at(text, needle, nth)
    return Span(start=start, end=end, text=text[start:end])


def mention(text: str, needle: str, label: str, origin: str = "model", nth: int = 0) -> Mention:
    return Mention.model_validate({"span": span(text, needle, nth), "label": label, "origin": origin})


SIMPLE_TEXT = (
    "Yury Byaly said on January 6 that the Experimental Creative Center Foundation (Kurginyan Center) "
    "had warned Kazakhstan.\n\n"
    "Byaly added that Kazakhstan faced attacks for all these years."
)


def simple_analysis() -> Analysis:
    text = SIMPLE_TEXT
    document = Document(
        id="doc123",
        source="https://example.org/news/1?a=1&b=2",
        outlet="Example News",
        outlet_source="source-line",
        title="Expert warns Kazakhstan",
        authors=["Ann Writer", "Bo Reporter"],
        published=Published(value="2021-01-06", precision="day", source="dateline", raw="06.01.2021"),
        place="Moscow",
        language=Language(code="en", confidence=0.97, supported=True),
        text=text,
        paragraphs=paragraphs(text),
        issues=[
            Issue(code="date-order-assumed", message="dateline '06.01.2021' read DMY as 2021-01-06"),
            Issue(code="boilerplate-removed", message="web-page leftover removed", removed="Leave a Reply"),
        ],
    )
    entities = [
        Entity(
            id="E1",
            name="Yury Byaly",
            type="PERSON",
            key="yury byaly",
            variants=["Yury Byaly", "Byaly"],
            mentions=[mention(text, "Yury Byaly", "PERSON"), mention(text, "Byaly", "PERSON", "propagated", 1)],
        ),
        Entity(
            id="E2",
            name="Experimental Creative Center",
            type="ORG",
            key="ecc",
            variants=["Experimental Creative Center Foundation (Kurginyan Center)"],
            mentions=[mention(text, "Experimental Creative Center Foundation (Kurginyan Center)", "ORG", "gazetteer")],
        ),
        Entity(
            id="E3",
            name="Kurginyan Center",
            type="ORG",
            key="kurginyan center",
            variants=["Kurginyan Center"],
            mentions=[mention(text, "Kurginyan Center", "ORG", "gazetteer")],
        ),
        Entity(
            id="E4",
            name="Kazakhstan",
            type="GPE",
            key="kazahstan",
            variants=["Kazakhstan"],
            mentions=[mention(text, "Kazakhstan", "GPE"), mention(text, "Kazakhstan", "NORP", nth=1)],
        ),
    ]
    dates = [
        TimeExpression(span=span(text, "January 6"), value="2021-01-06", precision="day", relative=True),
        TimeExpression(span=span(text, "all these years")),
    ]
    return Analysis(document=document, entities=entities, dates=dates, models={"narrascope": "0.1.0"})


HOSTILE_TEXT = (
    "Officials said <script>alert(1)</script> nothing.\n\n"
    "<img src=x onerror=alert(1)> and <a href=\"javascript:alert(2)\">click</a> & <b onmouseover='x()'>hi</b>\n\n"
    "</style><style>body{display:none}</style> </title></textarea><!-- \"' ]]> <svg/onload=alert(3)>"
)


def hostile_analysis() -> Analysis:
    text = HOSTILE_TEXT
    script_type = '"><script>alert(4)</script>'
    document = Document(
        id='x"><script>alert(5)</script>',
        source="javascript:alert(6)",
        outlet="<img src=x onerror=alert(7)>",
        outlet_source="</style><script>alert(8)</script>",
        title="</title><script>alert(9)</script>",
        authors=["<script>alert(10)</script>", "\x1b[31mred\x1b[0m"],
        published=Published(value="<b>2021</b>", precision="year", source="user", raw="<i onclick=x()>"),
        place="<iframe src=javascript:alert(11)>",
        language=Language(code='en" onmouseover="alert(12)', confidence=0.5, supported=False),
        text=text,
        paragraphs=paragraphs(text),
        issues=[Issue(code="<script>", message="</style>", removed="<img src=x onerror=alert(13)>")],
    )
    entities = [
        Entity(
            id="E1",
            name='"><script>alert(14)</script>',
            type=script_type,
            key="k",
            variants=["<script>alert(1)</script>"],
            mentions=[mention(text, "<script>alert(1)</script>", script_type)],
        ),
        Entity(
            id="E2",
            name="<img onerror>",
            type="ORG",
            key="k2",
            variants=["<img src=x onerror=alert(1)>"],
            mentions=[mention(text, "<img src=x onerror=alert(1)>", "ORG", "gazetteer")],
        ),
        Entity(
            id="E3",
            name="javascript",
            type="MISC",
            key="k3",
            variants=['"javascript:alert(2)"'],
            mentions=[mention(text, '"javascript:alert(2)"', "MISC")],
        ),
    ]
    dates = [TimeExpression(span=span(text, "</style><style>"), value='"><script>', precision="day")]
    techniques = [
        Technique(
            id="P1",
            span=span(text, "<script>alert(1)</script>"),
            technique='"><script>alert(15)</script>',
            family="</style><script>alert(16)</script>",
            score=0.9,
            cue=span(text, "alert(1)"),
        ),
        Technique(
            id="P2",
            span=span(text, "<img src=x onerror=alert(1)> and"),
            technique="Loaded_Language",
            family="emotional wording",
            score=0.2,
            cue=span(text, "onerror"),
            level="paragraph",
        ),
    ]
    technique_profile = TechniqueProfile(
        spans=1, paragraphs=1, per_1000_words=1.0, families={"<b>": 1}, techniques={"<i>": 1}
    )
    return Analysis(
        document=document,
        entities=entities,
        dates=dates,
        techniques=techniques,
        technique_profile=technique_profile,
        models={"<script>": "</style>"},
    )


def article_section(page: str) -> str:
    match = re.search(r'<div class="article" id="article-text"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert match, "article section missing"
    return match.group(1)


# --- dispatch --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json", "md", "html"])
def test_every_format_renders(fmt: str) -> None:
    analysis = simple_analysis()
    out = render(analysis, fmt)  # type: ignore[arg-type]
    assert out.strip()
    if fmt == "json":
        assert Analysis.from_json(out) == analysis
    else:
        assert "Yury Byaly" in out
        assert "2021-01-06" in out


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown report format"):
        render(simple_analysis(), "pdf")  # type: ignore[arg-type]


def test_empty_analysis_renders_everywhere() -> None:
    analysis = Analysis(document=Document(id="d", text="Nothing to see."))
    for fmt in ("text", "json", "md", "html"):
        assert render(analysis, fmt)  # type: ignore[arg-type]
    assert "Nothing to see." in html.unescape(article_section(render_html(analysis)))


# --- text ------------------------------------------------------------------------------------------


def test_text_report_sections_and_content() -> None:
    out = render_text(simple_analysis(), color=False)
    for expected in (
        "Expert warns Kazakhstan",
        "Example News (from the article's source line)",
        '2021-01-06 (day precision, from the dateline "06.01.2021")',
        "Moscow",
        "en (confidence 97%)",
        "Ann Writer; Bo Reporter",
        "doc123",
        "Issues on ingest (2)",
        "boilerplate-removed",
        "Leave a Reply",
        "Entities (4)",
        "PERSON",
        "Yury Byaly ×1, Byaly ×1",
        "propagated",
        "also labelled NORP ×1",
        "Dates (2)",
        "2021-01-06 (day, relative)",
        "unresolved",
    ):
        assert expected in out, expected
    assert "\x1b" not in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_text_report_colour_and_inert_content() -> None:
    assert "\x1b[" in render_text(simple_analysis(), color=True)
    analysis = hostile_analysis()
    plain = render_text(analysis, color=False)
    assert "\x1b" not in plain  # the ANSI escape hidden in an author name is shown, not executed
    assert "\\x1b[31mred" in plain
    coloured = render_text(analysis, color=True)
    assert "\\x1b[31mred" in coloured
    assert "\x1b[31mred" not in coloured


def test_text_report_does_not_interpret_rich_markup() -> None:
    analysis = simple_analysis()
    entity = analysis.entities[0].model_copy(update={"name": "[bold red]Boss[/bold red]"})
    out = render_text(analysis.model_copy(update={"entities": [entity]}), color=False)
    assert "[bold red]Boss[/bold red]" in out


# --- markdown --------------------------------------------------------------------------------------


def test_markdown_tables_survive_pipes_and_newlines() -> None:
    analysis = simple_analysis()
    weird = analysis.entities[0].model_copy(update={"name": "Left | Right \\| Back\\"})
    issue = Issue(code="x|y", message="two\nlines | here", removed="first\r\nsecond\u2028third|")
    document = analysis.document.model_copy(update={"issues": [issue]})
    out = render_markdown(
        analysis.model_copy(update={"entities": [weird, *analysis.entities[1:]], "document": document})
    )
    found = tables(out)
    assert len(found) == 5  # issues, PERSON, ORG, GPE, dates
    for table in found:
        width = len(cells(table[0]))
        assert re.fullmatch(r"\|( ---:?? \|)+", table[1].replace("---:", "---")), table[1]
        for row in table:
            assert len(cells(row)) == width, row
    assert "Left \\| Right \\\\\\| Back\\\\" in out
    assert "| x\\|y | two<br>lines \\| here | first<br>second<br>third\\| |" in out


def test_markdown_escapes_hostile_content() -> None:
    out = render_markdown(hostile_analysis())
    assert not re.search(r"(?<!\\)<(?!br>)", out), "an unescaped < could open HTML"
    assert "\\<script\\>" in out
    assert "\x1b" not in out


def test_markdown_content() -> None:
    out = render_markdown(simple_analysis())
    assert out.startswith("# Expert warns Kazakhstan\n")
    assert "## Issues on ingest (2)" in out
    assert "### ORG · Organisations (2 entities, 2 mentions)" in out
    assert "| Yury Byaly | 7 |" not in out
    assert "| Yury Byaly | 2 | Yury Byaly ×1, Byaly ×1 | model ×1; propagated ×1 |" in out


# --- html: safety ----------------------------------------------------------------------------------


def test_html_hostile_article_is_inert() -> None:
    page = render_html(hostile_analysis())
    lowered = page.lower()
    for needle in ("<script", "<img", "<iframe", "<svg", "<b ", '<a href="javascript', "<!--", "<textarea"):
        assert needle not in lowered, needle
    reader = read(page)
    for tag, attrs in reader.raw_tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRS, (tag, name)
            assert not name.startswith("on")
            if name == "href":
                assert value is not None and re.match(r"https?://", value), value
    assert [t for t, _ in reader.tags].count("style") == 1
    assert lowered.count("</style") == 1  # only the page's own stylesheet closes
    assert [t for t, _ in reader.tags].count("a") == 0  # javascript: source is not a link
    style = "".join(reader.styles)
    assert "<" not in style  # nothing from the article reaches the stylesheet but safe class names
    # the text is shown faithfully, as text
    assert "".join(c for c, _ in reader.chars) == HOSTILE_TEXT


def test_html_has_strict_csp_and_no_external_assets() -> None:
    page = render_html(simple_analysis())
    assert f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">' in page
    assert "default-src 'none'" in CSP and "style-src 'unsafe-inline'" in CSP and "script" not in CSP
    assert page.index("Content-Security-Policy") < page.index("<style>")
    for tag, attrs in read(page).tags:
        assert tag not in {"script", "link", "img", "iframe", "object", "embed"}
        assert "src" not in attrs
    assert "url(" not in page and "@import" not in page


def test_html_source_link_only_for_http() -> None:
    page = render_html(simple_analysis())
    assert '<a href="https://example.org/news/1?a=1&amp;b=2" rel="noopener noreferrer nofollow">' in page


# --- html: highlights ------------------------------------------------------------------------------


def test_html_entity_wrapped_in_mark_with_type_class() -> None:
    page = render_html(simple_analysis())
    match = re.search(r'<mark class="l-entities k-PERSON" title="([^"]*)">Yury Byaly</mark>', page)
    assert match, "PERSON mention not highlighted"
    tooltip = html.unescape(match.group(1))
    assert "Yury Byaly — PERSON" in tooltip and "origin: model" in tooltip
    propagated = re.search(r'<mark class="l-entities k-PERSON" title="([^"]*)">Byaly</mark>', page)
    assert propagated and "origin: propagated" in html.unescape(propagated.group(1))
    date = re.search(r'<mark class="l-dates k-resolved" title="([^"]*)">January 6</mark>', page)
    assert date and "resolved to 2021-01-06" in html.unescape(date.group(1))
    assert re.search(r'<mark class="l-dates k-unresolved" title="[^"]*">all these years</mark>', page)


def test_html_article_section_gives_back_the_exact_text() -> None:
    for analysis in (simple_analysis(), hostile_analysis()):
        section = article_section(render_html(analysis))
        assert html.unescape(re.sub(r"<[^>]*>", "", section)) == analysis.document.text


def overlapping_analysis() -> Analysis:
    text = "Alpha Beta Gamma Delta.\n\nEpsilon & <Zeta> end."
    s = len("Alpha ")
    cross = text.index("Delta")  # a span crossing the paragraph break
    p2 = text.index("Epsilon")
    spans = {
        "outer": (0, len("Alpha Beta Gamma")),  # contains "inner" and "same"
        "inner": (s, s + len("Beta")),
        "same": (s, s + len("Beta")),  # exactly the same characters as "inner"
        "tail": (text.index("Gamma"), cross + 3),  # overlaps the end of "outer"
        "cross": (cross, p2 + len("Epsilon")),  # crosses paragraphs
        "edge": (len(text) - 4, len(text)),
        "empty": (3, 3),
    }
    mentions = {
        name: Mention(span=Span(start=a, end=b, text=text[a:b]), label="ORG", origin="model")
        for name, (a, b) in spans.items()
    }
    entities = [
        Entity(
            id=name,
            name=name,
            type="ORG" if name != "inner" else "PERSON",
            key=name,
            variants=[mentions[name].span.text],
            mentions=[mentions[name]],
        )
        for name in spans
        if name != "same"
    ]
    # "same" is a date with the same offsets as the PERSON entity "inner"
    dates = [
        TimeExpression(span=mentions["same"].span, value="2020", precision="year"),
        TimeExpression(span=Span(start=text.index("<Zeta>"), end=text.index("<Zeta>") + 6, text="<Zeta>")),
    ]
    # a span beyond the end of the text is clamped, not rendered as extra characters
    beyond = Mention(span=Span(start=len(text) - 2, end=len(text) + 5, text="x" * 7), label="ORG", origin="model")
    entities.append(Entity(id="beyond", name="beyond", type="ORG", key="b", variants=["x"], mentions=[beyond]))
    document = Document(id="o", text=text, paragraphs=[(0, 23), (25, len(text))])
    return Analysis(document=document, entities=entities, dates=dates)


def test_html_overlapping_spans_lose_and_duplicate_nothing() -> None:
    analysis = overlapping_analysis()
    page = render_html(analysis)
    text = analysis.document.text
    reader = read(page)
    assert "".join(c for c, _ in reader.chars) == text
    assert html.unescape(re.sub(r"<[^>]*>", "", article_section(page))) == text
    # every character is covered by exactly the marks of the spans that contain it
    expected: list[Counter[str]] = [Counter() for _ in text]
    for entity in analysis.entities:
        for m in entity.mentions:
            for i in range(m.span.start, min(m.span.end, len(text))):
                expected[i][f"l-entities k-{entity.type}:{entity.id}"] += 1
    for d in analysis.dates:
        for i in range(d.span.start, d.span.end):
            expected[i][f"l-dates k-{'resolved' if d.value else 'unresolved'}"] += 1
    position = 0
    for char, marks in reader.chars:
        if not any(a <= position < b for a, b in analysis.document.paragraphs):
            assert not marks, "the blank lines between paragraphs are not highlighted"
            assert char == text[position]
            position += 1
            continue
        got: Counter[str] = Counter()
        for css, title in marks:
            if css.startswith("l-entities"):
                entity_id = re.search(r"entity (\S+)\n", title)
                assert entity_id, title
                got[f"{css}:{entity_id.group(1)}"] += 1
            else:
                got[css] += 1
        assert got == expected[position], (position, char, got, expected[position])
        position += 1
    assert position == len(text)


def test_html_nested_marks_are_properly_nested() -> None:
    section = article_section(render_html(overlapping_analysis()))
    depth = 0
    for tag in re.findall(r"</?(?:mark|p)\b", section):
        if tag == "<mark":
            depth += 1
        elif tag == "</mark":
            depth -= 1
            assert depth >= 0
        else:
            assert depth == 0, "a mark is left open across a paragraph boundary"
    assert depth == 0
    # the outer ORG span is the outer element where it contains the PERSON span
    assert re.search(
        r'<mark class="l-entities k-ORG"[^>]*><mark class="l-entities k-PERSON"[^>]*>'
        r'<mark class="l-dates k-resolved"[^>]*>Beta</mark></mark></mark>',
        section,
    )


def test_html_paragraphs_follow_the_document() -> None:
    page = render_html(simple_analysis())
    section = article_section(page)
    found = [(int(n), int(s)) for n, s in re.findall(r'<p id="p(\d+)" dir="auto" data-start="(\d+)"', section)]
    assert found == [(n, a) for n, (a, _) in enumerate(simple_analysis().document.paragraphs, 1)]
    assert 'class="loose"' not in section


# --- html: legend and layers -----------------------------------------------------------------------


def test_html_legend_toggles_layers_with_css_only() -> None:
    page = render_html(simple_analysis())
    assert "<script" not in page.lower()
    for layer in SPAN_LAYERS:
        toggle = f'<input type="checkbox" class="layer-toggle" id="layer-{layer.name}" checked>'
        assert toggle in page
        assert f'<label class="layer-label" for="layer-{layer.name}">' in page
        # the checkbox must be a preceding sibling of the article for `~` to reach it
        between = page[page.index(toggle) : page.index('<div class="article"')]
        assert "</div" not in between and "</section" not in between and "<div" not in between
    assert "#layer-entities:checked ~ .article mark.l-entities.k-PERSON" in page
    assert "#layer-dates:checked ~ .article mark.l-dates.k-resolved" in page
    # unticked, a mark has no highlight of its own
    assert re.search(r"\nmark \{ background: none;", page)


def test_hostile_entity_type_becomes_a_safe_class() -> None:
    page = render_html(hostile_analysis())
    assert 'class="l-entities k-__' in page
    for css_class in re.findall(r'class="([^"]*)"', page):
        assert re.fullmatch(r"[A-Za-z0-9_ -]*", css_class), css_class


def test_a_new_layer_is_one_table_entry() -> None:
    analysis = simple_analysis()

    def claims(a: Analysis) -> list[Highlight]:
        start = a.document.text.index("Byaly said")
        return [Highlight(start, start + len("Byaly said"), "checkable", "claim by Yury Byaly")]

    layer = SpanLayer("claims", "Claims", claims, lambda kind: "outline: 1px solid #333;")
    page = render_html(analysis, layers=(*SPAN_LAYERS, layer))
    assert 'id="layer-claims"' in page
    assert "#layer-claims:checked ~ .article mark.l-claims.k-checkable" in page
    assert '<mark class="l-claims k-checkable" title="claim by Yury Byaly"> said</mark>' in page
    assert html.unescape(re.sub(r"<[^>]*>", "", article_section(page))) == analysis.document.text
    with pytest.raises(ValueError, match="CSS-safe"):
        SpanLayer("bad name", "Bad", claims, lambda kind: "")
