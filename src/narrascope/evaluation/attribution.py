"""Read PolNeAR attributions (brat standoff) and score attribution finders against them.

Layout: ``<data_dir>/<split>/text/<article>.txt`` and
``<data_dir>/<split>/attributions/<article>_<annotator>.ann``. When an article has
several annotator files, the first in sorted file-name order is used.

A gold attribution is an ``E`` line of type ``Attribution`` or
``Attribution-no-source`` tying a cue (required), a source (optional) and a content
(optional; ``Content2`` fragments are added to the content). Each span is a list of
``(start, end)`` character fragments: brat's discontinuous spans (``start end;start end``)
give several fragments. ``Discuss``/``Discard`` annotations are ignored.

Counting rules of :func:`score` (per role: source, cue, content):

* A span is *normalised* before comparison: each fragment is stripped of surrounding
  whitespace (empty ones dropped), fragments are sorted and those that touch, overlap or
  are separated only by whitespace are merged. A span is thus a set of disjoint fragments.
* **Exact** match: the normalised fragment sets are identical (same characters covered,
  split into the same fragments).
* **Overlap** match: the two spans share at least one character.
* Matching is one-to-one and per article: candidate (gold, predicted) pairs that match are
  taken greedily, most shared characters first (ties: document order), and each gold
  span and each predicted span is used at most once. precision = matched / predicted spans,
  recall = matched / gold spans; an attribution without a source contributes no source span.
* ``attribution.f1``: a predicted attribution matches a gold one when the cues overlap and,
  for source and content, either both are missing or both present and overlapping; one-to-one
  greedy matching as above (ordered by the shared cue characters), F1 over attributions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from narrascope.evaluation.binary import prf_counts

__all__ = [
    "Fragments",
    "GoldArticle",
    "GoldAttribution",
    "Predicted",
    "Predictor",
    "evaluate_quotes",
    "normalise",
    "read_brat",
    "read_polnear",
    "score",
]

#: A span as character fragments ``(start, end)``, end exclusive.
Fragments = tuple[tuple[int, int], ...]

ROLES = ("source", "cue", "content")

_T_LINE = re.compile(r"^(T\d+)\t(\S+) ([\d ;]+)\t")
_E_LINE = re.compile(r"^(E\d+)\t(\S+)")


@dataclass(frozen=True)
class GoldAttribution:
    """One gold attribution; ``cue`` always has at least one fragment."""

    source: Fragments | None
    cue: Fragments
    content: Fragments | None


@dataclass(frozen=True)
class GoldArticle:
    article_id: str
    text: str
    attributions: tuple[GoldAttribution, ...]
    annotator: str = ""


@dataclass(frozen=True)
class Predicted:
    """A predicted attribution, character offsets into the text given to the predictor."""

    cue: Fragments
    source: Fragments | None = None
    content: Fragments | None = None
    score: float = 1.0


#: Text in, attributions (with character offsets into that same text) out.
Predictor = Callable[[str], list[Predicted]]


def _parse_fragments(raw: str) -> Fragments:
    frags: list[tuple[int, int]] = []
    for part in raw.split(";"):
        start, end = part.split()
        frags.append((int(start), int(end)))
    return tuple(frags)


def read_brat(ann: str) -> tuple[GoldAttribution, ...]:
    """Attributions of one brat ``.ann`` file's content (lines not T/E are skipped)."""
    spans: dict[str, tuple[str, Fragments]] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    for line in ann.splitlines():
        match = _T_LINE.match(line)
        if match:
            spans[match.group(1)] = (match.group(2), _parse_fragments(match.group(3)))
            continue
        if _E_LINE.match(line):
            fields = line.split("\t")
            args: list[tuple[str, str]] = []
            for arg in fields[1].split():
                role, sep, ref = arg.partition(":")
                if sep:
                    args.append((role, ref))
            if args:
                events.append((args[0][0], args[1:]))
    result: list[GoldAttribution] = []
    for kind, args in events:
        if kind not in ("Attribution", "Attribution-no-source"):
            continue
        parts: dict[str, list[tuple[int, int]]] = {}
        for role, ref in args:
            if ref not in spans:
                continue
            key = "content" if role.lower().startswith("content") else role.lower()
            parts.setdefault(key, []).extend(spans[ref][1])
        if not parts.get("cue"):
            continue
        source = tuple(parts["source"]) if parts.get("source") and kind == "Attribution" else None
        content = tuple(parts["content"]) if parts.get("content") else None
        result.append(GoldAttribution(source=source, cue=tuple(parts["cue"]), content=content))
    return tuple(result)


def read_polnear(data_dir: Path, split: str) -> list[GoldArticle]:
    """Every article of *split* that has a text and at least one annotation file, sorted by id."""
    base = Path(data_dir) / split
    text_dir, ann_dir = base / "text", base / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise ValueError(f"{base}: expected text/ and attributions/ directories (PolNeAR layout)")
    by_article: dict[str, Path] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        article, _, _annotator = ann.stem.rpartition("_")
        if article and article not in by_article:
            by_article[article] = ann
    articles: list[GoldArticle] = []
    for article, ann in sorted(by_article.items()):
        text_path = text_dir / f"{article}.txt"
        if not text_path.is_file():
            continue
        text = text_path.read_text(encoding="utf-8")
        gold = read_brat(ann.read_text(encoding="utf-8"))
        articles.append(GoldArticle(article, text, gold, ann.stem.rpartition("_")[2]))
    return articles


def normalise(text: str, fragments: Sequence[tuple[int, int]] | None) -> Fragments:
    """Strip whitespace around fragments, sort them and merge touching/whitespace-separated ones."""
    if not fragments:
        return ()
    stripped: list[tuple[int, int]] = []
    for start, end in fragments:
        start, end = max(0, start), min(len(text), end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            stripped.append((start, end))
    stripped.sort()
    merged: list[tuple[int, int]] = []
    for start, end in stripped:
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _shared(a: Fragments, b: Fragments) -> int:
    total = 0
    for s1, e1 in a:
        for s2, e2 in b:
            total += max(0, min(e1, e2) - max(s1, s2))
    return total


def _greedy(pairs: list[tuple[int, int, int]]) -> int:
    """Pairs (weight, gold index, predicted index); one-to-one greedy by weight, return #matched."""
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    for _weight, g, p in pairs:
        if g in used_g or p in used_p:
            continue
        used_g.add(g)
        used_p.add(p)
    return len(used_g)


@dataclass
class _Counts:
    gold: int = 0
    pred: int = 0
    exact: int = 0
    overlap: int = 0


def _spans(text: str, items: Sequence[GoldAttribution | Predicted], role: str) -> list[Fragments]:
    out: list[Fragments] = []
    for item in items:
        span = normalise(text, getattr(item, role))
        if span:
            out.append(span)
    return out


def score(gold: list[GoldArticle], predicted: dict[str, list[Predicted]]) -> dict[str, float]:
    """Micro-averaged exact/overlap precision, recall, F1 per role and attribution F1 (module doc)."""
    counts = {role: _Counts() for role in ROLES}
    att_gold = att_pred = att_matched = 0
    for article in gold:
        preds = predicted.get(article.article_id, [])
        text = article.text
        for role in ROLES:
            g_spans = _spans(text, article.attributions, role)
            p_spans = _spans(text, preds, role)
            c = counts[role]
            c.gold += len(g_spans)
            c.pred += len(p_spans)
            exact_pairs: list[tuple[int, int, int]] = []
            overlap_pairs: list[tuple[int, int, int]] = []
            for gi, g in enumerate(g_spans):
                for pi, p in enumerate(p_spans):
                    shared = _shared(g, p)
                    if shared:
                        overlap_pairs.append((shared, gi, pi))
                        if g == p:
                            exact_pairs.append((shared, gi, pi))
            c.exact += _greedy(exact_pairs)
            c.overlap += _greedy(overlap_pairs)
        g_atts = [tuple(normalise(text, getattr(a, r)) for r in ROLES) for a in article.attributions]
        p_atts = [tuple(normalise(text, getattr(a, r)) for r in ROLES) for a in preds]
        g_atts = [a for a in g_atts if a[1]]
        p_atts = [a for a in p_atts if a[1]]
        att_gold += len(g_atts)
        att_pred += len(p_atts)
        pairs: list[tuple[int, int, int]] = []
        for gi, ga in enumerate(g_atts):
            for pi, pa in enumerate(p_atts):
                cue_shared = _shared(ga[1], pa[1])
                if not cue_shared:
                    continue
                if all((not ga[k] and not pa[k]) or _shared(ga[k], pa[k]) > 0 for k in (0, 2)):
                    pairs.append((cue_shared, gi, pi))
        att_matched += _greedy(pairs)
    result: dict[str, float] = {}
    for role in ROLES:
        c = counts[role]
        for kind, matched in (("exact", c.exact), ("overlap", c.overlap)):
            precision, recall, f1 = prf_counts(matched, c.pred, c.gold)
            result[f"{role}.{kind}.precision"] = precision
            result[f"{role}.{kind}.recall"] = recall
            result[f"{role}.{kind}.f1"] = f1
    precision, recall, f1 = prf_counts(att_matched, att_pred, att_gold)
    result["attribution.precision"] = precision
    result["attribution.recall"] = recall
    result["attribution.f1"] = f1
    result["n"] = float(len(gold))
    return result


def evaluate_quotes(data_dir: Path, split: str, predict: Predictor, limit: int | None = None) -> dict[str, float]:
    """Run *predict* on each article text of *split* (the first *limit* in id order) and score it."""
    articles = read_polnear(Path(data_dir), split)
    if limit is not None:
        articles = articles[:limit]
    predictions = {article.article_id: predict(article.text) for article in articles}
    return score(articles, predictions)
