"""``narrascope stories`` and ``narrascope timeline``: the story clusters of a corpus store.

Kept out of cli.py: ``register`` adds them to the app. Errors are NarrascopeError, which
cli.main turns into one line and a non-zero exit.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from narrascope.cli_common import DbOption, default_db
from narrascope.errors import InputError

__all__ = ["register"]


def stories(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(help="At most this many stories.")] = 20,
    min_size: Annotated[int, typer.Option(help="Only stories of at least this many documents.")] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per story (JSON Lines).")] = False,
) -> None:
    """The largest stories: size, first seen and by whom, outlets, languages, what they say."""
    from rich.console import Console
    from rich.table import Table

    from narrascope.store import Store
    from narrascope.stories.listing import list_stories

    if limit < 1 or min_size < 1:
        raise InputError("--limit and --min-size must be at least 1")
    with Store.open(db or default_db()) as store:
        found = list_stories(store, limit, min_size)
    if as_json:
        for story in found:
            sys.stdout.write(json.dumps(asdict(story), ensure_ascii=False) + "\n")
        return
    if not found:
        sys.stdout.write(f"no story of {min_size} or more documents (ingest with stories on, the default)\n")
        return
    table = Table(title="stories, largest first", show_lines=True)
    for column in ("id", "docs", "first seen", "first publisher", "outlets", "lang", "what it says"):
        table.add_column(column, overflow="fold")
    for s in found:
        outlets = ", ".join(f"{name} ({n})" for name, n in s.outlets[:4]) + (" …" if len(s.outlets) > 4 else "")
        table.add_row(
            s.id,
            str(s.size),
            s.first_seen or "—",
            s.first_publisher or "—",
            outlets or "—",
            ",".join(s.languages) or "—",
            s.representative,
        )
    Console(width=160).print(table)


def timeline_cmd(
    story: Annotated[str, typer.Argument(help="A story id, as `narrascope stories` lists them (e.g. S12).")],
    db: DbOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Also draw it to a .svg or .png file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Days, counts and bursts as one JSON object.")] = False,
) -> None:
    """A story's documents per day, with its bursts (Kleinberg's two-state automaton)."""
    from narrascope.store import Store
    from narrascope.stories.chart import png, svg, terminal
    from narrascope.stories.timeline import timeline

    if output is not None and output.suffix.lower() not in (".svg", ".png"):
        raise InputError(f"--output must end in .svg or .png, not {output.name!r}")
    if output is not None and not output.parent.is_dir():
        raise InputError(f"no such folder: {output.parent}")
    with Store.open(db or default_db()) as store:
        found = timeline(store, story)
    if found is None:
        raise InputError(f"no story {story} in the store (see `narrascope stories`)")
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


def register(app: typer.Typer) -> None:
    """Add the story commands to *app*."""
    app.command("stories")(stories)
    app.command("timeline")(timeline_cmd)
