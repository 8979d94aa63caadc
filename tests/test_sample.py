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
