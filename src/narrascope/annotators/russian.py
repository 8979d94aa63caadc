"""Russian text through natasha: sentences, tokens, lemmas and named entities.

natasha's models ship inside its packages (navec embeddings, slovnet taggers), so nothing is
downloaded. Names are normalised to the nominative ("Юрия Бялого" -> "Юрий Бялый"), which is
what lets case forms of one name merge into one entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from narrascope.models import load_natasha

NATASHA_TYPES = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}
_ADJECTIVAL_SURNAME = ((re.compile(r"(?:ого|ому|ым|ом)$"), "ый"), (re.compile(r"(?:его|ему|им|ем)$"), "ий"))


def _surname_lemma(word: str, lemma: str) -> str:
    """Nominative of an adjectival surname the dictionary does not know ("Бялого" -> "Бялый")."""
    if lemma.lower() != word.lower():
        return lemma
    for pattern, ending in _ADJECTIVAL_SURNAME:
        if pattern.search(word.lower()):
            return pattern.sub(ending, word.lower())
    return lemma


def _person_normal(tokens: list[tuple[str, str]]) -> str:
    return " ".join(_surname_lemma(word, lemma).capitalize() for word, lemma in tokens)


@dataclass
class RussianParse:
    """What the entity and later annotators need from natasha's analysis."""

    spans: list[tuple[int, int, str, bool, str | None]] = field(default_factory=list)
    tokens: list[tuple[int, int]] = field(default_factory=list)
    lemmas: list[str] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)


def parse_russian(text: str) -> RussianParse:
    from natasha import Doc

    tools = load_natasha()
    doc = Doc(text)
    doc.segment(tools["segmenter"])
    doc.tag_morph(tools["morph"])
    doc.tag_ner(tools["ner"])
    parse = RussianParse()
    for token in doc.tokens:
        token.lemmatize(tools["morph_vocab"])
        parse.lemmas.append(token.lemma or token.text)
        if token.text.isalpha():
            parse.tokens.append((token.start, token.stop))
    parse.sentences = [(s.start, s.stop) for s in doc.sents]
    for span in doc.spans:
        span.normalize(tools["morph_vocab"])
        label = NATASHA_TYPES.get(span.type, span.type)
        normal = span.normal or None
        if label == "PERSON":
            normal = _person_normal([(t.text, t.lemma or t.text) for t in span.tokens])
        parse.spans.append((span.start, span.stop, label, False, normal))
    return parse
