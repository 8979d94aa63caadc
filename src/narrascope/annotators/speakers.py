"""Who a source span names: an entity, an earlier speaker, a vague crowd, or nobody.

The attribution model finds the characters of a source ("the expert", "he", "sources close to
the ministry"); a reader needs the person. A source whose head word is part of an entity's
mention is that entity; a pronoun or a definite descriptor ("the expert", "the vice-president
of ...") is linked to the nearest earlier named speaker, and says so; plural or indefinite
crowds ("experts", "sources close to") are vague or anonymous; stances and utterances
("the position of X", "the statement") are never speakers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from narrascope.model import Entity, Span, Speaker


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ABSTRACT = _words(
    """position stance view views opinion opinions remark remarks comment comments word words version claim
    claims message idea notion context situation fact facts event events nature role attitude approach decision
    statement statements assertion argument logic reasoning impression sense feeling"""
)
ANONYMOUS = _words("source sources insider insiders person people official officials aide aides")
VAGUE = _words(
    """expert experts analyst analysts observer observers critic critics commentator commentators some many
    others several most scientist scientists researcher researchers specialist specialists"""
)
ANONYMOUS_CUES = (
    "familiar with",
    "close to",
    "not authorized",
    "asked not to be named",
    "on condition of anonymity",
    "declined to be named",
    "speaking on condition",
)
PERSON_PRONOUNS = _words("he she him her his hers")
GROUP_PRONOUNS = _words("they them")
SELF_PRONOUNS = _words("i me we us you")
THING_PRONOUNS = _words("it this that what which these those something everything nothing")
PERSON_ROLES = _words(
    """expert analyst official spokesman spokeswoman spokesperson minister president vice-president director
    head chief leader author researcher scientist professor politician diplomat lawmaker senator deputy
    ambassador general commander officer journalist reporter correspondent editor writer commentator observer
    activist witness resident lawyer attorney judge prosecutor candidate chairman chairwoman chair secretary
    governor mayor man woman chancellor premier representative member founder economist historian specialist
    adviser advisor aide source insider blogger host speaker manager executive ceo colonel major sergeant
    soldier victim survivor doctor teacher student pastor priest imam"""
)
_ROLE_SUFFIXES = ("ist", "ian", "man", "woman", "person")


@dataclass
class Resolved:
    """A speaker and the key that identifies it across the article's quotes."""

    speaker: Speaker
    key: str


class SpeakerResolver:
    """Resolves source spans in document order, remembering the named speakers seen so far."""

    def __init__(self, text: str, doc: Any, entities: list[Entity]) -> None:
        self.text = text
        self.doc = doc
        self.by_char: dict[int, Entity] = {}
        for entity in entities:
            for mention in entity.mentions:
                for i in range(mention.span.start, mention.span.end):
                    self.by_char[i] = entity
        self.history: list[tuple[Resolved, str]] = []

    def _entity_at(self, start: int, end: int) -> Entity | None:
        for i in range(start, end):
            if i in self.by_char:
                return self.by_char[i]
        return None

    def _antecedent(self, wanted: str | None) -> Resolved | None:
        """The most recent speaker that is an entity of type ``wanted`` (any type if None)."""
        for resolved, kind in reversed(self.history):
            if resolved.speaker.entity_id and (wanted is None or kind == wanted):
                return resolved
        return None

    def resolve(self, start: int, end: int) -> Resolved:
        span = Span.of(self.text, start, end)
        lowered = span.text.lower()
        tokens = self.doc.char_span(start, end, alignment_mode="expand") if self.doc is not None else None
        root = tokens.root if tokens is not None and len(tokens) else None
        head = root.lower_ if root is not None else lowered.split()[-1] if lowered.split() else lowered
        head_lemma = root.lemma_.lower() if root is not None else head
        entity = None
        if root is not None:
            entity = self._entity_at(root.idx, root.idx + len(root.text))
        elif span.text:
            entity = self._entity_at(start, end)
        if entity is not None and entity.type in ("PERSON", "ORG", "NORP", "GPE", "FAC"):
            return self._remember(
                Resolved(
                    Speaker(kind="entity", span=span, entity_id=entity.id, name=entity.name), f"entity:{entity.id}"
                ),
                entity.type,
            )
        if entity is None and (inner := self._person_inside(start, end)) is not None:
            return self._remember(
                Resolved(Speaker(kind="entity", span=span, entity_id=inner.id, name=inner.name), f"entity:{inner.id}"),
                inner.type,
            )
        if head in PERSON_PRONOUNS or head in GROUP_PRONOUNS:
            target = self._antecedent("PERSON" if head in PERSON_PRONOUNS else None)
            if target is not None:
                return self._linked("pronoun", span, target)
            return Resolved(Speaker(kind="pronoun", span=span), f"pronoun:{lowered}")
        if head in SELF_PRONOUNS:
            return Resolved(Speaker(kind="pronoun", span=span), f"pronoun:{head}")
        if head_lemma in ABSTRACT or head in ABSTRACT or head in THING_PRONOUNS:
            return Resolved(Speaker(kind="abstract", span=span), "abstract")
        if head in ANONYMOUS or head_lemma in ANONYMOUS:
            determiner = lowered.split()[0] if lowered.split() else ""
            if any(cue in lowered for cue in ANONYMOUS_CUES) or determiner in ("a", "an", "one", "sources", "some"):
                return Resolved(Speaker(kind="anonymous", span=span, name=span.text), f"anonymous:{lowered}")
        definite = lowered.startswith(("the ", "this ", "that "))
        if (head in VAGUE or head_lemma in VAGUE) and (not definite or head.endswith("s")):
            return Resolved(Speaker(kind="vague", span=span, name=span.text), f"vague:{lowered}")
        if definite and (_is_person_role(head_lemma) or self._role_before_modifiers(tokens)):
            target = self._antecedent("PERSON")
            if target is not None:
                return self._linked("descriptor", span, target)
        name = span.text.strip()
        return self._remember(Resolved(Speaker(kind="named", span=span, name=name), f"named:{name.lower()}"), None)

    @staticmethod
    def _role_before_modifiers(tokens: Any) -> bool:
        """ "the vice-president of X for Y": the role is the noun before the first "of", "for" or "(".

        A parse of a long descriptor may hang it from its last noun instead of the role."""
        if tokens is None:
            return False
        for token in tokens:
            if token.lower_ in ("of", "for", "(", ",", "at", "in"):
                return False
            if token.pos_ in ("NOUN", "PROPN") and _is_person_role(token.lemma_):
                return True
        return False

    def _person_inside(self, start: int, end: int) -> Entity | None:
        """The PERSON a long source ends with ("the vice-president of X, Yury Byaly"), not one it names on the way
        ("the lawyer of John Smith" is the lawyer)."""
        tail = self.text[start:end].rstrip(" ,")
        last = start + len(tail) - 1
        entity = self.by_char.get(last)
        if entity is None or entity.type != "PERSON":
            return None
        first = last
        while first - 1 >= start and self.by_char.get(first - 1) is entity:
            first -= 1
        before = self.text[start:first].split()
        return None if before and before[-1].lower() in ("of", "for", "to", "with", "by", "from") else entity

    def _linked(self, kind: Literal["descriptor", "pronoun"], span: Span, target: Resolved) -> Resolved:
        speaker = Speaker(
            kind=kind,
            span=span,
            entity_id=target.speaker.entity_id,
            name=target.speaker.name,
            antecedent=target.speaker.span,
        )
        return Resolved(speaker, target.key)

    def _remember(self, resolved: Resolved, entity_type: str | None) -> Resolved:
        self.history.append((resolved, entity_type or ""))
        return resolved


def _is_person_role(noun: str) -> bool:
    """A noun that names a person by role ("the expert", "the vice-president"), not a body or a thing."""
    noun = noun.lower()
    return noun in PERSON_ROLES or noun.split("-")[-1] in PERSON_ROLES or noun.endswith(_ROLE_SUFFIXES)
