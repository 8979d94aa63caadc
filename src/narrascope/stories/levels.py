"""The levels of the hierarchy and their names, in one place (and light to import: the command
line registers a command per level at start-up)."""

from __future__ import annotations

__all__ = ["CLAIM", "LEVELS", "MERGED", "NARRATIVE", "PLURALS", "PREFIXES", "STORY"]

STORY, CLAIM, NARRATIVE = "story", "claim", "narrative"
LEVELS = (STORY, CLAIM, NARRATIVE)
PLURALS = {STORY: "stories", CLAIM: "claims", NARRATIVE: "narratives"}
"""Each level's name in the plural: its command, its API path and its pages' path."""
PREFIXES = {STORY: "S", CLAIM: "K", NARRATIVE: "N"}
"""The letter each level's cluster ids start with (S12, K3, N7)."""
MERGED = (STORY, CLAIM)
"""The levels re-clustering merges (narratives group claim clusters loosely already)."""
