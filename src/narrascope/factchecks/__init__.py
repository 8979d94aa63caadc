"""Fact-check records: import them (ClaimReview, CheckThat, EUvsDisinfo), keep them in the corpus
store, export them as ClaimReview JSON-LD, and match claims against them (:mod:`.match`)."""

from narrascope.factchecks.importers import FORMATS, guess_format, read_records
from narrascope.factchecks.records import FactCheck, to_claimreview

__all__ = ["FORMATS", "FactCheck", "guess_format", "read_records", "to_claimreview"]
