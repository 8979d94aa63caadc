from __future__ import annotations

from narrascope.ingest.layout import parse_layout


def test_worked_example_furniture(sample_text: str) -> None:
    layout = parse_layout(sample_text)
    assert layout.title == "Expert: NATO intelligence networks are involved in destabilizing Kazakhstan"
    assert layout.published is not None and layout.published.value == "2021-01-06"
    assert layout.published.source == "dateline"
    assert layout.place == "Moscow"
    assert layout.outlet == "Rossa Primavera News Agency"
    assert "Leave a Reply" not in layout.body and "Source:" not in layout.body
    assert "06.01.2021" not in layout.body and not layout.body.startswith("Expert:")
    assert any(i.code == "boilerplate-removed" and i.removed == "Leave a Reply" for i in layout.issues)
    assert any(i.code == "date-order-assumed" for i in layout.issues)


def test_paragraph_offsets_point_into_the_body(sample_text: str) -> None:
    layout = parse_layout(sample_text)
    for start, end in layout.paragraphs:
        piece = layout.body[start:end]
        assert piece == piece.strip() and "\n" not in piece
    assert layout.paragraphs[-1][1] == len(layout.body)


def test_inline_wire_dateline() -> None:
    layout = parse_layout("MOSCOW, Jan 6 (Reuters) - Russia said on Thursday it would send troops.\n\nMore text here.")
    assert layout.place == "Moscow" and layout.outlet == "Reuters"
    assert layout.body.startswith("Russia said")


def test_byline_and_month_first() -> None:
    layout = parse_layout(
        "A headline here\n\nBy Jane Doe and John Roe\n\nWashington, 01/06/2021\n\nBody text.", order="MDY"
    )
    assert layout.authors == ["Jane Doe", "John Roe"]
    assert layout.published is not None and layout.published.value == "2021-01-06"
    assert layout.body == "Body text."


def test_a_first_sentence_is_not_taken_for_a_headline() -> None:
    layout = parse_layout("The minister said the plan was ready.\n\nA second paragraph.")
    assert layout.title is None and layout.body.startswith("The minister")


def test_share_prompts_are_removed_anywhere() -> None:
    layout = parse_layout("Body one.\n\nShare this:\n\nTweet\n\nBody two.\n\n12 Comments")
    assert layout.body == "Body one.\n\nBody two."
    assert [i.removed for i in layout.issues] == ["Share this:", "Tweet", "12 Comments"]


def test_crlf_and_single_newlines() -> None:
    layout = parse_layout("Headline\r\n\r\nLine one\r\ncontinues here.\r\n\r\nSecond.")
    assert layout.body == "Line one continues here.\n\nSecond."


def test_a_sentence_starting_with_sources_is_not_a_source_line() -> None:
    layout = parse_layout("Body.\n\nSources close to the ministry said the plan was ready.")
    assert layout.outlet is None and layout.body.endswith("plan was ready.")
    assert parse_layout("Body.\n\nSource: Coast Herald").outlet == "Coast Herald"
