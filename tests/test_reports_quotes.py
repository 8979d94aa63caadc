"""Reports of the quotes and sourcing layers: every format names the speakers and the figures."""

from __future__ import annotations

import html
import re

from narrascope.model import (
    Analysis,
    Document,
    Entity,
    Mention,
    Quote,
    SourceShare,
    Sourcing,
    Span,
    Speaker,
)
from narrascope.report import render
from narrascope.report.common import shorten, speaker_text
from narrascope.report.html import SPAN_LAYERS, render_html, speaker_token
from narrascope.report.markdown import render_markdown
from narrascope.report.text import render_text
from report_helpers import ALLOWED_ATTRS, ALLOWED_TAGS, Reader, cells, paragraphs, read, tables

# --- fixture -------------------------------------------------------------------------------------

LONG = (
    "the West had planned the unrest for years, trained the organisers abroad, paid the crowds in cash, "
    "and chose the first days of January because the security services would be on holiday"
)
TEXT = (
    "Yury Byaly said: “Kazakhstan is under attack from outside.”\n\n"
    f"The expert added that {LONG}.\n\n"
    "“We warned them,” Byaly said, “and nobody listened.”\n\n"
    "“It is a provocation,” said Ivan Petrov.\n\n"
    "Experts say the so-called “peacekeepers” will stay."
)


def span(needle: str, nth: int = 0, text: str = TEXT) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Span(start=start, end=start + len(needle), text=needle)


def between(first: str, last: str, text: str = TEXT) -> Span:
    """From the start of ``first`` to the end of ``last`` (after it)."""
    start = text.index(first)
    end = text.index(last, start) + len(last)
    return Span(start=start, end=end, text=text[start:end])


def quotes_analysis() -> Analysis:
    byaly = Speaker(kind="entity", span=span("Yury Byaly"), entity_id="E1", name="Yury Byaly")
    quotes = [
        Quote(
            id="Q1",
            kind="direct",
            speaker=byaly,
            cue=span("said"),
            content=span("“Kazakhstan is under attack from outside.”"),
            score=0.97,
        ),
        Quote(
            id="Q2",
            kind="indirect",
            speaker=Speaker(
                kind="descriptor",
                span=span("The expert"),
                entity_id="E1",
                name="Yury Byaly",
                antecedent=span("Yury Byaly"),
            ),
            cue=span("added"),
            content=span(f"that {LONG}"),
            score=0.81,
        ),
        Quote(
            id="Q3",
            kind="direct",
            speaker=Speaker(kind="entity", span=span("Byaly", 1), entity_id="E1", name="Yury Byaly"),
            cue=span("said", 1),
            content=between("“We warned", "listened.”"),
            fragments=[span("“We warned them,”"), span("“and nobody listened.”")],
            score=0.9,
        ),
        Quote(
            id="Q4",
            kind="direct",
            speaker=Speaker(kind="named", span=span("Ivan Petrov"), name="Ivan Petrov"),
            cue=span("said", 2),
            content=span("“It is a provocation,”"),
            inverted=True,
            score=0.88,
        ),
        Quote(
            id="Q5",
            kind="indirect",
            speaker=Speaker(kind="vague", span=span("Experts"), name="Experts"),
            cue=span("say"),
            content=span("the so-called “peacekeepers” will stay"),
            score=0.7,
        ),
        Quote(id="Q6", kind="scare", speaker=Speaker(kind="none"), content=span("peacekeepers")),
    ]
    sourcing = Sourcing(
        words=80,
        outlet_words=20,
        outlet_share=0.25,
        quoted_share=0.75,
        sources=[
            SourceShare(source="Yury Byaly", entity_id="E1", kind="entity", quotes=3, words=48, share=0.6),
            SourceShare(source="Experts", kind="vague", quotes=1, words=7, share=0.0875),
            SourceShare(source="Ivan Petrov", kind="named", quotes=1, words=5, share=0.0625),
        ],
        distinct_sources=3,
        vague_quotes=1,
        anonymous_quotes=0,
        top_source_share=0.8,
        single_source=True,
        notes=[
            "Yury Byaly supplies 80% of the quoted words and 60% of the article",
            "single-source reliance: one voice carries the article",
            "1 vague and 0 anonymous attribution(s)",
        ],
    )
    entities = [
        Entity(
            id="E1",
            name="Yury Byaly",
            type="PERSON",
            key="yury byaly",
            variants=["Yury Byaly", "Byaly"],
            mentions=[
                Mention(span=span("Yury Byaly"), label="PERSON", origin="model"),
                Mention(span=span("Byaly", 1), label="PERSON", origin="propagated"),
            ],
        ),
        Entity(
            id="E2",
            name="Kazakhstan",
            type="GPE",
            key="kazakhstan",
            variants=["Kazakhstan"],
            mentions=[Mention(span=span("Kazakhstan"), label="GPE", origin="model")],
        ),
    ]
    document = Document(
        id="q1", outlet="Example News", title="Byaly on Kazakhstan", text=TEXT, paragraphs=paragraphs(TEXT)
    )
    return Analysis(document=document, entities=entities, quotes=quotes, sourcing=sourcing)


HOSTILE = (
    "<script>alert(1)</script> | Boss said<u>|told: “<img src=x onerror=alert(2)> | a|b\nnext”.\n\n"
    "Sources `close` to [him](javascript:x) say the *plan* </style><style>body{display:none}</style> failed."
)
HOSTILE_ID = 'E"><x'
HOSTILE_NAME = '"><script>alert(3)</script> [bold]B[/bold] | x'


def hostile_analysis() -> Analysis:
    text = HOSTILE
    boss = span("<script>alert(1)</script> | Boss", text=text)
    crowd = span("Sources `close` to [him](javascript:x)", text=text)
    quotes = [
        Quote(
            id="Q1",
            kind="direct",
            speaker=Speaker(kind="entity", span=boss, entity_id=HOSTILE_ID, name=HOSTILE_NAME),
            cue=span("said<u>|told", text=text),
            content=between("“<img", "next”", text=text),
        ),
        Quote(
            id="Q2",
            kind="indirect",
            speaker=Speaker(kind="anonymous", span=crowd, name=crowd.text),
            cue=span("say", text=text),
            content=between("the *plan*", "failed", text=text),
        ),
        Quote(id="Q3", kind="scare", speaker=Speaker(kind="none"), content=span("*plan*", text=text)),
    ]
    sourcing = Sourcing(
        words=30,
        outlet_words=10,
        outlet_share=0.3333,
        quoted_share=0.6667,
        sources=[
            SourceShare(source=HOSTILE_NAME, entity_id=HOSTILE_ID, kind="entity", quotes=1, words=12, share=0.4),
            SourceShare(source=crowd.text, kind="anonymous", quotes=1, words=8, share=0.2667),
        ],
        distinct_sources=2,
        vague_quotes=0,
        anonymous_quotes=1,
        top_source_share=0.6,
        single_source=False,
        notes=["<script>alert(4)</script> | note\nwith a break"],
    )
    document = Document(id="h", outlet="<b>Outlet</b>", title="Hostile", text=text, paragraphs=paragraphs(text))
    return Analysis(document=document, quotes=quotes, sourcing=sourcing)


def layer_marks(reader: Reader, position: int, layer: str) -> list[tuple[list[str], str]]:
    return [(classes, title) for classes, title in reader.marks_at(position) if f"l-{layer}" in classes]


def visible(page: str) -> str:
    """The page's text as a reader sees it, tags dropped and whitespace collapsed."""
    body = page[page.index("<body>") :]
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", body)).split())


# --- every format -------------------------------------------------------------------------------


def test_speaker_wording() -> None:
    texts = [speaker_text(q) for q in quotes_analysis().quotes]
    assert texts == [
        "Yury Byaly (entity)",
        "→ Yury Byaly, from 'The expert' (descriptor)",
        "Yury Byaly (entity)",
        "Ivan Petrov (named, not an entity)",
        "vague: Experts",
        "— (scare quote)",
    ]


def test_shorten_cuts_at_a_word_with_an_ellipsis() -> None:
    short = shorten(f"that {LONG}")
    assert short.endswith("…") and len(short) <= 161
    assert f"that {LONG}".startswith(short[:-1])
    assert short[-2] != " " and f"that {LONG}"[len(short) - 1] == " "  # cut before a space, not mid-word
    assert shorten("  a\n\nb  ") == "a b"


def test_every_format_shows_speakers_and_sourcing() -> None:
    analysis = quotes_analysis()
    outputs = {
        "text": render(analysis, "text"),
        "md": re.sub(r"\\(.)", r"\1", render(analysis, "md")),  # backslash escapes dropped
        "html": visible(render(analysis, "html")),
    }
    for fmt, out in outputs.items():
        flat = " ".join(out.split())
        for expected in (
            "Sourcing",
            "Quotes (6)",
            "Yury Byaly (entity)",
            "→ Yury Byaly, from 'The",
            "Ivan Petrov (named, not",
            "vague: Experts",
            "— (scare quote)",
            "25% (20 of 80 words)",
            "75% (60 words attributed to sources)",
            "Yury Byaly: 80% of the quoted words",
            "YES: one voice carries the article",
            "1 vague and 0 anonymous attribution(s)",
            "entity E1",
            "“We warned them,” […] “and nobody listened.”",
        ):
            assert expected in flat, (fmt, expected)
        assert re.search(r"Distinct sources\W+3\b", flat), fmt
        assert re.search(r"Anonymous attributions\W+0\b", flat), fmt
        assert "inverted" in flat, fmt
    assert "\x1b" not in outputs["text"]
    assert max(len(line) for line in outputs["text"].splitlines()) <= 100


def test_sections_are_in_order() -> None:
    analysis = quotes_analysis()
    text = render_text(analysis)
    assert text.index("Words ") < text.index("Sourcing") < text.index("Quotes (6)") < text.index("Entities (2)")
    md = render_markdown(analysis)
    assert md.index("## Sourcing") < md.index("## Issues") < md.index("## Quotes (6)") < md.index("## Entities")
    page = render_html(analysis)
    assert page.index("</header>") < page.index('id="h-sourcing"') < page.index('id="h-article"')
    assert page.index('id="article-text"') < page.index('id="h-quotes"') < page.index('id="h-entities"')


def test_long_content_is_shortened_except_in_html() -> None:
    analysis = quotes_analysis()
    for out in (render_text(analysis), render_markdown(analysis)):
        assert "on holiday" not in out
        assert "chose the first days of" in out
    md_row = next(line for line in render_markdown(analysis).splitlines() if "The expert" in line)
    assert md_row.endswith("because the… |")
    page = render_html(analysis)
    assert f'<td class="content">that {LONG}</td>' in page


def test_missing_layers_render_everywhere() -> None:
    analysis = quotes_analysis().model_copy(update={"quotes": [], "sourcing": None})
    assert "not analysed" in render_text(analysis)
    md = render_markdown(analysis)
    assert "## Sourcing\n\nNot analysed." in md and "## Quotes (0)\n\nNone." in md
    page = render_html(analysis)
    assert "Not analysed." in page and 'id="h-quotes">Quotes (0)</h2>' in page
    assert "spk-" not in page


# --- markdown --------------------------------------------------------------------------------------


def test_markdown_tables_keep_their_columns() -> None:
    for analysis, count in ((quotes_analysis(), 4), (hostile_analysis(), 2)):
        out = render_markdown(analysis)
        found = tables(out)
        assert len(found) == count  # sources, quotes (+ one per entity type)
        for table in found:
            width = len(cells(table[0]))
            assert len(cells(table[1])) == width
            for row in table:
                assert len(cells(row)) == width, row
    out = render_markdown(quotes_analysis())
    assert "| Yury Byaly | entity E1 | 3 | 48 | 60% |" in out
    assert "| Source | Established as | Quotes | Words | Share of article |\n| --- | --- | ---: | ---: | ---: |" in out
    assert "| — (scare quote) | scare | — | peacekeepers |" in out


def test_markdown_escapes_hostile_quotes() -> None:
    out = render_markdown(hostile_analysis())
    assert not re.search(r"(?<!\\)<(?!br>)", out), "an unescaped < could open HTML"
    assert "said\\<u\\>\\|told" in out
    assert "\\<script\\>alert(4)\\</script\\> \\| note with a break" in out
    assert "\\[him\\](javascript:x)" in out
    assert "\\*plan\\*" in out


# --- text ------------------------------------------------------------------------------------------


def test_text_report_shows_hostile_quotes_inertly() -> None:
    plain = render_text(hostile_analysis(), color=False)
    coloured = render_text(hostile_analysis(), color=True)
    assert "[bold]B[/bold]" in plain  # Rich markup in a name is shown, not applied
    assert "\x1b" not in plain
    assert "[bold]B[/bold]" in " ".join(coloured.split())
    assert "said<u>|told" in plain


# --- html ------------------------------------------------------------------------------------------


def test_html_marks_quotes_with_their_speaker() -> None:
    analysis = quotes_analysis()
    page = render_html(analysis)
    reader = read(page)
    assert "".join(c for c, _ in reader.chars) == TEXT
    section = re.search(r'<div class="article" id="article-text"[^>]*>(.*?)</div>', page, re.DOTALL)
    assert section and html.unescape(re.sub(r"<[^>]*>", "", section.group(1))) == TEXT

    # Q1: the entity's quote, its cue and its source all carry the speaker's class
    q1 = span("“Kazakhstan is under attack from outside.”")
    for position in range(q1.start, q1.end):
        marks = layer_marks(reader, position, "quotes")
        assert len(marks) == 1, position
        classes, title = marks[0]
        assert {"k-e-E1", "spk-e-E1"} <= set(classes)
        assert "Q1" in title and "Yury Byaly" in title and "score: 0.97" in title and 'cue: "said"' in title
    cue = span("said")
    assert all("spk-e-E1" in layer_marks(reader, p, "cues")[0][0] for p in range(cue.start, cue.end))
    assert not layer_marks(reader, cue.start - 2, "cues")

    # Q2: a descriptor linked to the entity is the same speaker, same colour
    expert = span("The expert")
    classes, title = layer_marks(reader, expert.start, "sources")[0]
    assert {"k-descriptor", "spk-e-E1"} <= set(classes)
    assert 'linked to the earlier "Yury Byaly"' in title
    q2 = span(f"that {LONG}")
    assert {"k-e-E1", "spk-e-E1"} <= set(layer_marks(reader, q2.end - 1, "quotes")[0][0])

    # Q3: two fragments marked, the cue between them is not part of the quote
    first, second = span("“We warned them,”"), span("“and nobody listened.”")
    for fragment, part in ((first, 1), (second, 2)):
        for position in range(fragment.start, fragment.end):
            marks = layer_marks(reader, position, "quotes")
            assert len(marks) == 1 and "spk-e-E1" in marks[0][0], position
            assert f"part {part} of 2" in marks[0][1]
    for position in range(first.end, second.start):
        assert not layer_marks(reader, position, "quotes"), position
    assert layer_marks(reader, span("said", 1).start, "cues")
    assert "k-entity" in layer_marks(reader, span("Byaly", 1).start, "sources")[0][0]

    # Q4 is another speaker, with another colour
    petrov = speaker_token("named:ivan petrov")
    assert petrov.startswith("h-") and petrov != "e-E1"
    assert f"k-{petrov}" in layer_marks(reader, span("“It is a provocation,”").start, "quotes")[0][0]

    # the scare quote sits inside the vague crowd's quote, with no speaker
    scare = span("peacekeepers")
    marks = layer_marks(reader, scare.start, "quotes")
    assert len(marks) == 2
    scare_classes, scare_title = next(m for m in marks if "k-scare" in m[0])
    assert not any(c.startswith("spk-") for c in scare_classes)
    assert "scare quote: no speaker" in scare_title
    assert not layer_marks(reader, scare.start, "cues") and not layer_marks(reader, scare.start, "sources")


def test_html_layers_legend_and_hover() -> None:
    page = render_html(quotes_analysis())
    for name in ("quotes", "cues", "sources"):
        assert name in {layer.name for layer in SPAN_LAYERS}
        assert f'<input type="checkbox" class="layer-toggle" id="layer-{name}" checked>' in page
    legend = re.search(r'for="layer-quotes">(.*?)</label>', page)
    assert legend
    assert "<strong>Quotes</strong> (6)" in legend.group(1)
    labels = re.findall(r'<span class="swatch l-quotes k-([^"]+)" title="[^"]*">([^<]*)</span>', legend.group(1))
    assert [label for _, label in labels] == ["Yury Byaly", "Ivan Petrov", "Experts", "scare quotes"]
    assert labels[0][0] == "e-E1"
    # per-speaker colours and hover links, pure CSS
    assert "#layer-quotes:checked ~ .article mark.l-quotes.k-e-E1" in page
    assert "#layer-cues:checked ~ .article mark.l-cues.k-cue" in page
    assert "#layer-sources:checked ~ .article mark.l-sources.k-descriptor" in page
    assert ".page:has(.spk-e-E1:hover) #layer-quotes:checked ~ .article mark.spk-e-E1 {" in page
    petrov = speaker_token("named:ivan petrov")
    assert f".page:has(.spk-{petrov}:hover)" in page
    assert ".page:has(.spk-scare" not in page
    assert "<script" not in page.lower()


def test_html_sourcing_bars_and_tables() -> None:
    page = render_html(quotes_analysis())
    assert ".bars .w-1 { width: 60.00%; }" in page
    assert ".bars .w-3 { width: 6.25%; }" in page
    assert ".bars .w-0 { width: 25.00%; }" in page  # the outlet's own voice
    assert '<span class="bar k-e-E1 w-1">' in page
    assert re.search(r'<div class="bar-row spk-e-E1" title="Yury Byaly: entity E1, 3 quotes, 48 words', page)
    assert "Outlet&#x27;s own voice (Example News)" in page
    assert '<tr class="spk-e-E1"><td>Yury Byaly</td><td>entity E1</td><td class="num">3</td>' in page
    assert '<span class="flag">YES: one voice carries the article</span>' in page
    row = re.search(r'<tr class="spk-e-E1" title="Q2[^"]*"><td><mark class="l-quotes k-e-E1">(.*?)</mark>', page)
    assert row and html.unescape(row.group(1)) == "→ Yury Byaly, from 'The expert' (descriptor)"
    assert '<td><mark class="l-quotes k-scare">— (scare quote)</mark></td><td>scare</td><td>—</td>' in page


def test_html_hostile_quotes_are_inert() -> None:
    analysis = hostile_analysis()
    page = render_html(analysis)
    lowered = page.lower()
    for needle in ("<script", "<img", "<b>", 'javascript:x)"', "body{display:none}</style>"):
        assert needle not in lowered, needle
    assert lowered.count("</style") == 1
    reader = read(page)
    for tag, attrs in reader.tags:
        assert tag in ALLOWED_TAGS, tag
        assert set(attrs) <= ALLOWED_ATTRS, (tag, attrs)
        assert re.fullmatch(r"[A-Za-z0-9_ -]*", attrs.get("class") or ""), attrs
    style = "".join(reader.styles)
    assert "<" not in style and "alert" not in style and "script" not in style
    assert "".join(c for c, _ in reader.chars) == HOSTILE
    # the hostile entity id becomes a hashed, CSS-safe speaker class
    token = speaker_token(f"entity:{HOSTILE_ID}")
    assert re.fullmatch(r"h-[0-9a-f]{10}", token)
    content = HOSTILE.index("“<img")
    classes, title = layer_marks(reader, content, "quotes")[0]
    assert f"spk-{token}" in classes
    assert HOSTILE_NAME in title  # the parser unescaped it: it was an attribute value, not markup
    assert f".page:has(.spk-{token}:hover)" in page
    assert "&lt;script&gt;alert(4)&lt;/script&gt; | note" in page
    assert "said<u>|told" in visible(page)
    assert "<td>said&lt;u&gt;|told</td>" in page


def test_html_legend_lists_speakers_in_text_order() -> None:
    text = "Anna said “one.” Boris said “two.” Anna said “three.”"
    names = ("Anna", "Boris", "Anna")
    quotes = [
        Quote(
            id=f"Q{n}",
            kind="direct",
            speaker=Speaker(kind="named", span=span(name, 1 if n == 3 else 0, text), name=name),
            cue=span("said", n - 1, text),
            content=span(content, text=text),
        )
        for n, (name, content) in enumerate(zip(names, ("“one.”", "“two.”", "“three.”"), strict=True), start=1)
    ]
    anna, boris = speaker_token("named:anna"), speaker_token("named:boris")
    assert anna > boris  # so sorting the tokens would put Boris first
    page = render_html(Analysis(document=Document(id="t", text=text), quotes=quotes))
    legend = re.search(r'for="layer-quotes">(.*?)</label>', page)
    assert legend and "<strong>Quotes</strong> (3)" in legend.group(1)
    found = re.findall(r'class="swatch l-quotes k-([^"]+)" title="([^"]*)">([^<]*)<', legend.group(1))
    assert found == [(anna, "Anna: 2 quotes", "Anna"), (boris, "Boris: 1 quote", "Boris")]
