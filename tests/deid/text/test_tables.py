"""Plain-text tables: values under person and record columns."""

from __future__ import annotations

from huizhen.deid.text.tables import find_table_cells
from tests.deid.text.spans import found


def _cells(text: str) -> list[tuple[str, str]]:
    return [(kind, text[start:end]) for start, end, kind, _priority in find_table_cells(text)]


def test_values_under_name_and_mrn_columns_are_found() -> None:
    text = "Name | MRN | DOB\nluan shengjun | 4278-8832 | 04/05/1952\nGAO YANRAN | 4703-6697 | 1950-02-11\n"
    assert _cells(text) == [
        ("NAME", "luan shengjun"),
        ("RECORD_NUMBER", "4278-8832"),
        ("NAME", "GAO YANRAN"),
        ("RECORD_NUMBER", "4703-6697"),
    ]


def test_chinese_headers_and_markdown_rules_are_read() -> None:
    text = "| 姓名 | 住院号 | 性别 |\n|---|---|---|\n| 许文博 | 2023001234 | 男 |\n"
    assert _cells(text) == [("NAME", "许文博"), ("RECORD_NUMBER", "2023001234")]


def test_tab_separated_tables_are_read() -> None:
    assert _cells("Patient\tMRN\nDelacroix, Rashid\t84297068\n") == [
        ("NAME", "Delacroix, Rashid"),
        ("RECORD_NUMBER", "84297068"),
    ]


def test_a_key_value_row_is_not_a_header() -> None:
    assert _cells("| 姓名 | 许文博 | 性别 | 男 |\n| 年龄 | 45岁 | 科室 | 血液科 |\n") == []


def test_a_row_of_another_width_ends_the_table() -> None:
    assert _cells("Name | MRN\nA. Smith | 12345678\nWBC | 3.2 | 10^9/L\n") == [
        ("NAME", "A. Smith"),
        ("RECORD_NUMBER", "12345678"),
    ]


def test_a_table_value_is_scrubbed_as_a_name() -> None:
    assert ("NAME", "chen ke") in found("Name | MRN | DOB\nchen ke | 1535-3439 | Jan 5, 1991\n")


def test_an_age_over_89_under_an_age_column_is_an_age() -> None:
    text = "姓名\t性别\t年龄\t住院号\n边灿\t男\t96\t2024401920\n程萱\t女\t45\tH575769\n"
    assert ("AGE", "96") in _cells(text)
    assert ("AGE", "45") not in _cells(text)


def test_full_width_bars_separate_cells() -> None:
    assert _cells("｜角色｜姓名｜\n｜主刀｜程莲绍｜\n") == [("NAME", "程莲绍")]
