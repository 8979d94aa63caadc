"""A spelling-insensitive key for names, so that transliterations of one name meet.

Russian and Central Asian names reach English news in several spellings (Byaly, Byalyi, Bialy,
"Бялый"; Uighur, Uyghur). The key transliterates to ASCII (anyascii, not the GPL unidecode),
folds the letters transliteration systems disagree on (y/i/j, kh/h, w/v...), and drops plural
"s", while keeping what tells names apart: Kazakh and Kazakhstan, ISIL and ISIS keep
different keys.
"""

from __future__ import annotations

import re

from anyascii import anyascii

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_FOLDS = (("kh", "h"), ("ph", "f"), ("ck", "k"), ("w", "v"), ("x", "ks"), ("dzh", "j"), ("zh", "j"))
_DROP = {"the", "of", "and"}


def token_key(token: str) -> str:
    """Key of one word: "Byalyi" -> "biali", "Uyghurs" -> "uighur"."""
    plural = len(token) > 4 and token.endswith("s") and not token.isupper()
    word = anyascii(token).lower()
    word = re.sub(r"['’]s$", "", word)
    word = re.sub(r"[^a-z0-9]", "", word)
    if plural and word.endswith("s"):
        word = word[:-1]
    for old, new in _FOLDS:
        word = word.replace(old, new)
    word = re.sub(r"^ye", "e", word)
    word = re.sub(r"[yij]+", "i", word)
    word = re.sub(r"(?<=[aeou])i(?=[aeou])", "", word)
    return re.sub(r"(.)\1+", r"\1", word)


def name_key(name: str) -> str:
    """Key of a whole name: "Yury Byaly" and "Юрий Бялый" both give "iuri biali"."""
    tokens = [t for t in _TOKEN.findall(name) if t.lower() not in _DROP]
    return " ".join(k for t in tokens if (k := token_key(t)))


def is_plural_form(token: str) -> bool:
    """A capitalised word with a plural "s" (Uighurs, Kazakhs): a group of people, not a person."""
    return len(token) > 4 and token[0].isupper() and not token.isupper() and token.endswith("s")
