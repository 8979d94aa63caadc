"""Russian text through natasha: sentences, tokens, lemmas and named entities.

natasha's models ship inside its packages (navec embeddings, slovnet taggers), so nothing is
downloaded. Names are normalised to the nominative ("Юрия Бялого" -> "Юрий Бялый"), which is
what lets case forms of one name merge into one entity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from narrascope.models import load_natasha

NATASHA_TYPES = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}


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
        parse.spans.append((span.start, span.stop, label, False, span.normal or None))
    return parse
