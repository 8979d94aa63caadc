"""PolNeAR reading and attribution scoring on a tiny hand-made brat layout; shipped-model smoke test."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrascope.evaluation.attribution import (
    GoldArticle,
    Predicted,
    evaluate_quotes,
    normalise,
    read_brat,
    read_polnear,
    score,
)

TEXT_A = '"We will win," Smith said, "and soon." Rain is coming, forecasters warned.\n'
TEXT_B = "The plan, critics argue, is weak.\n"

ANN_A = (
    'T1\tContent 0 14;27 38\t"We will win," "and soon."\n'
    "T2\tSource 15 20\tSmith\n"
    "T3\tCue 21 25\tsaid\n"
    "T4\tAttribution 21 25\tsaid\n"
    "E1\tAttribution:T4 Content:T1 Cue:T3 Source:T2\n"
    "T5\tContent 39 53\tRain is coming\n"
    "T6\tCue 67 73\twarned\n"
    "T7\tAttribution-no-source 67 73\twarned\n"
    "E2\tAttribution-no-source:T7 Content:T5 Cue:T6\n"
    'T8\tDiscuss 0 5\t"We w\n'
    "#1\tAnnotatorNotes T1\ta note\n"
)
# a second annotator's file for the same article: must be ignored (sorted order, first wins)
ANN_A_OTHER = "T1\tCue 55 66\tforecasters\nT2\tAttribution 55 66\tforecasters\nE1\tAttribution:T2 Cue:T1\n"
ANN_B = (
    "T1\tSource 10 17\tcritics\n"
    "T2\tCue 18 23\targue\n"
    "T3\tContent 0 8;25 33\tThe plan is weak\n"
    "T4\tAttribution 18 23\targue\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
)


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    for sub in ("text", "attributions"):
        (tmp_path / "dev" / sub).mkdir(parents=True)
    (tmp_path / "dev" / "text" / "art-a.txt").write_text(TEXT_A, encoding="utf-8")
    (tmp_path / "dev" / "text" / "art-b.txt").write_text(TEXT_B, encoding="utf-8")
    (tmp_path / "dev" / "attributions" / "art-a_1111.ann").write_text(ANN_A, encoding="utf-8")
    (tmp_path / "dev" / "attributions" / "art-a_9999.ann").write_text(ANN_A_OTHER, encoding="utf-8")
    (tmp_path / "dev" / "attributions" / "art-b_2222.ann").write_text(ANN_B, encoding="utf-8")
    return tmp_path


def test_fixture_offsets_are_right() -> None:
    assert TEXT_A[0:14] == '"We will win,"' and TEXT_A[15:20] == "Smith" and TEXT_A[21:25] == "said"
    assert TEXT_A[27:38] == '"and soon."' and TEXT_A[39:53] == "Rain is coming" and TEXT_A[67:73] == "warned"
    assert TEXT_A[55:66] == "forecasters"
    assert TEXT_B[10:17] == "critics" and TEXT_B[18:23] == "argue" and TEXT_B[25:33] == "is weak."


def test_read_polnear_uses_the_first_annotator_and_keeps_fragments(layout: Path) -> None:
    articles = read_polnear(layout, "dev")
    assert [a.article_id for a in articles] == ["art-a", "art-b"]
    a = articles[0]
    assert a.annotator == "1111"
    assert len(a.attributions) == 2  # the Discuss span and the other annotator's file are ignored
    first, second = a.attributions
    assert first.source == ((15, 20),) and first.cue == ((21, 25),)
    assert first.content == ((0, 14), (27, 38))
    assert second.source is None and second.content == ((39, 53),)


def test_read_brat_skips_continuation_lines_of_multiline_text() -> None:
    ann = "T1\tCue 5 9\tsaid\nsecond line of a text field\nT2\tAttribution 5 9\tsaid\nE1\tAttribution:T2 Cue:T1\n"
    (only,) = read_brat(ann)
    assert only.cue == ((5, 9),) and only.source is None and only.content is None


def test_normalise_strips_merges_and_sorts() -> None:
    text = "ab  cd ef"
    assert normalise(text, [(6, 9), (0, 3)]) == ((0, 2), (7, 9))
    assert normalise(text, [(0, 2), (4, 6)]) == ((0, 6),)  # only whitespace between: one fragment
    assert normalise(text, [(2, 4)]) == ()
    assert normalise(text, None) == ()


def _gold(layout: Path) -> list[GoldArticle]:
    return read_polnear(layout, "dev")


def test_perfect_prediction_scores_one(layout: Path) -> None:
    gold = _gold(layout)
    predicted = {
        a.article_id: [Predicted(cue=g.cue, source=g.source, content=g.content) for g in a.attributions] for a in gold
    }
    result = score(gold, predicted)
    for role in ("source", "cue", "content"):
        for kind in ("exact", "overlap"):
            for metric in ("precision", "recall", "f1"):
                assert result[f"{role}.{kind}.{metric}"] == pytest.approx(1.0)
    assert result["attribution.f1"] == pytest.approx(1.0)
    assert result["n"] == 2


def test_metric_arithmetic_with_discontinuous_and_missing_parts(layout: Path) -> None:
    gold = _gold(layout)
    predicted = {
        "art-a": [
            # content only partly found (one fragment of two): overlap yes, exact no
            Predicted(cue=((21, 25),), source=((15, 20),), content=((0, 14),)),
            # a source where gold has none, whitespace around the cue is ignored
            Predicted(cue=((66, 73),), source=((55, 66),), content=((39, 53),)),
        ],
        "art-b": [
            # fragments given in another order, with surrounding spaces: still exact
            Predicted(cue=((18, 23),), source=((9, 17),), content=((24, 34), (0, 8))),
            # a spurious attribution
            Predicted(cue=((4, 8),)),
        ],
    }
    r = score(gold, predicted)
    # gold: 2 sources, 3 cues, 3 contents; predicted: 3 sources, 4 cues, 3 contents
    assert r["source.exact.precision"] == pytest.approx(2 / 3)
    assert r["source.exact.recall"] == pytest.approx(1.0)
    assert r["source.exact.f1"] == pytest.approx(0.8)
    assert r["cue.exact.precision"] == pytest.approx(3 / 4)
    assert r["cue.exact.recall"] == pytest.approx(1.0)
    assert r["content.exact.precision"] == pytest.approx(2 / 3)
    assert r["content.exact.recall"] == pytest.approx(2 / 3)
    assert r["content.overlap.f1"] == pytest.approx(1.0)
    # attributions: art-a #1 matches, art-a #2 has a source gold lacks, art-b #1 matches
    assert r["attribution.precision"] == pytest.approx(2 / 4)
    assert r["attribution.recall"] == pytest.approx(2 / 3)
    assert r["attribution.f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_each_span_is_matched_once(layout: Path) -> None:
    gold = _gold(layout)[1:]  # art-b only: one cue
    predicted = {"art-b": [Predicted(cue=((18, 23),)), Predicted(cue=((19, 21),))]}
    r = score(gold, predicted)
    assert r["cue.overlap.precision"] == pytest.approx(0.5)
    assert r["cue.overlap.recall"] == pytest.approx(1.0)
    assert r["cue.exact.recall"] == pytest.approx(1.0)


def test_nothing_predicted_scores_zero(layout: Path) -> None:
    r = evaluate_quotes(layout, "dev", lambda text: [])
    assert r["cue.exact.f1"] == 0.0 and r["attribution.f1"] == 0.0 and r["n"] == 2
    assert evaluate_quotes(layout, "dev", lambda text: [], limit=1)["n"] == 1


def test_missing_layout_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PolNeAR layout"):
        read_polnear(tmp_path, "dev")


@pytest.mark.slow
def test_shipped_model_finds_a_simple_attribution() -> None:
    from narrascope.annotators.attribution_model import load_attribution_model
    from narrascope.models import load_spacy

    text = "Mayor Jane Doe said that the plan was ready."
    doc = load_spacy()(text)
    ents_before = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    found = load_attribution_model().predict(doc)
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == ents_before  # doc untouched
    assert len(found) == 1
    (att,) = found
    assert text[att.cue[0] : att.cue[1]] == "said"
    assert att.source is not None and "Jane Doe" in text[att.source[0] : att.source[1]]
    assert att.content is not None and text[att.content[0] : att.content[1]].endswith("the plan was ready")
    assert att.content_fragments and att.content_fragments[0][0] == att.content[0]
