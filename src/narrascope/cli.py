"""The `narrascope` command: a thin shell over the library, one verb per job.

Every error caused by input or environment ends in one line on stderr and a non-zero exit;
a traceback is shown only with NARRASCOPE_DEBUG=1.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from narrascope.cli_common import (
    Format,
    label,
    log_stderr,
    need_dir,
    need_file,
    need_probabilities,
    need_probability,
    print_bench,
    print_metrics,
    version_of,
)
from narrascope.errors import InputError, NarrascopeError

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Read news the way a disinformation researcher does, and show the evidence.",
)
eval_app = typer.Typer(no_args_is_help=True, help="Measure quality on public data sets read from a path.")
bench_app = typer.Typer(no_args_is_help=True, help="Measure speed as ratios against a baseline in the same run.")
app.add_typer(eval_app, name="eval")
train_app = typer.Typer(no_args_is_help=True, help="Rebuild the shipped models from the data sets.")
app.add_typer(bench_app, name="bench")
app.add_typer(train_app, name="train")

EXIT_INPUT = 2
EXIT_INTERNAL = 70


def sample_path() -> Path:
    """The bundled worked example, as a path on disk."""
    from importlib import resources

    return Path(str(resources.files("narrascope.resources").joinpath("sample/nato-kazakhstan-commentary.txt")))


@app.command()
def analyze(
    source: Annotated[str, typer.Argument(help="A file, a URL (with --fetch), '-' for stdin, or 'sample'.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    fetch: Annotated[bool, typer.Option("--fetch", help="Allow fetching a URL.")] = False,
    encoding: Annotated[str | None, typer.Option(help="Force the input encoding.")] = None,
    outlet: Annotated[str | None, typer.Option(help="The outlet, when the article does not say.")] = None,
    month_first: Annotated[bool, typer.Option("--month-first", help="Read numeric dates month-first.")] = False,
    gazetteer: Annotated[Path | None, typer.Option(help="Extra gazetteer JSON of recurring actors.")] = None,
    factchecks: Annotated[
        str | None,
        typer.Option(
            "--factchecks", help="A store (path or postgresql:// URL) of fact-check records to match claims to."
        ),
    ] = None,
) -> None:
    """Analyse one article and print its report."""
    import narrascope
    from narrascope.ingest import read_source
    from narrascope.report import render

    spec = str(sample_path()) if source == "sample" else source
    document = read_source(
        spec, allow_fetch=fetch, encoding=encoding, outlet=outlet, date_order="MDY" if month_first else None
    )
    if factchecks is not None and "://" not in factchecks and not Path(factchecks).is_file():
        raise InputError(f"{factchecks}: no such store (import records with `narrascope factchecks import`)")
    analysis = narrascope.load(gazetteer=gazetteer, factchecks=factchecks)(document)
    if fmt is Format.text and output is None:
        sys.stdout.write(render(analysis, "text", color=sys.stdout.isatty()))
        return
    report = render(analysis, fmt.value)
    if output is None:
        sys.stdout.write(report if report.endswith("\n") else report + "\n")
    else:
        try:
            output.write_text(report, encoding="utf-8")
        except OSError as err:
            raise InputError(f"cannot write {output}: {err.strerror}") from None


@app.command()
def schema() -> None:
    """Print the JSON Schema of an analysis (the same for reports, the store and the API)."""
    from narrascope.schema import analysis_schema

    sys.stdout.write(json.dumps(analysis_schema(), indent=2) + "\n")


@eval_app.command("extraction")
def eval_extraction(
    data: Annotated[Path, typer.Option("--data", help="trafilatura eval or ScrapingHub benchmark folder.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON on the last line.")] = False,
    limit: Annotated[int | None, typer.Option(help="Score only the first N documents.")] = None,
    baseline: Annotated[bool, typer.Option(help="Also score trafilatura alone.")] = True,
) -> None:
    """Main text and metadata extraction from HTML pages."""
    from narrascope.evaluation import extraction as ex
    from narrascope.evaluation.systems import narrascope_extractor

    need_dir(data)
    try:
        layout = ex.detect_layout(data)
    except ValueError as err:
        raise InputError(str(err)) from None
    extractors: dict[str, ex.Extractor] = {"narrascope": narrascope_extractor}
    if baseline:
        extractors["trafilatura alone"] = ex.trafilatura_alone
    run = ex.evaluate_trafilatura if layout == "trafilatura" else ex.evaluate_scrapinghub
    rows: dict[str, dict[str, Any]] = dict(run(data, extractors, limit=limit))
    label(rows, {"trafilatura alone": f"trafilatura {version_of('trafilatura')}"})
    print_metrics(f"extraction ({layout} layout)", rows, as_json, "narrascope")


@eval_app.command("dates")
def eval_dates(
    data: Annotated[Path, typer.Option("--data", help="htmldate eval folder (eval_*.json + html/).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON on the last line.")] = False,
    limit: Annotated[int | None, typer.Option(help="Score only the first N pages.")] = None,
    baseline: Annotated[bool, typer.Option(help="Also score htmldate alone.")] = True,
) -> None:
    """Publication dates of web pages."""
    from narrascope.evaluation import dates as ev
    from narrascope.evaluation.systems import narrascope_date

    need_dir(data)
    finders: dict[str, ev.DateFinder] = {"narrascope": narrascope_date}
    if baseline:
        finders["htmldate alone"] = ev.htmldate_alone
    try:
        rows: dict[str, dict[str, Any]] = dict(ev.evaluate_dates(data, finders, limit=limit))
    except (ValueError, FileNotFoundError) as err:
        raise InputError(str(err)) from None
    label(rows, {"htmldate alone": f"htmldate {version_of('htmldate')}"})
    print_metrics("publication dates", rows, as_json, "narrascope")


@eval_app.command("quotes")
def eval_quotes(
    data: Annotated[Path, typer.Option("--data", help="PolNeAR folder (<split>/text, <split>/attributions).")],
    split: Annotated[str, typer.Option(help="dev, test or train.")] = "dev",
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON on the last line.")] = False,
    limit: Annotated[int | None, typer.Option(help="Score only the first N articles.")] = None,
) -> None:
    """Quote and source attribution: source, cue and content spans against PolNeAR."""
    from narrascope.evaluation.attribution import evaluate_quotes
    from narrascope.evaluation.systems import narrascope_attributions

    need_dir(data / split)
    try:
        metrics: dict[str, Any] = dict(evaluate_quotes(data, split, narrascope_attributions(), limit=limit))
    except (ValueError, FileNotFoundError) as err:
        raise InputError(str(err)) from None
    rows = {"narrascope": metrics, **ANCHORS_QUOTES}
    label(rows, {name: name for name in ANCHORS_QUOTES})
    from narrascope.annotators.attribution_model import load_attribution_model

    metrics["model"] += f" ({load_attribution_model().version})"
    print_metrics(f"quotes (PolNeAR {split}, exact and overlap match)", rows, as_json, "narrascope")


@eval_app.command("hedges")
def eval_hedges(
    data: Annotated[Path, typer.Option("--data", help="CSV with columns text,label (1 = uncertain).")],
    cv: Annotated[int | None, typer.Option("--cv", help="Grouped K-fold cross-validation on this file.")] = None,
    regression_only: Annotated[
        bool, typer.Option("--regression-only", help="With --cv: the regression alone (no torch, about a minute).")
    ] = False,
    threads: Annotated[int, typer.Option(help="CPU threads for fine-tuning (with --cv).")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON on the last line.")] = False,
) -> None:
    """Hedged (uncertain) sentences: precision, recall and F1 of the uncertain class. With --cv the
    shipped model is retrained per fold, its classifier fine-tuned (torch; about 10 minutes a fold)."""
    from narrascope.annotators.hedging import load_hedge_model
    from narrascope.evaluation.binary import prf
    from narrascope.training.hedges import cross_validate, read_labelled

    need_file(data)
    texts, labels = read_labelled(data)
    if cv is not None:
        if not regression_only:
            from narrascope.training.claim_encoder import require_torch

            require_torch()
        metrics: dict[str, Any] = dict(
            cross_validate(texts, labels, cv, finetuned=not regression_only, threads=threads, log=log_stderr("hedges"))
        )
        kind = "regression" if regression_only else "regression + fine-tuned classifier"
        model = f"narrascope hedges ({kind}), retrained per fold ({cv}-fold, grouped)"
    else:
        hedges = load_hedge_model()
        metrics = dict(prf(labels, [hedges.is_hedged(t) for t in texts]))
        model = hedges.version
    metrics.update(n=float(len(texts)), model=model)
    print_metrics(f"hedges ({data.name})", {"narrascope": metrics}, as_json, "narrascope")


@eval_app.command("checkworthy")
def eval_checkworthy(
    data: Annotated[Path, typer.Option("--data", help="CheckThat! 2024 Task 1 TSV (Sentence_id, Text, class_label).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON on the last line.")] = False,
) -> None:
    """Check-worthy sentences: precision, recall and F1 of the positive (Yes) class."""
    from narrascope.annotators.checkworthy import load_checkworthy_model
    from narrascope.evaluation.checkworthy import evaluate_checkworthy

    need_file(data)
    metrics: dict[str, Any] = dict(evaluate_checkworthy(data))
    rows = {"narrascope": metrics, **ANCHORS_CHECKWORTHY}
    label(rows, {name: name for name in ANCHORS_CHECKWORTHY})
    metrics["model"] += f" ({load_checkworthy_model().version})"
    print_metrics(f"check-worthiness ({data.name})", rows, as_json, "narrascope")


ENCODER_STATES_HELP = "Weight of the shared encoder's token states in the span finder (0: not read)."
PARAGRAPH_STATES_HELP = "Weight of a paragraph's mean encoder state in the paragraph classifier (0: not read)."
LINEAR_ONLY_HELP = "Without the fine-tuned technique tagger (no torch; the linear parts alone)."
TAGGER_FLOOR_HELP = "The tagger skips a claim unit where the regression gives no token this probability (0: none)."
TAGGER_EXITS_HELP = (
    "Train the tagger with exit heads: a claim unit leaves it after its first layer when no word"
    " piece reaches the first probability, after its second when none reaches the second, e.g."
    " 0.15,0.5 (default: none, every unit through all five layers, the shipped recipe)."
)


def _tagger_exits(value: str | None) -> tuple[float, ...]:
    from narrascope.training.technique_tagger import EXIT_LAYERS

    return () if value is None else need_probabilities("--tagger-exits", value, len(EXIT_LAYERS))


@eval_app.command("techniques")
def eval_techniques(
    data: Annotated[
        Path, typer.Option("--data", help="SemEval-2023 Task 3 English folder (<split>-articles-subtask-3 …).")
    ],
    split: Annotated[str, typer.Option(help="train or dev.")] = "dev",
    cv: Annotated[int | None, typer.Option("--cv", help="Grouped K-fold: retrain and score on this split.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON on the last line.")] = False,
    limit: Annotated[int | None, typer.Option(help="Score only the first N articles.")] = None,
    encoder_states: Annotated[float, typer.Option(help=ENCODER_STATES_HELP)] = 0.3,
    paragraph_states: Annotated[float, typer.Option(help=PARAGRAPH_STATES_HELP)] = 3.0,
    linear_only: Annotated[bool, typer.Option("--linear-only", help=LINEAR_ONLY_HELP)] = False,
    threads: Annotated[int, typer.Option(help="CPU threads for fine-tuning the tagger (with --cv).")] = 2,
    tagger_floor: Annotated[float, typer.Option(help=TAGGER_FLOOR_HELP + " With --cv.")] = 0.0,
    tagger_exits: Annotated[str | None, typer.Option(help=TAGGER_EXITS_HELP + " With --cv.")] = None,
) -> None:
    """Persuasion techniques: span identification, technique classification, paragraph labels.
    With --cv every part is retrained per fold, the tagger fine-tuned (torch; about 10 minutes a fold)."""
    from narrascope.training.techniques import cross_validate, evaluate_split

    need_dir(data / f"{split}-articles-subtask-3")
    if cv is not None and cv < 2:
        raise InputError("--cv needs at least 2 folds")
    need_probability("--tagger-floor", tagger_floor)
    exits = _tagger_exits(tagger_exits)
    if cv is not None and not linear_only:
        from narrascope.training.claim_encoder import require_torch

        require_torch()
    try:
        if cv is not None:
            metrics: dict[str, Any] = dict(
                cross_validate(
                    data,
                    split,
                    cv,
                    limit=limit,
                    states_scale=encoder_states,
                    paragraph_scale=paragraph_states,
                    tagger=not linear_only,
                    threads=threads,
                    tagger_floor=tagger_floor,
                    tagger_exits=exits,
                    log=log_stderr("techniques"),
                )
            )
            how = f", tagger exits {','.join(f'{e:g}' for e in exits)}" if exits and not linear_only else ""
            how += f", the tagger skipping units under {tagger_floor:g}" if tagger_floor > 0 and not linear_only else ""
            metrics["model"] = f"narrascope techniques, retrained per fold ({cv}-fold, grouped by article{how})"
        else:
            metrics = dict(evaluate_split(data, split, limit=limit))
            if split == "train":
                metrics["model"] += " (trained on this split: in-sample figures; use --cv for honest ones)"
    except (ValueError, FileNotFoundError) as err:
        raise InputError(str(err)) from None
    rows = {"narrascope": metrics, **ANCHORS_TECHNIQUES}
    label(rows, {name: name for name in ANCHORS_TECHNIQUES})
    print_metrics(f"persuasion techniques (SemEval-2023 English {split})", rows, as_json, "narrascope")


ANCHORS_TECHNIQUES: dict[str, dict[str, Any]] = {
    "best published (dev)": {"si.f1": 0.516, "tc.micro_f1": 0.62, "paragraph.micro_f1": 0.43},
    "bag of words (dev)": {"si.f1": 0.341, "tc.micro_f1": 0.507, "paragraph.micro_f1": 0.23},
}
"""Published figures on SemEval-2023 Task 3 English dev (../shared/ANCHORS.md): Hitachi (SI),
ApplicaAI (TC), KInIT (paragraphs); the TF-IDF + logistic-regression baselines."""


ANCHORS_CHECKWORTHY: dict[str, dict[str, Any]] = {
    "FactFinders, 1st (2024 test)": {"f1": 0.802},
    "12th of 27 (2024 test)": {"f1": 0.711},
}
"""Published F1 on the CheckThat! 2024 Task 1 English test set (../shared/ANCHORS.md)."""


ANCHORS_QUOTES: dict[str, dict[str, Any]] = {
    "BERT-Cofe (test, published)": {"source.exact.f1": 0.832, "cue.exact.f1": 0.753, "content.exact.f1": 0.729},
    "CRF (test, published)": {"source.exact.f1": 0.506, "cue.exact.f1": 0.534, "content.exact.f1": 0.286},
}
"""Published exact-match F1 on PolNeAR test (../shared/ANCHORS.md), printed beside our figures."""


@train_app.command("quotes")
def train_quotes(
    data: Annotated[Path, typer.Option("--data", help="PolNeAR folder with train/ and dev/.")],
    output: Annotated[Path, typer.Option(help="Where to write the model.")] = Path("build/models/quotes"),
    seed: Annotated[int, typer.Option(help="Random seed (the shipped model's is in its meta.json).")] = 1234,
    kind: Annotated[str, typer.Option(help="Tagger variant (see training.quotes.component_config).")] = "minilm",
) -> None:
    """Retrain the attribution model from PolNeAR train (dev selects the best step)."""
    from narrascope.training.quotes import KINDS
    from narrascope.training.quotes import train_quotes as train

    need_dir(data / "train")
    if kind not in KINDS:
        raise InputError(f"--kind must be one of {', '.join(KINDS)}, not {kind!r}")
    summary = train(data, output, seed=seed, kind=kind)
    sys.stdout.write(json.dumps(summary, default=str) + "\n")


@train_app.command("hedges")
def train_hedges(
    data: Annotated[Path, typer.Option("--data", help="WikiWeasel train.csv (text,label).")],
    output: Annotated[Path, typer.Option(help="Where to write the model.")] = Path("build/models/hedges.json"),
    cv: Annotated[int, typer.Option("--cv", help="Folds for the threshold and the reported figures.")] = 5,
    regression_only: Annotated[
        bool, typer.Option("--regression-only", help="The regression alone, without the fine-tuned classifier.")
    ] = False,
    threads: Annotated[int, typer.Option(help="CPU threads for fine-tuning.")] = 2,
) -> None:
    """Retrain the hedge model (threshold chosen by grouped cross-validation on the same file); the
    fine-tuned classifier (written beside it as hedges.onnx) needs torch and about an hour."""
    from narrascope.training.hedges import train_hedges as train

    need_file(data)
    if not regression_only:
        from narrascope.training.claim_encoder import require_torch

        require_torch()
    summary = train(data, output, cv, finetuned=not regression_only, threads=threads, log=log_stderr("hedges"))
    sys.stdout.write(json.dumps(summary) + "\n")


@train_app.command("checkworthy")
def train_checkworthy(
    data: Annotated[Path, typer.Option("--data", help="CheckThat! 2024 Task 1 English folder (train, dev TSVs).")],
    output: Annotated[Path, typer.Option(help="Where to write the model.")] = Path("build/models/checkworthy"),
    epochs: Annotated[int, typer.Option(help="Training epochs (dev is scored every half epoch).")] = 2,
    threads: Annotated[int, typer.Option(help="CPU threads for torch.")] = 1,
) -> None:
    """Fine-tune the check-worthiness model (needs the train extra and torch==2.13.0)."""
    from narrascope.training.checkworthy import train_checkworthy as train

    need_dir(data)
    sys.stdout.write(json.dumps(train(data, output, epochs=epochs, threads=threads)) + "\n")


@train_app.command("techniques")
def train_techniques(
    data: Annotated[Path, typer.Option("--data", help="SemEval-2023 Task 3 English folder (train split).")],
    output: Annotated[Path, typer.Option(help="Where to write the model.")] = Path("build/models/techniques"),
    encoder_states: Annotated[float, typer.Option(help=ENCODER_STATES_HELP)] = 0.3,
    paragraph_states: Annotated[float, typer.Option(help=PARAGRAPH_STATES_HELP)] = 3.0,
    linear_only: Annotated[bool, typer.Option("--linear-only", help=LINEAR_ONLY_HELP)] = False,
    threads: Annotated[int, typer.Option(help="CPU threads for fine-tuning the tagger.")] = 2,
    tagger_floor: Annotated[float, typer.Option(help=TAGGER_FLOOR_HELP)] = 0.0,
    tagger_exits: Annotated[str | None, typer.Option(help=TAGGER_EXITS_HELP)] = None,
) -> None:
    """Retrain the persuasion-technique model from SemEval-2023 English train only (the tagger
    needs torch: about 20 minutes on 2 cores)."""
    from narrascope.training.techniques import train_techniques as train

    need_dir(data / "train-articles-subtask-3")
    need_probability("--tagger-floor", tagger_floor)
    exits = _tagger_exits(tagger_exits)
    if not linear_only:
        from narrascope.training.claim_encoder import require_torch

        require_torch()
    summary = train(
        data,
        output,
        states_scale=encoder_states,
        paragraph_scale=paragraph_states,
        tagger=not linear_only,
        threads=threads,
        tagger_floor=tagger_floor,
        tagger_exits=exits,
        log=log_stderr("techniques"),
    )
    sys.stdout.write(json.dumps(summary) + "\n")


@bench_app.command("analyze")
def bench_analyze(
    data: Annotated[Path, typer.Option("--data", help="Folder of .txt articles (e.g. PolNeAR train/text).")],
    n: Annotated[int, typer.Option("--n", help="Number of articles.")] = 100,
    repeats: Annotated[int, typer.Option(help="Runs of each; the best is kept.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON on the last line.")] = False,
) -> None:
    """Our pipeline (metadata + entities) against bare spaCy nlp.pipe on the same texts."""
    from narrascope.bench import bench_analyze as run
    from narrascope.bench import read_texts

    result = run(read_texts(data, n), repeats=repeats)
    print_bench(f"bench analyze ({result['n']} articles, {result['words']} words)", result, as_json)


@bench_app.command("ingest")
def bench_ingest(
    data: Annotated[Path, typer.Option("--data", help="Folder of .txt articles (e.g. PolNeAR train/text).")],
    n: Annotated[int, typer.Option("--n", help="Number of articles.")] = 100,
    postgres: Annotated[
        str | None, typer.Option(help="Also time a PostgreSQL (a fresh schema, dropped after).")
    ] = None,
    copies: Annotated[int, typer.Option(help="Renamed copies of each analysis for the store rate.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON on the last line.")] = False,
) -> None:
    """Storing pre-analysed documents (docs/s) and end-to-end ingest against analysis alone."""
    from narrascope.bench import bench_ingest as run
    from narrascope.bench import read_texts

    result = run(read_texts(data, n), postgres=postgres, copies=copies)
    print_bench(f"bench ingest ({result['n']} articles × {copies} copies)", result, as_json)


@bench_app.command("search")
def bench_search(
    docs: Annotated[int, typer.Option("--docs", help="Synthetic documents to store.")] = 100_000,
    queries: Annotated[int, typer.Option(help="Queries to time.")] = 50,
    postgres: Annotated[
        str | None, typer.Option(help="Also time a PostgreSQL (a fresh schema, dropped after).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON on the last line.")] = False,
) -> None:
    """Search latency (median, p95) on a store of synthetic documents, SQLite and PostgreSQL."""
    from narrascope.bench import bench_search as run

    result = run(docs, queries, postgres)
    print_bench(f"bench search ({docs} documents)", result, as_json)


@bench_app.command("corpus")
def bench_corpus(
    docs: Annotated[int, typer.Option("--docs", help="Synthetic documents, with precomputed vectors.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic corpus.")] = 0,
    window: Annotated[float, typer.Option(help="Coordination window, seconds.")] = 3600.0,
    days: Annotated[
        float, typer.Option(help="Days the stories start over: fewer days, more documents per window.")
    ] = 30.0,
    qut: Annotated[
        Path | None,
        typer.Option(help="Also time the QUT toolkit's text-similarity network under this Python (make qut-env)."),
    ] = None,
    qut_threshold: Annotated[float, typer.Option(help="The toolkit's Jaccard similarity threshold.")] = 0.8,
    qut_timeout: Annotated[float, typer.Option(help="Stop the toolkit after this many seconds.")] = 3 * 3600.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON on the last line.")] = False,
) -> None:
    """Cluster assignment per document as documents arrive, coordination time and peak memory;
    with --qut, the QUT coordination-network-toolkit on the same documents and window, as a ratio."""
    from narrascope.matching.bench import bench_corpus as run

    if docs < 2 or window <= 0 or days <= 0:
        raise InputError("--docs must be at least 2, --window and --days above 0")
    if not (0 < qut_threshold <= 1 and qut_timeout > 0):
        raise InputError("--qut-threshold must be in (0, 1] and --qut-timeout above 0")
    if qut is not None:
        from narrascope.matching.qut import check_toolkit, compare_with_qut

        check_toolkit(qut)  # before the long part
    result = run(docs, seed, window, days)
    if qut is not None:
        result.update(compare_with_qut(result, seed, qut, qut_threshold, qut_timeout))
    print_bench(f"bench corpus ({docs} documents)", result, as_json)


def _dask_alone(argv: list[str]) -> list[str]:
    """``--dask`` with no address (followed by nothing, an option, or a path) means a local
    cluster: give it the value ``local`` so the option parser sees one."""
    out: list[str] = []
    for i, arg in enumerate(argv):
        out.append(arg)
        following = argv[i + 1] if i + 1 < len(argv) else None
        if arg == "--dask" and (following is None or not ("://" in following or following == "local")):
            out.append("local")
    return out


def main() -> None:
    """Entry point: run the app, turning every known failure into one line and an exit code."""
    try:
        app(args=_dask_alone(sys.argv[1:]))
    except NarrascopeError as err:
        _fail(str(err), EXIT_INPUT)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as err:  # a bug: still one line, unless debugging
        if os.environ.get("NARRASCOPE_DEBUG"):
            raise
        _fail(f"internal error: {type(err).__name__}: {err} (set NARRASCOPE_DEBUG=1 for details)", EXIT_INTERNAL)


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"narrascope: error: {message.splitlines()[0] if message else 'failed'}\n")
    sys.exit(code)


from narrascope.cli_corpus import register as _register_corpus  # noqa: E402

_register_corpus(app)

from narrascope.cli_stories import register as _register_stories  # noqa: E402

_register_stories(app)

from narrascope.cli_coordination import register as _register_coordination  # noqa: E402

_register_coordination(app, eval_app)

from narrascope.cli_web import register as _register_web  # noqa: E402

_register_web(app, bench_app)


from narrascope.cli_factchecks import register as _register_factchecks  # noqa: E402  (its commands need the apps above)

_register_factchecks(app, eval_app, train_app, bench_app)


if __name__ == "__main__":
    main()
