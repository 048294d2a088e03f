"""Ages over 89, which HIPAA Safe Harbor (45 CFR 164.514(b)(2)(i)(C)) folds into "90 or older".

Younger ages stay as written: they carry clinical meaning and identify no one. Forms: 92岁,
92周岁, 年龄：92, 92 years old, 92-year-old, 92 yo, aged 92, Age: 92.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Finding = tuple[int, int, str, int]

_OLD = r"(?:9\d|1[0-4]\d)"
_AGE = re.compile(
    rf"(?<![\d.])(?P<a>{_OLD}\s*(?:周岁|岁半|岁))"
    rf"|(?:年龄|年纪)\s*[:：]?\s*(?P<b>{_OLD}(?:\s*(?:周岁|岁))?)(?![\d.])"
    rf"|(?<![\d.])(?P<c>{_OLD}(?:\s*|-)(?:years?|yrs?|y)(?:[\s\-]old)?|{_OLD}\s*(?:y/o|yo|y\.o\.))(?![A-Za-z])"
    rf"|(?<![A-Za-z])(?:[Aa]ged?|AGE)(?:/(?:[Ss]ex|[Gg]ender|SEX))?[ \t]*[:：]?[ \t]*(?P<d>{_OLD})(?![\d.])"
)


def find_ages(text: str) -> Iterator[Finding]:
    """(start, end, "AGE", priority) of every age over 89."""
    for match in _AGE.finditer(text):
        group = match.lastgroup or "a"
        yield match.start(group), match.end(group), "AGE", 60
