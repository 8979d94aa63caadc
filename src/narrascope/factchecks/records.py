"""A fact-check record: a claim someone checked, the verdict, and where the check is published.

The record's id is a hash of its content, so importing the same record twice (from the same
file, or from its own ClaimReview export) stores it once. The fields follow schema.org
ClaimReview, which is what :func:`to_claimreview` writes and fact-checkers already publish.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["CONTENT_FIELDS", "FactCheck", "record_id", "to_claimreview"]

CONTENT_FIELDS = ("claim", "title", "url", "rating", "claimant", "published", "publisher", "language", "source_id")
"""The fields the id hashes: everything a ClaimReview export carries, nothing added by the store."""


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def record_id(values: dict[str, Any]) -> str:
    """Content hash of a record (hex sha256 of its content fields, whitespace-normalised)."""
    canonical = json.dumps([_clean(values.get(name)) for name in CONTENT_FIELDS], ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class FactCheck:
    """One checked claim. ``claim`` is the claim as the checker states it; ``title`` the headline
    of the check (often a rephrasing, which matching uses too); ``source_id`` the record's id in
    the collection it came from (a CheckThat vclaim id, a ClaimReview ``identifier``)."""

    claim: str
    title: str | None = None
    url: str | None = None
    rating: str | None = None
    claimant: str | None = None
    published: str | None = None
    publisher: str | None = None
    language: str | None = None
    source_id: str | None = None
    origin: str = field(default="", compare=False)
    """Which importer made it (claimreview, checkthat, euvsdisinfo); not part of the content."""

    @classmethod
    def of(cls, origin: str = "", **values: Any) -> FactCheck:
        """A record with every text field whitespace-normalised (empty → None)."""
        cleaned = {name: _clean(values.get(name)) for name in CONTENT_FIELDS}
        return cls(claim=cleaned.pop("claim") or "", origin=origin, **cleaned)

    @property
    def id(self) -> str:
        return record_id(asdict(self))

    def content(self) -> dict[str, Any]:
        """The content fields as a dict (what the store keeps in its columns)."""
        values = asdict(self)
        return {name: values[name] for name in CONTENT_FIELDS}


def to_claimreview(record: FactCheck) -> dict[str, Any]:
    """*record* as a schema.org ClaimReview object (without ``@context``); empty fields left out."""
    out: dict[str, Any] = {"@type": "ClaimReview", "claimReviewed": record.claim}
    optional = {
        "identifier": record.source_id,
        "headline": record.title,
        "url": record.url,
        "datePublished": record.published,
        "inLanguage": record.language,
    }
    out.update({key: value for key, value in optional.items() if value})
    if record.publisher:
        out["author"] = {"@type": "Organization", "name": record.publisher}
    if record.rating:
        out["reviewRating"] = {"@type": "Rating", "alternateName": record.rating}
    if record.claimant:
        out["itemReviewed"] = {"@type": "Claim", "author": {"name": record.claimant}}
    return out
