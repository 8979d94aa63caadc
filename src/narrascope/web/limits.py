"""Request limits as one pure ASGI middleware: a body size cap (413) and a time limit (504).

The size cap reads ``Content-Length`` first and also counts the bytes of bodies sent without
one (chunked), so a client cannot stream past it. The time limit stops waiting for the
response; work already handed to a thread (an analysis) cannot be killed and finishes in the
background, which is why analyses also run one at a time behind a lock.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class TooLarge(HTTPException):
    """The body grew past the cap while it was being read: an HTTP error, so that FastAPI's body
    parsing passes it on as a 413 instead of turning it into "error parsing the body"."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over the {_size(limit)} limit")


def _json(status: int, detail: str) -> tuple[dict[str, Any], dict[str, Any]]:
    body = json.dumps({"detail": detail}).encode()
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
    }
    return start, {"type": "http.response.body", "body": body}


class LimitsMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._fail(send, 413, f"request body over the {_size(limit)} limit")
                return
        seen = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge(limit)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(self.timeout):  # in the request's own task (wait_for made one more)
                await self.app(scope, counted_receive, tracked_send)
        except TooLarge:
            if not started:
                await self._fail(send, 413, f"request body over the {_size(limit)} limit")
        except TimeoutError:
            if not started:
                await self._fail(send, 504, f"the request took longer than the {self.timeout:g} s limit")

    @staticmethod
    async def _fail(send: Send, status: int, detail: str) -> None:
        start, body = _json(status, detail)
        await send(start)
        await send(body)


def _size(n: int) -> str:
    return f"{n / 1e6:g} MB" if n >= 1_000_000 else f"{n / 1e3:g} kB"
