"""The quotes layer's own logic, on model output written by hand (the model is tested apart)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from narrascope.annotators.entities import EntityAnnotator
from narrascope.annotators.quotes import build_quotes, quoted_stretches, scare_quotes
from narrascope.annotators.sourcing import profile
from narrascope.ingest import from_text
from narrascope.model import Analysis, Quote
from narrascope.models import load_spacy
from narrascope.pipeline import Work


@dataclass(frozen=True)
class Raw:
    source: tuple[int, int] | None
    cue: tuple[int, int]
    content: tuple[int, int] | None
    score: float = 0.9
    content_fragments: tuple[tuple[int, int], ...] = ()


TEXT = (
    "Mayor Jane Doe said that the harbour plan was ready. "
    "“We will build it this year,” the mayor added. "
    "Experts say the costs are too high. "
    "The position of the council suggests that delays are likely. "
    "Doe also spoke of “unidentified donors” funding the plan."
)


def _at(text: str, piece: str, after: int = 0) -> tuple[int, int]:
    start = text.index(piece, after)
    return start, start + len(piece)


@pytest.fixture(scope="module")
def quotes() -> list[Quote]:
    document = from_text(TEXT)
    work = Work(document, parse=load_spacy()(document.text))
    EntityAnnotator({})(work)
    t = document.text
    raw = [
        Raw(_at(t, "Mayor Jane Doe"), _at(t, "said"), _at(t, "the harbour plan was ready")),
        Raw(_at(t, "the mayor"), _at(t, "added"), _at(t, "“We will build it this year,”")),
        Raw(_at(t, "Experts"), _at(t, "say"), _at(t, "the costs are too high")),
        Raw(_at(t, "The position of the council"), _at(t, "suggests"), _at(t, "delays are likely")),
    ]
    return build_quotes(t, work.parse, raw, work.layers["entities"])


def test_kinds_and_inversion(quotes: list[Quote]) -> None:
    kinds = [(q.kind, q.inverted) for q in quotes]
    assert kinds == [("indirect", False), ("direct", True), ("indirect", False), ("indirect", False), ("scare", False)]


def test_speakers(quotes: list[Quote]) -> None:
    doe, mayor, experts, position, scare = (q.speaker for q in quotes)
    assert doe.kind == "entity" and doe.name == "Jane Doe"
    assert mayor.kind == "descriptor" and mayor.entity_id == doe.entity_id and mayor.antecedent == doe.span
    assert experts.kind == "vague"
    assert position.kind == "abstract" and position.entity_id is None and position.name is None
    assert scare.kind == "none" and quotes[-1].content.text == "unidentified donors"


def test_sourcing_counts_words_per_speaker(quotes: list[Quote]) -> None:
    document = from_text(TEXT)
    sourcing = profile(document, quotes)
    top = sourcing.sources[0]
    assert top.source == "Jane Doe" and top.quotes == 2 and top.words == 11
    assert sourcing.vague_quotes == 1 and sourcing.anonymous_quotes == 0
    assert sourcing.outlet_words + sum(s.words for s in sourcing.sources) == sourcing.words
    assert not sourcing.single_source  # the experts are a second (vague) voice


def test_scare_quotes_are_short_labels_only() -> None:
    text = "He said “this is a full sentence, with a clause.” and spoke of “heroin trails” again."
    quoted = quoted_stretches(text)
    assert [text[s:e] for s, e in scare_quotes(text, quoted, [])] == ["heroin trails"]


def test_quoted_stretches_nest_and_stop_at_paragraphs() -> None:
    text = "“Outer ‘inner’ end,” he said.\n\n“Running quote\n\nnext paragraph”"
    assert [text[s:e] for s, e in quoted_stretches(text)] == ["Outer ‘inner’ end,", "Running quote"]


def test_analysis_with_quotes_round_trips(quotes: list[Quote]) -> None:
    document = from_text(TEXT)
    analysis = Analysis(document=document, quotes=quotes, sourcing=profile(document, quotes))
    assert Analysis.from_json(analysis.to_json()) == analysis


@pytest.mark.parametrize(
    ("text", "source", "kind", "name"),
    [
        ("The spokesman for Jane Doe said the plan was ready.", "The spokesman for Jane Doe", "named", None),
        ("The deputy mayor, Jane Doe, said the plan was ready.", "The deputy mayor, Jane Doe", "entity", "Jane Doe"),
        ("What is known is that the plan was ready.", "What", "abstract", None),
        ("Let us emphasize that the plan was ready.", "us", "pronoun", None),
        ("The military office in Almaty said the plan was ready.", "The military office in Almaty", "named", None),
        ("Sources close to the ministry said the plan was ready.", "Sources close to the ministry", "anonymous", None),
    ],
)
def test_speaker_resolution_cases(text: str, source: str, kind: str, name: str | None) -> None:
    from narrascope.annotators.speakers import SpeakerResolver

    document = from_text(text)
    work = Work(document, parse=load_spacy()(document.text))
    EntityAnnotator({})(work)
    start = document.text.index(source)
    speaker = SpeakerResolver(document.text, work.parse, work.layers["entities"]).resolve(start, start + len(source))
    assert speaker.speaker.kind == kind
    if name is not None:
        assert speaker.speaker.name == name


def test_nested_attributions_count_for_the_outer_speaker() -> None:
    from narrascope.model import Span, Speaker

    text = "The minister stressed that both Paris and Berlin have repeatedly stated that the deal was dead."
    document = from_text(text)

    def span(part: str) -> Span:
        start = text.index(part)
        return Span.of(text, start, start + len(part))

    outer_content = "that both Paris and Berlin have repeatedly stated that the deal was dead"
    outer = Quote(id="Q1", kind="indirect", speaker=Speaker(kind="named", span=span("The minister")),
                  cue=span("stressed"), content=span(outer_content))  # fmt: skip
    inner = Quote(id="Q2", kind="indirect", speaker=Speaker(kind="named", span=span("both Paris and Berlin")),
                  cue=span("have repeatedly stated"), content=span("that the deal was dead"))  # fmt: skip
    for quotes in ([outer, inner], [inner, outer]):
        sourcing = profile(document, quotes)
        words = {s.source: s.words for s in sourcing.sources}
        assert words == {"The minister": 13, "both Paris and Berlin": 0}  # the inner one is still listed
    # the same width, the inner cue inside its own content (fragments around it): the outer still wins
    around = inner.model_copy(update={"content": span(outer_content)})
    assert profile(document, [around, outer]).sources[0].source == "The minister"
