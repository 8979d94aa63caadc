"""What ingest reads: WARC archives and RSS/Atom feeds written here, and broken ones."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from narrascope.store.inputs import count_inputs, read_inputs

PAGE = (
    "<html><head><title>{title}</title></head><body><article><p>{body} The council voted on Tuesday, "
    "officials said, and the mayor welcomed the decision.</p></article></body></html>"
)


def write_warc(path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for url, kind, payload in (
            ("https://example.org/a", "text/html; charset=utf-8", PAGE.format(title="Trams", body="Trams return.")),
            ("https://example.org/logo.png", "image/png", "\x89PNG..."),
            ("https://example.org/b", "text/html", PAGE.format(title="Buses", body="Buses arrive.")),
        ):
            headers = StatusAndHeaders("200 OK", [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=BytesIO(payload.encode()), http_headers=headers)
            writer.write_record(record)


RSS = """<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<item><title>Farmers protest</title><link>https://example.org/f</link>
<pubDate>Wed, 06 Jan 2021 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Farmers protested in the capital on Friday against new fuel taxes,
organisers said.&lt;/p&gt;</description></item>
<item><title>Empty</title><link>https://example.org/e</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Desk</title>
<entry><title>Energy talks</title><link href="https://example.org/t"/><updated>2021-02-01T08:00:00Z</updated>
<content type="html">&lt;p&gt;Ministers met in Brussels to discuss energy prices,
a spokesman said.&lt;/p&gt;</content></entry>
</feed>"""


def test_warc_html_responses_become_articles(tmp_path: Path) -> None:
    archive = tmp_path / "crawl.warc.gz"
    write_warc(archive)
    items = list(read_inputs([archive]))
    assert [i.error for i in items] == [None, None]
    assert [i.document.source for i in items if i.document] == ["https://example.org/a", "https://example.org/b"]
    assert items[0].document is not None and "Trams return." in items[0].document.text


def test_feeds_give_one_article_per_entry(tmp_path: Path) -> None:
    rss, atom = tmp_path / "wire.rss", tmp_path / "desk.atom"
    rss.write_text(RSS, encoding="utf-8")
    atom.write_text(ATOM, encoding="utf-8")
    items = list(read_inputs([rss, atom]))
    assert len(items) == 3 and count_inputs([rss]) == 1
    farmers, empty, energy = items
    assert farmers.document is not None and farmers.document.title == "Farmers protest"
    assert farmers.document.published is not None and farmers.document.published.value.startswith("2021-01-06")
    assert empty.document is None and empty.error == "the feed entry has no content or summary"
    assert energy.document is not None and "Brussels" in energy.document.text


def test_broken_archive_and_feed_are_reported(tmp_path: Path) -> None:
    archive, feed = tmp_path / "bad.warc", tmp_path / "bad.xml"
    archive.write_bytes(b"this is not a WARC file\n" * 10)
    feed.write_text("<rss><channel><item>", encoding="utf-8")
    items = list(read_inputs([archive, feed]))
    assert [i.document for i in items] == [None, None]
    assert items[0].error and items[0].error.startswith("cannot read the archive")
    assert items[1].error == "the feed entry has no content or summary"


def test_tables_in_legacy_encodings_are_decoded(tmp_path: Path) -> None:
    table, lines = tmp_path / "ru.csv", tmp_path / "latin.jsonl"
    table.write_bytes('text,outlet\n"Министр заявил, что переговоры продолжатся.",ТАСС\n'.encode("cp1251"))
    lines.write_bytes('{"text": "Le ministre a déclaré que les négociations continueront."}\n'.encode("latin-1"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes('\ufefftext\n"Officials said the bridge would reopen."\n'.encode())
    items = list(read_inputs([table, lines, bom]))
    assert [i.error for i in items] == [None, None, None]
    texts = [i.document.text for i in items if i.document]
    assert texts[0].startswith("Министр заявил") and "déclaré" in texts[1] and texts[2].startswith("Officials")
    assert items[0].document is not None and items[0].document.outlet == "ТАСС"
