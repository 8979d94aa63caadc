"""``narrascope stories|claims|narratives`` and ``narrascope timeline``: the clusters of a corpus store.

Kept out of cli.py: ``register`` adds them to the app. Errors are NarrascopeError, which
cli.main turns into one line and a non-zero exit.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from narrascope.cli_common import DbOption, default_db
from narrascope.errors import InputError
from narrascope.stories.levels import PLURALS

__all__ = ["register"]


WHAT = {  # what a member is, the size column
    "story": ("documents", "docs"),
    "claim": ("claims made in documents", "claims"),
    "narrative": ("claims made in documents", "claims"),
}


DOCS = {
    "story": "The largest stories (documents retelling one event): size, first seen and by whom, outlets, languages.",
    "claim": "The most repeated claims (one assertion across documents): size, first seen and by whom, outlets.",
    "narrative": "The largest narratives (related claims, one frame): size, first seen and by whom, outlets.",
}


def _lister(level: str) -> Callable[..., None]:
    plural, (unit, column) = PLURALS[level], WHAT[level]

    def listing(  # options as defaults, not Annotated: their help is made here, per level
        db: DbOption = None,
        limit: int = typer.Option(20, help=f"At most this many {plural}."),
        min_size: int = typer.Option(2, help=f"Only {plural} of at least this many {unit}."),
        as_json: bool = typer.Option(False, "--json", help=f"One JSON object per {level} (JSON Lines)."),
    ) -> None:
        from narrascope.store import Store
        from narrascope.stories.listing import list_stories

        if limit < 1 or min_size < 1:
            raise InputError("--limit and --min-size must be at least 1")
        with Store.open(db or default_db()) as store:
            found = list_stories(store, limit, min_size, level)
        if as_json:
            for cluster in found:
                sys.stdout.write(json.dumps(asdict(cluster), ensure_ascii=False) + "\n")
        elif not found:
            sys.stdout.write(f"no {level} of {min_size} or more {unit} (ingest with clustering on, the default)\n")
        else:
            _table(found, f"{plural}, largest first", column)

    listing.__doc__ = DOCS[level]
    return listing


def _table(found: list[Any], title: str, column: str) -> None:
    from rich.console import Console
    from rich.table import Table

    stories = column == "docs"  # a story's size is its documents; a claim's, its claims
    table = Table(title=title, show_lines=True)
    names = ["id", column, *([] if stories else ["docs"]), "first seen", "first publisher", "outlets", "lang"]
    for name in [*names, "what it says"]:
        table.add_column(name, overflow="fold")
    for s in found:
        outlets = ", ".join(f"{name} ({n})" for name, n in s.outlets[:4]) + (" …" if len(s.outlets) > 4 else "")
        size = [str(s.size)] if stories else [str(s.size), str(s.documents)]
        table.add_row(
            s.id,
            *size,
            s.first_seen or "—",
            s.first_publisher or "—",
            outlets or "—",
            ",".join(s.languages) or "—",
            s.representative,
        )
    Console(width=160).print(table)


def timeline_cmd(
    cluster: Annotated[
        str, typer.Argument(help="A story, claim or narrative id, as `narrascope stories|claims|narratives` list them.")
    ],
    db: DbOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also draw it to a .svg or .png file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Days, counts and bursts as one JSON object.")] = False,
) -> None:
    """A cluster's documents per day, with its bursts (Kleinberg's two-state automaton)."""
    from narrascope.store import Store
    from narrascope.stories.chart import png, svg, terminal
    from narrascope.stories.timeline import timeline

    if output is not None and output.suffix.lower() not in (".svg", ".png"):
        raise InputError(f"--output must end in .svg or .png, not {output.name!r}")
    if output is not None and not output.parent.is_dir():
        raise InputError(f"no such folder: {output.parent}")
    with Store.open(db or default_db()) as store:
        found = timeline(store, cluster)
    if found is None:
        raise InputError(f"no cluster {cluster} in the store (see `narrascope stories`, `claims`, `narratives`)")
    if output is not None:
        try:
            if output.suffix.lower() == ".svg":
                output.write_text(svg(found), encoding="utf-8")
            else:
                png(found, output)
        except OSError as error:
            raise InputError(f"cannot write {output}: {error.strerror or error}") from None
    if as_json:
        sys.stdout.write(json.dumps(asdict(found)) + "\n")
    else:
        sys.stdout.write(terminal(found))


def recluster_cmd(
    db: DbOption = None,
    level: Annotated[
        list[str] | None, typer.Option("--level", help="story or claim (repeat for both; both by default).")
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Mean cosine between their members to merge two (default: the bar two retellings must reach)."
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the merges without making them.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per merge (JSON Lines).")] = False,
) -> None:
    """Merge stories and claims that turned out to be one (their members on average as close as
    two retellings): the later cluster goes into the earlier, whose id stays; the later id leads
    to it. Nothing else moves; each merge is stored with its evidence."""
    from narrascope.cli_corpus import _snapshot
    from narrascope.store import Store
    from narrascope.stories.hierarchy import Hierarchy
    from narrascope.stories.levels import MERGED
    from narrascope.stories.recluster import recluster_store

    levels = tuple(dict.fromkeys(level or MERGED))
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise InputError("--threshold must be a cosine above 0 and at most 1")
    with Store.open(db or default_db()) as store:
        hierarchy = Hierarchy.load(store)
        made = recluster_store(store, hierarchy, levels, threshold, dry_run)
        _snapshot(hierarchy, store)
    rows = [{"level": lv, **asdict(merge)} for lv in levels for merge in made[lv]]
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    for lv in levels:
        sys.stdout.write(f"{PLURALS[lv]}: {len(made[lv])} {'would be merged' if dry_run else 'merged'}\n")
    if rows:
        from rich.console import Console
        from rich.table import Table

        table = Table("level", "merged", "into", "members (mean cosine)", "centres", "closest members", box=None)
        for row in rows:
            table.add_row(
                row["level"],
                row["absorbed"],
                row["into"],
                f"{row['linkage']:.3f}",
                f"{row['cosine']:.3f}",
                f"{row['member']} ~ {row['matched']} ({row['similarity']:.3f})",
            )
        Console(width=160).print(table)


def register(app: typer.Typer) -> None:
    """Add the cluster commands to *app*."""
    for level, plural in PLURALS.items():
        app.command(plural)(_lister(level))
    app.command("timeline")(timeline_cmd)
    app.command("recluster")(recluster_cmd)
