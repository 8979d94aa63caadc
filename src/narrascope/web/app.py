"""The app factory: one FastAPI app serving the JSON API, the web UI and its vendored assets.

>>> from narrascope.web import Settings, create_app
>>> app = create_app(Settings(db="corpus.db"))

Later parts of the workbench (stories, claims, narratives, coordination, fact-checks) plug in as
more routers: ``create_app(settings, routers=[...])``; they get the services through
``narrascope.web.deps`` and render with ``narrascope.web.pages.templates``.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import narrascope
from narrascope.errors import NarrascopeError
from narrascope.store import StoreError
from narrascope.web import api, pages
from narrascope.web.limits import LimitsMiddleware
from narrascope.web.render import REPORT_CSS
from narrascope.web.services import Services, Settings

if TYPE_CHECKING:
    from narrascope.pipeline import Pipeline

log = logging.getLogger("narrascope.web")


def csp(nonce: str) -> str:
    """No inline script at all; inline style only in the page's own nonce'd ``<style>``."""
    return (
        "default-src 'none'; script-src 'self'; "
        f"style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """A fresh CSP nonce per request (in ``request.state.nonce``) and the headers that go with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["nonce"] = nonce

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", csp(nonce).encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _one_line(text: object) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else "failed"


def _validation_line(error: RequestValidationError) -> str:
    errors = error.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "body"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return _one_line(f"{where}: {first.get('msg', 'invalid')}{more}")


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api") or path == "/openapi.json")


def _install_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if _wants_html(request) and error.status_code in (404, 405):
            return pages.error_page(request, error.status_code, _one_line(error.detail))
        return JSONResponse({"detail": _one_line(error.detail)}, error.status_code, headers=error.headers)

    async def invalid(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if _wants_html(request):
            return pages.error_page(request, 422, _validation_line(error))
        return JSONResponse({"detail": _validation_line(error)}, 422)

    async def narrascope_error(request: Request, error: Exception) -> Response:
        status = 503 if isinstance(error, StoreError) else 400
        return JSONResponse({"detail": _one_line(error)}, status)

    async def bug(request: Request, error: Exception) -> Response:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": f"internal error: {type(error).__name__}"}, 500)

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(NarrascopeError, narrascope_error)
    app.add_exception_handler(Exception, bug)


WARM_UP = (
    'The mayor said on Monday that the plan "will most likely work", according to the city, which spent $4 million.',
    "Мэр заявил, что план, вероятно, сработает.",
)
"""Short articles analysed at start-up so each layer loads its models (English and Russian)."""


def create_app(
    settings: Settings, nlp: Pipeline | None = None, routers: Iterable[APIRouter] = (), warm: bool = False
) -> FastAPI:
    """The app over the store ``settings.db``; *nlp* shares an already loaded pipeline (tests),
    *warm* loads it at startup rather than on the first analysis."""
    services = Services(settings, nlp)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:  # load every annotator's model now, not on the first user's article
            nlp = services.nlp()
            for text in WARM_UP:
                nlp(text)
        yield
        services.close()

    app = FastAPI(
        title="narrascope",
        version=narrascope.__version__,
        summary="Who speaks, what is claimed and how sure, how it persuades: one article or a corpus.",
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN; the schema is at /openapi.json
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    app.state.settings = settings
    _install_handlers(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    for router in routers:
        app.include_router(router)

    @app.get("/assets/report.css", include_in_schema=False)
    def report_css() -> Response:
        return Response(REPORT_CSS, media_type="text/css", headers={"cache-control": "public, max-age=3600"})

    app.mount("/static", StaticFiles(directory=str(resources.files("narrascope.web") / "static")), name="static")
    app.add_middleware(LimitsMiddleware, max_bytes=settings.max_bytes, timeout=settings.timeout)
    app.add_middleware(SecurityHeaders)
    return app
