"""narrascope's own ingest, wrapped in the shapes the evaluation modules score."""

from __future__ import annotations

from narrascope.evaluation.attribution import Predicted, Predictor
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
    return narrascope_extractor(html, url).date


def narrascope_attributions() -> Predictor:
    """The attribution model on the shared spaCy parse, as the PolNeAR scorer calls it."""
    from narrascope.annotators.attribution_model import load_attribution_model
    from narrascope.models import load_spacy

    spacy_nlp, model = load_spacy(), load_attribution_model()

    def predict(text: str) -> list[Predicted]:
        found = []
        for raw in model.predict(spacy_nlp(text)):
            content = raw.content_fragments or ((raw.content,) if raw.content else None)
            source = (raw.source,) if raw.source else None
            found.append(Predicted(cue=(raw.cue,), source=source, content=content, score=raw.score))
        return found

    return predict
