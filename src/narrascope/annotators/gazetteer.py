"""Recurring actors the statistical recogniser misses, listed by people who know the field.

A gazetteer entry names one actor, its type and the spellings it appears under; every
spelling found in a text becomes a mention of that actor, overriding what the model said
about the same characters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from narrascope.errors import InputError


@dataclass(frozen=True)
class Entry:
    name: str
    type: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    entry: Entry


class Gazetteer:
    """A set of entries and one compiled pattern that finds all their aliases at once."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._by_alias = {alias: e for e in entries for alias in (e.name, *e.aliases)}
        alternatives = sorted(self._by_alias, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alternatives)) + r")(?!\w)") if alternatives else None
        )

    def find(self, text: str) -> list[Hit]:
        if self._pattern is None:
            return []
        return [Hit(m.start(), m.end(), self._by_alias[m.group()]) for m in self._pattern.finditer(text)]

    @classmethod
    def from_json(cls, data: str, origin: str = "gazetteer") -> Gazetteer:
        try:
            raw = json.loads(data)
            entries = [
                Entry(str(e["name"]), str(e.get("type", "ORG")), tuple(str(a) for a in e.get("aliases", ())))
                for e in raw["entries"]
            ]
        except (ValueError, KeyError, TypeError) as err:
            raise InputError(f"{origin}: not a gazetteer ({{'entries': [{{name, type, aliases}}]}}): {err}") from None
        return cls(entries)

    def extended(self, path: Path) -> Gazetteer:
        """This gazetteer plus the entries of a user's file."""
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"cannot read gazetteer {path}: {err}") from None
        return Gazetteer([*self.entries, *Gazetteer.from_json(text, str(path)).entries])


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    text = resources.files("narrascope.resources").joinpath("gazetteer.json").read_text(encoding="utf-8")
    return Gazetteer.from_json(text, "built-in gazetteer")
