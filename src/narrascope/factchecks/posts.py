"""Social-post text made matchable: what a tweet carries that no fact-check record says.

Links never recur in a record, and handles and hashtags hide their words ("@realDonaldTrump",
"#FreeIran2020"): a record names "Donald Trump" and "Iran". So a claim is matched as its words:
HTML entities unescaped, links dropped (``pic.twitter.com`` ones too, even glued to a hashtag),
handles and hashtags split at their CamelCase and digits. On news sentences it changes nothing.
Published CheckThat! 2020 systems cleaned tweets the same way; on the train split it raised
cross-validated MAP@5 from 0.908 to 0.922 (see the model card).

A post also often says several things (a subclaim is enough for a check to apply) and ends
with who posted it and when: :func:`segments` cuts it into those parts, so each can be compared
with a record on its own.
"""

from __future__ import annotations

import html
import re

__all__ = ["normalise", "parts", "segments"]

LINK = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+")
HANDLE = re.compile(r"[@#](\w+)")
WORD_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")
SEGMENT_BREAK = re.compile(r"(?<=[.!?…])\s+|\s+[—–]\s+|\n+")
SEGMENT_WORDS = 3
"""Shorter parts ("Wow!", "Thread:") say nothing a record could match on their own."""


def _words(match: re.Match[str]) -> str:
    return WORD_BREAK.sub(" ", match.group(1).replace("_", " "))


def normalise(text: str) -> str:
    """*text* with entities unescaped, links dropped and handles and hashtags split into words."""
    return " ".join(HANDLE.sub(_words, LINK.sub(" ", html.unescape(text))).split())


def segments(text: str) -> list[str]:
    """The parts of *text* of at least :data:`SEGMENT_WORDS` words: its sentences, and the pieces
    a dash sets apart (a post's "— name (handle) date" signature among them)."""
    return [part for part in (p.strip() for p in SEGMENT_BREAK.split(text)) if len(part.split()) >= SEGMENT_WORDS]


def parts(text: str) -> list[str]:
    """The :func:`segments` of *text* worth comparing apart: none when it has only one."""
    found = segments(text)
    return found if len(found) >= 2 else []
