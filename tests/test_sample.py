"""The worked example, end to end: what every report must get right about it."""

from __future__ import annotations

import json

import jsonschema
import pytest

from narrascope.model import Analysis
from narrascope.pipeline import Pipeline
from narrascope.schema import analysis_schema


@pytest.fixture(scope="module")
def analysis(nlp: Pipeline, sample_text: str) -> Analysis:
    return nlp(sample_text)


def test_metadata(analysis: Analysis) -> None:
    doc = analysis.document
    assert doc.title == "Expert: NATO intelligence networks are involved in destabilizing Kazakhstan"
    assert doc.published is not None and doc.published.value == "2021-01-06"
    assert doc.place == "Moscow"
    assert doc.outlet == "Rossa Primavera News Agency" and doc.outlet_source == "source-line"
    assert doc.language is not None and doc.language.code == "en"
    assert "Leave a Reply" not in doc.text and "Source:" not in doc.text


def test_one_person_for_every_spelling_of_the_speaker(analysis: Analysis) -> None:
    byaly = [e for e in analysis.entities if "Byaly" in e.variants or "Bialy" in e.variants]
    assert len(byaly) == 1
    person = byaly[0]
    assert person.type == "PERSON" and person.name == "Yury Byaly"
    assert set(person.variants) == {"Yury Byaly", "Byaly", "Byalyi", "Bialy"}


def test_one_group_for_uighurs_and_uyghurs(analysis: Analysis) -> None:
    groups = [e for e in analysis.entities if {"Uighurs", "Uyghur"} & set(e.variants)]
    assert len(groups) == 1 and {"Uighurs", "Uyghur"} <= set(groups[0].variants)
    assert len(groups[0].mentions) == 3


def test_lookalikes_stay_apart(analysis: Analysis) -> None:
    keys = {v: e.id for e in analysis.entities for v in e.variants}
    assert keys["Kazakh"] != keys["Kazakhstan"]
    assert "Kurginyan Center" in keys  # from the gazetteer; the model misses it


def test_spans_are_exact_and_single_line(analysis: Analysis) -> None:
    text = analysis.document.text
    for entity in analysis.entities:
        assert "\n" not in entity.name
        for mention in entity.mentions:
            assert text[mention.span.start : mention.span.end] == mention.span.text
            assert "\n" not in mention.span.text
    for found in analysis.dates:
        assert text[found.span.start : found.span.end] == found.span.text


def test_relative_date_resolves_against_the_dateline(analysis: Analysis) -> None:
    january = [d for d in analysis.dates if d.span.text == "January 6"]
    assert january and january[0].value == "2021-01-06" and january[0].relative


def test_json_validates_and_round_trips(analysis: Analysis) -> None:
    data = json.loads(analysis.to_json())
    jsonschema.validate(data, analysis_schema())
    assert Analysis.from_json(analysis.to_json()) == analysis


def test_schema_rejects_a_broken_analysis(analysis: Analysis) -> None:
    data = json.loads(analysis.to_json())
    del data["document"]["text"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, analysis_schema())


def _byaly(analysis: Analysis) -> str:
    return next(e.id for e in analysis.entities if "Bialy" in e.variants)


def test_at_least_ten_attributions_to_byaly(analysis: Analysis) -> None:
    his = [q for q in analysis.quotes if q.speaker.entity_id == _byaly(analysis)]
    assert len(his) >= 10
    assert {"direct", "indirect"} <= {q.kind for q in his} | {
        "indirect" if q.kind == "partial" else q.kind for q in his
    }
    said_bialy = [q for q in his if q.speaker.span is not None and q.speaker.span.text == "Bialy"]
    assert said_bialy and said_bialy[0].inverted and said_bialy[0].cue is not None
    stresses = [q for q in his if q.cue is not None and q.cue.text.startswith("stresses")]
    assert stresses and stresses[0].speaker.span is not None and stresses[0].speaker.span.text == "Byalyi"
    assert any("Bishkek and Osh" in q.content.text for q in his)


def test_casualty_figure_rests_on_the_commandants_office(analysis: Analysis) -> None:
    casualty = [q for q in analysis.quotes if "14 servicemen" in q.content.text]
    assert casualty
    speaker = casualty[0].speaker
    assert speaker.span is not None and "commandant’s office in Almaty" in speaker.span.text
    assert casualty[0].kind == "according-to"


def test_nothing_is_attributed_to_a_position(analysis: Analysis) -> None:
    for quote in analysis.quotes:
        assert not (quote.speaker.name and "position" in quote.speaker.name.lower())
        assert quote.speaker.kind == "abstract" or not (
            quote.speaker.span
            and quote.speaker.span.text.lower().startswith(("the position", "the ambiguous position"))
        )


def test_scare_quotes_have_no_speaker(analysis: Analysis) -> None:
    scare = {q.content.text for q in analysis.quotes if q.kind == "scare"}
    assert {"unidentified helicopters", "heroin trails"} <= scare


def test_one_source_supplies_most_of_the_article(analysis: Analysis) -> None:
    sourcing = analysis.sourcing
    assert sourcing is not None and sourcing.sources
    top = sourcing.sources[0]
    assert top.entity_id == _byaly(analysis)
    assert top.share > 0.5 and sourcing.single_source
