"""Attributions marked by layout (speaker labels, sign-offs, embedded posts), and subjects shared
between a reporting verb and the participle hanging from it."""

from __future__ import annotations

from narrascope.annotators.speaker_labels import layout_attributions
from narrascope.pipeline import Pipeline


def _triples(text: str, named: bool = False) -> list[tuple[str, str, str]]:
    found = layout_attributions(text, (lambda start, end: True) if named else None)
    return [(text[slice(*s)], text[slice(*c)], text[slice(*t)]) for s, c, t in found]


def test_transcript_labels() -> None:
    text = (
        'Partial transcript as follows:\n\n"WALLACE: Let us start with the debate.\n\nPENCE: Well, look, it is fine.'
        "\n\nWALLACE: Will she be there tonight?\n\nPENCE: She will not be there."
    )
    assert _triples(text)[:2] == [
        ("WALLACE", ":", "Let us start with the debate"),
        ("PENCE", ":", "Well, look, it is fine"),
    ]
    assert len(_triples(text)) == 4


def test_one_off_shouts_are_headlines_not_speakers() -> None:
    assert _triples("BOOM: Trump just fired a missile at Hillary\n\nThe rest of the story.") == []
    assert _triples("Pence: Flowers will not be at the debate\n\nThe debate, said Pence, is on.")[0][0] == "Pence"


def test_headline_label_needs_a_name_when_it_has_several_words() -> None:
    assert _triples("Pat Caddell: Democrat voters worried about health\n") == []
    assert _triples("Pat Caddell: Democrat voters worried about health\n", named=True)[0][0] == "Pat Caddell"
    assert _triples("Poll: Wealthy voters abandon the party\n")[0][:2] == ("Poll", ":")


def test_labels_that_are_not_speakers() -> None:
    text = (
        "Update: The story was corrected on Monday.\nPhoto: Getty Images for the agency\n"
        "Note: ok.\n2016: A year of change"
    )
    assert _triples(text, named=True) == []


def test_sign_off_after_a_quotation() -> None:
    text = "“Mr. Trump is clueless about the struggles of minorities.”― Stephanie Egan.\n“Next one starts here"
    assert _triples(text) == [("Stephanie Egan", "―", "“Mr. Trump is clueless about the struggles of minorities.”")]


def test_embedded_post() -> None:
    text = "Why is he wearing that hat? #RINO — Ben Jacobs (@Bencjacobs) September 1, 2016\n"
    assert _triples(text) == [("Ben Jacobs (@Bencjacobs)", "—", "Why is he wearing that hat? #RINO")]


def test_labels_reach_the_quotes_layer(nlp: Pipeline) -> None:
    text = (
        "Debate night.\n\nThe host spoke to the governor on Sunday.\n\n"
        "WALLACE: Will the guest be there tomorrow night?\n\nPENCE: She will not be attending the debate.\n\n"
        "WALLACE: Thank you for joining us today.\n\nPENCE: Thank you for having me."
    )
    labelled = [q for q in nlp(text).quotes if q.cue is not None and q.cue.text == ":"]
    turns = [(q.speaker.span.text if q.speaker.span else None, q.content.text) for q in labelled]
    assert turns == [
        ("WALLACE", "Will the guest be there tomorrow night?"),
        ("PENCE", "She will not be attending the debate"),
        ("WALLACE", "Thank you for joining us today"),
        ("PENCE", "Thank you for having me"),
    ]


def test_participle_shares_the_subject_of_its_reporting_verb(nlp: Pipeline) -> None:
    text = '"We made dramatic changes for the better," McConnell said in June, citing the release of prisoners.'
    analysis = nlp(text)
    citing = next(q for q in analysis.quotes if q.cue is not None and q.cue.text == "citing")
    assert citing.speaker.span is not None and citing.speaker.span.text == "McConnell"
