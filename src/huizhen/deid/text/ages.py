"""Ages over 89, which HIPAA Safe Harbor (45 CFR 164.514(b)(2)(i)(C)) folds into "90 or older".

Younger ages stay as written: they carry clinical meaning and identify no one. Forms: 92岁,
92周岁, 年龄：92, 92 years old, 92-year-old, 92 yo, aged 92, Age: 92.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Finding = tuple[int, int, str, int]

_OLD = r"(?:9\d|1[0-4]\d)"
# Two patterns, so that each starts with literal characters and re scans fast: the number
# first (92岁, 92-year-old), or a cue first (年龄：92, Age/Sex: 92/F, aged 92).
_NUMBER_FIRST = re.compile(
    rf"(?P<a>{_OLD}\s*(?:周岁|岁半|岁))"
    rf"|(?P<c>{_OLD}(?:\s*|-)(?:years?|yrs?|y)(?:[\s\-]old)?|{_OLD}\s*(?:y/o|yo|y\.o\.))(?![A-Za-z])"
)
_CUE_FIRST = re.compile(
    rf"(?:年龄|年纪)\s*[:：]?\s*(?P<b>{_OLD}(?:\s*(?:周岁|岁))?)(?![\d.])"
    rf"|(?:Aged|aged|Age|age|AGE)(?:/(?:[Ss]ex|[Gg]ender|SEX))?[ \t]*[:：]?[ \t]*(?P<d>{_OLD})(?![\d.])"
)


def find_ages(text: str) -> Iterator[Finding]:
    """(start, end, "AGE", priority) of every age over 89."""
    for match in _NUMBER_FIRST.finditer(text):
        if match.start() and (text[match.start() - 1].isdigit() or text[match.start() - 1] == "."):
            continue  # part of a longer number: 192岁 is not an age, 1.95 is not
        group = match.lastgroup or "a"
        yield match.start(group), match.end(group), "AGE", 60
    for match in _CUE_FIRST.finditer(text):
        if match.start() and text[match.start() - 1].isascii() and text[match.start() - 1].isalpha():
            continue  # "page 92"
        group = match.lastgroup or "b"
        yield match.start(group), match.end(group), "AGE", 60
