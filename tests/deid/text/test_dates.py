"""Dates: every common Chinese and English form found, validated, and shifted in its own format."""

from __future__ import annotations

import pytest

from huizhen.deid.text import ScrubContext, scrub
from huizhen.deid.text.dates import find_dates, shift_date
from tests.deid.text.spans import found


@pytest.mark.parametrize(
    ("surface", "shifted"),
    [
        ("2023年3月5日", "2023年3月22日"),
        ("2023年03月05日", "2023年03月22日"),
        ("2023年3月5号", "2023年3月22号"),
        ("23年3月", "23年4月"),  # a month without a day moves from its middle
        ("3月5日", "3月22日"),  # no year: month and day move
        ("二〇二二年十月十八日", "二〇二二年十一月四日"),
        ("2023-03-05", "2023-03-22"),
        ("2023/3/5", "2023/3/22"),
        ("2023.03.05", "2023.03.22"),
        ("20230305", "20230322"),
        ("03/05/2023", "03/22/2023"),
        ("3/5/23", "3/22/23"),
        ("31.12.2023", "17.01.2024"),  # day first with dots
        ("5 Mar 2023", "22 Mar 2023"),
        ("05-MAR-2023", "22-MAR-2023"),
        ("5th of March, 2023", "22nd of March, 2023"),
        ("March 5, 2023", "March 22, 2023"),
        ("Mar. 5", "Mar. 22"),
        ("March 2023", "April 2023"),
        ("2023-12", "2024-01"),
    ],
)
def test_each_date_form_is_found_and_shifted_in_its_own_format(surface: str, shifted: str) -> None:
    assert [surface[s:e] for s, e in find_dates(surface)][:1] == [surface]
    assert shift_date(surface, 17) == shifted


def test_a_shift_crosses_month_and_year_ends() -> None:
    assert shift_date("2023年12月20日", 15) == "2024年1月4日"
    assert shift_date("December 20, 2023", 15) == "January 4, 2024"


def test_a_negative_shift_moves_dates_back() -> None:
    assert shift_date("2023-03-05", -10) == "2023-02-23"


def test_29_february_without_a_year_is_a_date() -> None:
    assert shift_date("2月29日", 1) == "3月1日"


@pytest.mark.parametrize("text", ["2023-02-30", "2023年13月5日", "13/45/2023", "2023.02.29"])
def test_impossible_dates_are_not_dates(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text", ["化疗3天后复查", "two weeks later", "病史3年", "于2020年确诊", "服用 may 5 mg", "术后3月余"]
)
def test_relative_expressions_and_years_alone_are_not_dates(text: str) -> None:
    assert found(text) == []


def test_a_time_after_a_date_is_kept() -> None:
    result = scrub("2023-03-05 14:30 采血", context=ScrubContext(date_shift_days=1))
    assert result.text == "2023-03-06 14:30 采血"


def test_the_same_context_shifts_every_date_by_the_same_number_of_days() -> None:
    context = ScrubContext(date_shift_days=-40)
    first = scrub("2023年3月5日入院", context=context)
    second = scrub("Discharged on March 20, 2023.", context=context)
    assert first.text == "2023年1月24日入院"
    assert second.text == "Discharged on February 8, 2023."


def test_without_a_shift_dates_are_reported_but_unchanged() -> None:
    result = scrub("2023-03-05")
    assert result.text == "2023-03-05"
    assert [span.kind for span in result.spans] == ["DATE"]


def test_dates_are_tagged_when_the_context_may_not_keep_them() -> None:
    result = scrub("入院日期：2023-03-05", context=ScrubContext(date_shift_days=9, shift_dates=False))
    assert result.text == "入院日期：[日期-1]"
