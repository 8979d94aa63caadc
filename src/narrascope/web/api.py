"""The JSON API under ``/api``: analyse, list and read documents, search, stories, the
coordination network, ingest.

Reads are open; anything that stores needs a bearer token (``narrascope token create``).
Every error is ``{"detail": "<one line>"}`` with a 4xx status (see ``narrascope.web.app``).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, UploadFile
from fastapi.security import HTTPAuthorizationCredentials

from narrascope.coordination.detect import Settings, measured
from narrascope.coordination.timeparse import parse_duration
from narrascope.errors import NarrascopeError
from narrascope.ingest import from_bytes, from_record
from narrascope.model import Analysis
from narrascope.store.ingest import ingest
from narrascope.store.inputs import Item
from narrascope.stories.levels import CLAIM, LEVELS, MERGED, NARRATIVE, PLURALS, PREFIXES, STORY
from narrascope.stories.recluster import recluster_store
from narrascope.web import coordination as web_coordination
from narrascope.web import corpus
from narrascope.web import stories as web_stories
from narrascope.web.deps import FiltersDep, ServicesDep, WriteToken, bearer, require_token
from narrascope.web.schemas import (
    AnalyseRequest,
    DocumentPage,
    Facet,
    Failure,
    IngestRequest,
    IngestResult,
    Merged,
    Problem,
    ReclusterResult,
    SearchHit,
    Story,
    StoryDetail,
)
from narrascope.web.services import Services

ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": Problem, "description": "The input cannot be read as an article, or a URL was refused."},
    413: {"model": Problem, "description": "The request is over the size limit."},
    422: {"model": Problem, "description": "A parameter or field is invalid."},
    504: {"model": Problem, "description": "The request took longer than the time limit."},
}
WRITE_ERRORS: dict[int | str, dict[str, object]] = {
    **ERRORS,
    401: {"model": Problem, "description": "No token, or an unknown or revoked one."},
}
DOCUMENT_ID = Path(pattern=r"^[0-9a-f]{8,64}$", description="A stored document's id (hex).")

router = APIRouter(prefix="/api", tags=["api"])


@router.post("/analyse", response_model=Analysis, responses=WRITE_ERRORS, summary="Analyse one article")
def analyse(
    body: AnalyseRequest,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    store: Annotated[bool, Query(description="Also add it to the corpus (needs a token).")] = False,
) -> Analysis:
    """Analyse pasted text, HTML or a JSON article, or fetch and analyse a URL (public addresses
    only, unless the server runs with ``--allow-private``)."""
    if store:
        require_token(services, credentials)
    document = services.read(text=body.text, url=body.url, outlet=body.outlet, month_first=body.month_first)
    analysis = services.analyse(document)
    if store:
        services.keep([analysis])
    return analysis


@router.post("/analyse/file", response_model=Analysis, responses=WRITE_ERRORS, summary="Analyse an uploaded file")
def analyse_file(
    file: Annotated[UploadFile, File(description="A .txt, .html or .json article.")],
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    outlet: Annotated[str | None, Form(max_length=255)] = None,
    month_first: Annotated[bool, Form()] = False,
    store: Annotated[bool, Query(description="Also add it to the corpus (needs a token).")] = False,
) -> Analysis:
    """Analyse one uploaded file (its encoding is detected and any repair recorded)."""
    if store:
        require_token(services, credentials)
    data = file.file.read(services.settings.max_bytes + 1)
    if not data:
        raise NarrascopeError("the uploaded file is empty")
    document = services.read(data=data, filename=file.filename, outlet=outlet, month_first=month_first)
    analysis = services.analyse(document)
    if store:
        services.keep([analysis])
    return analysis


def _page(services: Services, q: str, filters: FiltersDep, offset: int, limit: int, facets: bool) -> DocumentPage:
    found = corpus.search(services.store, q, filters, offset, limit, facets=facets)
    items = [
        SearchHit(
            id=row["id"],
            title=row["title"],
            outlet=row["outlet"],
            published=row["published"],
            language=row["language"],
            url=f"/documents/{row['id']}",
            snippet=corpus.snippet_text(row["text"], q),
        )
        for row in found.rows
    ]
    more = offset + limit < found.total
    return DocumentPage(
        items=items,
        offset=offset,
        limit=limit,
        total=found.total,
        capped=found.capped,
        next_offset=offset + limit if more else None,
        facets={name: [Facet(value=v, documents=n) for v, n in values] for name, values in found.facets.items()},
    )


Offset = Annotated[int, Query(ge=0, le=corpus.FACET_CAP, description="Skip this many.")]
Limit = Annotated[int, Query(ge=1, le=100, description="At most this many.")]


@router.get("/documents", response_model=DocumentPage, responses=ERRORS, summary="List documents")
async def documents(services: ServicesDep, filters: FiltersDep, offset: Offset = 0, limit: Limit = 20) -> DocumentPage:
    """Stored documents the filters keep, newest first, one page at a time."""
    return _page(services, "", filters, offset, limit, facets=False)


@router.get(
    "/documents/{document_id}",
    response_model=Analysis,
    responses={**ERRORS, 404: {"model": Problem, "description": "No such document."}},
    summary="One document's analysis",
)
async def document(document_id: Annotated[str, DOCUMENT_ID], services: ServicesDep) -> Analysis:
    analysis = services.store.get(document_id)
    if analysis is None:
        raise HTTPException(404, f"no document {document_id} in the store")
    return analysis


@router.get("/search", response_model=DocumentPage, responses=ERRORS, summary="Search the corpus")
async def search(
    services: ServicesDep,
    filters: FiltersDep,
    q: Annotated[str, Query(max_length=500, description="Words to find in titles and texts (all of them).")] = "",
    offset: Offset = 0,
    limit: Limit = 20,
) -> DocumentPage:
    """Full-text search with the same filters as the document list, snippets, and facet counts
    (outlet, language, month, speaker, technique) over the first 1,000 matches."""
    return _page(services, q, filters, offset, limit, facets=True)


WHAT = {  # level: what its list holds
    STORY: "stories (documents retelling one event)",
    CLAIM: "claims (one assertion across documents; a document's most check-worthy claims)",
    NARRATIVE: "narratives (claim clusters that share a frame)",
}


def _cluster_routes(level: str) -> None:
    """``GET /<clusters>`` and ``GET /<clusters>/{id}`` for one level of the hierarchy."""
    plural, what = PLURALS[level], WHAT[level]
    cluster_id_path = Path(
        pattern=rf"^{PREFIXES[level]}[0-9]{{1,9}}$", description=f"A {level} cluster's id, as /api/{plural} lists them."
    )

    def listing(
        services: ServicesDep,
        limit: Limit = 20,
        min_size: Annotated[int, Query(ge=1, le=1_000_000, description="Only clusters of at least this size.")] = 2,
    ) -> list[Story]:
        return web_stories.stories(services.store, limit, min_size, level)

    listing.__doc__ = (
        f"The largest {what}: size, documents, first seen and by whom, outlets, languages, and the "
        "text of the member closest to the cluster's centre."
    )

    def one(services: ServicesDep, cluster_id: str = cluster_id_path) -> StoryDetail:  # not Annotated: per level
        found = web_stories.detail(services.store, cluster_id, level)
        if found is None:
            raise HTTPException(404, f"no {level} {cluster_id} in the store")
        return found

    one.__doc__ = f"One {level}: its members with the evidence that placed them, and its timeline with bursts."
    router.get(
        f"/{plural}", response_model=list[Story], responses=ERRORS, summary=f"List {plural}", operation_id=plural
    )(listing)
    router.get(
        f"/{plural}/{{cluster_id}}",
        response_model=StoryDetail,
        responses={**ERRORS, 404: {"model": Problem, "description": f"No such {level}."}},
        summary=f"One {level}: members with evidence, timeline with bursts",
        operation_id=level,
    )(one)


for _level in LEVELS:
    _cluster_routes(_level)


def coordination_settings(
    window: Annotated[str, Query(max_length=16, description="Co-publication window: 30m, 1h, 1d …")] = "1h",
    permutations: Annotated[int, Query(ge=10, le=5000, description="Shuffles for the null model.")] = 1000,
    fdr: Annotated[float, Query(gt=0.0, le=0.5, description="False-discovery rate for flagging.")] = 0.05,
) -> Settings:
    """The detector's settings from query parameters (a 422 with one line when unreadable)."""
    try:
        seconds = parse_duration(window)
    except ValueError as error:
        raise HTTPException(422, f"window: {error}") from None
    if not 0 < seconds <= 30 * 86400:
        raise HTTPException(422, "window: between 1 second and 30 days")
    return Settings(window=seconds, permutations=permutations, fdr=fdr)


Level = Annotated[
    str,
    Query(
        pattern=rf"^({'|'.join(LEVELS)})$",
        description="Outlets publishing in the same claim (default), story or narrative cluster.",
    ),
]


@router.get("/coordination", responses=ERRORS, summary="The outlet coordination network of the clusters")
def coordination(
    services: ServicesDep, settings: Annotated[Settings, Depends(coordination_settings)], level: Level = "claim"
) -> dict[str, Any]:
    """Outlets that published in the same clusters (claims by default) within the window more
    often than a shuffle of the clusters among the documents of each moment allows: flagged pairs
    with p and q, lead–lag, syndication (wire copies) labelled, Leiden communities, and every
    pair's evidence (clusters, documents, times). It measures synchrony, not intent or
    authenticity."""
    found = web_coordination.network(services, settings, level)
    if found.result is None:
        return {"measured": measured(settings), "settings": asdict(settings), "edges": [], "communities": [],
                "counts": {}, "left_out": found.left_out}  # fmt: skip
    return {**found.result.to_dict(), "left_out": found.left_out}


def _run_ingest(services: Services, items: list[Item]) -> IngestResult:
    limit = services.settings.max_batch
    if len(items) > limit:
        raise HTTPException(413, f"{len(items)} documents in one request; send at most {limit} per request")
    with services.analysis_lock():
        report = ingest(items, services.store, services.nlp(), batch_size=max(1, len(items)), also=services.stories())
    return IngestResult(
        read=report.read,
        added=report.added,
        already=report.already,
        failed=[Failure(origin=o, reason=r) for o, r in report.failed],
        ids=[item.document.id for item in items if item.document is not None],
    )


@router.post(
    "/recluster", response_model=ReclusterResult, responses=WRITE_ERRORS, summary="Merge clusters that are one"
)
def recluster(
    services: ServicesDep,
    _token: WriteToken,
    level: Annotated[
        list[str] | None,
        Query(description="story and/or claim (both by default).", max_length=2),
    ] = None,
    threshold: Annotated[
        float | None, Query(gt=0, le=1, description="Mean cosine between members (default: the paraphrase bar).")
    ] = None,
    dry_run: Annotated[bool, Query(description="Only say what would be merged.")] = False,
) -> ReclusterResult:
    """Fold stories and claims whose members are by now, on average, as close as two retellings
    into the earlier of each pair (as `narrascope recluster`): the earlier id stays, the later
    leads to it; each merge with its evidence."""
    levels = tuple(dict.fromkeys(level or MERGED))
    if set(levels) - set(MERGED):
        raise HTTPException(422, f"level: {' or '.join(MERGED)}")
    with services.analysis_lock():
        made = recluster_store(services.store, services.stories(), levels, threshold, dry_run)
    return ReclusterResult(merges=[Merged(level=lv, **asdict(m)) for lv in levels for m in made[lv]])


def _item(origin: str, record: dict[str, object]) -> Item:
    try:
        return Item(origin, from_record(record, origin))
    except NarrascopeError as error:
        return Item(origin, error=str(error))


@router.post("/ingest", response_model=IngestResult, responses=WRITE_ERRORS, summary="Store a batch of articles")
def ingest_records(body: IngestRequest, services: ServicesDep, _token: WriteToken) -> IngestResult:
    """Analyse and store articles given as JSON records; already stored ones are skipped (ids
    are content hashes), unreadable ones listed in ``failed``."""
    return _run_ingest(services, [_item(f"documents[{i}]", r.record()) for i, r in enumerate(body.documents)])


@router.post("/ingest/files", response_model=IngestResult, responses=WRITE_ERRORS, summary="Store uploaded files")
def ingest_files(
    files: Annotated[list[UploadFile], File(description=".txt, .html or .json articles, or .jsonl files.")],
    services: ServicesDep,
    _token: WriteToken,
) -> IngestResult:
    """Analyse and store uploaded articles: one per .txt/.html/.json file, one per line of .jsonl."""
    items: list[Item] = []
    for file in files:
        name = file.filename or "upload"
        data = file.file.read()
        if name.lower().endswith((".jsonl", ".ndjson")):
            items.extend(_lines(name, data))
            continue
        try:
            items.append(Item(name, from_bytes(data, name, max_bytes=services.settings.max_bytes)))
        except NarrascopeError as error:
            items.append(Item(name, error=str(error)))
    return _run_ingest(services, items)


def _lines(name: str, data: bytes) -> list[Item]:
    items: list[Item] = []
    for number, line in enumerate(data.decode("utf-8-sig", errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        origin = f"{name}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            items.append(Item(origin, error=f"invalid or truncated JSON: {error.msg}"))
            continue
        if not isinstance(row, dict):
            items.append(Item(origin, error="a JSON Lines row must be an object"))
            continue
        items.append(_item(origin, row))
    return items


__all__ = ["router"]
