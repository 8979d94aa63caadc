"""Turn raw bytes into text, saying how, and refuse what is not text at all.

News arrives in old single-byte encodings (cp1251 for Russian outlets, latin-1 for Western
European ones) as often as in UTF-8. We try UTF-8 first, then choose among single-byte
encodings by how plausible the decoded words are, and record the repair as an issue.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from narrascope.errors import InputError
from narrascope.model import Issue

MAX_BYTES = 20_000_000
"""Inputs above this are refused: no single article is this long, and it protects memory."""

SINGLE_BYTE = ("cp1251", "latin-1", "cp1252")
"""Tried in this order; on a tie latin-1 wins over cp1252 (they differ only in 0x80-0x9f)."""

_WORD = re.compile(r"[^\W\d_]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass
class Decoded:
    text: str
    encoding: str
    issues: list[Issue] = field(default_factory=list)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or (13 < b < 32 and b != 27))
    return controls > max(4, len(sample) // 100)


_COMMON_HIGH = frozenset(b"\x84\x85\x91\x92\x93\x94\x96\x97\xa0\xa8\xa9\xab\xae\xb0\xb7\xb8\xb9\xbb")


def _rare_high_share(data: bytes) -> float:
    """Share of non-ASCII bytes outside the letter range 0xC0-0xFF and common punctuation.

    Text in cp1251 or latin-1 is written mostly with bytes 0xC0-0xFF (the letters of both);
    bytes of another encoding (or of no encoding) fall all over the upper half.
    """
    high = [b for b in data if b >= 0x80]
    rare = sum(1 for b in high if b < 0xC0 and b not in _COMMON_HIGH)
    return rare / len(high) if high else 0.0


def _script(ch: str) -> str:
    code = ord(ch)
    if code < 0x80:
        return "ascii"
    if 0x400 <= code < 0x530:
        return "cyrillic"
    if 0xC0 <= code < 0x250:
        return "latin"
    return "other"


def _implausibility(text: str) -> float:
    """Share of words that no real text would contain: mixed scripts or mostly accented."""
    bad = total = 0
    for word in _WORD.findall(text):
        scripts = {_script(ch) for ch in word}
        if scripts == {"ascii"}:
            continue
        total += 1
        if "other" in scripts or ("cyrillic" in scripts and len(scripts) > 1):
            bad += 1
        elif "latin" in scripts:
            accented = sum(1 for ch in word if _script(ch) == "latin")
            if accented * 2 > len(word) and len(word) > 2:
                bad += 1
    controls = len(_CONTROL.findall(text))
    return (bad + 5 * controls) / max(total, 1)


_MIXED = "narrascope-cp1252-fallback"


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    """Read bytes that are not UTF-8 as cp1252: pages pasted together from two encodings."""
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("cp1252", errors="replace"), err.end


codecs.register_error(_MIXED, _cp1252_fallback)


def _invalid_utf8_bytes(data: bytes) -> int:
    return data.decode("utf-8", errors="replace").count("\ufffd") - data.count("\ufffd".encode()) // 3


def _known(name: str) -> bool:
    try:
        codecs.lookup(name)
    except LookupError:
        return False
    return True


def decode(
    data: bytes, encoding: str | None = None, max_bytes: int = MAX_BYTES, fallback: str | None = None
) -> Decoded:
    """Decode ``data``; ``encoding`` forces a codec (an unknown name is an InputError).

    Valid UTF-8 wins over everything but a byte-order mark: pages often declare a charset they
    are not in, and text that decodes as UTF-8 is almost never in another encoding. Next comes
    ``fallback`` (a charset the page declares), then the single-byte guess, and last UTF-8
    with the few invalid bytes replaced, when they are few.
    """
    if not data.strip():
        raise InputError("input is empty")
    if len(data) > max_bytes:
        raise InputError(f"input is {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    if encoding:
        if not _known(encoding):
            raise InputError(f"unknown encoding {encoding!r}")
        try:
            return Decoded(data.decode(encoding), encoding)
        except UnicodeDecodeError as err:
            raise InputError(f"input is not valid {encoding}: {err.reason} at byte {err.start}") from None
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise InputError(f"input starts with a {codec} byte-order mark but is not {codec}") from None
            return Decoded(text, codec, [Issue(code="bom-removed", message=f"{codec} byte-order mark removed")])
    if _looks_binary(data):
        raise InputError("input looks binary, not text or HTML")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if fallback and _known(fallback) and codecs.lookup(fallback).name != "utf-8":
        try:
            text = data.decode(fallback)
            return Decoded(text, fallback, [Issue(code="encoding-declared", message=f"decoded as declared {fallback}")])
        except UnicodeDecodeError:
            pass
    invalid = _invalid_utf8_bytes(data)
    if invalid * 10 <= sum(1 for b in data if b >= 0x80):
        return Decoded(
            data.decode("utf-8", errors=_MIXED),
            "utf-8",
            [Issue(code="encoding-repaired", message=f"mostly UTF-8; {invalid} stray byte(s) read as cp1252")],
        )
    if _rare_high_share(data) > 0.5:
        raise InputError("cannot determine the text encoding (not UTF-8, cp1251 or latin-1); try --encoding")
    scored = sorted(
        ((_implausibility(data.decode(codec, errors="replace")), i, codec) for i, codec in enumerate(SINGLE_BYTE))
    )
    score, _, codec = scored[0]
    if score > 0.5:
        raise InputError("cannot determine the text encoding (not UTF-8, cp1251 or latin-1); try --encoding")
    text = data.decode(codec, errors="replace")
    return Decoded(
        text,
        codec,
        [Issue(code="encoding-repaired", message=f"not valid UTF-8; decoded as {codec}")],
    )
