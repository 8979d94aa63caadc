"""``narrascope serve --workers N``: N server processes on one port, each with its own models.

Python runs one request's code at a time per process, so a server uses a machine's cores with
one process per core. Each worker binds the port itself with ``SO_REUSEPORT``, and the kernel
spreads new connections evenly over them. (With one listening socket shared by all, as uvicorn's
own ``--workers`` does, whichever worker wakes first takes the connection: under 100 keep-alive
clients one worker held 90 of them at full load while the other idled.) Writers in different
workers take turns through the store's writer lock (:mod:`narrascope.store.lock`).

The supervisor starts the workers, restarts one that dies, and stops them all on Ctrl-C or
SIGTERM.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import signal
import socket
import sys
import time
from dataclasses import asdict
from multiprocessing.process import BaseProcess
from typing import Any

from narrascope.errors import NarrascopeError
from narrascope.store import Store
from narrascope.web.services import Settings

__all__ = ["WorkerError", "run_workers"]

log = logging.getLogger("narrascope.web")

STARTUP = 120.0
"""Seconds a worker may take to load its models: one that dies sooner is not restarted (it
would only die again), and the server stops with an error."""


class WorkerError(NarrascopeError):
    """A server worker could not start."""


def _listen(host: str, port: int, shared: bool = True) -> socket.socket:
    """A listening socket on (*host*, *port*) that other workers can bind too (*shared*)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _worker(settings: str, host: str, port: int, options: dict[str, Any]) -> None:
    """One worker: its own socket on the shared port, its own app (the models load first)."""
    import uvicorn

    from narrascope.web.app import create_app

    try:
        sock = _listen(host, port)
        config = uvicorn.Config(create_app(Settings(**json.loads(settings)), warm=True), **options)
    except (OSError, NarrascopeError) as error:
        sys.stderr.write(f"narrascope: error: a server worker could not start: {error}\n")
        sys.exit(2)
    uvicorn.Server(config).run(sockets=[sock])


def _embed_records(store: Store) -> None:
    """Give fact-check records imported before the claim-matching encoder their vectors once,
    here, rather than in every worker at once."""
    from narrascope.factchecks.matching_encoder import embed_records
    from narrascope.factchecks.store import FactCheckStore

    if FactCheckStore(store).count():
        embedded = embed_records(store)
        if embedded:
            sys.stderr.write(f"narrascope: {embedded} fact-check records embedded for claim matching\n")


def run_workers(settings: Settings, host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Serve with *workers* processes until interrupted; *options* go to ``uvicorn.Config``."""
    # fail here, in one line, when the host is wrong or anything listens on the port already (a
    # bind without SO_REUSEPORT fails even beside another server's workers, which would share it)
    _listen(host, port, shared=False).close()
    with Store.open(settings.db) as store:  # and when the store cannot be opened (migrated once, here)
        _embed_records(store)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or models forked
    arguments = (json.dumps(asdict(settings)), host, port, options)

    def start() -> tuple[BaseProcess, float]:
        process = context.Process(target=_worker, args=arguments, daemon=False)
        process.start()
        return process, time.monotonic()

    running = [start() for _ in range(workers)]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping:
            time.sleep(0.5)
            for i, (process, since) in enumerate(running):
                if process.is_alive() or stopping:
                    continue
                if time.monotonic() - since < STARTUP:
                    raise WorkerError(f"a server worker stopped while starting (exit code {process.exitcode})")
                log.warning("worker %s stopped (exit code %s); starting another", process.pid, process.exitcode)
                running[i] = start()
    finally:
        for process, _ in running:
            if process.is_alive():
                process.terminate()  # uvicorn shuts down gracefully on SIGTERM
        for process, _ in running:
            process.join(30)
            if process.is_alive():
                process.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
