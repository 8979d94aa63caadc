"""Certainty cues: the words by which a text says how sure it is.

Three kinds, each found as a span:

* **hedges** lower the asserted certainty: "probably", "most likely", "could have been", "is
  likely to", "reportedly", "allegedly", "it is possible", "is unknown";
* **boosters** raise it: "clearly", "of course", "unambiguous", "undoubtedly";
* **evidentials** say where the knowledge comes from: "according to", "judging by".

English and Russian lists. Matching is by whole words, case-insensitive, longest first, so
"most likely" is one hedge and not "likely" inside it. A few words are ambiguous and are
skipped in the readings that are not cues: "May" the month, "could"/"may" after "if",
"possible" after a copula ("would not have been possible").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = ["CUES", "CueKind", "FoundCue", "find_cues"]

CueKind = Literal["hedge", "booster", "evidential"]

_EN_HEDGES = """
probably|possibly|perhaps|maybe|likely|unlikely|most likely|more likely|less likely|very likely|highly likely
is likely to|are likely to|was likely to|were likely to|is unlikely to|apparently|seemingly|presumably|supposedly
reportedly|allegedly|purportedly|arguably|ostensibly|conceivably|may|might|could|may have|might have|could have
may well|could well|it is possible|it's possible|it is not impossible|it is not excluded|cannot be excluded
cannot be ruled out|can't be ruled out|not ruled out|possible|possibility|is unknown|remains unknown|it is unknown
it is unclear|it is not clear|unclear|uncertain|unconfirmed|unverified|suspected|alleged|rumored|rumoured
is believed|are believed|is thought|are thought|is said to|are said to|is reported to|are reported to
is considered|are considered|is expected to|are expected to|appears to|appear to|appeared to|seems to|seem to
seemed to|seems|seem|suggest|suggests|suggested|indicate|indicates|it seems|it appears|some say|some believe
some argue|some experts|some observers|critics say|it is said|in some cases|to some extent|to a certain extent
sort of|kind of|somewhat|i think|we think|i believe|we believe|i suppose|we suppose|i guess|assume|assumed
presumed|estimated|tends to|tend to|in all likelihood|in all probability|chances are|perhaps even
"""
_EN_BOOSTERS = """
clearly|obviously|of course|certainly|definitely|undoubtedly|without doubt|without a doubt|no doubt|beyond doubt
there is no doubt|unambiguous|unambiguously|undeniably|undeniable|indisputably|indisputable|unquestionably
unquestionable|surely|evidently|plainly|it is clear|it's clear|it is obvious|it's obvious|it is evident
in fact|indeed|absolutely|everyone knows|everybody knows|well known|well-known|proven|proves
proved|demonstrates|demonstrated|confirms|confirmed|irrefutable|incontrovertible|in reality|truly
no question|without question|beyond question|must have
"""
_EN_EVIDENTIALS = """
according to|as reported by|reported by|as stated by|citing|cited|judging by|judging from|based on
sources say|sources said|reports say|it is reported|it was reported|as reported|data show|data shows
official data|officially|on the record|in the words of
"""
_RU_HEDGES = """
вероятно|наверное|возможно|по-видимому|видимо|скорее всего|вполне вероятно|может быть|могло быть|мог бы|могли бы
могла бы|могло бы|якобы|предположительно|по некоторым данным|неизвестно|не исключено|вряд ли|кажется|судя по всему
по слухам|как сообщается|по-моему|как будто|будто бы|не ясно|неясно|похоже|по всей видимости|по всей вероятности
считается|полагают|предполагается|вероятнее всего|не исключают|допустимо|сомнительно|маловероятно
"""
_RU_BOOSTERS = """
очевидно|конечно|несомненно|безусловно|однозначно|однозначный|однозначного|однозначную|однозначное|разумеется
бесспорно|без сомнения|без сомнений|ясно|явно|действительно|абсолютно|определённо|определенно|безо всякого сомнения
никаких сомнений|точно|совершенно очевидно|доказано|известно|всем известно|в самом деле|на самом деле|непременно
"""
_RU_EVIDENTIALS = """
по данным|по словам|согласно|как сообщает|как сообщил|как сообщили|по информации|по сведениям|судя по|со ссылкой на
как заявил|как заявили|по мнению|по оценке|по оценкам|как утверждает
"""


def _entries(block: str) -> list[str]:
    return [e.strip() for line in block.strip().splitlines() for e in line.split("|") if e.strip()]


CUES: dict[str, dict[str, CueKind]] = {
    "en": {
        **{e: "hedge" for e in _entries(_EN_HEDGES)},
        **{e: "booster" for e in _entries(_EN_BOOSTERS)},
        **{e: "evidential" for e in _entries(_EN_EVIDENTIALS)},
    },
    "ru": {
        **{e: "hedge" for e in _entries(_RU_HEDGES)},
        **{e: "booster" for e in _entries(_RU_BOOSTERS)},
        **{e: "evidential" for e in _entries(_RU_EVIDENTIALS)},
    },
}
"""Lexicon per language: lower-cased cue → kind."""


@dataclass(frozen=True)
class FoundCue:
    start: int
    end: int
    kind: CueKind
    cue: str


@lru_cache(maxsize=4)
def _pattern(language: str) -> re.Pattern[str]:
    entries = sorted(CUES[language], key=len, reverse=True)
    alternatives = "|".join(re.escape(e).replace(r"\ ", r"\s+") for e in entries)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


_MONTH_MAY = re.compile(r"\d\s*$|\b(?:in|of|on|since|until|by|early|late|mid|last|next|this)\s+$", re.IGNORECASE)
_COPULA = re.compile(r"\b(?:be|been|is|was|are|were|not|made|make|makes|as|if|where|whenever)\s+$", re.IGNORECASE)
_CONDITIONAL = re.compile(r"\bif\s+(?:\w+\s+){0,3}$", re.IGNORECASE)


def _skip(text: str, start: int, end: int, cue: str) -> bool:
    before = text[max(0, start - 30) : start]
    if cue == "may" and text[start] == "M":
        after = text[end : end + 4]
        return bool(_MONTH_MAY.search(before) or re.match(r"\s*\d", after))
    if cue in ("could", "may", "might") and _CONDITIONAL.search(before):
        return True
    # "would not have been possible" states an impossibility; "the possible role" hedges.
    return cue == "possible" and _COPULA.search(before) is not None


def find_cues(text: str, language: str = "en") -> list[FoundCue]:
    """Hedges, boosters and evidentials in *text* (in order); no cues for other languages."""
    if language not in CUES:
        return []
    lexicon = CUES[language]
    found: list[FoundCue] = []
    for match in _pattern(language).finditer(text):
        cue = " ".join(match.group(0).lower().split())
        if _skip(text, match.start(), match.end(), cue):
            continue
        found.append(FoundCue(match.start(), match.end(), lexicon[cue], cue))
    return found
