"""The fact-check commands: ``match``, ``factchecks import|export``, ``eval|train|bench claim-matching``.

Kept out of cli.py (which only calls :func:`register`); the shared helpers (default store,
metric tables) are imported from it when a command runs, so importing this module alone is cheap
and never circular.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from narrascope.errors import InputError

if TYPE_CHECKING:
    from narrascope.factchecks.match import Match

__all__ = ["ANCHORS_CLAIM_MATCHING", "register"]

ANCHORS_CLAIM_MATCHING: dict[str, dict[str, dict[str, Any]]] = {
    "dev": {"plain BM25 (published, dev)": {"map@5": 0.750}},
    "test": {"plain BM25 (published, test)": {"map@5": 0.852}, "Buster.ai, best (published, test)": {"map@5": 0.929}},
}
"""Published MAP@5 on CheckThat! 2020 Task 2 (../shared/ANCHORS.md); shown beside the measured rows."""

factchecks_app = typer.Typer(no_args_is_help=True, help="Fact-check records: import, export.")
DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLite file or postgresql:// URL (default: $NARRASCOPE_DB or the data folder)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (the last line).")]


def _db(db: str | None) -> str:
    from narrascope.cli_common import default_db

    return db or default_db()


def match(
    text: Annotated[str | None, typer.Argument(help="A claim to look up (or use --document).")] = None,
    document: Annotated[
        str | None, typer.Option("--document", help="Every check-worthy claim of this stored document.")
    ] = None,
    db: DbOption = None,
    top: Annotated[int, typer.Option(help="Records per claim.")] = 5,
    all_claims: Annotated[
        bool, typer.Option("--all-claims", help="With --document: every claim, not only check-worthy ones.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Fact-check records matching a claim, best first, with each rung's evidence."""
    from narrascope.factchecks.match import Matcher
    from narrascope.factchecks.store import FactCheckStore
    from narrascope.store import Store

    if (text is None) == (document is None):
        raise InputError("give a claim TEXT or --document ID (one of them)")
    if top < 1:
        raise InputError("--top must be at least 1")
    with Store.open(_db(db)) as store:
        if not FactCheckStore(store).count():
            raise InputError("no fact-check records in the store; add some with `narrascope factchecks import FILE`")
        claims = [(None, text or "")] if document is None else _document_claims(store, document, all_claims)
        matcher = Matcher.from_store(store)
    results = matcher.match_many([t for _, t in claims], top=top) if claims else []
    out = [
        {"claim_id": cid, "text": t, "matches": [_match_json(m) for m in found]}
        for (cid, t), found in zip(claims, results, strict=True)
    ]
    if as_json:
        across = None if matcher.crosslingual is None else matcher.crosslingual.model.threshold
        sys.stdout.write(
            json.dumps({"threshold": matcher.model.threshold, "crosslingual_threshold": across, "claims": out}) + "\n"
        )
    else:
        _print_matches(out, matcher.model.threshold)


def _document_claims(store: Any, document: str, all_claims: bool) -> list[tuple[str | None, str]]:
    from narrascope.annotators.checkworthy import load_checkworthy_model

    analysis = store.get(document)
    if analysis is None:
        raise InputError(f"no document {document} in the store")
    threshold = 0.0 if all_claims else load_checkworthy_model().threshold
    return [
        (c.id, c.span.text)
        for c in analysis.claims
        if all_claims or (c.checkworthy is not None and c.checkworthy >= threshold)
    ]


def _match_json(found: Match) -> dict[str, Any]:
    record = found.record
    return {
        "id": record.id,
        "score": round(found.score, 4),
        "claim": record.claim,
        "title": record.title,
        "rating": record.rating,
        "url": record.url,
        "publisher": record.publisher,
        "likely": found.likely,
        "evidence": found.evidence(),
        "duplicates": [d.id for d in found.duplicates],
    }


def _print_matches(claims: list[dict[str, Any]], threshold: float) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not claims:
        console.print("no check-worthy claims in this document (--all-claims shows every claim)")
    for claim in claims:
        table = Table(title=f"{claim['claim_id'] or 'claim'}: {claim['text'][:100]}", show_lines=True)
        for column in ("score", "record", "rating", "evidence"):
            table.add_column(column, justify="right" if column == "score" else "left")
        for m in claim["matches"]:
            e = m["evidence"]
            mark = " ✓" if m["likely"] else ""
            if "cosine_multilingual" in e:
                evidence = f"{'+'.join(e['rungs'])}; multilingual cos {e['cosine_multilingual']:.2f}"
            else:
                evidence = f"{'+'.join(e['rungs'])}; cos {e['cosine_claim']:.2f}/{e['cosine_title']:.2f}"
                if "cosine_matching" in e:
                    evidence += f"; matching cos {e['cosine_matching']:.2f}"
            evidence += f"; terms: {', '.join(e['bm25_terms'][:8])}" if e["bm25_terms"] else ""
            source = m["url"] or m["id"][:12]
            table.add_row(f"{m['score']:.3f}{mark}", f"{m['claim'][:140]}\n{source}", m["rating"] or "", evidence)
        console.print(table)
    console.print(f"✓ = a likely match (fusion score ≥ {threshold:.2f}; cross-lingual: that model's threshold)")


@factchecks_app.command("import")
def import_records(
    path: Annotated[
        Path, typer.Argument(help="ClaimReview JSON(-LD), CheckThat TSV/CSV, or EUvsDisinfo posts.csv (or its folder).")
    ],
    fmt: Annotated[
        str | None, typer.Option("--format", help="claimreview, checkthat or euvsdisinfo (default: guessed).")
    ] = None,
    db: DbOption = None,
    multilingual: Annotated[
        bool,
        typer.Option(
            "--multilingual",
            help="Also embed the records with multilingual-e5 (the extra), so claims in other languages "
            "can match them; about 0.1 s a record, once.",
        ),
    ] = False,
) -> None:
    """Add fact-check records to the store (records already there are skipped); encodes them once."""
    from rich.progress import Progress

    from narrascope.factchecks import read_records
    from narrascope.factchecks.store import FactCheckStore
    from narrascope.store import Store
    from narrascope.store.store import shown

    if not path.exists():
        raise InputError(f"no such file: {path}")
    if multilingual:
        _need_multilingual()
    records = read_records(path, fmt)
    target = _db(db)
    with Store.open(target) as store, Progress(transient=True) as progress:
        task = progress.add_task("encoding and storing", total=len(records))
        added = FactCheckStore(store).add(records, progress=lambda n: progress.advance(task, n))
        embedded = _embed(store, progress) if multilingual else 0
    sys.stdout.write(
        f"{len(records)} records read, {added} added ({len(records) - added} already stored) -> {shown(target)}\n"
    )
    if multilingual:
        sys.stdout.write(f"{embedded} records embedded for cross-lingual matching\n")


def _need_multilingual() -> None:
    """A one-line error for ``--multilingual`` without the extra that it needs."""
    from narrascope.factchecks.crosslingual import available

    if not available():
        raise InputError("--multilingual needs the multilingual extra: pip install 'narrascope[multilingual]'")


def _embed(store: Any, progress: Any) -> int:
    """The stored records' multilingual vectors, for those that lack one."""
    from narrascope.factchecks.crosslingual import embed_records
    from narrascope.factchecks.store import FactCheckStore

    task = progress.add_task("embedding for cross-lingual matching", total=FactCheckStore(store).count())
    return embed_records(store, progress=lambda n: progress.advance(task, n))


@factchecks_app.command("export")
def export_records(
    output: Annotated[Path, typer.Argument(help="The JSON-LD file to write.")],
    db: DbOption = None,
) -> None:
    """Write every stored record as schema.org ClaimReview JSON-LD (one @graph)."""
    from narrascope.factchecks import to_claimreview
    from narrascope.factchecks.store import FactCheckStore
    from narrascope.store import Store

    if not output.parent.is_dir():
        raise InputError(f"no such folder: {output.parent}")
    with Store.open(_db(db)) as store:
        records = FactCheckStore(store).records()
    document = {"@context": "https://schema.org", "@graph": [to_claimreview(r) for r in records]}
    try:
        output.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write {output}: {error.strerror or error}") from None
    sys.stdout.write(f"{len(records)} ClaimReview records -> {output}\n")


def eval_claim_matching(
    data: Annotated[
        Path, typer.Option("--data", help="CheckThat! 2020 Task 2 folder (verified_claims.docs.tsv, <split>/…).")
    ],
    split: Annotated[str, typer.Option(help="dev or test (train is what the model was fitted on).")] = "dev",
    model: Annotated[Path | None, typer.Option(help="Another fusion.json (default: the bundled one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON on the last line.")] = False,
) -> None:
    """Claim matching: MAP@1/3/5 and MRR, beside plain BM25 run on the same records."""
    from narrascope.cli_common import label, need_dir, print_metrics
    from narrascope.evaluation.claim_matching import evaluate_claim_matching
    from narrascope.factchecks.fusion import load_fusion_model

    need_dir(data)
    rows: dict[str, dict[str, Any]] = dict(evaluate_claim_matching(data, split, load_fusion_model(model)))
    version = rows["narrascope"]["model"]
    anchors = ANCHORS_CLAIM_MATCHING.get(split, {})
    rows.update({name: dict(figures) for name, figures in anchors.items()})
    label(
        rows, {name: rows[name].get("model", name) for name in rows if name != "narrascope"} | {n: n for n in anchors}
    )
    rows["narrascope"]["model"] += f" ({version})"
    if split == "train":
        rows["narrascope"]["model"] += " (fitted on this split: in-sample figures)"
    print_metrics(f"claim matching (CheckThat! 2020 Task 2 {split})", rows, as_json, "narrascope")


def train_claim_matching(
    data: Annotated[Path, typer.Option("--data", help="CheckThat! 2020 Task 2 folder (its train split is used).")],
    output: Annotated[Path, typer.Option(help="Where to write fusion.json.")] = Path("build/models/claim_matching"),
    multilingual: Annotated[
        bool,
        typer.Option(
            "--multilingual",
            help="Fit the cross-lingual rung's scores instead (crosslingual.json; needs the multilingual extra).",
        ),
    ] = False,
) -> None:
    """Refit the claim-matching fusion model (or the cross-lingual rung's) on CheckThat! 2020 train only."""
    from narrascope.cli_common import need_dir

    need_dir(data / "train")
    if multilingual:
        from narrascope.factchecks.train_crosslingual import train_crosslingual

        _need_multilingual()
        sys.stdout.write(json.dumps(train_crosslingual(data, output)) + "\n")
        return
    from narrascope.factchecks.train import train_claim_matching as train

    sys.stdout.write(json.dumps(train(data, output)) + "\n")


def bench_match(
    records: Annotated[int, typer.Option("--records", help="Synthetic fact-check records.")] = 100_000,
    queries: Annotated[int, typer.Option(help="Claims to time.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON on the last line.")] = False,
) -> None:
    """Per-claim matching time (median, p95) against synthetic records, beside a bare encoder pass."""
    from narrascope.cli_common import print_bench
    from narrascope.factchecks.bench import bench_match as run

    if records < 1 or queries < 1:
        raise InputError("--records and --queries must be at least 1")
    print_bench(f"bench match ({records} records)", run(records, queries), as_json)


def register(app: typer.Typer, eval_app: typer.Typer, train_app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add the fact-check commands to the ``narrascope`` app and its eval/train/bench groups."""
    app.command("match")(match)
    app.add_typer(factchecks_app, name="factchecks")
    eval_app.command("claim-matching")(eval_claim_matching)
    train_app.command("claim-matching")(train_claim_matching)
    bench_app.command("match")(bench_match)
