"""The ``claims`` layer and the article's claim profile: what is asserted, by whom, how surely.

A claim is a sentence of the body. Its claimant is the attribution that carries it (the quote
whose content covers most of the sentence's words, at least half), else the outlet. Each
claim lists its certainty cues (hedges, boosters, evidentials), the entities, figures and
designation labels inside it, a certainty score and a check-worthiness score.

Designation labels ("organization banned in Russia") are the outlet's markers: their words are
removed before cues are looked for and before the models read the sentence.

Certainty: the cue score (0.75, minus 0.2 per hedge, plus 0.15 per booster, clipped to
[0.05, 0.95]) and, for English, the mean of that and ``1 − P(uncertain)`` of the hedge model
(trained on WikiWeasel with the cues as features; where its regression is unsure, a fine-tuned
MiniLM classifier reads the sentence: :mod:`narrascope.annotators.hedging`). The model learnt
weasel wording from Wikipedia, where boosters are rare; the cue score is what lets "clearly" and
"of course" raise certainty. The models used are named in ``Analysis.models``.

Profile: a claim is *hedged* when it holds a hedge cue or the hedge model calls it uncertain,
*boosted* when it holds a booster, *unattributed* when the outlet asserts it, *single-source*
when a source carries it in an article whose sourcing profile shows single-source reliance.
"""

from __future__ import annotations

from typing import Any

from narrascope.annotators.certainty import find_cues
from narrascope.annotators.checkworthy import units
from narrascope.annotators.figures import reporting_quote, speaker_label
from narrascope.model import (
    WORD,
    CertaintyCue,
    Claim,
    ClaimProfile,
    Entity,
    Figure,
    Label,
    Quote,
    Sourcing,
    Span,
)
from narrascope.pipeline import Work, annotator, language_of

__all__ = ["ClaimAnnotator", "build_claims", "claim_profile", "sentences"]

CHECKWORTHY = 0.5
"""A claim at or above this check-worthiness counts as check-worthy in the profile (the model's own
threshold replaces it when the model is loaded)."""


def sentences(text: str, work: Work) -> list[tuple[int, int]]:
    """Sentence spans from the shared parse (spaCy for English, natasha for Russian); each
    trimmed of surrounding space, and never across a paragraph break (:func:`units`)."""
    if work.encoded is not None:
        return work.encoded.units  # the same units, as the shared pass read them
    if work.parse is not None:
        return units(text, [(s.start_char, s.end_char) for s in work.parse.sents])
    if work.russian is not None:
        return units(text, list(work.russian.sentences))
    return []


def _checkworthiness(work: Work, model: Any, spans: list[tuple[int, int]], cleaned: list[str]) -> list[float]:
    """Each sentence's check-worthiness: from the pipeline's shared pass when it ran, except where
    a designation label was blanked out of the sentence (the model reads it without the label)."""
    text = work.document.text
    if work.encoded is None:
        return list(model.scores(cleaned))
    scores = list(work.encoded.scores)
    changed = [
        i
        for i, ((start, end), plain) in enumerate(zip(spans, cleaned, strict=True))
        if plain != " ".join(text[start:end].split())
    ]
    for i, score in zip(changed, model.scores([cleaned[i] for i in changed]), strict=True):
        scores[i] = score
    return scores


def _without(text: str, start: int, end: int, holes: list[tuple[int, int]]) -> str:
    """The sentence with the label spans (and the brackets around them) blanked out."""
    chars = list(text[start:end])
    for lo, hi in holes:
        lo, hi = max(lo, start), min(hi, end)
        if lo >= hi:
            continue
        if lo - 1 >= start and text[lo - 1] == "(" and hi < end and text[hi] == ")":
            lo, hi = lo - 1, hi + 1
        for i in range(lo - start, hi - start):
            chars[i] = " "
    return " ".join("".join(chars).split())


def _claimant(quotes: list[Quote], start: int, end: int, text: str) -> Quote | None:
    words = [(m.start() + start, m.end() + start) for m in WORD.finditer(text[start:end])]
    best: tuple[float, Quote] | None = None

    def near(quote: Quote) -> bool:
        cue = quote.cue
        return (quote.content.start < end and start < quote.content.end) or (
            cue is not None and start <= cue.start < end
        )

    quotes = [q for q in quotes if q.kind != "scare" and q.speaker.kind != "none" and near(q)]
    for quote in quotes:
        pieces = quote.fragments or [quote.content]
        inside = sum(1 for a, b in words if any(p.start <= a and b <= p.end for p in pieces))
        share = inside / len(words) if words else 0.0
        if share >= 0.5 and (best is None or share > best[0]):
            best = (share, quote)
    if best is not None:
        return best[1]
    # the sentence that reports a quote ("…resources,” Yury Byaly says.") is that source's too;
    # a thing that "allows" or "suggests" inside it does not compete with the person who speaks
    reporting = [q for q in quotes if q.cue is not None and start <= q.cue.start < end]
    if len(reporting) > 1:
        reporting = [q for q in reporting if q.speaker.kind != "abstract"]
    return reporting_quote(quotes, start, end) or (reporting[0] if len(reporting) == 1 else None)


def _cue_score(cues: list[CertaintyCue]) -> float:
    hedges = sum(1 for c in cues if c.kind == "hedge")
    boosters = sum(1 for c in cues if c.kind == "booster")
    return min(0.95, max(0.05, 0.75 - 0.2 * hedges + 0.15 * boosters))


def build_claims(
    work: Work,
    hedge_model: Any = None,
    checkworthy_model: Any = None,
) -> list[Claim]:
    """Claims of one article from the layers already in *work* (quotes, entities, figures, labels)."""
    document = work.document
    text = document.text
    language = language_of(document)
    quotes: list[Quote] = work.layers.get("quotes", [])
    entities: list[Entity] = work.layers.get("entities", [])
    figures: list[Figure] = work.layers.get("figures", [])
    labels: list[Label] = work.layers.get("labels", [])
    holes = [(label.span.start, label.span.end) for label in labels]
    spans = sentences(text, work)
    cleaned = [_without(text, s, e, holes) for s, e in spans]
    english = language == "en"
    checkworthiness = (
        _checkworthiness(work, checkworthy_model, spans, cleaned)
        if (checkworthy_model is not None and english)
        else None
    )
    claims = []
    for index, ((start, end), plain) in enumerate(zip(spans, cleaned, strict=True)):
        found = [
            c for c in find_cues(text[start:end], language) if not any(lo <= start + c.start < hi for lo, hi in holes)
        ]
        cues = [CertaintyCue(span=Span.of(text, start + c.start, start + c.end), kind=c.kind, cue=c.cue) for c in found]
        certainty = _cue_score(cues)
        if hedge_model is not None and english:
            certainty = (certainty + 1.0 - hedge_model.uncertainty(plain, language, found)) / 2
        quote = _claimant(quotes, start, end, text)
        claims.append(
            Claim(
                id=f"C{index + 1}",
                span=Span.of(text, start, end),
                claimant="source" if quote else "outlet",
                quote_id=quote.id if quote else None,
                speaker=speaker_label(quote) if quote else None,
                entity_ids=sorted({e.id for e in entities for m in e.mentions if start <= m.span.start < end}),
                figure_ids=[f.id for f in figures if start <= f.span.start < end],
                label_ids=[label.id for label in labels if start <= label.span.start < end],
                cues=cues,
                certainty=round(min(1.0, max(0.0, certainty)), 4),
                checkworthy=round(float(checkworthiness[index]), 4) if checkworthiness is not None else None,
            )
        )
    return claims


def claim_profile(
    claims: list[Claim],
    sourcing: Sourcing | None,
    hedge_threshold: float | None = None,
    checkworthy_threshold: float = CHECKWORTHY,
) -> ClaimProfile:
    """Shares of hedged, boosted, unattributed and single-source claims (rules in the module doc)."""
    n = len(claims)

    def hedged(claim: Claim) -> bool:
        by_cue = any(c.kind == "hedge" for c in claim.cues)
        by_model = hedge_threshold is not None and (1.0 - claim.certainty) >= hedge_threshold
        return by_cue or by_model

    counts = {
        "hedged": sum(1 for c in claims if hedged(c)),
        "boosted": sum(1 for c in claims if any(q.kind == "booster" for q in c.cues)),
        "unattributed": sum(1 for c in claims if c.claimant == "outlet"),
        "single_source": sum(1 for c in claims if c.claimant == "source")
        if sourcing is not None and sourcing.single_source
        else 0,
        "checkworthy": sum(1 for c in claims if (c.checkworthy or 0.0) >= checkworthy_threshold),
    }
    shares = {f"{k}_share": round(v / n, 4) if n else 0.0 for k, v in counts.items() if k != "checkworthy"}
    notes = []
    if n:
        notes.append(f"{counts['hedged']} of {n} claims hedged, {counts['boosted']} boosted")
        notes.append(f"{counts['unattributed']} of {n} claims in the outlet's own voice")
        if counts["single_source"]:
            notes.append(f"{counts['single_source']} claims rest on the article's single source")
    return ClaimProfile(claims=n, **counts, **shares, notes=notes)


class ClaimAnnotator:
    name = "claims"

    def __init__(self, config: dict[str, Any]) -> None:
        from narrascope.annotators.checkworthy import load_checkworthy_model
        from narrascope.annotators.hedging import load_hedge_model

        self.hedges = load_hedge_model()
        self.checkworthy = load_checkworthy_model()
        self.models = {"hedges": self.hedges.version, "checkworthy": self.checkworthy.version}
        self.needs_encoder = True  # its scores come from the shared pass (the model's own)

    def __call__(self, work: Work) -> None:
        if work.parse is None and work.russian is None:  # a language narrascope does not read
            work.layers["claims"], work.layers["claim_profile"] = [], None
            return
        claims = build_claims(work, self.hedges, self.checkworthy)
        work.layers["claims"] = claims
        work.layers["claim_profile"] = claim_profile(
            claims, work.layers.get("sourcing"), self.hedges.threshold, self.checkworthy.threshold
        )


@annotator("claims")
def make_claims(config: dict[str, Any]) -> ClaimAnnotator:
    return ClaimAnnotator(config)
