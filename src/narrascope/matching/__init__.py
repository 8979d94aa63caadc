"""The matching ladder: which documents repeat one another, rung by rung (DESIGN.md, "The corpus
model"). Each match names the rung that found it and the similarity it measured there."""

from narrascope.matching.copies import CopyIndex, Match

__all__ = ["CopyIndex", "Match"]
