"""Main text and metadata of a web page, by trafilatura (text, title, authors, site) and htmldate.

trafilatura is the best-measured open extractor on both public benchmarks we use; we add only
what it leaves to the caller: choosing the encoding, reading datelines and source lines left in
the text, and removing page leftovers it kept.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import trafilatura

from narrascope.dating import DateOrder
from narrascope.errors import InputError
from narrascope.model import Issue

_LANG = re.compile(rb"<html[^>]*\blang\s*=\s*[\"']?([a-zA-Z-]{2,10})", re.I)
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w-]{2,30})", re.I)
_MDY_LOCALES = ("en-us", "en_us", "en-ph", "en-ca")
MIN_WORDS = 5
"""Fewer words than this from a whole page is navigation or an error page, not an article."""


_TITLE_SEPARATOR = re.compile(r"\s+[-|–—·»:]\s+")
_DOMAIN = re.compile(r"\.[a-z]{2,6}$")


def strip_site_name(title: str | None, sitename: str | None, hostname: str | None) -> str | None:
    """ "Headline - Site.com" or "Site | Headline" -> "Headline": the site is the outlet, not the title."""
    if not title:
        return title
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    names = {n.lower() for n in (sitename, re.sub(r"^www\.", "", hostname or "")) if n and len(n) > 2}

    def is_site(part: str) -> bool:
        part = part.lower().strip()
        return any(n in part or part in n for n in names if len(part) > 3) or bool(_DOMAIN.search(part))

    if is_site(parts[-1]):
        return title[: title.rfind(parts[-1])].rstrip(" -|–—·»:") or title
    if is_site(parts[0]):
        return title[len(parts[0]) :].lstrip(" -|–—·»:") or title
    return title


@dataclass
class Page:
    """What the page says about itself, before layout parsing of its text."""

    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    sitename: str | None = None
    date: str | None = None
    lang: str | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def date_order(self) -> DateOrder:
        """Month-first only where the page declares a month-first locale."""
        return "MDY" if (self.lang or "").lower() in _MDY_LOCALES else "DMY"


_HTML_TAG = re.compile(r"<(?:html|head|body|article|div|p|meta|title|!doctype\s+html)\b[^>]*>", re.I)


def looks_like_html(text: str) -> bool:
    """Markup near the start; pages may open with long comments or scripts before any tag."""
    return text.lstrip().startswith("<") or bool(_HTML_TAG.search(text[:65536]))


def declared_charset(data: bytes) -> str | None:
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii").lower() if m else None


def extract(html: str, url: str | None = None) -> Page:
    """Extract the main text and metadata of ``html``; an InputError if no article text is found."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
        except (ValueError, TypeError, AttributeError) as err:
            raise InputError(f"cannot parse HTML: {err}") from None
    if result is None or isinstance(result, dict):
        raise InputError("no article text found in the HTML")
    words = (result.text or "").split()
    if len(words) < MIN_WORDS and sum(map(len, words)) < MIN_WORDS * 10:
        raise InputError("no article text found in the HTML")
    lang = _LANG.search(html[:4096].encode("utf-8", "ignore"))
    authors = [a.strip() for a in (result.author or "").split(";") if a.strip()]
    return Page(
        text=result.text or "",
        title=strip_site_name(result.title, result.sitename, result.hostname) or None,
        authors=authors,
        sitename=result.sitename or None,
        date=result.date or None,
        lang=lang.group(1).decode("ascii") if lang else None,
    )
