"""`narrascope serve` and `narrascope token create|list|revoke`.

Kept out of cli.py: ``register`` adds the commands to the app. Errors are NarrascopeError, which
cli.main turns into one line and a non-zero exit.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from narrascope.errors import InputError

__all__ = ["register"]

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="SQLite file or postgresql:// URL (default: $NARRASCOPE_DB or the data folder)."),
]

token_app = typer.Typer(no_args_is_help=True, help="Bearer tokens for the HTTP API's writes (stored hashed).")


def _db(db: str | None) -> str:
    from narrascope.cli_common import default_db

    return db or default_db()


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Let URL analysis fetch loopback, private and link-local hosts.")
    ] = False,
    max_bytes: Annotated[int, typer.Option(help="Largest request body in bytes.")] = 5_000_000,
    timeout: Annotated[float, typer.Option(help="Seconds a request may take (then 504).")] = 60.0,
    workers: Annotated[
        int | None,
        typer.Option(help="Server processes, each with its own models (default: one per core, at most 4)."),
    ] = None,
) -> None:
    """Serve the HTTP API (schema at /openapi.json) and the web UI: one port, one or more worker
    processes (Python runs one request's code at a time per process; writers take turns through
    the store's writer lock)."""
    import uvicorn

    from narrascope.store.store import shown
    from narrascope.web import Settings, create_app
    from narrascope.web.workers import run_workers

    if not 0 < port < 65536:
        raise InputError(f"--port {port} is not a TCP port")
    if max_bytes < 1000 or timeout <= 0:
        raise InputError("--max-bytes must be at least 1000 and --timeout positive")
    workers = default_workers() if workers is None else workers
    if not 1 <= workers <= 64:
        raise InputError("--workers must be between 1 and 64")
    target = _db(db)
    settings = Settings(db=target, allow_private=allow_private, max_bytes=max_bytes, timeout=timeout)
    sys.stderr.write(
        f"narrascope: serving {shown(target)} on http://{host}:{port}/ with {workers} worker"
        f"{'s' if workers > 1 else ''} (loading the models first)\n"
    )
    if workers == 1:
        uvicorn.run(create_app(settings, warm=True), host=host, port=port, log_level="info", server_header=False)
        return
    try:
        run_workers(settings, host, port, workers, {"log_level": "info", "server_header": False})
    except OSError as error:
        raise InputError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error


def default_workers() -> int:
    """One server process per core, at most four (each holds the models, about 1 GB)."""
    return max(1, min(4, os.cpu_count() or 1))


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="Whom or what the token is for.")],
    db: DbOption = None,
) -> None:
    """Make a token and print it once (only its SHA-256 hash is stored)."""
    from narrascope.store import Store
    from narrascope.web.tokens import create_token

    with Store.open(_db(db)) as store:
        token_id, secret = create_token(store, name)
    sys.stderr.write(f"token {token_id} for {name.strip()!r}; shown only now, keep it secret:\n")
    sys.stdout.write(secret + "\n")


@token_app.command("list")
def token_list(db: DbOption = None) -> None:
    """Every token: id, created, revoked (if so), name. Secrets are never shown again."""
    from narrascope.store import Store
    from narrascope.web.tokens import list_tokens

    with Store.open(_db(db)) as store:
        tokens = list_tokens(store)
    for token in tokens:
        revoked = f"revoked {token.revoked:%Y-%m-%d %H:%M}" if token.revoked else "live"
        sys.stdout.write(f"{token.id}  {token.created:%Y-%m-%d %H:%M}  {revoked:<24}  {token.name}\n")
    if not tokens:
        sys.stdout.write("no tokens\n")


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (see `narrascope token list`).")],
    db: DbOption = None,
) -> None:
    """Revoke a token: requests with it get 401 from now on."""
    from narrascope.store import Store
    from narrascope.web.tokens import revoke_token

    with Store.open(_db(db)) as store:
        revoke_token(store, token_id)
    sys.stdout.write(f"token {token_id} revoked\n")


def bench_serve(
    docs: Annotated[int, typer.Option(help="Synthetic documents in the served store.")] = 10_000,
    clients: Annotated[int, typer.Option(help="Concurrent clients.")] = 100,
    seconds: Annotated[float, typer.Option(help="How long the clients load the server.")] = 30.0,
    analyses: Annotated[int, typer.Option(help="Analyses of the worked example, one after another.")] = 20,
    workers: Annotated[
        int | None, typer.Option(help="Server processes (default: as `narrascope serve`, one per core, at most 4).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON on the last line.")] = False,
) -> None:
    """A real server on loopback: errors, throughput and p50/p99 of search and document pages under
    concurrent clients, and p50/p95 of analysing the worked example."""
    from narrascope.cli_common import print_bench
    from narrascope.web.bench import bench_serve as run

    workers = default_workers() if workers is None else workers
    if docs < 1 or clients < 1 or seconds <= 0 or analyses < 1 or not 1 <= workers <= 64:
        raise InputError("--docs, --clients and --analyses must be ≥ 1, --seconds positive, --workers 1 to 64")
    result = run(docs, clients, seconds, analyses, workers)
    print_bench(f"bench serve ({docs} documents, {clients} clients, {seconds:g} s)", result, as_json)


def register(app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add ``serve`` and ``token`` to the main app, and ``serve`` to ``bench``."""
    app.command("serve")(serve)
    app.add_typer(token_app, name="token")
    bench_app.command("serve")(bench_serve)
