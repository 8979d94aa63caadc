"""Which language an article is in, by lingua, with only the languages we know loaded.

Loading every lingua model costs seconds and memory for nothing: narrascope analyses English
and Russian, and recognises a few neighbours so that a Ukrainian or German page is labelled as
such (and left unanalysed) rather than misread as English or Russian.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import Language as Lingua
from lingua import LanguageDetector, LanguageDetectorBuilder

from narrascope.model import Language

ANALYSED = {"en", "ru"}
RECOGNISED = (
    Lingua.ENGLISH,
    Lingua.RUSSIAN,
    Lingua.UKRAINIAN,
    Lingua.GERMAN,
    Lingua.FRENCH,
    Lingua.SPANISH,
    Lingua.POLISH,
    Lingua.ITALIAN,
)
SAMPLE_CHARS = 3000
"""lingua's confidence is settled well before this many characters; longer input only costs time."""


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*RECOGNISED).with_preloaded_language_models().build()


def identify(text: str) -> Language | None:
    """The most likely language of ``text`` with lingua's confidence, or None for no letters."""
    sample = text[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None
    values = detector().compute_language_confidence_values(sample)
    if not values:
        return None
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    return Language(code=code, confidence=round(float(best.value), 4), supported=code in ANALYSED)
