"""The web UI's pages: Analyse (paste, upload or URL), Corpus (search with facets), one
document at its stable URL ``/documents/{id}``, Stories, Claims and Narratives (``/stories``,
``/stories/{id}``, ``/claims/{id}``, ``/narratives/{id}``: the timeline chart, first publisher,
outlets and members with their evidence) and Coordination (the outlet network drawn with the
vendored Cytoscape.js, each edge opening its evidence).

Pages are rendered on the server with Jinja2 (autoescaping on); the only scripts are the
vendored files under ``static/``. Analysing from the UI never stores anything, so the UI needs
no login; storing is the API's job, with a token.

The document and search pages (and their API twins) are answered on the event loop (``async
def`` calling the store directly): their store reads take a few milliseconds, and handing each to
the thread pool and back cost as much again under load (``narrascope bench serve``: 495 against
395 requests/s in one process). Slow work (analyses, ingest, coordination) stays in the pool.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.concurrency import run_in_threadpool

import narrascope
from narrascope.coordination.detect import Settings
from narrascope.errors import NarrascopeError
from narrascope.model import Analysis
from narrascope.store import Filters
from narrascope.stories.levels import CLAIM, NARRATIVE, PLURALS, PREFIXES, STORY
from narrascope.stories.listing import resolve
from narrascope.web import coordination as web_coordination
from narrascope.web import corpus
from narrascope.web import stories as web_stories
from narrascope.web.api import Level, coordination_settings
from narrascope.web.deps import FiltersDep, ServicesDep
from narrascope.web.render import View, view
from narrascope.web.services import Services

templates = Environment(
    loader=FileSystemLoader(str(resources.files("narrascope.web") / "templates")),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # templates are package files: no stat() of each one per page
)
templates.globals["version"] = narrascope.__version__

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render template *name* with the request's CSP nonce (for the page's one ``<style>``)."""
    html = templates.get_template(name).render(nonce=request.state.nonce, path=request.url.path, **context)
    return HTMLResponse(html, status_code, headers={"cache-control": "no-store"})


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return page(request, "error.html", status, status=status, message=message)


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/analyse", 303)


@router.get("/documents")
def documents_home() -> RedirectResponse:
    return RedirectResponse("/corpus", 303)


@router.get("/analyse")
def analyse_form(request: Request) -> HTMLResponse:
    return page(request, "analyse.html", form={})


@router.post("/analyse")
async def analyse_submit(
    request: Request,
    services: ServicesDep,
    text: Annotated[str, Form(max_length=2_000_000)] = "",
    url: Annotated[str, Form(max_length=2048)] = "",
    outlet: Annotated[str, Form(max_length=255)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse:
    """Analyse what the form sent and show it; a bad input comes back as the form with one line."""
    data = await file.read() if file is not None and file.filename else None
    form = {"text": text, "url": url, "outlet": outlet}
    try:
        analysis = await run_in_threadpool(_analyse, services, text, url, data, file, outlet)
    except NarrascopeError as error:
        return page(request, "analyse.html", 400, form=form, error=str(error).splitlines()[0])
    return page(request, "analyse.html", form=form, v=view(analysis), analysis=analysis)


def _analyse(
    services: Services, text: str, url: str, data: bytes | None, file: UploadFile | None, outlet: str
) -> Analysis:
    document = services.read(
        text=text if text.strip() else None,
        url=url.strip() or None,
        data=data or None,
        filename=file.filename if file is not None else None,
        outlet=outlet or None,
    )
    return services.analyse(document)


@router.get("/documents/{document_id}")
async def document_page(
    request: Request,
    services: ServicesDep,
    document_id: Annotated[str, Path(pattern=r"^[0-9a-f]{8,64}$")],
) -> HTMLResponse:
    shown = _stored_view(services, document_id)
    if shown is None:
        raise HTTPException(404, f"no document {document_id} in the store")
    return page(request, "document.html", v=shown[1], analysis=shown[0])


VIEW_CACHE = 256
"""Rendered views of stored documents kept per app: a stored analysis never changes (its id is its
content hash), so a cached view is never stale, and the document page skips parsing and layout."""


def _stored_view(services: Services, document_id: str) -> tuple[Analysis, View] | None:
    cache: OrderedDict[str, tuple[Analysis, View]] = services.cache.setdefault("views", OrderedDict())
    lock: threading.Lock = services.cache.setdefault("views-lock", threading.Lock())
    with lock:
        if (shown := cache.get(document_id)) is not None:
            cache.move_to_end(document_id)
            return shown
    analysis = services.store.get(document_id)
    if analysis is None:
        return None
    shown = (analysis, view(analysis))
    with lock:
        cache[document_id] = shown
        while len(cache) > VIEW_CACHE:
            cache.popitem(last=False)
    return shown


@router.get("/corpus")
async def corpus_page(
    request: Request,
    services: ServicesDep,
    filters: FiltersDep,
    q: Annotated[str, Query(max_length=500)] = "",
    offset: Annotated[int, Query(ge=0, le=corpus.FACET_CAP)] = 0,
) -> HTMLResponse:
    found = corpus.search(services.store, q, filters, offset, PAGE_SIZE)
    params = _params(q, filters)
    hits = [{"row": row, "snippet": corpus.snippet(row["text"], q)} for row in found.rows]
    return page(
        request,
        "corpus.html",
        q=q,
        filters=filters,
        found=found,
        hits=hits,
        offset=offset,
        size=PAGE_SIZE,
        facet_url=lambda name, value: _facet_url(params, name, value),
        clear_url=lambda name: "/corpus?" + urlencode({k: v for k, v in params.items() if k != name}),
        page_url=lambda at: "/corpus?" + urlencode({**params, "offset": at}),
        active=params,
    )


def _facet_url(params: dict[str, str], name: str, value: str) -> str:
    """The corpus URL with one more facet chosen (a month is a since/until pair), from page one."""
    chosen = {"since": value, "until": value} if name == "month" else {name: value}
    return "/corpus?" + urlencode({**{k: v for k, v in params.items() if k != "offset"}, **chosen})


def _params(q: str, filters: Filters) -> dict[str, str]:
    """The current query as URL parameters (empty ones left out), for facet and paging links."""
    values = {
        "q": q,
        "outlet": filters.outlet,
        "since": filters.since,
        "until": filters.until,
        "language": filters.language,
        "speaker": filters.speaker,
        "technique": filters.technique,
        "hedged": "true" if filters.hedged else None,
    }
    return {k: v for k, v in values.items() if v}


KINDS = {  # level: what its pages call it
    STORY: {"title": "Stories", "noun": "story", "unit": "documents",
            "about": "Documents that retell one event, grouped as they were stored (an exact or near copy of "
                     "an earlier text, or a paraphrase of its title and lead); largest first."},
    CLAIM: {"title": "Claims", "noun": "claim", "unit": "claims",
            "about": "One assertion made across documents: each document's most check-worthy claims, grouped "
                     "as they were stored (the same sentence copied, or said again in other words); most "
                     "repeated first."},
    NARRATIVE: {"title": "Narratives", "noun": "narrative", "unit": "claims",
                "about": "Claims that share a frame: each new claim cluster joins the narrative of the closest "
                         "earlier one, or opens its own; largest first."},
}  # fmt: skip
for _level, _kind in KINDS.items():  # the names the API and the commands use too
    _kind.update(path=PLURALS[_level], prefix=PREFIXES[_level])


def _cluster_pages(level: str) -> None:
    """``/<clusters>`` and ``/<clusters>/{id}`` for one level of the hierarchy."""
    kind = KINDS[level]

    def listing(request: Request, services: ServicesDep) -> HTMLResponse:
        found = web_stories.stories(services.store, 100, 2, level)
        return page(request, "stories.html", stories=found, kind=kind)

    def one(
        request: Request, services: ServicesDep, cluster_id: str = Path(pattern=rf"^{kind['prefix']}[0-9]{{1,9}}$")
    ) -> Response:  # the path parameter as a default, not Annotated: its pattern is made here, per level
        kept = resolve(services.store, cluster_id)
        if kept != cluster_id:  # merged by re-clustering: the page of the cluster it went into
            return RedirectResponse(f"/{kind['path']}/{kept}?{urlencode({'merged': cluster_id})}", 308)
        found = web_stories.detail(services.store, cluster_id, level)
        if found is None:
            raise HTTPException(404, f"no {level} {cluster_id} in the store")
        chart = web_stories.chart(found)
        merged = request.query_params.get("merged")
        came = merged if merged in found.story.merged else None
        return page(
            request,
            "story.html",
            s=found.story,
            members=found.members,
            t=found.timeline,
            chart=chart,
            kind=kind,
            came=came,
        )

    router.get(f"/{kind['path']}")(listing)
    router.get(f"/{kind['path']}/{{cluster_id}}")(one)


for _level in KINDS:
    _cluster_pages(_level)


@router.get("/coordination")
def coordination_page(
    request: Request,
    services: ServicesDep,
    settings: Annotated[Settings, Depends(coordination_settings)],
    level: Level = "claim",
) -> HTMLResponse:
    found = web_coordination.network(services, settings, level)
    data = found.result.to_dict() if found.result is not None else None
    return page(
        request,
        "coordination.html",
        data=data,
        left_out=found.left_out,
        window=request.query_params.get("window", "1h"),
        settings=settings,
        level=level,
        kind=KINDS[level],
        levels=(CLAIM, STORY, NARRATIVE),  # the default first
    )


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)
