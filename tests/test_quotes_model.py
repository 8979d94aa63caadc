"""The shipped attribution model and the quotes layer together, on a short article written here."""

from __future__ import annotations

from typing import Any

import pytest

from narrascope.model import Analysis, Quote
from narrascope.pipeline import Pipeline

ARTICLE = """The mayor of Springfield, Jane Doe, said on Monday that the harbour plan was ready.

“We will build it this year. Nobody will stop us,” Doe told reporters.

According to the city's finance office, the plan will cost 40 million dollars.

The opposition leader, John Roe, warned that the so-called “green harbour” would hurt fishermen. He added: “This is a \
disaster.”"""


@pytest.fixture(scope="module")
def analysis(nlp: Pipeline) -> Analysis:
    return nlp(ARTICLE)


def _by_cue(analysis: Analysis, cue: str) -> Quote:
    return next(q for q in analysis.quotes if q.cue is not None and q.cue.text.startswith(cue))


def test_indirect_speech_with_an_appositive_speaker(analysis: Analysis) -> None:
    quote = _by_cue(analysis, "said")
    assert quote.kind == "indirect" and quote.speaker.name == "Jane Doe"
    assert "harbour plan was ready" in quote.content.text


def test_inverted_direct_quote(analysis: Analysis) -> None:
    quote = _by_cue(analysis, "told")
    assert quote.kind == "direct" and quote.inverted and quote.speaker.name == "Jane Doe"


def test_according_to_takes_its_own_sentence(analysis: Analysis) -> None:
    quote = _by_cue(analysis, "According to")
    assert quote.kind == "according-to" and quote.content.text == "the plan will cost 40 million dollars"
    assert quote.speaker.span is not None and quote.speaker.span.text == "the city's finance office"


def test_pronoun_speaker_and_scare_quote(analysis: Analysis) -> None:
    added = _by_cue(analysis, "added")
    assert added.speaker.kind == "pronoun" and added.speaker.name == "John Roe"
    assert "green harbour" in {q.content.text for q in analysis.quotes if q.kind == "scare"}


RUSSIAN = (
    "Эксперт Юрий Бялый заявил, что события в Казахстане были спланированы заранее. "
    "«Это не стихийный бунт. Это атака», — подчеркнул Бялый. "
    "По словам Назарбаева, ситуация под контролем. "
    "Многие считают, что протесты начались из-за цен."
)


def test_russian_attributions_by_rule(nlp: Pipeline) -> None:
    analysis = nlp(RUSSIAN)
    found = [(q.speaker.name, q.cue.text if q.cue else None, q.kind, q.content.text) for q in analysis.quotes]
    assert found == [
        ("Юрий Бялый", "заявил", "indirect", "события в Казахстане были спланированы заранее"),
        ("Юрий Бялый", "подчеркнул", "direct", "«Это не стихийный бунт. Это атака»"),
        ("Назарбаев", "По словам", "according-to", "ситуация под контролем"),
    ]
    assert analysis.sourcing is not None and analysis.sourcing.sources[0].source == "Юрий Бялый"


def _link(text: str, tagged: list[tuple[str, str]]) -> list[Any]:
    """Run the linking rules on hand-tagged spans (label, words) of *text*."""
    from narrascope.annotators.attribution_model import link
    from narrascope.models import load_spacy

    doc = load_spacy()(text)
    found = []
    for label, words in tagged:
        start = text.index(words)
        span = doc.char_span(start, start + len(words))
        assert span is not None
        found.append((label, span.start, span.end))
    return link(doc, found)


def _linked(text: str, tagged: list[tuple[str, str]]) -> list[tuple[str | None, str]]:
    """(source, cue) pairs of the linked attributions of hand-tagged *text*."""
    return [(text[slice(*r.source)] if r.source else None, text[slice(*r.cue)]) for r in _link(text, tagged)]


def test_a_passive_subject_is_not_a_speaker() -> None:
    text = "Peacekeepers have often been accused of abuse. The plan was criticised by the mayor."
    tagged = [("SOURCE", "Peacekeepers"), ("CUE", "accused of"), ("CONTENT", "abuse"), ("CUE", "criticised")]
    pairs = _linked(text, tagged)
    assert pairs == [(None, "accused of"), ("the mayor", "criticised")]


def test_the_subject_of_seem_is_not_a_speaker() -> None:
    pairs = _linked("Republicans seem confident about the vote.", [("SOURCE", "Republicans"), ("CUE", "seem")])
    assert pairs == [(None, "seem")]


def test_a_participle_speaks_with_the_cue_before_it() -> None:
    text = '"They do not agree," Sanders said, suggesting a few questions, including, "do you think that they need it?"'
    pairs = _linked(text, [("SOURCE", "Sanders"), ("CUE", "said"), ("CUE", "suggesting")])
    assert pairs == [("Sanders", "said"), ("Sanders", "suggesting")]


def test_a_speaker_the_tagger_swept_into_the_content() -> None:
    text = "To understand the real Dred Scott, Chief Justice Roberts said, one should visit this museum."
    tagged = [("CONTENT", "the real Dred Scott, Chief Justice Roberts"), ("CUE", "said"), ("CONTENT", "one should")]
    assert _linked(text, tagged) == [("Chief Justice Roberts", "said")]


def test_no_speaker_next_to_a_participle() -> None:
    text = "He sent a letter to Senate leaders opposing reauthorization of the program."
    assert _linked(text, [("CUE", "opposing")]) == [(None, "opposing")]


def _contents(text: str, tagged: list[tuple[str, str]]) -> dict[str, str | None]:
    """Cue → content of the linked attributions of hand-tagged *text*."""
    return {text[slice(*r.cue)]: text[slice(*r.content)] if r.content else None for r in _link(text, tagged)}


def test_a_nested_attribution_stays_inside_the_outer_content() -> None:
    text = (
        "The minister stresses that during the talks, both Paris and Berlin have repeatedly stated "
        "that the deal was dead."
    )
    tagged = [("SOURCE", "The minister"), ("CUE", "stresses"), ("CONTENT", "that during the talks"),
              ("SOURCE", "both Paris and Berlin"), ("CUE", "have repeatedly stated"),
              ("CONTENT", "that the deal was dead")]  # fmt: skip
    contents = _contents(text, tagged)
    assert contents["stresses"] == text[text.index("that during") : -1]  # the inner attribution included
    assert contents["have repeatedly stated"] is not None and contents["have repeatedly stated"].endswith(
        "deal was dead"
    )


def test_a_connective_is_not_a_content() -> None:
    text = "Therefore, says the expert, we have to admit that the militants came from abroad."
    tagged = [("CONTENT", "Therefore"), ("CUE", "says"), ("SOURCE", "we"), ("CUE", "have to admit")]
    assert _contents(text, tagged)["says"] == "we have to admit that the militants came from abroad"
