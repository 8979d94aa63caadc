"""The matching ladder: which documents repeat one another, rung by rung (DESIGN.md, "The corpus
model"). Each match names the rung that found it and the similarity it measured there: exact and
near copies (:mod:`.copies`), paraphrases (:mod:`.paraphrases`); clusters built on them as texts
arrive (:mod:`.clusters`)."""

from narrascope.matching.clusters import Assignment, Clusters
from narrascope.matching.copies import CopyIndex, Match
from narrascope.matching.paraphrases import Paraphrase, ParaphraseIndex

__all__ = ["Assignment", "Clusters", "CopyIndex", "Match", "Paraphrase", "ParaphraseIndex"]
