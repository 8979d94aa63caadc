from __future__ import annotations

import pytest

from narrascope.annotators.names import name_key


@pytest.mark.parametrize(
    "variants",
    [
        ["Byaly", "Byalyi", "Bialy", "Бялый"],
        ["Yury Byaly", "Юрий Бялый", "Yuri Bialy"],
        ["Uighur", "Uyghur", "Uighurs", "Uyghurs"],
        ["Tokayev", "Tokaev", "Токаев"],
    ],
)
def test_spellings_of_one_name_share_a_key(variants: list[str]) -> None:
    assert len({name_key(v) for v in variants}) == 1


@pytest.mark.parametrize(
    ("a", "b"), [("Kazakh", "Kazakhstan"), ("ISIL", "ISIS"), ("Iran", "Iraq"), ("Austria", "Australia")]
)
def test_different_names_keep_different_keys(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)
