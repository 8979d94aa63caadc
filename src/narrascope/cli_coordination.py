"""`narrascope coordination`, `narrascope simulate`, `narrascope eval coordination` and
`narrascope eval clustering`.

Kept out of cli.py: ``register`` adds the commands to the app. Errors are NarrascopeError, which
cli.main turns into one line and a non-zero exit.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from narrascope.cli_common import DbOption, default_db
from narrascope.errors import InputError

__all__ = ["register"]


class OutFormat(StrEnum):
    text = "text"
    json = "json"
    gexf = "gexf"
    graphml = "graphml"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot write {output}: {err.strerror}") from None


def _duration(text: str, option: str) -> float:
    from narrascope.coordination.timeparse import parse_duration

    try:
        return parse_duration(text)
    except ValueError as err:
        raise InputError(f"{option}: {err}") from None


def coordination(
    table: Annotated[
        Path | None,
        typer.Option("--table", help="CSV or JSON Lines behaviour table (may be gzipped); else the store's clusters."),
    ] = None,
    level: Annotated[
        str, typer.Option("--level", help="Without --table: outlets in the same claim, story or narrative cluster.")
    ] = "claim",
    actor: Annotated[str | None, typer.Option("--actor", help="Column of the actor (account, outlet).")] = None,
    obj: Annotated[
        str | None, typer.Option("--object", help="Column of the object acted on (tweet, URL, cluster).")
    ] = None,
    time_col: Annotated[
        str | None, typer.Option("--time", help="Column of the time: epoch seconds or ISO 8601.")
    ] = None,
    id_col: Annotated[str | None, typer.Option("--id", help="Column of the action id (default: line number).")] = None,
    db: DbOption = None,
    window: Annotated[str, typer.Option("--window", help="Co-action window, inclusive: 60s, 5m, 1h …")] = "60s",
    min_weight: Annotated[int, typer.Option("--min-weight", help="Least co-actions for a candidate edge.")] = 2,
    self_loops: Annotated[bool, typer.Option("--self-loops", help="Keep an actor's repeats as loops.")] = False,
    permutations: Annotated[int, typer.Option("--permutations", help="Shuffles for the null model.")] = 1000,
    fdr: Annotated[float, typer.Option("--fdr", help="False-discovery rate for flagging (BH q ≤ this).")] = 0.05,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the shuffles and of Leiden.")] = 0,
    null: Annotated[
        str, typer.Option("--null", help="moment: re-deal objects per moment; actor: shuffle each actor's times.")
    ] = "moment",
    block: Annotated[
        str | None, typer.Option("--shuffle-block", help="Shuffle only within blocks of this length (e.g. 10m).")
    ] = None,
    fmt: Annotated[OutFormat, typer.Option("--format", "-f", help="Output format.")] = OutFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
) -> None:
    """Actors who acted on the same objects within a window more often than a shuffle null allows:
    the outlets of the store's claim clusters (each document an action on each claim cluster it
    has a claim in, at its publication time; --level story or narrative for those clusters), or
    the actors of a behaviour table given with --table, --actor, --object and --time."""
    from narrascope.coordination.actions import read_table
    from narrascope.coordination.detect import Settings, detect
    from narrascope.coordination.export import render
    from narrascope.stories.listing import LEVELS

    if min_weight < 1 or permutations < 1 or not 0 < fdr < 1:
        raise InputError("--min-weight and --permutations must be ≥ 1 and --fdr between 0 and 1")
    if null not in ("actor", "moment"):
        raise InputError(f"--null must be actor or moment, not {null!r}")
    if level not in LEVELS:
        raise InputError(f"--level must be one of {', '.join(LEVELS)}, not {level!r}")
    settings = Settings(
        window=_duration(window, "--window"),
        min_weight=min_weight,
        self_loops=self_loops,
        permutations=permutations,
        fdr=fdr,
        seed=seed,
        block=_duration(block, "--shuffle-block") if block else None,
        null=null,
    )
    if table is not None:
        if not (actor and obj and time_col):
            raise InputError("--table needs --actor, --object and --time (the columns to read)")
        result = detect(read_table(table, actor, obj, time_col, id_col), settings)
    else:
        if actor or obj or time_col or id_col:
            raise InputError("--actor, --object, --time and --id name columns of a --table")
        result = _from_store(db or default_db(), settings, level)
    if fmt is OutFormat.text:
        _write(_text(result), output)
    else:
        _write(render(result, fmt.value), output)


def _from_store(target: str, settings: Any, level: str) -> Any:
    from narrascope.store import Store
    from narrascope.stories.outlets import story_coordination

    with Store.open(target) as store:
        result, left_out = story_coordination(store, settings, level)
    for reason, count in left_out.items():
        sys.stderr.write(f"narrascope: left out {count} documents: {reason}\n")
    if result is None:
        hint = " (claims are clustered when the claims layer runs at ingest; try --level story)"
        hint = hint if level != "story" else ""
        raise InputError(f"no {level} cluster member with an outlet and a publication time in the store{hint}")
    return result


def _text(result: Any) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=140, force_terminal=False)
    console.print(f"Flagged pairs {result.to_dict()['measured']}.")
    edges = Table(title="flagged pairs")
    for column in ("actor", "actor", "weight", "norm", "objects", "p", "q", "first more often", "median delay", "kind"):
        edges.add_column(column, overflow="fold")
    for e in result.edges[:200]:
        lead = e.lead_lag
        edges.add_row(
            e.u,
            e.v,
            str(e.weight),
            f"{e.norm_weight:.3f}",
            str(e.objects),
            f"{e.p:.4f}",
            f"{e.q:.4f}",
            (lead.leader or "neither") if lead else "",
            f"{lead.median_delay:g} s" if lead else "",
            e.label if e.label == "synchrony" else f"{e.label} ({e.copies}/{len(e.co_actions)} copies)",
        )
    console.print(edges)
    if len(result.edges) > 200:
        console.print(f"… and {len(result.edges) - 200} more (use --format json for all, with evidence)")
    groups = Table(title="communities (Leiden over flagged pairs)")
    for column in ("id", "size", "members", "objects"):
        groups.add_column(column, overflow="fold")
    for c in result.communities[:50]:
        shown = ", ".join(c.members[:8]) + (" …" if len(c.members) > 8 else "")
        groups.add_row(str(c.id), str(len(c.members)), shown, str(len(c.objects)))
    console.print(groups)
    k = result.counts
    console.print(
        f"{k['actions']} actions, {k['actors']} actors, {k['objects']} objects; {k['candidate_edges']} candidate "
        f"edges among {k['candidate_nodes']} actors; {k['flagged_edges']} flagged edges, {k['communities']} "
        f"communities, {k['nodes']} nodes; "
        f"{k['seconds']:.2f} s"
    )
    return buffer.getvalue()


def simulate_cmd(
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 0,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Table CSV (default: stdout).")] = None,
    planted: Annotated[
        Path | None, typer.Option("--planted", help="Planted pairs CSV (default: beside --output, .planted.csv).")
    ] = None,
) -> None:
    """Write a simulated behaviour table (actor, object, time, id) and the planted coordinated pairs."""
    from narrascope.coordination.simulate import simulate

    sim = simulate(seed)
    a = sim.actions
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["id", "actor", "object", "time"])
    for k in range(len(a)):
        writer.writerow([a.ids[k], a.actor_names[a.actor[k]], a.object_names[a.obj[k]], f"{a.time[k]:.3f}"])
    pairs = io.StringIO()
    pair_writer = csv.writer(pairs, lineterminator="\n")
    pair_writer.writerow(["actor_1", "actor_2", "group"])
    for number, group in enumerate(sim.groups, start=1):
        for i, first in enumerate(group):
            for second in group[i + 1 :]:
                pair_writer.writerow([first, second, number])
    _write(table.getvalue(), output)
    target = planted or (output.with_name(output.stem + ".planted.csv") if output else None)
    if target is None:
        sys.stderr.write(pairs.getvalue())
    else:
        _write(pairs.getvalue(), target)


def eval_coordination(
    simulated: Annotated[bool, typer.Option("--simulate", help="Score planted pairs in simulated campaigns.")] = False,
    seeds: Annotated[int, typer.Option("--seeds", help="Number of simulations (seeds 0 … N−1).")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON on the last line.")] = False,
    null: Annotated[str, typer.Option("--null", help="Null model: moment (default) or actor.")] = "moment",
) -> None:
    """Precision and recall of planted coordinated pairs at default settings, mean over seeds."""
    from rich.console import Console
    from rich.table import Table

    from narrascope.coordination.evaluate import evaluate_simulated, summarise

    if not simulated:
        raise InputError("eval coordination needs --simulate (no labelled real data set is supported yet)")
    if seeds < 1:
        raise InputError("--seeds must be ≥ 1")
    if null not in ("actor", "moment"):
        raise InputError(f"--null must be actor or moment, not {null!r}")
    from narrascope.coordination.detect import Settings

    rows = summarise(evaluate_simulated(list(range(seeds)), Settings(null=null)), null)
    table = Table(title=f"coordination on simulated campaigns ({seeds} seeds, default settings)")
    table.add_column("metric")
    for name in rows:
        table.add_column(name, justify="right")
    for key in ("precision", "recall", "planted_pairs", "flagged_pairs", "n", "model"):
        table.add_row(key, *(f"{r[key]:.3f}" if isinstance(r[key], float) else str(r[key]) for r in rows.values()))
    Console(stderr=as_json, width=140).print(table)
    if as_json:
        sys.stdout.write(json.dumps(rows["narrascope"]) + "\n")


def eval_clustering(
    data: Annotated[Path, typer.Option("--data", help="CSV or JSON Lines of short texts with a gold label.")],
    text_col: Annotated[str, typer.Option("--text-col", help="The column of the texts.")],
    label_col: Annotated[str, typer.Option("--label-col", help="The column of the gold labels.")],
    id_col: Annotated[str | None, typer.Option("--id-col", help="A column of unique ids.")] = None,
    date_col: Annotated[str | None, typer.Option("--date-col", help="Cluster in this column's order.")] = None,
    outlet_col: Annotated[str | None, typer.Option("--outlet-col", help="Accepted; not used by the scores.")] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Paraphrase rung: least cosine to an earlier text [default: the encoder's].")
    ] = None,
    centroid: Annotated[
        float | None, typer.Option(help="Least cosine to the centroid of the cluster joined [default: the encoder's].")
    ] = None,
    encoder: Annotated[str, typer.Option(help="Sentence encoder: minilm (default) or multilingual.")] = "minilm",
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON on the last line.")] = False,
) -> None:
    """Claim-level clusters against gold labels: pairwise P/R/F1, adjusted Rand index, V-measure."""
    from narrascope.cli_common import need_file, print_metrics
    from narrascope.encoder import ENCODERS
    from narrascope.evaluation.clustering import evaluate_clustering, read_rows
    from narrascope.matching.clusters import CALIBRATION

    need_file(data)
    if encoder not in ENCODERS:
        raise InputError(f"--encoder must be one of {', '.join(ENCODERS)}, not {encoder!r}")
    calibration = CALIBRATION[ENCODERS[encoder]]
    threshold = calibration.paraphrase if threshold is None else threshold
    centroid = calibration.centroid if centroid is None else centroid
    for name, value in (("--threshold", threshold), ("--centroid", centroid)):
        if not -1.0 <= value <= 1.0:
            raise InputError(f"{name} must be a cosine between -1 and 1")
    rows = read_rows(data, text_col, label_col, id_col, date_col, other_cols=(outlet_col,))
    print_metrics(
        f"claim clusters ({data.name}, {len(rows)} texts)",
        evaluate_clustering(rows, threshold, centroid, ENCODERS[encoder]),
        as_json,
        "narrascope",
    )


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Add the commands to the main app and to ``narrascope eval``."""
    app.command("coordination")(coordination)
    app.command("simulate")(simulate_cmd)
    eval_app.command("coordination")(eval_coordination)
    eval_app.command("clustering")(eval_clustering)
