from __future__ import annotations

from datetime import date

from narrascope.dating import read_date

REF = date(2021, 1, 6)


def test_numeric_is_day_first_by_default() -> None:
    read = read_date("06.01.2021")
    assert read is not None and read.value == date(2021, 1, 6) and read.ambiguous_order


def test_numeric_month_first_when_asked() -> None:
    read = read_date("06.01.2021", order="MDY")
    assert read is not None and read.value == date(2021, 6, 1)


def test_unambiguous_numeric_ignores_order() -> None:
    read = read_date("25/12/2020", order="MDY")
    assert read is not None and read.value == date(2020, 12, 25) and not read.ambiguous_order


def test_iso() -> None:
    read = read_date("2021-01-06")
    assert read is not None and read.value == date(2021, 1, 6)


def test_month_day_without_year_resolves_against_reference() -> None:
    read = read_date("on January 6", ref=REF)
    assert read is not None and read.value == date(2021, 1, 6) and read.relative
    late = read_date("December 30", ref=REF)
    assert late is not None and late.value == date(2020, 12, 30)


def test_without_reference_a_yearless_date_stays_unresolved() -> None:
    assert read_date("January 6") is None


def test_weekday_is_the_last_one_on_or_before_the_reference() -> None:
    read = read_date("on Tuesday", ref=REF)  # 2021-01-06 is a Wednesday
    assert read is not None and read.value == date(2021, 1, 5)


def test_russian_dates() -> None:
    read = read_date("6 января 2022 года")
    assert read is not None and read.value == date(2022, 1, 6)
    assert (y := read_date("вчера", ref=REF)) is not None and y.value == date(2021, 1, 5)


def test_may_the_verb_is_not_a_month() -> None:
    assert read_date("it may have been planned", ref=REF) is None
