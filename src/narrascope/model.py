"""The article model: one immutable clean text, and every finding a span of it.

Spans are ``(start, end)`` character offsets into ``Document.text``, end exclusive, so a report
can point at the exact characters a finding rests on and gold data with character offsets
(PolNeAR, SemEval) can be scored directly.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1.5.0"

WORD = re.compile(r"\w+(?:[-'’.]\w+)*")
"""What counts as one word wherever narrascope counts words: "vice-president", "U.S." and "don't" are one."""

DateSource = Literal["dateline", "html-meta", "url", "feed", "user", "text"]
Precision = Literal["year", "month", "day", "minute", "second"]


class Record(BaseModel):
    """Base of every serialised record: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(Record):
    """A stretch of ``Document.text``; ``text`` is kept so JSON readers need not slice."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        """The span of ``text[start:end]``."""
        return cls(start=start, end=end, text=text[start:end])

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} before start {self.start}")
        if len(self.text) != self.end - self.start:
            raise ValueError("span text length does not match its offsets")
        return self


class Issue(Record):
    """Something found on the way in that a careful reader should know about."""

    code: str
    message: str
    removed: str | None = None


class Published(Record):
    """A publication date with how precise it is and where it was read from."""

    value: str
    precision: Precision
    source: DateSource
    raw: str | None = None


class Language(Record):
    code: str
    confidence: float = Field(ge=0.0, le=1.0)
    supported: bool


class Document(Record):
    """The clean text of one article and what is known about the article itself."""

    id: str
    source: str | None = None
    outlet: str | None = None
    outlet_source: str | None = None
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    published: Published | None = None
    place: str | None = None
    language: Language | None = None
    text: str
    paragraphs: list[tuple[int, int]] = Field(default_factory=list)
    issues: list[Issue] = Field(default_factory=list)

    def span(self, start: int, end: int) -> Span:
        """The span of ``text[start:end]``."""
        return Span.of(self.text, start, end)


class Mention(Record):
    """One occurrence of an entity; ``label`` is what the recogniser called this occurrence."""

    span: Span
    label: str
    origin: Literal["model", "gazetteer", "propagated"]


class Entity(Record):
    """A canonical actor, place or group with every mention of it in the text."""

    id: str
    name: str
    type: str
    key: str
    variants: list[str]
    mentions: list[Mention]


class TimeExpression(Record):
    """A date in the text, resolved against the publication date where it can be."""

    span: Span
    value: str | None = None
    precision: Precision | None = None
    relative: bool = False


SpeakerKind = Literal["entity", "descriptor", "pronoun", "named", "vague", "anonymous", "abstract", "none"]
QuoteKind = Literal["direct", "partial", "indirect", "according-to", "scare"]


class Speaker(Record):
    """Who an attribution names as its source, and how that was established.

    ``kind`` says how far to trust the link: ``entity`` when the source span is a mention of an
    entity; ``descriptor`` or ``pronoun`` when "the expert" or "he" was linked to an earlier named
    speaker (``antecedent`` is that speaker's source span); ``vague`` and ``anonymous`` for
    "experts say" and "sources close to"; ``abstract`` when the grammatical source is a thing
    ("the position of X suggests"), which is never taken for a speaker.
    """

    kind: SpeakerKind
    span: Span | None = None
    entity_id: str | None = None
    name: str | None = None
    antecedent: Span | None = None


def voice_key(kind: str, entity_id: str | None, label: str) -> str:
    """The key of one voice across an article's quotes: the entity when there is one, else its words.

    The sourcing profile counts words by this key and the reports colour quotes by it, so both
    must use this one function.
    """
    if entity_id:
        return f"entity:{entity_id}"
    return f"{kind}:{(' '.join(label.split()) or 'unattributed').lower()}"


class Quote(Record):
    """One attribution: a speaker, the cue that attributes, and the content attributed."""

    id: str
    kind: QuoteKind
    speaker: Speaker
    cue: Span | None = None
    content: Span
    fragments: list[Span] = Field(default_factory=list)
    inverted: bool = False
    score: float = Field(default=1.0, ge=0.0, le=1.0)


class SourceShare(Record):
    """One voice in the article and the share of the article's words it supplies."""

    source: str
    entity_id: str | None = None
    kind: SpeakerKind
    quotes: int
    words: int
    share: float = Field(ge=0.0, le=1.0)


class Sourcing(Record):
    """Whose words the article is made of: the profile a fact-checker reads first."""

    words: int
    outlet_words: int
    outlet_share: float = Field(ge=0.0, le=1.0)
    quoted_share: float = Field(ge=0.0, le=1.0)
    sources: list[SourceShare] = Field(default_factory=list)
    distinct_sources: int
    vague_quotes: int
    anonymous_quotes: int
    top_source_share: float = Field(ge=0.0, le=1.0)
    single_source: bool
    notes: list[str] = Field(default_factory=list)


CueKind = Literal["hedge", "booster", "evidential"]
LabelKind = Literal["banned", "terrorist", "extremist", "foreign-agent", "undesirable"]


class CertaintyCue(Record):
    """A word saying how sure the text is: a hedge lowers certainty, a booster raises it, an
    evidential says where the knowledge comes from."""

    span: Span
    kind: CueKind
    cue: str


class Figure(Record):
    """A number the article reports, what it counts, and whose figure it is.

    ``quote_id`` is the attribution whose content holds the figure ("according to the
    commandant's office, 14 servicemen…"); without one the figure is the outlet's own.
    """

    id: str
    span: Span
    value: float | None = None
    unit: str | None = None
    counts: Span | None = None
    event: Span | None = None
    approximate: bool = False
    quote_id: str | None = None
    reported_by: str | None = None


class Label(Record):
    """A designation label the outlet attaches ("organization banned in Russia"): the outlet's
    legal or editorial marker, not a claim about the facts."""

    id: str
    span: Span
    kind: LabelKind
    jurisdiction: str | None = None
    target: Span | None = None
    entity_id: str | None = None
    parenthetical: bool = False
    marker: Literal["outlet"] = "outlet"


class FactCheckMatch(Record):
    """A stored fact-check record that checks this claim, as the matcher ranked it: the fused
    score (the probability that the record checks the claim) and each rung's evidence."""

    record_id: str
    score: float = Field(ge=0.0, le=1.0)
    claim: str
    """The claim as the fact-checker stated it."""
    rating: str | None = None
    url: str | None = None
    publisher: str | None = None
    published: str | None = None
    rungs: list[str] = Field(default_factory=list)
    """Which rungs proposed the record: ``bm25``, ``embedding`` or both."""
    bm25_terms: list[str] = Field(default_factory=list)
    cosine: float | None = None
    """Cosine of the claim to the record's claim (the shared encoder's vectors)."""
    cosine_matching: float | None = None
    """The claim-matching encoder's cosine of the claim to the record's claim or title, the nearer."""


class Claim(Record):
    """An asserted unit (a sentence), who asserts it, how sure it pretends to be, whether it is
    worth checking, and what it is about.

    ``claimant`` is ``source`` when an attribution carries the sentence (``quote_id``,
    ``speaker``), else ``outlet``: the article asserts it in its own voice. ``certainty`` is in
    [0, 1] (the hedge model with the cues); ``checkworthy`` in [0, 1], None where no model
    covers the language.
    """

    id: str
    span: Span
    claimant: Literal["source", "outlet"]
    quote_id: str | None = None
    speaker: str | None = None
    entity_ids: list[str] = Field(default_factory=list)
    figure_ids: list[str] = Field(default_factory=list)
    label_ids: list[str] = Field(default_factory=list)
    cues: list[CertaintyCue] = Field(default_factory=list)
    certainty: float = Field(ge=0.0, le=1.0)
    checkworthy: float | None = Field(default=None, ge=0.0, le=1.0)
    fact_checks: list[FactCheckMatch] = Field(default_factory=list)
    """Stored fact-check records that match this claim above the matcher's threshold (only when
    the analysis was run against a store of records: ``models["factchecks"]`` says which)."""


class ClaimProfile(Record):
    """How the article asserts: hedged and boosted shares, claims in the outlet's own voice,
    claims resting on one source."""

    claims: int
    hedged: int
    boosted: int
    unattributed: int
    single_source: int
    checkworthy: int
    hedged_share: float = Field(ge=0.0, le=1.0)
    boosted_share: float = Field(ge=0.0, le=1.0)
    unattributed_share: float = Field(ge=0.0, le=1.0)
    single_source_share: float = Field(ge=0.0, le=1.0)
    notes: list[str] = Field(default_factory=list)


class Technique(Record):
    """A persuasion technique (SemEval-2023 inventory): the passage, the technique, its family,
    the classifier's probability, and the words that weighed most for it (``cue``).

    ``level`` says what the evidence is: ``span`` for a passage the span finder marked, or
    ``paragraph`` for a technique the paragraph classifier found in a paragraph (the span is
    then the whole paragraph, the cue its strongest words)."""

    id: str
    span: Span
    technique: str
    family: str
    score: float = Field(ge=0.0, le=1.0)
    cue: Span | None = None
    level: Literal["span", "paragraph"] = "span"


class TechniqueProfile(Record):
    """How much of the article persuades, and how: counts per family and per technique (spans
    and paragraph-level findings together), and marked spans per 1,000 words."""

    spans: int
    paragraphs: int = 0
    per_1000_words: float = Field(ge=0.0)
    families: dict[str, int] = Field(default_factory=dict)
    techniques: dict[str, int] = Field(default_factory=dict)


class Analysis(Record):
    """A document, the layers annotators added to it, and the versions that made them."""

    schema_version: str = SCHEMA_VERSION
    document: Document
    entities: list[Entity] = Field(default_factory=list)
    dates: list[TimeExpression] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    sourcing: Sourcing | None = None
    figures: list[Figure] = Field(default_factory=list)
    labels: list[Label] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    claim_profile: ClaimProfile | None = None
    techniques: list[Technique] = Field(default_factory=list)
    technique_profile: TechniqueProfile | None = None
    models: dict[str, str] = Field(default_factory=dict)

    def to_json(self, indent: int | None = 2) -> str:
        return self.model_dump_json(indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes) -> Analysis:
        return cls.model_validate_json(data)


def normalise_for_id(text: str) -> str:
    """Case, accent-composition and whitespace-insensitive form used for content hashes (runs of
    whitespace, as ``str.isspace`` and ``re``'s ``\\s`` both define it, become one space)."""
    return " ".join(unicodedata.normalize("NFC", text).split()).casefold()


def document_id(outlet: str | None, text: str) -> str:
    """Stable id: the same outlet publishing the same text gets the same id on every run."""
    digest = hashlib.sha256(f"{(outlet or '').casefold()}\n{normalise_for_id(text)}".encode())
    return digest.hexdigest()[:20]
