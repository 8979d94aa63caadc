"""Persuasion techniques: the SemEval-2023 reader and scorers on a tiny data set written here,
the shipped model on the worked example, the reports, and the eval/train commands."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from narrascope.annotators.technique_families import FAMILIES, FAMILY_OF, TECHNIQUES
from narrascope.evaluation.techniques import merge, read_semeval, score_paragraphs, score_si, score_tc
from narrascope.model import Analysis
from narrascope.pipeline import Pipeline

CLI = [sys.executable, "-m", "narrascope.cli"]

PARAGRAPHS = [
    ("The {0} government acted in a shameful way again.", [("shameful", "Loaded_Language")]),
    ("Officials met on Tuesday to discuss the budget of {0}.", []),
    ("These traitors in {0} will destroy everything we love.", [("traitors", "Name_Calling-Labeling")]),
    ("The report on {0} was published in the morning.", []),
    ("Nobody can trust what the ministry of {0} says.", [("Nobody can trust what the ministry", "Doubt")]),
]


def write_semeval(root: Path, n: int = 12, split: str = "train") -> Path:
    """A SemEval-2023 subtask-3 layout with *n* small articles (title, blank line, paragraphs)."""
    articles = root / f"{split}-articles-subtask-3"
    spans_dir = root / f"{split}-labels-subtask-3-spans"
    articles.mkdir(parents=True)
    spans_dir.mkdir()
    labels, template, genres = [], [], []
    for a in range(n):
        article_id = str(1000 + a)
        place = f"Town{a}"
        lines = [f"News from {place}", ""]
        spans = []
        for k in range(len(PARAGRAPHS)):
            sentence, marked = PARAGRAPHS[(a + k) % len(PARAGRAPHS)]
            line = sentence.format(place)
            start = sum(len(x) + 1 for x in lines)
            for words, technique in marked:
                at = start + line.index(words)
                spans.append((technique, at, at + len(words)))
            lines.append(line)
        text = "\n".join(lines) + "\n"
        (articles / f"article{article_id}.txt").write_text(text, encoding="utf-8")
        rows = [f"{article_id}\t{t}\t{s}\t{e}" for t, s, e in spans]
        (spans_dir / f"article{article_id}-labels-subtask-3.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line) + 1)
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            found = sorted({t for t, s, _ in spans if offsets[number - 1] <= s < offsets[number]})
            labels.append(f"{article_id}\t{number}\t{','.join(found)}")
            template.append(f"{article_id}\t{number}\t{line}")
        genres.append(f"{article_id}\t{'opinion' if a % 2 else 'reporting'}")
    (root / f"{split}-labels-subtask-3.txt").write_text("\n".join(labels) + "\n", encoding="utf-8")
    (root / f"{split}-labels-subtask-3.template").write_text("\n".join(template) + "\n", encoding="utf-8")
    (root / f"{split}-labels-subtask-1.txt").write_text("\n".join(genres) + "\n", encoding="utf-8")
    return root


def test_families_cover_the_inventory_once() -> None:
    assert len(TECHNIQUES) == 23 == len(set(TECHNIQUES))
    assert set(FAMILY_OF) == set(TECHNIQUES) and len(FAMILIES) == 7


def test_span_identification_formula() -> None:
    assert merge([(5, 10), (0, 6), (12, 14)]) == [(0, 10), (12, 14)]
    half = score_si([[(0, 10)]], [[(5, 15)]])
    assert half == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    # two predictions inside one gold span: each fully precise, together half the recall
    split = score_si([[(0, 20)]], [[(0, 5), (10, 15)]])
    assert split["precision"] == 1.0 and split["recall"] == 0.5
    assert score_si([[(0, 10)]], [[]])["f1"] == 0.0


def test_reader_and_paragraph_scores(tmp_path: Path) -> None:
    articles = read_semeval(write_semeval(tmp_path, n=3), "train")
    first = articles[0]
    assert first.id == "1000" and first.genre == "reporting"
    assert [first.text[s.start : s.end] for s in first.spans] == [
        "shameful",
        "traitors",
        "Nobody can trust what the ministry",
    ]
    assert first.labels[3] == {"Loaded_Language"} and first.labels[4] == set() and 2 not in first.paragraphs
    perfect = score_paragraphs(articles, [a.labels for a in articles], TECHNIQUES)
    assert perfect["micro_f1"] == 1.0 and perfect["labels_present"] == 3.0
    nothing = score_paragraphs(articles, [{} for _ in articles], TECHNIQUES)
    assert nothing["micro_f1"] == 0.0
    always = score_tc(articles, lambda text, spans: [["Loaded_Language"] for _ in spans])
    assert always["micro_f1"] == pytest.approx(1 / 3)


@pytest.fixture(scope="module")
def sample(nlp: Pipeline, sample_text: str) -> Analysis:
    return nlp(sample_text)


def test_techniques_on_the_sample(sample: Analysis) -> None:
    text = sample.document.text
    found = sample.techniques
    assert any(t.level == "span" for t in found), "the finder marks passages in an opinion piece"
    for t in found:
        assert t.span.text == text[t.span.start : t.span.end]
        assert t.family == FAMILY_OF[t.technique] and 0.0 <= t.score <= 1.0
        if t.cue is not None:
            assert t.span.start <= t.cue.start < t.cue.end <= t.span.end
    labelled = [(label.span.start, label.span.end) for label in sample.labels]
    assert not any(s <= t.span.start and t.span.end <= e for t in found for s, e in labelled)
    profile = sample.technique_profile
    assert profile is not None
    assert profile.spans + profile.paragraphs == len(found) == sum(profile.families.values())
    assert "techniques" in sample.models


def test_reports_show_techniques(sample: Analysis) -> None:
    from narrascope.report import render

    first = next(t for t in sample.techniques if t.level == "span")
    html = render(sample, "html")
    assert 'id="h-techniques"' in html and "l-techniques" in html and f"k-{first.family.replace(' ', '_')}" in html
    for fmt in ("text", "md"):
        report = render(sample, fmt)
        assert "Persuasion techniques" in report and first.family in report


def test_eval_and_train_techniques_commands(tmp_path: Path) -> None:
    data = write_semeval(tmp_path / "semeval", n=12)
    done = subprocess.run([*CLI, "eval", "techniques", "--data", str(data), "--split", "train", "--json"],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout.strip().splitlines()[-1])
    keys = {"si.f1", "tc.micro_f1", "paragraph.micro_f1", "paragraph.macro_f1_present", "Loaded_Language.f1"}
    assert keys <= set(metrics) and "flags_per_1000_words.reporting" in metrics
    done = subprocess.run([*CLI, "eval", "techniques", "--data", str(data), "--split", "train", "--cv", "2", "--json",
                           "--linear-only"], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    crossed = json.loads(done.stdout.strip().splitlines()[-1])
    assert crossed["tc.micro_f1"] > 0.9 and crossed["si.f1"] > 0.3  # the fixture's wording is learnable
    output = tmp_path / "model"
    done = subprocess.run([*CLI, "train", "techniques", "--data", str(data), "--output", str(output), "--linear-only"],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    from narrascope.annotators.persuasion import PersuasionModel

    model = PersuasionModel(output)
    text = "The shameful plan failed."
    assert model.techniques(text, [(4, 12)])[0][0].technique == "Loaded_Language"


@pytest.mark.parametrize(
    "args",
    [
        ["--split", "dev"],
        ["--split", "train", "--cv", "1"],
        ["--split", "train", "--tagger-floor", "1.5"],
        ["--split", "train", "--tagger-exits", "0.2"],
        ["--split", "train", "--tagger-exits", "0.2,x"],
        ["--split", "train", "--tagger-exits", "0.2,1.5"],
    ],
)
def test_eval_techniques_bad_input_is_one_line(tmp_path: Path, args: list[str]) -> None:
    write_semeval(tmp_path, n=2)
    done = subprocess.run([*CLI, "eval", "techniques", "--data", str(tmp_path), *args],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith("narrascope: error:") and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_finder_that_reads_the_shared_encoder_pass(tmp_path: Path) -> None:
    from narrascope.annotators.checkworthy import WIDTH, load_checkworthy_model
    from narrascope.annotators.persuasion import HASH_SIZE, PersuasionModel
    from narrascope.models import load_spacy
    from narrascope.training.techniques import train_techniques

    data = write_semeval(tmp_path / "semeval", n=12)
    meta = train_techniques(data, tmp_path / "model", states_scale=0.3, tagger=False, log=lambda _: None)
    model = PersuasionModel(tmp_path / "model")
    assert model.needs_encoder and meta["finder"]["states_scale"] == 0.3 and model.finder.tagger is None
    assert model.finder.weights.shape[0] == meta["finder"]["features"] == HASH_SIZE + WIDTH  # hashed + one per state
    doc = load_spacy()("These traitors in Springfield will destroy everything we love. Officials met on Tuesday.")
    readings = load_checkworthy_model().read([doc])
    states = [readings[0].tokens]
    given = model.spans_many([doc], readings)
    assert given == model.spans_many([doc])  # without states the model runs the encoder pass itself
    # the paragraph classifier reads each paragraph's mean state beside its words
    assert meta["paragraphs"]["states_scale"] == 3.0 and model.paragraphs.dense is not None
    assert model.paragraphs.dense.shape == (WIDTH, len(model.paragraphs.classes))
    lines = [(0, doc.text.index(".") + 1), (doc.text.index("Officials"), len(doc.text))]
    read = model.paragraph_techniques(doc.text, lines, doc, states[0])
    assert read == model.paragraph_techniques(doc.text, lines, doc)  # states computed when not given
    with pytest.raises(ValueError):
        model.paragraph_techniques(doc.text, lines)  # it cannot score a paragraph without its parse
    plain = train_techniques(
        data, tmp_path / "plain", states_scale=0.0, paragraph_scale=0.0, tagger=False, log=lambda _: None
    )
    assert not PersuasionModel(tmp_path / "plain").needs_encoder and plain["finder"]["states_scale"] == 0.0
    assert plain["paragraphs"]["states_scale"] == 0.0


def test_a_run_is_kept_when_one_of_its_tokens_is_sure_enough() -> None:
    from narrascope.annotators.persuasion import peaked_runs, runs
    from narrascope.models import load_spacy

    doc = load_spacy()("They are shameful liars. Officials met on Tuesday to talk.")
    probs = [0.0] * len(doc)
    probs[2], probs[3] = 0.3, 0.5  # "shameful liars": one sure token
    probs[6], probs[7] = 0.25, 0.25  # "on Tuesday": none
    indices = list(range(len(doc)))
    assert [round(p, 2) for *_, p in peaked_runs(doc, indices, probs, 0.2, 1)] == [0.5, 0.25]
    kept = runs(doc, indices, probs, 0.2, 1, keep=0.4)
    assert [doc.text[a:b] for a, b in kept] == ["shameful liars"]
    assert len(runs(doc, indices, probs, 0.2, 1)) == 2  # keep 0: every run


def test_the_shipped_tagger_reads_the_shared_pass() -> None:
    """The shipped finder mixes the tagger's probabilities in; it reads the lower states the
    shared pass keeps for every run, and gives the same spans when it runs the pass itself."""
    import numpy as np

    from narrascope.annotators.checkworthy import WIDTH, load_checkworthy_model
    from narrascope.annotators.persuasion import load_persuasion_model
    from narrascope.models import load_spacy

    model, encoder = load_persuasion_model(), load_checkworthy_model()
    assert model.finder.tagger is not None and 0 < model.finder.tagger_weight < 1 and model.needs_encoder
    doc = load_spacy()("These traitors will destroy everything we love!\n\nOfficials met on Tuesday.")
    reading = encoder.read([doc])[0]
    assert reading.runs and all(r.lower.shape == (len(r.rows) + 2, WIDTH) for r in reading.runs)
    tagged = model.finder.tagger.probabilities(reading.runs, len(doc))
    assert tagged.shape == (len(doc),) and ((tagged >= 0) & (tagged <= 1)).all()
    assert tagged[[t.i for t in doc if t.is_space]].max() == 0  # no word piece, no probability
    words = {t.text: tagged[t.i] for t in doc}
    assert words["traitors"] > words["Tuesday"]
    assert model.spans_many([doc], [reading]) == model.spans_many([doc])
    indices, mixed = model.finder.probabilities(doc, reading)
    assert np.all((mixed >= 0) & (mixed <= 1)) and len(indices) == len(mixed)


def test_the_tagger_skips_the_runs_the_regression_finds_quiet() -> None:
    """A run where the regression reaches the floor on no token is not read by the tagger: its
    tokens keep the regression's probability; the other runs are read as without a floor."""
    import numpy as np

    from narrascope.annotators.checkworthy import load_checkworthy_model
    from narrascope.annotators.persuasion import load_persuasion_model
    from narrascope.annotators.technique_tagger import quiet_runs
    from narrascope.models import load_spacy

    tagger = load_persuasion_model().finder.tagger
    assert tagger is not None
    doc = load_spacy()("These traitors will destroy everything we love!\n\nOfficials met on Tuesday.")
    runs = load_checkworthy_model().read([doc])[0].runs
    assert len(runs) >= 2
    regression = np.full(len(doc), 0.01)
    regression[runs[0].rows] = 0.5  # the first run is loud, the others quiet
    assert quiet_runs(runs, regression, 0.0) == [False] * len(runs)
    assert quiet_runs(runs, regression, 0.2) == [False] + [True] * (len(runs) - 1)
    read: list[int] = []
    original = tagger.run_probabilities

    def counted(run: object) -> object:
        read.append(id(run))
        return original(run)

    tagger.run_probabilities = counted  # type: ignore[method-assign]
    try:
        every = tagger.probabilities(runs, len(doc))
        assert len(read) == len(runs)
        read.clear()
        floored = tagger.probabilities(runs, len(doc), regression, 0.2)
        assert read == [id(runs[0])]
    finally:
        del tagger.run_probabilities
    first, rest = np.unique(runs[0].rows), np.unique(np.concatenate([r.rows for r in runs[1:]]))
    assert np.allclose(floored[first], every[first])
    assert np.allclose(floored[rest], 0.01) and not np.allclose(every[rest], 0.01)


def test_a_run_leaves_the_tagger_at_the_first_exit_it_stays_under() -> None:
    """A staged tagger reads a run stage by stage and stops after the first stage whose head
    gives no word piece its exit probability, keeping that head's probabilities; a run that
    passes every exit gets the last stage's. Stand-in stages, so the rule is checked alone."""
    from types import SimpleNamespace

    import numpy as np

    from narrascope.annotators.persuasion import model_dir
    from narrascope.annotators.technique_tagger import TechniqueTagger
    from narrascope.errors import ModelError

    class Stage:
        def __init__(self, logit: float, calls: list[int], number: int) -> None:
            self.logit, self.calls, self.number = logit, calls, number

        def run(self, _: object, inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
            self.calls.append(self.number)
            states = inputs["states"]
            return [np.full(states.shape[:2], self.logit, dtype=np.float32), states + 1]

    shipped = model_dir() / "tagger.onnx"
    run = SimpleNamespace(lower=np.zeros((5, 4), dtype=np.float32), rows=np.array([0, 1, 1]))
    logits = [-2.0, 0.0, 2.0]  # probabilities 0.12, 0.5, 0.88
    for exits, stops in [((0.0, 0.0), 3), ((0.13, 0.0), 1), ((0.1, 0.6), 2), ((0.1, 0.4), 3), ((0.9, 0.9), 1)]:
        tagger = TechniqueTagger([shipped] * 3, exits)
        calls: list[int] = []
        tagger.sessions = [Stage(logit, calls, n) for n, logit in enumerate(logits, 1)]
        pieces = tagger.run_probabilities(run)
        assert calls == list(range(1, stops + 1)), exits
        assert np.allclose(pieces, 1 / (1 + np.exp(-logits[stops - 1]))) and len(pieces) == 3
    with pytest.raises(ModelError, match="2 exits"):
        TechniqueTagger([shipped] * 3, [0.1])


def test_a_tagger_fed_another_layers_states_is_refused(tmp_path: Path) -> None:
    """The tagger and the shared pass must split the encoder at the same layer: fed another
    layer's states the tagger would give wrong probabilities without failing, so either model
    saying another layer (or, saying none, the split before LOWER_LAYER moved) is refused."""
    import shutil

    from narrascope.annotators import checkworthy, persuasion
    from narrascope.annotators.checkworthy import EARLIER_LOWER_LAYER, LOWER_LAYER, CheckworthyModel
    from narrascope.annotators.persuasion import PersuasionModel
    from narrascope.errors import ModelError

    assert LOWER_LAYER != EARLIER_LOWER_LAYER  # else a model saying nothing would be right
    techniques = shutil.copytree(persuasion.model_dir(), tmp_path / "techniques")
    meta = json.loads((techniques / "meta.json").read_text(encoding="utf-8"))
    assert meta["tagger"]["lower_layer"] == LOWER_LAYER
    for tagger in ({**meta["tagger"], "lower_layer": LOWER_LAYER + 1}, {"file": "tagger.onnx", "weight": 0.5}):
        (techniques / "meta.json").write_text(json.dumps({**meta, "tagger": tagger}), encoding="utf-8")
        with pytest.raises(ModelError, match="retrain"):
            PersuasionModel(techniques)
    shared = shutil.copytree(checkworthy.model_dir(), tmp_path / "checkworthy")
    settings = json.loads((shared / "meta.json").read_text(encoding="utf-8"))
    assert settings["lower_layer"] == LOWER_LAYER and "lower" in CheckworthyModel(shared).outputs
    (shared / "meta.json").write_text(json.dumps({**settings, "lower_layer": LOWER_LAYER + 1}), encoding="utf-8")
    with pytest.raises(ModelError, match="re-expose"):
        CheckworthyModel(shared)


def test_training_reads_the_shared_pass_once_and_caches_it(tmp_path: Path) -> None:
    import numpy as np

    from narrascope.annotators.checkworthy import load_checkworthy_model
    from narrascope.models import load_spacy
    from narrascope.training.techniques import readings

    docs = list(load_spacy().pipe(["They lie to you. Always.", "", "Officials met on Tuesday."]))
    fresh = load_checkworthy_model().read(docs)
    cache = tmp_path / "train.spacy"
    first, again = readings(docs, cache), readings(docs, cache)
    assert list(tmp_path.glob("train-reading-*.npz"))
    for a, b, c in zip(fresh, first, again, strict=True):
        assert np.array_equal(a.tokens, c.tokens) and len(a.runs) == len(c.runs) == len(b.runs)
        for x, y in zip(a.runs, c.runs, strict=True):
            assert np.array_equal(x.lower, y.lower) and np.array_equal(x.rows, y.rows)


@pytest.mark.parametrize("verb", [["eval", "techniques", "--split", "train", "--cv", "2"], ["train", "techniques"]])
def test_the_tagger_needs_torch_to_be_trained(tmp_path: Path, verb: list[str]) -> None:
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("torch is installed here: the tagger would be fine-tuned")
    data = write_semeval(tmp_path / "semeval", n=4)
    done = subprocess.run([*CLI, *verb, "--data", str(data)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and "torch" in done.stderr


def test_training_with_the_tagger(tmp_path: Path) -> None:
    """Where torch is installed (the train extra): the tagger is fine-tuned, exported beside the
    linear parts and read back; its weight is chosen with the decoding constants."""
    if importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed (the train extra): the tagger cannot be fine-tuned here")
    import numpy as np

    from narrascope.annotators.checkworthy import load_checkworthy_model
    from narrascope.annotators.persuasion import PersuasionModel
    from narrascope.annotators.technique_tagger import TechniqueTagger
    from narrascope.models import load_spacy
    from narrascope.training.techniques import TAGGER_EXITS, TAGGER_WEIGHTS, train_techniques

    data = write_semeval(tmp_path / "semeval", n=12)
    meta = train_techniques(data, tmp_path / "model", tagger=True, threads=1, log=lambda _: None)
    model = PersuasionModel(tmp_path / "model")
    tagger = json.loads((tmp_path / "model" / "meta.json").read_text(encoding="utf-8"))["tagger"]
    assert tagger["stages"] == ["tagger.onnx"] and tagger["exits"] == [] == list(TAGGER_EXITS)
    assert model.finder.tagger is not None and len(model.finder.tagger.sessions) == 1
    assert meta["finder"]["tagger_weight"] == model.finder.tagger_weight in TAGGER_WEIGHTS
    assert model.version.startswith("techniques-tagger+linear")
    # Staged: exit heads after the first and second layers, written as three stages.
    staged = tmp_path / "staged"
    meta = train_techniques(data, staged, tagger=True, threads=1, tagger_exits=(0.15, 0.5), log=lambda _: None)
    stages = json.loads((staged / "meta.json").read_text(encoding="utf-8"))["tagger"]["stages"]
    assert stages == ["tagger-1.onnx", "tagger-2.onnx", "tagger-3.onnx"] and meta["finder"]["tagger_exits"] == [
        0.15,
        0.5,
    ]
    assert PersuasionModel(staged).finder.tagger.exits == [0.15, 0.5]  # type: ignore[union-attr]
    doc = load_spacy()("These traitors will destroy everything we love!")
    reading = load_checkworthy_model().read([doc])[0]
    always = TechniqueTagger([staged / name for name in stages], [0.0, 0.0]).probabilities(reading.runs, len(doc))
    never = TechniqueTagger([staged / name for name in stages], [0.999, 0.999]).probabilities(reading.runs, len(doc))
    assert not np.allclose(always, never)


def test_the_lower_output_moves_with_the_taggers_split(tmp_path: Path) -> None:
    """``expose_lower`` on a model that already gives ``lower`` from another layer moves it there
    (and leaves a model alone when it already gives that layer), so changing the tagger's split is
    one constant and a re-export. A two-layer stand-in graph, built with onnx itself."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    from narrascope.training.checkworthy import expose_lower

    names = [f"/encoder/layers.{i}/ln2/LayerNormalization_output_0" for i in range(2)]
    nodes = [helper.make_node("Relu", ["x"], [names[0]]), helper.make_node("Relu", [names[0]], [names[1]])]
    value = helper.make_tensor_value_info
    graph = helper.make_graph(
        nodes, "g", [value("x", TensorProto.FLOAT, [1])], [value(names[1], TensorProto.FLOAT, [1])]
    )
    path = tmp_path / "model.onnx"
    onnx.save(helper.make_model(graph), str(path))

    def lower_input() -> list[list[str]]:
        model = onnx.load(str(path))
        assert [o.name for o in model.graph.output].count("lower") == 1
        return [list(node.input) for node in model.graph.node if list(node.output) == ["lower"]]

    (tmp_path / "meta.json").write_text('{"threshold": 0.5}', encoding="utf-8")
    expose_lower(path, layer=2)
    assert lower_input() == [[names[1]]]
    assert json.loads((tmp_path / "meta.json").read_text(encoding="utf-8")) == {"threshold": 0.5, "lower_layer": 2}
    expose_lower(path, layer=1)
    assert lower_input() == [[names[0]]]
    before = path.read_bytes()
    expose_lower(path, layer=1)
    assert path.read_bytes() == before
    with pytest.raises(ValueError, match="expected one tensor"):
        expose_lower(path, layer=3)


def test_the_model_card_names_the_shipped_constants() -> None:
    """The card's method repeats in prose the constants training chose (meta.json); a retraining
    that moves them must move the card too, or readers defend figures the model does not use."""
    from narrascope.annotators import persuasion

    folder = persuasion.model_dir()
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    card = " ".join((folder / "MODEL_CARD.md").read_text(encoding="utf-8").split())  # unwrap lines
    decoding, weight = meta["finder_decoding"], meta["tagger"]["weight"]
    assert f"{weight:g} × the tagger's + {1 - weight:.2g} × the regression's" in card
    assert f"at or above {decoding['threshold']:g}" in card
    assert f"gaps of at most {decoding['gap']} tokens" in card
    assert f"one of its tokens reaches {decoding['keep']:g}" in card
    assert f"tagger weight {weight:g}, threshold {decoding['threshold']:g}, gap {decoding['gap']}" in card
    assert f"(SI F1 {meta['finder']['inner_dev_si_f1']:.3f})" in card
    assert f"paragraph threshold {meta['paragraph_threshold']:g}" in card
    assert f"`train_seconds` {meta['train_seconds']:,.0f}" in card
    assert f"C = {meta['finder']['C']:g}" in card and f"scaled by {meta['finder_states_scale']:g}" in card
    assert f"`tagger.floor` {meta['tagger'].get('floor', 0):g}" in card
