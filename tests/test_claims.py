"""Claims, certainty cues, figures and designation labels: rules on short texts written here,
the worked example, and the hedges commands on a small CSV."""

from __future__ import annotations

import copy
import csv
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from narrascope.annotators.certainty import find_cues
from narrascope.annotators.hedging import BAND, HedgeModel, features, load_hedge_model, model_path, probability
from narrascope.annotators.labels import find_labels
from narrascope.errors import ModelError
from narrascope.model import Analysis
from narrascope.pipeline import Pipeline

CLI = [sys.executable, "-m", "narrascope.cli"]


@pytest.fixture(scope="module")
def sample(nlp: Pipeline, sample_text: str) -> Analysis:
    return nlp(sample_text)


def test_cues_longest_first_and_ambiguous_words_skipped() -> None:
    text = "Most likely it could have been planned. In May 2020 it was clearly over; it would not have been possible."
    found = [(c.kind, c.cue) for c in find_cues(text)]
    assert found == [("hedge", "most likely"), ("hedge", "could have"), ("booster", "clearly")]


def test_russian_cues() -> None:
    found = [(c.kind, c.cue) for c in find_cues("Скорее всего, это однозначно спланировано, по данным МВД.", "ru")]
    assert found == [("hedge", "скорее всего"), ("booster", "однозначно"), ("evidential", "по данным")]


@pytest.mark.parametrize(
    ("text", "language", "label", "kind", "target"),
    [
        ("men of ISIL (organization banned in Russia) came", "en", "organization banned in Russia", "banned", "ISIL"),
        ("Meduza, designated a foreign agent in Russia, said", "en", "designated a foreign agent in Russia",
         "foreign-agent", "Meduza"),
        ("and the Taliban, a designated terrorist organization, took", "en", "a designated terrorist organization",
         "terrorist", "Taliban"),
        ("«Мемориал» (признан иностранным агентом) сообщил", "ru", "признан иностранным агентом", "foreign-agent",
         "«Мемориал»"),
    ],
)  # fmt: skip
def test_designation_labels(text: str, language: str, label: str, kind: str, target: str) -> None:
    found = find_labels(text, language)
    assert len(found) == 1
    item = found[0]
    assert (text[item.start : item.end], item.kind) == (label, kind)
    assert item.target is not None and text[slice(*item.target)] == target


def test_no_label_in_plain_words() -> None:
    assert find_labels("He has a terrorist background and a foreign accent.") == []


def test_sample_casualty_figure_is_the_commandant_offices(sample: Analysis) -> None:
    fourteen = next(f for f in sample.figures if f.span.text == "14")
    assert fourteen.counts is not None and fourteen.counts.text == "servicemen"
    assert fourteen.event is not None and fourteen.event.text == "killed"
    assert fourteen.reported_by is not None and "military commandant" in fourteen.reported_by
    half = next(f for f in sample.figures if "half" in f.span.text)
    assert half.approximate and half.value == 0.5
    assert not any(f.span.text.startswith("06.01") for f in sample.figures), "a date is not a figure"


def test_sample_labels_are_the_outlets_markers_on_the_organisations(sample: Analysis) -> None:
    assert [label.kind for label in sample.labels] == ["banned"] * 3
    targets = [label.target.text if label.target else None for label in sample.labels]
    assert targets == ["ISIL", "ISIL", "East Turkistan Islamic Movement"]
    assert all(label.jurisdiction == "Russia" and label.marker == "outlet" for label in sample.labels)
    for claim in sample.claims:
        assert not any(c.span.text.lower().startswith("organization banned") for c in claim.cues)


def test_sample_claims_hedged_boosted_and_attributed(sample: Analysis) -> None:
    claims = sample.claims
    assert claims and all(0.0 <= c.certainty <= 1.0 for c in claims)
    by_cue = {c.cue: claim for claim in claims for c in claim.cues}
    assert {"most likely", "probably", "could have", "is likely to"} <= set(by_cue)
    assert {"unambiguous", "clearly", "of course"} <= set(by_cue)
    assert by_cue["is likely to"].speaker == "Yury Byaly"
    hedged, boosted = by_cue["is likely to"], by_cue["clearly"]
    assert hedged.certainty < boosted.certainty
    casualty = next(claim for claim in claims if "14 servicemen" in claim.span.text)
    assert casualty.claimant == "source" and casualty.speaker is not None and "commandant" in casualty.speaker
    profile = sample.claim_profile
    assert profile is not None and profile.claims == len(claims)
    assert profile.hedged >= 5 and profile.boosted >= 3 and profile.single_source > profile.claims / 2


def _write_csv(path: Path, rows: list[tuple[str, int]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)


def test_eval_and_train_hedges_commands(tmp_path: Path) -> None:
    uncertain = ["It is probably true that {} may be older.", "Some say {} is allegedly the first.",
                 "{} might possibly have been built earlier."]  # fmt: skip
    certain = ["{} was built in 1900.", "{} has four towers.", "{} is in the north of the city."]
    rows = []
    for i in range(400):
        template, label = (uncertain[i % 3], 1) if i % 5 < 2 else (certain[i % 3], 0)
        rows.append((template.format(f"Tower {i}"), label))
    data = tmp_path / "train.csv"
    _write_csv(data, rows)
    done = subprocess.run([*CLI, "eval", "hedges", "--data", str(data), "--cv", "2", "--regression-only", "--json"],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"precision", "recall", "f1"} <= set(metrics) and metrics["f1"] > 0.9
    model = tmp_path / "hedges.json"
    done = subprocess.run([*CLI, "train", "hedges", "--data", str(data), "--output", str(model), "--cv", "2",
                           "--regression-only"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    trained = json.loads(model.read_text())
    assert trained["weights"] and "finetuned" not in trained
    assert HedgeModel(model).finetuned is None


def test_hedges_cross_validation_of_the_fine_tuned_model_needs_torch(tmp_path: Path) -> None:
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("torch is installed here: the fine-tuned cross-validation would run (an hour)")
    data = tmp_path / "train.csv"
    _write_csv(data, [(f"Tower {i} may be older.", i % 2) for i in range(200)])
    done = subprocess.run([*CLI, "eval", "hedges", "--data", str(data), "--cv", "2"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "torch" in done.stderr


class _Classifier:
    """Stands for the fine-tuned classifier: records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def probabilities(self, texts: list[str]) -> list[float]:
        self.asked += texts
        return [0.999 for _ in texts]


def test_the_fine_tuned_classifier_decides_only_where_the_regression_is_unsure() -> None:
    shipped = load_hedge_model()
    assert shipped.finetuned is not None, "the shipped hedge model names its fine-tuned classifier"
    model = copy.copy(shipped)
    model.finetuned = stub = _Classifier()  # type: ignore[assignment]
    sentences = ["The tower was built in 1900.", "Some say it is probably, allegedly, possibly the oldest.",
                 "It is unclear whether the tower is older.", "The bridge opened in May.",
                 "Critics say the plan may fail.", "It is thought the tower is older than the church."]  # fmt: skip
    plain = {s: probability(shipped.weights, shipped.bias, features(s)) for s in sentences}
    low, high = shipped.band
    assert shipped.band == BAND and low <= shipped.threshold <= high
    for sentence in sentences:
        expected = 0.999 if low <= plain[sentence] <= high else plain[sentence]
        assert model.uncertainty(sentence) == pytest.approx(expected)
    assert stub.asked == [s for s in sentences if low <= plain[s] <= high]
    assert stub.asked, "none of the sentences fell in the band: the test would not test the gate"
    stub.asked.clear()
    model.uncertainty("Возможно, башня старше.", "ru")
    assert stub.asked == []


def test_a_hedge_model_naming_a_missing_classifier_is_one_clear_error(tmp_path: Path) -> None:
    broken = json.loads(model_path().read_text(encoding="utf-8"))
    broken["finetuned"] = {"file": "absent.onnx", "band": [0.3, 0.7]}
    (tmp_path / "hedges.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ModelError, match="fine-tuned hedge classifier"):
        HedgeModel(tmp_path / "hedges.json")
    broken["finetuned"] = {"band": [0.3, 0.7]}
    (tmp_path / "hedges.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ModelError, match="cannot read the hedge model"):
        HedgeModel(tmp_path / "hedges.json")


def test_the_shipped_fine_tuned_classifier_reads_hedging() -> None:
    classifier = load_hedge_model().finetuned
    assert classifier is not None
    hedged, plain = classifier.probabilities(["It is unclear whether the tower may be older than the church.",
                                              "The tower was built in 1900 by the city council."])  # fmt: skip
    assert hedged > 0.5 > plain


def test_eval_hedges_rejects_a_file_without_its_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("sentence,class\nfoo,1\n")
    done = subprocess.run([*CLI, "eval", "hedges", "--data", str(bad)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("narrascope: error:") and "Traceback" not in done.stderr


def test_checkworthiness_on_the_sample(sample: Analysis) -> None:
    casualty = next(claim for claim in sample.claims if "14 servicemen" in claim.span.text)
    assert casualty.checkworthy is not None and casualty.checkworthy >= 0.5
    assert all(c.checkworthy is not None and 0.0 <= c.checkworthy <= 1.0 for c in sample.claims)
    assert sample.claim_profile is not None and 0 < sample.claim_profile.checkworthy < len(sample.claims)
    assert "checkworthy" in sample.models


def test_a_sentence_scores_the_same_alone_and_among_others() -> None:
    from narrascope.annotators.checkworthy import load_checkworthy_model

    model = load_checkworthy_model()
    sentence = "Unemployment fell by 3 percent last year, the lowest rate since 1970."
    alone = model.scores([sentence])[0]
    among = model.scores(["Thank you.", sentence, "We have sent 40,000 troops to the border since January."])[1]
    assert alone == among


def test_eval_checkworthy_command(tmp_path: Path) -> None:
    rows = [
        ("1", "Unemployment fell by 3 percent last year, the lowest rate since 1970.", "Yes"),
        ("2", "We cut taxes for 12 million families in 2019.", "Yes"),
        ("3", "Thank you very much, it is good to be here tonight.", "No"),
        ("4", "Let me answer that question.", "No"),
    ]
    data = tmp_path / "dev.tsv"
    data.write_text("Sentence_id\tText\tclass_label\n" + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    done = subprocess.run([*CLI, "eval", "checkworthy", "--data", str(data), "--json"],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"precision", "recall", "f1", "n"} <= set(metrics) and metrics["n"] == 4
    assert metrics["f1"] == 1.0
    data.write_text("Sentence_id\tText\tlabel\n1\tfoo\tYes\n", encoding="utf-8")
    done = subprocess.run(
        [*CLI, "eval", "checkworthy", "--data", str(data)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and done.stderr.startswith("narrascope: error:")


def test_train_checkworthy_fails_in_one_line_without_data_or_torch(tmp_path: Path) -> None:
    done = subprocess.run([*CLI, "train", "checkworthy", "--data", str(tmp_path), "--output", str(tmp_path / "m")],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("narrascope: error:") and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_no_claims_or_figures_for_a_language_narrascope_does_not_read(nlp: Pipeline) -> None:
    analysis = nlp("Die Regierung hat am Montag beschlossen, dass 14 Soldaten nach Mali geschickt werden. Das ist gut.")
    assert analysis.document.language is not None and not analysis.document.language.supported
    assert analysis.claims == [] and analysis.figures == [] and analysis.claim_profile is None


def test_claims_score_what_the_model_reads_with_labels_blanked(nlp: Pipeline) -> None:
    from narrascope.annotators.checkworthy import load_checkworthy_model

    text = (
        "The ministry said that 40 soldiers were killed near the border on Monday.\n\n"
        "Members of Hizb ut-Tahrir (an organization banned in Russia) were detained in Kazan, the police said."
    )
    analysis = nlp(text)
    model = load_checkworthy_model()
    plain, labelled = analysis.claims
    assert analysis.labels and plain.checkworthy == round(model.scores([plain.span.text])[0], 4)
    blanked = "Members of Hizb ut-Tahrir were detained in Kazan, the police said."
    with_label = round(model.scores([labelled.span.text])[0], 4)
    assert labelled.checkworthy == round(model.scores([blanked])[0], 4) != with_label


def test_a_sentence_reporting_a_person_and_a_thing_is_the_persons() -> None:
    from narrascope.annotators.claims import _claimant
    from narrascope.model import Quote, Span, Speaker

    text = "The events allow us to conclude that it was planned, the expert Jane Doe said on Monday."

    def span(part: str) -> Span:
        at = text.index(part)
        return Span.of(text, at, at + len(part))

    thing = Quote(id="Q1", kind="indirect", speaker=Speaker(kind="abstract", span=span("The events")),
                  cue=span("allow"), content=span("that it was planned"))  # fmt: skip
    person = Quote(id="Q2", kind="indirect", speaker=Speaker(kind="entity", span=span("Jane Doe"), name="Jane Doe"),
                   cue=span("said"), content=span("The events allow us"))  # fmt: skip
    found = _claimant([thing, person], 0, len(text), text)
    assert found is not None and found.id == "Q2"
