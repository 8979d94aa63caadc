"""narrascope's own ingest, wrapped in the shapes the evaluation modules score."""

from __future__ import annotations

from narrascope.evaluation.extraction import Extracted
from narrascope.ingest import from_bytes


def narrascope_extractor(html: bytes, url: str | None) -> Extracted:
    """Body, title, authors and date as narrascope's HTML ingest reads them."""
    document = from_bytes(html, url=url)
    return Extracted(
        text=document.text,
        title=document.title,
        authors=list(document.authors),
        date=document.published.value[:10] if document.published else None,
    )


def narrascope_date(html: bytes, url: str | None) -> str | None:
    """The publication date narrascope's HTML ingest reads (metadata first, then dateline)."""
    document = from_bytes(html, url=url)
    return document.published.value[:10] if document.published else None
