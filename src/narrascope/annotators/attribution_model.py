"""The attribution model behind the ``quotes`` layer: who says what, as character spans.

It runs on the ``Doc`` the shared English pipeline (:func:`narrascope.models.load_spacy`)
already produced and never parses again. Two steps:

1. A small spaCy transition-based span tagger (``ner`` factory, trained on PolNeAR train by
   :mod:`narrascope.training.quotes`) marks SOURCE, CUE and CONTENT spans. Its features are
   the tokens plus the tags and dependency labels of the shared parse; it runs on a copy of
   the doc, so the pipeline's own entities are untouched.
2. Rules link the spans. CONTENT pieces separated only by whitespace (a quote running over
   several sentences or paragraphs) are joined. Each source and content goes to the cue that
   governs it in the dependency tree, else to the nearest cue in its sentence, and a content
   with no cue in its sentence to the nearest cue in a neighbouring sentence; choices are
   made best first (governing cue, same sentence, neighbour; nearer first) and a cue takes
   at most one source. A content left without a cue that is the clausal complement of a
   verb makes that verb its cue. A cue keeps several contents only when nothing but its own
   source, cue and punctuation lies between them (``"We will win," he said, "and soon."``),
   otherwise the nearest. A cue with no tagged content takes the clause it governs (``said
   that X``) or is attached to (``X, sources said``); one with no source takes its verb's
   subject (or the object of ``according to``), else the noun phrase right before a finite
   cue verb (``…, Chief Justice Roberts said, …``). A content that opens a quotation mark
   without closing it (or the reverse) is extended to the matching mark in its paragraph.
   A cue left with neither source nor content is dropped.
3. Attributions marked by layout rather than a verb (speaker labels, sign-offs; see
   :mod:`narrascope.annotators.speaker_labels`) are added where the tagger found no cue.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from narrascope.annotators.speaker_labels import layout_attributions
from narrascope.errors import ModelError

__all__ = ["AttributionModel", "RawAttribution", "load_attribution_model"]

COMPONENT = "attribution"
_MAX_SENT_GAP = 1


@dataclass(frozen=True)
class RawAttribution:
    """One attribution, character offsets into ``doc.text``.

    ``content`` spans all ``content_fragments`` (first start to last end); the fragments
    differ from it when the cue interrupts the quote. ``score`` is a completeness heuristic
    (1.0 with source and content, 0.8 with one of them missing; a cue with neither is dropped), not a
    probability.
    """

    source: tuple[int, int] | None
    cue: tuple[int, int]
    content: tuple[int, int] | None
    score: float
    content_fragments: tuple[tuple[int, int], ...]


@dataclass
class _Span:
    label: str
    start: int  # token indices, end exclusive
    end: int
    sent: int  # index of the sentence the span starts in


class AttributionModel:
    """The span tagger plus the linking rules; build with :func:`load_attribution_model`."""

    def __init__(self, path: Path, vocab: Any = None) -> None:
        import spacy

        import narrascope.annotators.attribution_embed  # noqa: F401  (registers the tagger's embedding)

        meta_path = path / "meta.json"
        if not meta_path.is_file() or not (path / COMPONENT).is_dir():
            raise ModelError(f"{path}: no attribution model there (meta.json or {COMPONENT}/ missing)")
        self.meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        nlp = spacy.blank("en", vocab=vocab if vocab is not None else True)
        try:
            pipe: Any = nlp.add_pipe("ner", name=COMPONENT, config=self.meta["config"])
            pipe.from_disk(path / COMPONENT, exclude=["vocab"])
        except Exception as error:  # spaCy raises assorted errors on a bad model directory
            raise ModelError(f"{path}: cannot load the attribution model: {error}") from error
        self.pipe: Any = pipe
        self.set_action_bias(self.meta.get("action_bias", {}))
        weights = hashlib.sha256((path / COMPONENT / "model").read_bytes()).hexdigest()[:12]
        self.version = f"attribution-{self.meta.get('kind', 'ner')} sha256:{weights}"
        """Names the exact weights, so a stored analysis says which model made its quotes."""

    def set_action_bias(self, bias: dict[str, float]) -> None:
        """Shift the tagger's action scores (e.g. ``{"O": -0.5}`` makes it start spans more often).

        The shift is tuned on PolNeAR dev at training time and stored in ``meta.json``.
        """
        upper = self.pipe.model.get_ref("upper")
        if not hasattr(self, "_bias0"):
            self._bias0 = upper.get_param("b").copy()
        b = self._bias0.copy()
        names = [self.pipe.moves.get_class_name(i) for i in range(self.pipe.moves.n_moves)]
        for i, name in enumerate(names):
            b[i] += float(bias.get(name, 0.0))
        upper.set_param("b", b)

    def spans(self, doc: Any) -> list[tuple[str, int, int]]:
        """The tagger's (label, start token, end token) spans on *doc*, left untouched."""
        return self.spans_many([doc])[0]

    @property
    def needs_encoder(self) -> bool:
        """Whether the tagger reads the shared sentence encoder's token states (kind ``minilm``)."""
        return self.meta.get("kind") == "minilm"

    def spans_many(
        self, docs: list[Any], batch_size: int = 16, states: list[Any] | None = None
    ) -> list[list[tuple[str, int, int]]]:
        """:meth:`spans` for several docs at once: the tagger runs batched, as spaCy's own pipes do.
        A tagger that :attr:`needs_encoder` takes each doc's token *states* from the pipeline's
        shared encoder pass, or runs that pass itself when none are given."""
        found: list[list[tuple[str, int, int]]] = [[] for _ in docs]
        todo = [i for i, doc in enumerate(docs) if len(doc)]
        if self.needs_encoder and states is None:
            from narrascope.annotators.checkworthy import token_states

            states = token_states(docs)
        copies = []
        for i in todo:
            work = docs[i].copy()
            work.set_ents([], default="missing")
            if states is not None:
                work.tensor = states[i]
            copies.append(work)
        for i, tagged in zip(todo, self.pipe.pipe(copies, batch_size=batch_size), strict=True):
            found[i] = [(ent.label_, ent.start, ent.end) for ent in tagged.ents]
        return found

    def predict(self, doc: Any) -> list[RawAttribution]:
        """Attributions in *doc* (a ``Doc`` from ``load_spacy()``), in cue order."""
        return link(doc, self.spans(doc))


def _sent_index(doc: Any) -> list[int]:
    """Index of the sentence of each token (from the parser's sentence starts)."""
    from spacy.attrs import SENT_START

    starts = doc.to_array([SENT_START]).reshape(-1) == 1
    if len(starts):
        starts[0] = True
    return [int(x) - 1 for x in starts.cumsum()]


def _is_filler(token: Any) -> bool:
    return bool(token.is_punct or token.is_space or token.is_quote)


def _join_contents(doc: Any, spans: list[_Span]) -> list[_Span]:
    out: list[_Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        prev = out[-1] if out else None
        if (
            prev is not None
            and span.label == "CONTENT"
            and prev.label == "CONTENT"
            and all(doc[i].is_space for i in range(prev.end, span.start))
        ):
            prev.end = span.end
        else:
            out.append(span)
    return out


def _governing_cue(doc: Any, span: _Span, cue_of_token: dict[int, int]) -> int | None:
    """The cue the span's syntactic head depends on (nearest cue ancestor in the sentence)."""
    roots = [doc[i] for i in range(span.start, span.end) if not (span.start <= doc[i].head.i < span.end)]
    for root in roots[:1]:
        token = root
        for _ in range(12):
            if token.head.i == token.i:
                break
            token = token.head
            if token.i in cue_of_token:
                return cue_of_token[token.i]
    # the cue may sit inside the span's subtree (inverted "X, he said" parsed with cue as child)
    for i in range(span.start, span.end):
        for child in doc[i].children:
            if child.i in cue_of_token and not (span.start <= child.i < span.end):
                return cue_of_token[child.i]
    return None


def _gap(a: _Span, b: _Span) -> int:
    return max(a.start - b.end, b.start - a.end, 0)


_COMPLEMENTS = {"ccomp", "xcomp"}
_INVERTED = {"parataxis", "ccomp", "advcl", "prep", "conj"}
_SUBJECTS = {"nsubj", "nsubjpass"}


def _cue_root(doc: Any, cue: _Span) -> Any:
    for i in range(cue.start, cue.end):
        if not (cue.start <= doc[i].head.i < cue.end) or doc[i].head.i == i:
            return doc[i]
    return doc[cue.start]


def _run_near(
    doc: Any, tokens: set[int], cue: _Span, keep_quotes: bool = True, longest: bool = False
) -> tuple[int, int] | None:
    """The contiguous run of *tokens* nearest the cue (or the longest), trimmed of edge
    punctuation and spaces."""
    if not tokens:
        return None
    ordered = sorted(tokens)
    runs: list[list[int]] = [[ordered[0]]]
    for i in ordered[1:]:
        if i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    nearest = min(runs, key=lambda r: max(cue.start - r[-1], r[0] - cue.end, 0))
    best = max(runs, key=len) if longest else nearest
    lo, hi = best[0], best[-1] + 1

    def trim(token: Any) -> bool:
        return bool(token.is_space or (token.is_punct and not (keep_quotes and token.is_quote)))

    while lo < hi and trim(doc[lo]):
        lo += 1
    while hi > lo and trim(doc[hi - 1]):
        hi -= 1
    return (lo, hi) if hi > lo else None


_CLOSERS = {"”": "“", "’": "‘", '"': '"', "''": "``", "»": "«"}
_OPENERS = {"“": "”", "‘": "’", '"': '"', "``": "''", "«": "»"}


def _adjacent_quotation(doc: Any, cue: _Span, skip: set[int], used: set[int]) -> tuple[int, int] | None:
    """A quotation right before the cue and its speaker (``"…," she said``) or right after it
    (``said: "…"``), within its paragraph; *skip* are the speaker's tokens."""

    def passable(i: int) -> bool:
        token = doc[i]
        return i in skip or (bool(token.is_punct or token.is_space) and not token.is_quote and "\n" not in token.text)

    def is_quote(i: int, table: dict[str, str]) -> bool:
        return doc[i].text in table or (doc[i].text == "''" and table is _CLOSERS)

    found: list[tuple[int, tuple[int, int]]] = []
    j = cue.start - 1
    while j >= 0 and passable(j):
        j -= 1
    if j >= 0 and j not in used and is_quote(j, _CLOSERS):
        opener = _CLOSERS[doc[j].text]
        for k in range(j - 1, max(-1, j - 200), -1):
            if k in used or "\n" in doc[k].text:
                break
            if doc[k].text == opener or (opener == "``" and doc[k].text == "''"):
                if k < j - 1:
                    found.append((cue.start - j, (k, j + 1)))
                break
    j = cue.end
    while j < len(doc) and passable(j):
        j += 1
    if j < len(doc) and j not in used and is_quote(j, _OPENERS):
        closer = _OPENERS[doc[j].text]
        for k in range(j + 1, min(len(doc), j + 200)):
            if k in used or "\n" in doc[k].text:
                break
            if doc[k].text == closer:
                if k > j + 1:
                    found.append((j - cue.end, (j, k + 1)))
                break
    return min(found)[1] if found else None


_SAYING_POS = {"NOUN", "PROPN", "VERB", "AUX", "ADJ", "NUM", "PRON", "INTJ", "X"}


def _says_something(doc: Any, span: _Span) -> bool:
    """A content holds at least one word that is not a connective, adverb or punctuation."""
    return any(doc[i].pos_ in _SAYING_POS for i in range(span.start, span.end))


def _fallback_content(
    doc: Any, cue: _Span, used: set[int], other_cues: frozenset[int] = frozenset()
) -> tuple[int, int] | None:
    """The clause the cue governs (``said that X``) or is attached to (``X, sources said``).

    A clause that holds another cue is a nested attribution (``X stresses that Russia has
    stated that Y``): the whole clause is the content, the inner attribution included."""
    root = _cue_root(doc, cue)
    cue_tokens = set(range(cue.start, cue.end))
    for child in root.children:
        if child.dep_ in _COMPLEMENTS and child.i not in cue_tokens:
            clause = {t.i for t in child.subtree} - cue_tokens
            if clause & other_cues:
                clause = set(range(min(clause), max(clause) + 1)) - cue_tokens
                found = _run_near(doc, clause, cue)
            else:
                found = _run_near(doc, clause - used, cue)
            if found:
                return found
    if root.dep_ in _INVERTED and root.head.i != root.i:
        head = root.head
        clause = {t.i for t in head.subtree} - {t.i for t in root.subtree} - cue_tokens
        if clause & other_cues:
            # "Therefore, says the expert, we have to admit that …": the host clause's body
            whole = set(range(min(clause), max(clause) + 1)) - set(range(root.left_edge.i, root.right_edge.i + 1))
            return _run_near(doc, whole - cue_tokens, cue, longest=True)
        return _run_near(doc, clause - used, cue)
    if root.pos_ == "VERB" and root.lemma_ not in _ADDRESSING:
        # "called them 'deplorables'", "declared bankruptcy": the object is what is attributed.
        parts = [c for c in root.children if c.dep_ in ("dobj", "oprd") and c.i not in cue_tokens]
        tokens = {t.i for c in parts for t in c.subtree} - used - cue_tokens
        return _run_near(doc, tokens, cue)
    return None


_ADDRESSING = {"tell", "ask", "inform", "warn", "urge", "assure", "remind", "notify", "brief", "thank"}
_SHARING = {"advcl", "xcomp", "conj", "pcomp", "prep"}


def _shared_subject(verb: Any) -> list[Any]:
    """The subject a participle, infinitive or coordinated verb shares with the verb it hangs from:
    "Trump attacked Clinton, saying …", "after saying …, she …", "… and warned against …"."""
    token = verb
    for _ in range(4):
        if token.dep_ not in _SHARING or token.head.i == token.i:
            return []
        token = token.head
        subjects = [c for c in token.children if c.dep_ in _SUBJECTS]
        if subjects and token.pos_ in ("VERB", "AUX"):
            return subjects
    return []


def _fallback_source(
    doc: Any, cue: _Span, used: set[int], sources: frozenset[int] = frozenset()
) -> tuple[int, int] | None:
    """The subject of the cue verb, or the object of ``according to``.

    A subject shared with the verb the cue hangs from may already be another cue's source
    (*sources*, token indices): "X said …, citing …" gives both cues the source X."""
    root = _cue_root(doc, cue)
    candidates = [c for c in root.children if c.dep_ in _SUBJECTS]
    used = used - sources
    if any(c.dep_ == "nsubjpass" for c in candidates):
        # "a curfew was announced (by the mayor)": the passive subject is what is said, not who.
        candidates = [g for c in root.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        if not candidates:
            return None
    if not candidates and root.pos_ in ("VERB", "AUX"):
        candidates = _shared_subject(root)
    if not candidates and root.pos_ == "NOUN":
        # "Trump's claim", "his remarks": the possessor of a speech noun speaks.
        candidates = [c for c in root.children if c.dep_ == "poss"]
    if not candidates:
        candidates = [g for c in root.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
        candidates += [c for c in root.children if c.dep_ == "pobj"]
        candidates += [t for t in doc[cue.start : cue.end] if t.dep_ == "pobj"] if not candidates else []
    for cand in candidates:
        tokens = {t.i for t in cand.subtree} - used - set(range(cue.start, cue.end))
        found = _run_near(doc, tokens, cue, keep_quotes=False)
        if found:
            return found
    return None


_SPEAKER_HEADS = {"PROPN", "NOUN", "PRON"}
_FINITE = {"VBD", "VBZ", "VBP"}


def _adjacent_speaker(doc: Any, cue: _Span, used: set[int], parts: list[_Span]) -> tuple[int, int] | None:
    """The noun phrase right before a finite cue verb the parse gave no subject ("…, Chief Justice
    Roberts said, …"; "the $20 million experts say it costs"). A phrase the tagger swept into the
    end of a content after a comma is given back to the source and the content cut before it."""
    root = _cue_root(doc, cue)
    if root.tag_ not in _FINITE or any(c.dep_ in ("nsubjpass", "auxpass") for c in root.children):
        return None
    chunk_of = {t.i: chunk for chunk in doc[max(0, cue.start - 12) : cue.end + 8].noun_chunks for t in chunk}
    before = cue.start - 1
    while before >= 0 and doc[before].pos_ in ("ADV", "AUX", "PART") and before > cue.start - 4:
        before -= 1
    chunk = chunk_of.get(before) if before >= 0 else None
    if chunk is not None and chunk.end == before + 1 and chunk.root.pos_ in _SPEAKER_HEADS:
        lo, hi = chunk.start, chunk.end
        tokens = set(range(lo, hi))
        if not tokens & used:
            return lo, hi
        for part in parts:  # "<content>, Chief Justice Roberts said"
            if part.start < lo and part.end == hi and doc[lo - 1].text == ",":
                part.end = lo - 1
                return lo, hi
    return None


def _source_inside_content(doc: Any, cue: _Span, parts: list[_Span]) -> tuple[int, int] | None:
    """ "..., says the expert, we have to...": the tagger read the cue's own subject as the start of
    the content. Give the subject back to the source and start the content after it."""
    root = _cue_root(doc, cue)
    for subject in (c for c in root.children if c.dep_ in _SUBJECTS):
        lo, hi = subject.left_edge.i, subject.right_edge.i + 1
        for part in parts:
            if part.start == lo and hi < part.end:
                rest = hi
                while rest < part.end and doc[rest].is_punct:
                    rest += 1
                if rest < part.end:
                    part.start = rest
                    return lo, hi
    return None


_OPEN_QUOTES = {"“": "”", "‘": "’", '"': '"', "``": "''", "''": "''"}


def _balance_quotes(doc: Any, span: _Span, used: set[int]) -> None:
    """Extend a content that opens a quote without closing it (or the reverse) to the matching
    mark in the same paragraph, if no other span lies in between."""
    first, last = doc[span.start].text, doc[span.end - 1].text
    texts = [doc[i].text for i in range(span.start, span.end)]
    if first in _OPEN_QUOTES:
        closer = _OPEN_QUOTES[first]
        opened = texts.count(first) if first != closer else texts.count(first) % 2
        closed = 0 if first == closer else texts.count(closer)
        if opened > closed:
            for j in range(span.end, min(len(doc), span.end + 300)):
                if j in used or "\n" in doc[j].text:
                    break
                if doc[j].text == closer:
                    span.end = j + 1
                    return
    closers = {v: k for k, v in _OPEN_QUOTES.items() if k != v}
    if last in closers:
        opener = closers[last]
        if texts.count(last) > texts.count(opener):
            for j in range(span.start - 1, max(-1, span.start - 300), -1):
                if j in used or "\n" in doc[j].text:
                    break
                if doc[j].text == opener:
                    span.start = j
                    return


def _assign(
    doc: Any, spans: list[_Span], cues: list[_Span], sent_of: list[int]
) -> tuple[dict[int, list[_Span]], dict[int, list[_Span]], list[_Span]]:
    """Sources and contents per cue index, best choices first; and the spans left without a cue."""
    cue_of_token = {i: ci for ci, cue in enumerate(cues) for i in range(cue.start, cue.end)}
    sources: dict[int, list[_Span]] = {}
    contents: dict[int, list[_Span]] = {}
    options: list[tuple[int, int, int, int]] = []  # (tier, gap, span index, cue index)
    others = [span for span in spans if span.label != "CUE"]
    cues_by_sent: dict[int, list[int]] = {}
    for ci, cue in enumerate(cues):
        cues_by_sent.setdefault(cue.sent, []).append(ci)
    for si, span in enumerate(others):
        span_sents = {sent_of[i] for i in range(span.start, span.end) if not _is_filler(doc[i])}
        span_sents = span_sents or {span.sent}
        governing = _governing_cue(doc, span, cue_of_token)
        nearby = {
            ci
            for sent in range(min(span_sents) - _MAX_SENT_GAP, max(span_sents) + _MAX_SENT_GAP + 1)
            for ci in cues_by_sent.get(sent, [])
        }
        if governing is not None:
            nearby.add(governing)
        for ci in sorted(nearby):
            cue = cues[ci]
            distance = min(abs(cue.sent - s) for s in span_sents)
            if ci == governing:
                tier = 0
            elif distance == 0:
                tier = 1
            elif span.label == "CONTENT" and distance <= _MAX_SENT_GAP:
                tier = 2
            else:
                continue
            options.append((tier, _gap(span, cue), si, ci))
    options.sort()
    placed: set[int] = set()
    for _tier, _gap_size, si, ci in options:
        span = others[si]
        if si in placed:
            continue
        if span.label == "SOURCE":
            if ci in sources:
                continue
            sources[ci] = [span]
        else:
            contents.setdefault(ci, []).append(span)
        placed.add(si)
    return sources, contents, [span for si, span in enumerate(others) if si not in placed]


ORPHAN_CONTENT_DEPS = {"ccomp", "dobj", "xcomp"}
"""A tagged content no cue claimed gets the verb it is the complement or object of as its cue
("Trump attacked [Machado]"). Doing the same for unclaimed sources (their verb) lost precision."""


def _chain_contents(doc: Any, contents: dict[int, list[_Span]], unplaced: list[_Span]) -> None:
    """A quote running on over several sentences: a content piece no cue claimed, with only
    punctuation, quote marks or line breaks between it and a claimed content, continues it."""
    owner = {i: ci for ci, parts in contents.items() for part in parts for i in range(part.start, part.end)}
    for span in sorted((s for s in unplaced if s.label == "CONTENT"), key=lambda s: s.start):
        j = span.start - 1
        while j >= 0 and _is_filler(doc[j]):
            j -= 1
        if j in owner:
            contents[owner[j]].append(span)
            owner.update({i: owner[j] for i in range(span.start, span.end)})


def _orphan_cue(doc: Any, span: _Span, taken: set[int]) -> tuple[int, int] | None:
    """A cue for a content no cue claimed: the verb it depends on (``wants [X]``)."""
    roots = [doc[i] for i in range(span.start, span.end) if not (span.start <= doc[i].head.i < span.end)]
    if not roots:
        return None
    root = roots[0]
    head = root.head
    if head.i == root.i or head.i in taken or head.is_punct or head.is_space:
        return None
    if span.label != "CONTENT" or head.pos_ != "VERB" or root.dep_ not in ORPHAN_CONTENT_DEPS:
        return None
    return (head.i, head.i + 1)


def _subject_anchor(doc: Any, cue: _Span) -> Any:
    """The cue verb's subject, or the object of ``according to``; None if neither."""
    root = _cue_root(doc, cue)
    for child in root.children:
        if child.dep_ in _SUBJECTS:
            return child
    for token in [root, *doc[cue.start : cue.end]]:
        for child in token.children:
            if child.dep_ == "pobj":
                return child
            if child.dep_ == "prep":
                for grandchild in child.children:
                    if grandchild.dep_ == "pobj":
                        return grandchild
    return None


def _share_with_participles(doc: Any, cues: list[_Span], sources: dict[int, list[_Span]]) -> None:
    """ "Sanders said, suggesting …": a participle cue with no source of its own, right after
    another cue of its sentence with only punctuation between, speaks with that cue's source."""
    for ci in range(1, len(cues)):
        cue, before = cues[ci], cues[ci - 1]
        if ci in sources or ci - 1 not in sources or cue.sent != before.sent or doc[cue.start].tag_ != "VBG":
            continue
        if all(_is_filler(doc[i]) for i in range(before.end, cue.start)) and before.end < cue.start:
            sources[ci] = sources[ci - 1]


_RAISING = {"seem", "appear"}


def _passive_subject(doc: Any, source: _Span, cue: _Span) -> bool:
    """The tagged source is the passive subject of an agentless cue ("peacekeepers have been
    accused") or the subject of "seems" ("Republicans seem confident"): what is said, not who."""
    root = _cue_root(doc, cue)
    if any(c.dep_ == "agent" for c in root.children):
        return False
    subjects = ("nsubjpass", "nsubj") if root.lemma_ in _RAISING else ("nsubjpass",)
    return any(c.dep_ in subjects and source.start <= c.i < source.end for c in root.children)


def _snap_source(doc: Any, source: _Span, cue: _Span, parts: list[_Span]) -> None:
    """Trim a source reaching past its syntactic subject; a cut piece next to the content joins it."""
    anchor = _subject_anchor(doc, cue)
    if anchor is None or not (source.start <= anchor.i < source.end):
        return
    lo, hi = max(source.start, anchor.left_edge.i), min(source.end, anchor.right_edge.i + 1)
    if (lo, hi) == (source.start, source.end):
        return
    cut_before, cut_after = (source.start, lo), (hi, source.end)
    source.start, source.end = lo, hi
    for part in parts:
        before = cut_before[1] > cut_before[0] and part.end <= cut_before[0]
        if before and all(_is_filler(doc[i]) for i in range(part.end, cut_before[0])):
            part.end = cut_before[1]
            while part.end > part.start and _is_filler(doc[part.end - 1]) and not doc[part.end - 1].is_quote:
                part.end -= 1
        after = cut_after[1] > cut_after[0] and part.start >= cut_after[1]
        if after and all(_is_filler(doc[i]) for i in range(cut_after[1], part.start)):
            part.start = cut_after[0]
            while part.start < part.end and _is_filler(doc[part.start]) and not doc[part.start].is_quote:
                part.start += 1


def link(doc: Any, found: list[tuple[str, int, int]], fallback: bool = True) -> list[RawAttribution]:
    """Group tagged spans into attributions (rules in the module doc)."""
    sent_of = _sent_index(doc)
    spans = _join_contents(doc, [_Span(label, s, e, sent_of[s]) for label, s, e in found if e > s])
    cues = [s for s in spans if s.label == "CUE"]
    sources, contents, unplaced = _assign(doc, spans, cues, sent_of)
    if fallback and unplaced:
        taken = {i for span in spans for i in range(span.start, span.end)}
        for span in unplaced:
            new_cue = _orphan_cue(doc, span, taken)
            if new_cue is not None:
                spans.append(_Span("CUE", new_cue[0], new_cue[1], sent_of[new_cue[0]]))
                taken |= set(range(*new_cue))
        spans.sort(key=lambda s: s.start)
        cues = [s for s in spans if s.label == "CUE"]
        sources, contents, unplaced = _assign(doc, spans, cues, sent_of)
    if fallback and unplaced:
        _chain_contents(doc, contents, unplaced)
    if not cues:
        return _add_layout(doc, []) if fallback else []
    used = {i for span in spans for i in range(span.start, span.end)}
    if fallback:
        for ci, cue in enumerate(cues):
            if ci in contents and doc[cue.start].lower_ == "according":
                # "According to X, <content>" is a sentence adjunct: its content is in its own sentence.
                same = [part for part in contents[ci] if part.sent == cue.sent]
                if same:
                    contents[ci] = same
                else:
                    del contents[ci]
            if ci in sources and _passive_subject(doc, sources[ci][0], cue):
                del sources[ci]
            if ci in sources:
                _snap_source(doc, sources[ci][0], cue, contents.get(ci, []))
        for ci in list(contents):  # "Therefore", "but": a content says something
            contents[ci] = [part for part in contents[ci] if _says_something(doc, part)]
            if not contents[ci]:
                del contents[ci]
        used = {i for span in spans for i in range(span.start, span.end)}
        for ci, cue in enumerate(cues):
            if ci not in contents:
                speaker = sources[ci][0] if ci in sources else None
                skip = set(range(speaker.start, speaker.end)) if speaker else set()
                subject = _subject_anchor(doc, cue)
                skip |= {t.i for t in subject.subtree} if subject is not None else set()
                inner = frozenset(i for other in cues if other is not cue for i in range(other.start, other.end))
                found_content = _adjacent_quotation(doc, cue, skip, used) or _fallback_content(doc, cue, used, inner)
                if found_content:
                    contents[ci] = [_Span("CONTENT", *found_content, sent_of[found_content[0]])]
                    used |= set(range(*found_content))
            if ci not in sources:
                source_tokens = frozenset(i for got in sources.values() for s in got for i in range(s.start, s.end))
                found_source = (
                    _fallback_source(doc, cue, used, source_tokens)
                    or _source_inside_content(doc, cue, contents.get(ci, []))
                    or _adjacent_speaker(doc, cue, used, contents.get(ci, []))
                )
                if found_source:
                    sources[ci] = [_Span("SOURCE", *found_source, sent_of[found_source[0]])]
                    used |= set(range(*found_source))
    if fallback:
        _share_with_participles(doc, cues, sources)
        # content pieces no cue claimed do not stop a quote from reaching its closing mark
        loose = {i for span in unplaced if span.label == "CONTENT" for i in range(span.start, span.end)}
        used -= loose - {i for parts in contents.values() for p in parts for i in range(p.start, p.end)}
        for parts in contents.values():
            for part in parts:
                _balance_quotes(doc, part, used - set(range(part.start, part.end)))
                used |= set(range(part.start, part.end))
    result: list[RawAttribution] = []
    for ci, cue in enumerate(cues):
        source = min(sources.get(ci, []), key=lambda s: (_gap(s, cue), s.start), default=None)
        parts = sorted(contents.get(ci, []), key=lambda s: (_gap(s, cue), s.start))
        kept: list[_Span] = []
        if parts:
            own = set(range(cue.start, cue.end))
            if source is not None:
                own |= set(range(source.start, source.end))
            kept = [parts[0]]
            for part in parts[1:]:
                lo = min(min(k.start for k in kept), part.start)
                hi = max(max(k.end for k in kept), part.end)
                covered = own | {i for k in [*kept, part] for i in range(k.start, k.end)}
                if all(i in covered or _is_filler(doc[i]) for i in range(lo, hi)):
                    kept.append(part)
            kept.sort(key=lambda s: s.start)
        fragments = tuple((doc[k.start].idx, doc[k.end - 1].idx + len(doc[k.end - 1])) for k in kept)
        content = (fragments[0][0], fragments[-1][1]) if fragments else None
        src = (doc[source.start].idx, doc[source.end - 1].idx + len(doc[source.end - 1])) if source else None
        cue_chars = (doc[cue.start].idx, doc[cue.end - 1].idx + len(doc[cue.end - 1]))
        if src is None and content is None:
            continue  # a cue with neither speaker nor content tells a reader nothing (and is mostly wrong)
        completeness = 0.8 if src is None or content is None else 1.0
        result.append(RawAttribution(src, cue_chars, content, round(completeness, 2), fragments))
    return _add_layout(doc, result) if fallback else result


_NAME_LABELS = {"PERSON", "ORG", "NORP", "GPE"}


def _add_layout(doc: Any, result: list[RawAttribution]) -> list[RawAttribution]:
    """Add the attributions layout marks (speaker labels, sign-offs). Layout is surer than the
    tagger: where the tagger took the same colon or dash as a cue, the layout's source and
    content replace its guesses; where it took the label for a cue of its own, it is kept."""

    def overlaps(a: tuple[int, int] | None, b: tuple[int, int]) -> bool:
        return a is not None and a[0] < b[1] and b[0] < a[1]

    def has_name(start: int, end: int) -> bool:
        """Names cover at least half the label ("Pat Caddell", "WSJ editorial"; not a heading
        such as "Veto Power Impedes Peace Efforts")."""
        names = [ent for ent in doc.ents if ent.label_ in _NAME_LABELS]
        covered: int = sum(max(0, min(end, ent.end_char) - max(start, ent.start_char)) for ent in names)
        return covered * 2 >= len(doc.text[start:end].replace(" ", ""))

    kept = list(result)
    for source, cue, content in layout_attributions(doc.text, has_name):
        if any(overlaps(r.cue, source) for r in kept):
            continue
        kept = [r for r in kept if not overlaps(r.cue, cue)]
        kept.append(RawAttribution(source, cue, content, 1.0, (content,)))
    return sorted(kept, key=lambda r: r.cue)


def model_dir() -> Path:
    """Directory of the bundled attribution model (``resources/models/quotes``)."""
    path = Path(str(resources.files("narrascope.resources").joinpath("models").joinpath("quotes")))
    if not (path / "meta.json").is_file():
        raise ModelError(
            f"the attribution model is missing from {path}; rebuild it with `narrascope train quotes --data DIR`"
        )
    return path


@lru_cache(maxsize=1)
def load_attribution_model() -> AttributionModel:
    """The bundled attribution model, loaded once per process (shares the English vocab)."""
    from narrascope.models import load_spacy

    return AttributionModel(model_dir(), vocab=load_spacy().vocab)
