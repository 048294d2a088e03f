"""ScrubContext: tag numbering by first sight, identity of surfaces across scripts and spellings."""

from __future__ import annotations

import pytest

from huizhen.deid.text import ScrubContext
from huizhen.deid.text.context import identity_key


@pytest.mark.parametrize("surface", ["张三", "Zhang San", "San Zhang", "ZHANG San", "zhang san"])
def test_a_chinese_name_and_its_pinyin_forms_share_one_identity(surface: str) -> None:
    assert identity_key("NAME", surface) == identity_key("NAME", "张三")


@pytest.mark.parametrize("surface", ["+86 138 1234 5678", "138-1234-5678", "(+86)13812345678"])
def test_phone_spellings_share_one_identity(surface: str) -> None:
    assert identity_key("PHONE", surface) == "13812345678"


def test_tags_are_numbered_per_kind_by_first_sight() -> None:
    context = ScrubContext()
    assert context.tag("NAME", "张三", lang="zh") == "[姓名-1]"
    assert context.tag("PHONE", "13812345678", lang="en") == "[PHONE-1]"
    assert context.tag("NAME", "李四", lang="en") == "[NAME-2]"
    assert context.tag("NAME", "Zhang San", lang="en") == "[NAME-1]"


def test_a_later_lone_surname_of_an_english_name_keeps_its_tag() -> None:
    context = ScrubContext()
    assert context.tag("NAME", "John Smith", lang="en") == context.tag("NAME", "Smith", lang="en")


def test_the_context_holds_the_policy_choices() -> None:
    context = ScrubContext(date_shift_days=-12, keep_organizations=False)
    assert (context.date_shift_days, context.keep_organizations, context.shift_dates) == (-12, False, True)
