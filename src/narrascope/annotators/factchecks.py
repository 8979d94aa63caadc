"""The ``factchecks`` layer: which stored fact-check records each check-worthy claim matches.

Fact-checkers first ask whether a claim has been checked already. With a store of fact-check
records (``narrascope factchecks import``), every English claim at or above the check-worthiness
threshold is matched against them (:class:`narrascope.factchecks.match.Matcher`: BM25 and the
shared encoder's nearest records, compared by the claim-matching encoder too, fused), and the
records the matcher calls likely are attached to the claim with each rung's evidence. When the
records have multilingual vectors (``import --multilingual``), every claim of an article in another
language is matched on the cross-lingual rung (there is no check-worthiness model for other
languages). Not in the default pipeline: it needs the records, which ``narrascope analyze
--factchecks DB`` and ``narrascope serve`` (when its store holds records) provide.
``models["factchecks"]`` names the records and the models, so a report can tell "no match" from
"not looked up".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from narrascope.errors import InputError
from narrascope.model import Claim, FactCheckMatch
from narrascope.pipeline import Work, annotator

__all__ = ["TOP", "FactCheckAnnotator", "to_match"]

TOP = 3
"""Records kept per claim, at most (those above the threshold)."""


def to_match(found: Any) -> FactCheckMatch:
    """A :class:`narrascope.factchecks.match.Match` as the analysis keeps it."""
    record = found.record
    return FactCheckMatch(
        record_id=record.id,
        score=round(min(1.0, max(0.0, float(found.score))), 4),
        claim=record.claim,
        rating=record.rating,
        url=record.url,
        publisher=record.publisher,
        published=record.published,
        rungs=list(found.rungs),
        bm25_terms=list(found.terms),
        cosine=round(float(found.cosine_claim if found.cosine_multilingual is None else found.cosine_multilingual), 4),
        cosine_matching=None if found.cosine_matching is None else round(float(found.cosine_matching), 4),
    )


class FactCheckAnnotator:
    name = "factchecks"

    def __init__(self, config: dict[str, Any]) -> None:
        from narrascope.annotators.checkworthy import load_checkworthy_model
        from narrascope.factchecks.match import Matcher
        from narrascope.factchecks.store import FactCheckStore
        from narrascope.store import Store

        target: str | Path | None = config.get("factchecks")
        if target is None:
            raise InputError("the factchecks layer needs a store of fact-check records (--factchecks DB)")
        with Store.open(target) as store:
            records = FactCheckStore(store).count()
            if not records:
                raise InputError(
                    "no fact-check records in the store; add some with `narrascope factchecks import FILE`"
                )
            self.matcher = Matcher.from_store(store)
        self.checkworthy = load_checkworthy_model().threshold
        self.threshold = self.matcher.model.threshold
        across = self.matcher.crosslingual
        self.models = {
            "factchecks": f"{records} records, fusion threshold {self.threshold:.3f}"
            + (
                f"; cross-lingual ({len(across.rows)} records, threshold {across.model.threshold:.3f})"
                if across
                else ""
            )
        }

    def __call__(self, work: Work) -> None:
        claims: list[Claim] = work.layers.get("claims", [])
        chosen = [i for i, c in enumerate(claims) if c.checkworthy is not None and c.checkworthy >= self.checkworthy]
        language = work.document.language
        if self.matcher.crosslingual is not None and language is not None and language.code != "en":
            chosen = list(range(len(claims)))  # no check-worthiness model for other languages: every claim
        if not chosen:
            return
        found = self.matcher.match_many([claims[i].span.text for i in chosen], top=TOP)
        for i, matches in zip(chosen, found, strict=True):
            kept = [to_match(m) for m in matches if m.likely]
            if kept:
                claims[i] = claims[i].model_copy(update={"fact_checks": kept})
        work.layers["claims"] = claims


@annotator("factchecks")
def make_factchecks(config: dict[str, Any]) -> FactCheckAnnotator:
    return FactCheckAnnotator(config)
