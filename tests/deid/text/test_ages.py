"""Ages over 89 are folded into "90 or older" (HIPAA Safe Harbor); younger ages stay."""

from __future__ import annotations

import pytest

from huizhen.deid.text import scrub
from tests.deid.text.spans import found


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("患者，男，92岁。", "患者，男，90岁以上。"),
        ("年龄：95岁", "年龄：90岁以上"),
        ("A 92-year-old man", "A 90 or older man"),
        ("She is 101 years old.", "She is 90 or older."),
        ("Age/Sex: 93/female", "Age/Sex: 90 or older/female"),
        ("aged 90 at diagnosis", "aged 90 or older at diagnosis"),
    ],
)
def test_ages_over_89_become_90_or_older_in_the_texts_language(text: str, scrubbed: str) -> None:
    assert scrub(text).text == scrubbed


@pytest.mark.parametrize(
    "text", ["患者，男，89岁。", "A 45-year-old woman", "Age: 62", "page 92", "192岁", "体重92 kg"]
)
def test_ages_up_to_89_and_other_numbers_stay(text: str) -> None:
    assert found(text) == []
