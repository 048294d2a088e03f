"""Which language a text, or the stretch of text around a span, is written in.

Counts Han characters against Latin words: a Chinese character carries about as much as an
English word, so the share of Han characters among (Han characters + Latin words) decides.
Used for :attr:`ScrubResult.language` and to write a tag in the language of its sentence
(``[姓名-1]`` inside Chinese, ``[NAME-1]`` inside English).
"""

from __future__ import annotations

import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN = re.compile(f"[{HAN}]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# How far either side of a span to look when choosing the language of its tag.
WINDOW = 24


def han_share(text: str) -> float:
    """Share of Han characters among Han characters and Latin words; 0.0 for neither."""
    han = len(_HAN.findall(text))
    words = len(_LATIN_WORD.findall(text))
    return han / (han + words) if han + words else 0.0


def language_of(text: str) -> str:
    """ "zh", "en" or "mixed" for a whole text."""
    han = len(_HAN.findall(text))
    words = len(_LATIN_WORD.findall(text))
    if not han:
        return "en"
    if not words:
        return "zh"
    share = han / (han + words)
    if share >= 0.85:
        return "zh"
    if share <= 0.15:
        return "en"
    return "mixed"


def language_around(text: str, start: int, end: int) -> str:
    """ "zh" or "en": the language of the text just around ``text[start:end]``."""
    # The sentence's own line only: a heading in the other language above says nothing.
    before = text[max(0, start - WINDOW) : start].rsplit("\n", 1)[-1]
    after = text[end : end + WINDOW].split("\n", 1)[0]
    window = before + " " + after
    han = len(_HAN.findall(window))
    words = len(_LATIN_WORD.findall(window))
    return "zh" if han >= words and han else "en"
