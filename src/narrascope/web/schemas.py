"""Request and response bodies of the HTTP API (the analysis itself is ``narrascope.model.Analysis``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_TEXT = 2_000_000
"""Characters of one pasted article; the request size limit applies on top."""


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(Body):
    """Every error: one line saying what to change."""

    detail: str


class AnalyseRequest(Body):
    """Exactly one of ``text`` (plain text, HTML or a JSON article) or ``url``."""

    text: str | None = Field(default=None, max_length=MAX_TEXT, description="Plain text, HTML, or a JSON article.")
    url: str | None = Field(default=None, max_length=2048, description="An http(s) URL to fetch.")
    outlet: str | None = Field(default=None, max_length=255)
    month_first: bool = Field(default=False, description="Read numeric dates month-first (US order).")


class DocumentSummary(Body):
    id: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    language: str | None = None
    url: str
    """The document's page in the web UI; its analysis is at ``/api/documents/{id}``."""


class SearchHit(DocumentSummary):
    snippet: str


class Facet(Body):
    value: str
    documents: int


class DocumentPage(Body):
    """One page of documents; ``total`` counts at most the first 1,000 matches (``capped``)."""

    items: list[SearchHit]
    offset: int
    limit: int
    total: int
    capped: bool
    next_offset: int | None = None
    facets: dict[str, list[Facet]] = Field(default_factory=dict)


class IngestRecord(Body):
    """One article to store: ``text`` or ``html``, with what is known about it."""

    text: str | None = Field(default=None, max_length=MAX_TEXT)
    html: str | None = Field(default=None, max_length=MAX_TEXT)
    title: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=2048)
    outlet: str | None = Field(default=None, max_length=255)
    published: str | None = Field(default=None, max_length=64)
    authors: list[str] = Field(default_factory=list, max_length=50)

    def record(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class IngestRequest(Body):
    documents: list[IngestRecord] = Field(min_length=1)


class Failure(Body):
    origin: str
    reason: str


class IngestResult(Body):
    read: int
    added: int
    already: int
    failed: list[Failure]
    ids: list[str] = Field(description="Ids of the documents read, stored now or before, in input order.")


class Merged(Body):
    """One cluster re-clustering folded into an earlier one, with the evidence."""

    level: str = Field(description="story or claim.")
    absorbed: str = Field(description="The later cluster; its id now leads to `into`.")
    into: str = Field(description="The earlier cluster, whose id stays.")
    linkage: float = Field(description="Mean cosine between a member of one and a member of the other.")
    cosine: float = Field(description="Cosine of the two clusters' centres.")
    member: str = Field(description="The absorbed cluster's member closest to one of `into`'s ...")
    matched: str = Field(description="... this one ...")
    similarity: float = Field(description="... at this cosine.")


class ReclusterResult(Body):
    merges: list[Merged]


class TokenCheck(Body):
    token_id: str


class StoryOutlet(Body):
    name: str
    documents: int


class Story(Body):
    """A cluster: a story (documents that retell one event), a claim (one assertion across
    documents) or a narrative (related claims); see ``narrascope stories|claims|narratives``."""

    id: str
    level: str = Field(description="story, claim or narrative.")
    size: int = Field(description="Members: documents for a story, claims made in documents for a claim or narrative.")
    documents: int = Field(description="Distinct documents.")
    outlets: list[StoryOutlet]
    languages: list[str]
    first_seen: str | None
    last_seen: str | None
    first_publisher: str | None
    first_document: str
    representative: str
    representative_document: str
    rungs: dict[str, int] = Field(
        description="How the members joined: exact, near-duplicate, paraphrase (claim: through a claim cluster)."
    )
    merged: list[str] = Field(
        default_factory=list, description="Clusters re-clustering merged into this one; their ids lead here."
    )


class StoryMember(Body):
    """One member of a cluster (a document, or one claim of a document) and the evidence that
    placed it there."""

    item: str = Field(description="The document id, or <document id>:<claim id> for a claim.")
    document_id: str
    outlet: str | None
    published: str | None
    language: str | None
    title: str | None
    text: str | None = Field(default=None, description="The claim's sentence (claims and narratives).")
    match: str | None = Field(
        description="What brought it in: the earlier document or claim it matched, or (narratives) its claim cluster."
    )
    rung: str | None
    similarity: float | None
    centroid: float | None


class StoryBurst(Body):
    start: str
    end: str
    documents: int
    weight: float


class StoryTimeline(Body):
    days: list[str]
    counts: list[int]
    totals: list[int] = Field(description="All stored documents per day: the baseline of the burst test.")
    bursts: list[StoryBurst]
    undated: int


class StoryDetail(Body):
    story: Story
    members: list[StoryMember]
    timeline: StoryTimeline
