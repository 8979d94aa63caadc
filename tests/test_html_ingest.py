from __future__ import annotations

import pytest

from narrascope.errors import InputError
from narrascope.ingest import from_bytes, from_text

BODY = " ".join(["The council met on Tuesday to discuss the budget and the new harbour plans."] * 4)
PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Council backs harbour plan | Coast Herald</title>
<meta property="og:site_name" content="Coast Herald">
<meta property="og:title" content="Council backs harbour plan">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2021-03-02T09:00:00+00:00">
</head><body><nav>Home | News | Sport</nav><article><h1>Council backs harbour plan</h1>
<p>{BODY}</p><p>{BODY.replace("council", "mayor")}</p>
<p>Leave a Reply</p></article><footer>Share on Facebook</footer></body></html>"""


def test_metadata_and_body_from_html() -> None:
    doc = from_text(PAGE, url="https://coastherald.example/2021/03/02/harbour")
    assert doc.title == "Council backs harbour plan"
    assert doc.outlet == "Coast Herald" and doc.outlet_source == "site-name"
    assert doc.authors == ["Jane Doe"]
    assert doc.published is not None and doc.published.value == "2021-03-02" and doc.published.source == "html-meta"
    assert doc.text.startswith("The council met") and "Leave a Reply" not in doc.text
    assert "Home | News" not in doc.text


def test_cp1251_html_with_declared_charset() -> None:
    russian = "Совет поддержал план строительства гавани, сообщил мэр города журналистам. " * 4
    page = (
        f'<html><head><meta charset="windows-1251"><title>Гавань</title></head><body><article>'
        f"<p>{russian}</p><p>{russian}</p></article></body></html>"
    )
    doc = from_bytes(page.encode("cp1251"))
    assert "Совет поддержал план" in doc.text
    assert doc.language is not None and doc.language.code == "ru"


def test_malformed_html_still_yields_text() -> None:
    broken = f"<html><body><div><p>{BODY}<p>{BODY}<div><b>unclosed <i>tags</body>"
    doc = from_text(broken)
    assert "The council met" in doc.text


def test_html_without_article_text_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="no article text"):
        from_text("<html><head><title>x</title></head><body><nav>menu</nav></body></html>")


def test_hostile_html_does_not_leak_markup_into_text() -> None:
    hostile = PAGE.replace(
        "<p>Leave a Reply</p>",
        '<p>Click <a href="javascript:alert(1)">here</a><img src=x onerror="alert(2)"><script>alert(3)</script></p>',
    )
    doc = from_text(hostile)
    assert "alert(3)" not in doc.text and "onerror" not in doc.text and "<script" not in doc.text


@pytest.mark.parametrize(
    ("title", "site", "host", "expected"),
    [
        ("Council backs plan - Coast Herald", "Coast Herald", "coastherald.example", "Council backs plan"),
        ("Coast Herald | Council backs plan", "Coast Herald", None, "Council backs plan"),
        ("Council backs plan – helge.at", None, "www.helge.at", "Council backs plan"),
        ("Bericht vom 22.04.2020 – worauf wartet die Politik?", None, "example.de", None),
        ("Plain title", "Coast Herald", None, None),
    ],
)
def test_site_name_is_stripped_from_titles(
    title: str, site: str | None, host: str | None, expected: str | None
) -> None:
    from narrascope.ingest.html import strip_site_name

    assert strip_site_name(title, site, host) == (expected or title)
