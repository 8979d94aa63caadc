"""What the reports say about claims, certainty, figures and designation labels.

Shared by the text, Markdown and HTML renderers, which escape for their own medium; these
helpers return raw strings.
"""

from __future__ import annotations

from narrascope.model import Analysis, CertaintyCue, Claim, ClaimProfile, FactCheckMatch, Figure, Label
from narrascope.report.common import Fact, percent, plural, shorten

CUE_KINDS = {
    "hedge": "hedge: lowers the certainty the text claims",
    "booster": "booster: raises the certainty the text claims",
    "evidential": "evidential: says where the knowledge comes from",
}
LABEL_KINDS = {
    "banned": "banned organisation",
    "terrorist": "designated terrorist",
    "extremist": "designated extremist",
    "foreign-agent": "foreign agent",
    "undesirable": "undesirable organisation",
}
CLAIM_HEADER = ["Id", "Claimant", "Certainty", "Check-worthy", "Cues", "Claim"]
FIGURE_HEADER = ["Figure", "Counts", "Event", "Exact?", "Reported by"]
LABEL_HEADER = ["Label", "Kind", "Attached to", "Jurisdiction"]
FACTCHECK_HEADER = ["Claim", "Checked claim", "Rating", "Checked by", "Score", "Evidence", "URL"]


def claimant_text(claim: Claim) -> str:
    return f"{claim.speaker} ({claim.quote_id})" if claim.claimant == "source" else "the outlet"


def checkworthy_text(claim: Claim) -> str:
    return "—" if claim.checkworthy is None else f"{claim.checkworthy:.2f}"


def cues_text(cues: list[CertaintyCue]) -> str:
    return ", ".join(f"{c.kind[0].upper()}: {' '.join(c.span.text.split())}" for c in cues) or "—"


def claim_rows(analysis: Analysis) -> list[list[str]]:
    return [
        [
            c.id,
            claimant_text(c),
            f"{c.certainty:.2f}",
            checkworthy_text(c),
            cues_text(c.cues),
            shorten(c.span.text, 120),
        ]
        for c in analysis.claims
    ]


def profile_facts(profile: ClaimProfile) -> list[Fact]:
    n = profile.claims
    return [
        Fact("Claims", str(n)),
        Fact("Hedged", f"{profile.hedged} ({percent(profile.hedged_share)})"),
        Fact("Boosted", f"{profile.boosted} ({percent(profile.boosted_share)})"),
        Fact("In the outlet's own voice", f"{profile.unattributed} ({percent(profile.unattributed_share)})"),
        Fact("Resting on a single source", f"{profile.single_source} ({percent(profile.single_source_share)})"),
        Fact("Check-worthy", str(profile.checkworthy)),
    ]


def figure_rows(analysis: Analysis) -> list[list[str]]:
    return [
        [
            f.span.text,
            f.counts.text if f.counts else "—",
            f.event.text if f.event else "—",
            "approximate" if f.approximate else "as stated",
            f"{f.reported_by} ({f.quote_id})" if f.reported_by else "the outlet",
        ]
        for f in analysis.figures
    ]


def label_rows(analysis: Analysis) -> list[list[str]]:
    return [
        [
            label.span.text,
            LABEL_KINDS.get(label.kind, label.kind),
            label.target.text if label.target else "—",
            label.jurisdiction or "—",
        ]
        for label in analysis.labels
    ]


LABEL_NOTE = "Designation labels are the outlet's legal or editorial markers, not claims about the facts."


def cue_tooltip(cue: CertaintyCue, claim: Claim) -> str:
    return "\n".join(
        [
            f'{CUE_KINDS.get(cue.kind, cue.kind)}: "{cue.cue}" at {cue.span.start}–{cue.span.end}',
            f"in claim {claim.id} (certainty {claim.certainty:.2f}, claimant: {claimant_text(claim)})",
        ]
    )


def figure_tooltip(figure: Figure) -> str:
    lines = [f'figure {figure.id}: "{figure.span.text}" at {figure.span.start}–{figure.span.end}']
    if figure.value is not None:
        lines.append(f"value {figure.value:g}{figure.unit or ''}" + (" (approximate)" if figure.approximate else ""))
    if figure.counts:
        lines.append(f"counts: {figure.counts.text}")
    if figure.event:
        lines.append(f"event: {figure.event.text}")
    by = f"reported by {figure.reported_by} ({figure.quote_id})" if figure.reported_by else "the outlet's figure"
    lines.append(by)
    return "\n".join(lines)


def label_tooltip(label: Label) -> str:
    lines = [f'{LABEL_KINDS.get(label.kind, label.kind)} label {label.id}: "{label.span.text}"']
    if label.target:
        lines.append(f'attached to "{label.target.text}"' + (f" (entity {label.entity_id})" if label.entity_id else ""))
    if label.jurisdiction:
        lines.append(f"jurisdiction: {label.jurisdiction}")
    lines.append("the outlet's marker, not a claim about the facts")
    return "\n".join(lines)


def claims_heading(analysis: Analysis) -> str:
    return f"Claims ({plural(len(analysis.claims), 'claim')})"


__all__ = [
    "CLAIM_HEADER",
    "CUE_KINDS",
    "FIGURE_HEADER",
    "LABEL_HEADER",
    "LABEL_KINDS",
    "LABEL_NOTE",
    "claim_rows",
    "claimant_text",
    "claims_heading",
    "cue_tooltip",
    "figure_rows",
    "figure_tooltip",
    "label_rows",
    "label_tooltip",
    "profile_facts",
]


def factcheck_evidence(match: FactCheckMatch) -> str:
    """How the record was found: the rungs, the cosine and the words it shares with the claim."""
    parts = ["+".join(match.rungs) or "—"]
    if match.cosine is not None:
        parts.append(f"cosine {match.cosine:.2f}")
    if match.cosine_matching is not None:
        parts.append(f"matching cosine {match.cosine_matching:.2f}")
    if match.bm25_terms:
        parts.append("shared words: " + ", ".join(match.bm25_terms[:6]))
    return "; ".join(parts)


def factcheck_rows(analysis: Analysis) -> list[list[str]]:
    return [
        [
            c.id,
            shorten(m.claim, 100),
            m.rating or "—",
            " ".join(p for p in (m.publisher, m.published) if p) or "—",
            f"{m.score:.2f}",
            factcheck_evidence(m),
            m.url or "—",
        ]
        for c in analysis.claims
        for m in c.fact_checks
    ]


def factcheck_note(analysis: Analysis) -> str | None:
    """What was looked up and what came back; None when the claims were not matched at all."""
    looked = analysis.models.get("factchecks")
    if looked is None:
        return None
    matched = sum(1 for c in analysis.claims if c.fact_checks)
    found = (
        f"{plural(matched, 'claim')} match{'es' if matched == 1 else ''} a record" if matched else "no claim matches"
    )
    return (
        f"Check-worthy claims matched against the store's fact-check records ({looked}): {found}. "
        "A match says a fact-checker has checked a similar claim; read the record before relying on it."
    )
