from __future__ import annotations

import pytest

from narrascope.errors import InputError
from narrascope.ingest.decode import decode

RUSSIAN = "Эксперт Юрий Бялый заявил, что события в Казахстане были спланированы заранее."
FRENCH = "Le président a déclaré que la réunion aurait lieu à Genève, après une année difficile."


def test_utf8_passes_without_issue() -> None:
    result = decode(RUSSIAN.encode("utf-8"))
    assert result.text == RUSSIAN and result.encoding == "utf-8" and result.issues == []


def test_bom_is_removed_and_recorded() -> None:
    result = decode(b"\xef\xbb\xbf" + FRENCH.encode("utf-8"))
    assert result.text == FRENCH
    assert [i.code for i in result.issues] == ["bom-removed"]


def test_cp1251_is_detected_and_recorded() -> None:
    result = decode(RUSSIAN.encode("cp1251"))
    assert result.text == RUSSIAN and result.encoding == "cp1251"
    assert result.issues[0].code == "encoding-repaired" and "cp1251" in result.issues[0].message


def test_latin1_is_detected_and_recorded() -> None:
    result = decode(FRENCH.encode("latin-1"))
    assert result.text == FRENCH and result.encoding == "latin-1"
    assert result.issues[0].code == "encoding-repaired"


def test_cp1252_quotes_are_read_as_cp1252() -> None:
    text = "“Quoted” – he said, café."
    assert decode(text.encode("cp1252")).text == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
        (b"a" * 2000, None),
    ],
)
def test_refusals(data: bytes, message: str | None) -> None:
    if message is None:
        assert decode(data).text == "a" * 2000
        return
    with pytest.raises(InputError, match=message):
        decode(data)


def test_size_cap() -> None:
    with pytest.raises(InputError, match="over the 1 MB limit"):
        decode(b"a" * 1_500_000, max_bytes=1_000_000)


def test_unknown_forced_encoding() -> None:
    with pytest.raises(InputError, match="unknown encoding"):
        decode(b"text", encoding="no-such-codec")


def test_undecodable_bytes_are_refused() -> None:
    noise = bytes([0x80 + (i * 37) % 0x20 for i in range(400)])
    with pytest.raises(InputError, match="encoding"):
        decode(noise)
