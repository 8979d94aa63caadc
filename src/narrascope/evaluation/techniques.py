"""Read SemEval-2023 Task 3 (subtask 3, persuasion techniques) and score technique finders.

Layout of ``<data_dir>`` (one language, e.g. the English release):

* ``<split>-articles-subtask-3/article<ID>.txt`` — the article; title on line 1, a blank line,
  then the body; a paragraph is a line.
* ``<split>-labels-subtask-3-spans/article<ID>-labels-subtask-3.txt`` — ``ID technique start
  end`` per gold span (character offsets into the file, end exclusive).
* ``<split>-labels-subtask-3.txt`` — ``ID paragraph techniques,…`` (paragraph = 1-based line).
* ``<split>-labels-subtask-3.template`` — ``ID paragraph text`` for the scored (non-empty) lines.
* ``<split>-labels-subtask-1.txt`` (optional) — ``ID genre`` (reporting, opinion, satire).

Scores (all micro-averaged over the split):

* ``si``: span identification, technique-agnostic, with the SemEval-2020 Task 11 formula.
  Spans of one article are merged where they overlap or touch (the 2020 SI gold was merged);
  for predicted spans S and gold spans T, ``P = Σ_s Σ_t |s∩t| / |s| / |S|`` and
  ``R = Σ_s Σ_t |s∩t| / |t| / |T|`` (partial credit for partial overlap).
* ``tc``: technique classification on the gold spans. Spans with the same offsets are one item
  carrying k techniques; the finder's k best-ranked techniques are compared with them;
  micro-F1 = matched / gold labels (precision equals recall).
* ``paragraph``: the official subtask-3 metric, micro-F1 over (paragraph, technique) pairs, and
  a macro-F1 over the techniques present in the gold labels of the split (the official macro
  counts absent techniques as 1.0, which flatters; we leave them out). Per technique: P/R/F1.
* ``flags_per_1000_words``: predicted spans per 1,000 words in articles of each genre, beside
  the gold rate: a false-alarm figure on "reporting" articles.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.evaluation.binary import prf_counts

__all__ = [
    "Article",
    "FoundSpan",
    "GoldSpan",
    "merge",
    "paragraph_labels",
    "read_semeval",
    "score_paragraphs",
    "score_si",
    "score_tc",
]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    technique: str


@dataclass(frozen=True)
class FoundSpan:
    """A span a finder reports: offsets, technique and its score."""

    start: int
    end: int
    technique: str
    score: float = 1.0


@dataclass
class Article:
    id: str
    text: str
    spans: list[GoldSpan]
    #: 1-based paragraph index → (start, end) character offsets of the line.
    paragraphs: dict[int, tuple[int, int]]
    #: 1-based paragraph index → gold techniques of the paragraph.
    labels: dict[int, set[str]] = field(default_factory=dict)
    genre: str | None = None

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


def _line_offsets(text: str) -> list[tuple[int, int]]:
    offsets, start = [], 0
    for line in text.split("\n"):
        offsets.append((start, start + len(line)))
        start += len(line) + 1
    return offsets


def _read_tsv(path: Path) -> list[list[str]]:
    if not path.is_file():
        return []
    return [line.rstrip("\n\r").split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_semeval(data_dir: Path, split: str, limit: int | None = None) -> list[Article]:
    """The articles of *split*, with gold spans, paragraph labels and genres (see module doc)."""
    data_dir = Path(data_dir)
    folder = data_dir / f"{split}-articles-subtask-3"
    if not folder.is_dir():
        raise FileNotFoundError(f"no SemEval-2023 subtask-3 articles in {folder}")
    genres = {row[0]: row[1] for row in _read_tsv(data_dir / f"{split}-labels-subtask-1.txt") if len(row) > 1}
    labels: dict[str, dict[int, set[str]]] = {}
    for row in _read_tsv(data_dir / f"{split}-labels-subtask-3.txt"):
        if len(row) >= 2 and row[1].isdigit():
            found = {t for t in (row[2].split(",") if len(row) > 2 else []) if t}
            labels.setdefault(row[0], {})[int(row[1])] = found
    scored: dict[str, set[int]] = {}
    for row in _read_tsv(data_dir / f"{split}-labels-subtask-3.template"):
        if len(row) >= 2 and row[1].isdigit():
            scored.setdefault(row[0], set()).add(int(row[1]))
    spans_dir = data_dir / f"{split}-labels-subtask-3-spans"
    articles = []
    for path in sorted(folder.glob("article*.txt"))[:limit]:
        article_id = path.stem.removeprefix("article")
        text = path.read_text(encoding="utf-8")
        spans = []
        for row in _read_tsv(spans_dir / f"article{article_id}-labels-subtask-3.txt"):
            if len(row) == 4 and row[2].isdigit() and row[3].isdigit() and int(row[2]) < int(row[3]):
                spans.append(GoldSpan(int(row[2]), int(row[3]), row[1]))
        lines = _line_offsets(text)
        keep = scored.get(article_id) or {i + 1 for i, (s, e) in enumerate(lines) if text[s:e].strip()}
        paragraphs = {i: lines[i - 1] for i in sorted(keep) if 0 < i <= len(lines)}
        article_labels = {i: set(labels.get(article_id, {}).get(i, set())) for i in paragraphs}
        articles.append(Article(article_id, text, spans, paragraphs, article_labels, genres.get(article_id)))
    if not articles:
        raise FileNotFoundError(f"no article*.txt in {folder}")
    return articles


def merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching character spans merged, in order."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def score_si(gold: Sequence[Sequence[tuple[int, int]]], found: Sequence[Sequence[tuple[int, int]]]) -> dict[str, float]:
    """Span identification P/R/F1 (SemEval-2020 formula) over articles given as span lists."""
    precision_sum = recall_sum = 0.0
    n_found = n_gold = 0
    for gold_spans, found_spans in zip(gold, found, strict=True):
        g, s = merge(gold_spans), merge(found_spans)
        n_gold += len(g)
        n_found += len(s)
        for fs, fe in s:
            for gs, ge in g:
                shared = min(fe, ge) - max(fs, gs)
                if shared > 0:
                    precision_sum += shared / (fe - fs)
                    recall_sum += shared / (ge - gs)
    precision = precision_sum / n_found if n_found else 0.0
    recall = recall_sum / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


#: Ranks techniques for spans of a text: (text, [(start, end)]) → per span, techniques best first.
Classifier = Callable[[str, list[tuple[int, int]]], list[list[str]]]


def score_tc(articles: Sequence[Article], classify: Classifier) -> dict[str, float]:
    """Technique classification micro-F1 on the gold spans (see module doc)."""
    matched = total = 0
    for article in articles:
        grouped: dict[tuple[int, int], Counter[str]] = {}
        for span in article.spans:
            grouped.setdefault((span.start, span.end), Counter())[span.technique] += 1
        if not grouped:
            continue
        keys = list(grouped)
        for key, ranked in zip(keys, classify(article.text, keys), strict=True):
            wanted = grouped[key]
            k = sum(wanted.values())
            guessed = Counter(ranked[:k])
            matched += sum((wanted & guessed).values())
            total += k
    return {"micro_f1": matched / total if total else 0.0, "n": float(total)}


def paragraph_labels(article: Article, spans: Sequence[FoundSpan]) -> dict[int, set[str]]:
    """Techniques per scored paragraph: those of the found spans that start in it."""
    out: dict[int, set[str]] = {i: set() for i in article.paragraphs}
    for span in spans:
        for index, (start, end) in article.paragraphs.items():
            if start <= span.start < end or (span.start <= start < span.end):
                out[index].add(span.technique)
                break
    return out


def score_paragraphs(
    articles: Sequence[Article], predicted: Sequence[dict[int, set[str]]], techniques: Sequence[str]
) -> dict[str, float]:
    """Paragraph micro-F1, macro-F1 over the techniques present in gold, and per technique."""
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for article, guessed in zip(articles, predicted, strict=True):
        for index, gold in article.labels.items():
            found = guessed.get(index, set())
            tp.update(gold & found)
            n_pred.update(found)
            n_gold.update(gold)
    out: dict[str, float] = {}
    _, _, out["micro_f1"] = prf_counts(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    per_technique = {}
    for technique in techniques:
        p, r, f = prf_counts(tp[technique], n_pred[technique], n_gold[technique])
        per_technique[technique] = (p, r, f)
        out[f"{technique}.precision"], out[f"{technique}.recall"], out[f"{technique}.f1"] = p, r, f
    present = [per_technique[t][2] for t in techniques if n_gold[t]]
    out["macro_f1_present"] = sum(present) / len(present) if present else 0.0
    out["labels_present"] = float(len(present))
    return out


def flags_per_1000_words(articles: Sequence[Article], predicted: Sequence[Sequence[FoundSpan]]) -> dict[str, float]:
    """Found and gold spans per 1,000 words, per genre (articles with a genre label only)."""
    words: Counter[str] = Counter()
    found: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    for article, spans in zip(articles, predicted, strict=True):
        if article.genre:
            words[article.genre] += article.words
            found[article.genre] += len(spans)
            gold[article.genre] += len(article.spans)
    out: dict[str, float] = {}
    for genre in sorted(words):
        out[f"flags_per_1000_words.{genre}"] = 1000 * found[genre] / words[genre] if words[genre] else 0.0
        out[f"gold_per_1000_words.{genre}"] = 1000 * gold[genre] / words[genre] if words[genre] else 0.0
        out[f"articles.{genre}"] = float(sum(1 for a in articles if a.genre == genre))
    return out
