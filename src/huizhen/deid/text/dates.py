"""Dates in Chinese and English clinical text: found, validated and shifted in their own format.

Forms recognised (each with and without zero padding, with a time after it left alone):
``2023年3月5日`` / ``2023年03月05号`` / ``23年3月`` / ``3月5日`` / ``二〇二二年十月十八日`` (Chinese), ``2023-03-05``,
``2023/3/5``, ``2023.03.05``, ``20230305`` (year first), ``03/05/2023`` and ``3-5-23`` (US
month first; day first when the first number exceeds 12), ``05.03.2023`` (day first, as in
European records), ``5 Mar 2023``, ``5th of March, 2023``, ``05-MAR-2023``, ``March 5, 2023``,
``Mar. 5``, ``March 2023`` (English). A candidate that is not a real calendar date
(2023-02-30) is not a date. Shifting keeps the form: the same separators, padding, month
spelling and case, two-digit years; a date written without a year shifts its month and day
(computed in a non-leap year, or a leap one for 29 February); a month without a day shifts
from the middle of the month, so that a ``2023年3月`` and a ``2023年3月20日`` stay in order.
Years alone and relative expressions (3天后, two weeks later) are not dates here: they do
not identify anyone (HIPAA Safe Harbor keeps years).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

_MONTHS_FULL = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS_FULL_LOWER = frozenset(full.lower() for full in _MONTHS_FULL)
_MONTH_NUMBER: dict[str, int] = {}
for _number, _name in enumerate(_MONTHS_FULL, start=1):
    _MONTH_NUMBER[_name.lower()] = _number
    _MONTH_NUMBER[_name[:3].lower()] = _number
_MONTH_NUMBER["sept"] = 9


def _month_alternation() -> str:
    # Capitalised or upper case only: "may" and "march" in lower case are ordinary words.
    names = {*(_MONTH_NUMBER)}
    forms = sorted({form for name in names for form in (name.title(), name.upper())}, key=len, reverse=True)
    return "(?:" + "|".join(forms) + ")"


_MON = _month_alternation()
_SUF = r"(?:st|nd|rd|th)"
# Each form: (pattern with placeholders {y} {m} {d} {mon} {suf} {s}, day-first for numeric M/D ambiguity)
# Each form: (pattern with placeholders {y} {m} {d} {mon} {suf}, how M/D are ordered, what may
# not stand right before it). The guard is checked in Python rather than as a leading
# look-behind, which would disable re's fast scan for the form's first character.
_FORMS: tuple[tuple[str, str, str], ...] = (
    # Chinese numerals: 二〇二二年十月十八日, 二〇二二年十月
    (
        r"(?P<yc>[〇零一二三四五六七八九]{4})年(?P<mc>十[一二]?|[一二三四五六七八九])月"
        r"(?:(?P<dc>三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])[日号])?",
        "ymd",
        "",
    ),
    # Chinese, year first
    (r"{y4or2}\s*年\s*{m}\s*月(?:\s*{d}\s*[日号])?", "ymd", r"\d"),
    # Chinese, no year
    (r"{m}\s*月\s*{d}\s*[日号]", "ymd", r"[\d年]|年\s"),
    # year first, separated (ISO and its cousins); a time may follow and is kept
    (r"{y4}(?P<s>[-/.]){m}(?P=s){d}(?![\d])(?!\.\d)", "ymd", r"[\d.\-/]"),
    (r"{y4}(?P<s>[-/]){m}(?![\d\-/.])", "ymd", r"[\d.\-/]"),
    # year first, compact: only 19xx/20xx and a valid date
    (r"(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?![\d])", "ymd", r"[\d.]"),
    # numeric, month first (US), or day first with dots (European)
    (r"{a}(?P<s>[/-]){b}(?P=s)(?P<y>\d{{4}}|\d\d)(?![\d/\-])", "mdy", r"[\d.\-/]"),
    (r"{a}\.{b}\.(?P<y>\d{{4}})(?![\d])", "dmy", r"[\d.]"),
    # English, day first
    (r"{d}{suf}?(?P<s>[\s-])(?:of\s+)?{mon}\.?(?:,?\s+|-){y4or2}(?!\d)", "dmy", r"\w"),
    (r"{d}{suf}?\s+(?:of\s+)?{mon}\b\.?(?!\s*,?\s*\d)", "dmy", r"\w"),
    # English, month first
    (r"{mon}\.?\s+{d}{suf}?(?:,\s*|\s+){y4}(?!\d)", "mdy", r"\w"),
    (r"{mon}\.?\s+{d}{suf}?\b(?!\s*[,:]?\s*\d)", "mdy", r"\w"),
    (r"{mon}\.?,?\s+{y4}(?!\d)", "mdy", r"\w"),
)


def _expand(pattern: str, index: int) -> str:
    pattern = (
        pattern.replace("{y4or2}", r"(?P<y>\d{4}|\d\d)")
        .replace("{y4}", r"(?P<y>(?:1[89]|20)\d\d)")
        .replace("{mon}", f"(?P<mon>{_MON})")
        .replace("{suf}", f"(?P<suf>{_SUF})")
        .replace("{m}", r"(?P<m>\d{1,2})")
        .replace("{d}", r"(?P<d>\d{1,2})")
        .replace("{a}", r"(?P<a>\d{1,2})")
        .replace("{b}", r"(?P<b>\d{1,2})")
        .replace("{{4}}", "{4}")
    )
    # Group names must be unique across the alternation: suffix them with the form's index.
    pattern = re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{m.group(1)}_{index}>", pattern)
    return re.sub(r"\(\?P=(\w+)\)", lambda m: f"(?P={m.group(1)}_{index})", pattern)


# One pattern per form: an alternation of all of them would lose re's fast scan for a first
# character and run several times slower.
DATE_PATTERNS = tuple(re.compile(f"(?P<f{i}>{_expand(p, i)})") for i, (p, _order, _guard) in enumerate(_FORMS))
_GUARDS = tuple(re.compile(f"(?:{guard})\\Z") if guard else None for _p, _order, guard in _FORMS)
_ORDERS = [order for _p, order, _guard in _FORMS]


class _Parts:
    """The components of one matched date and where each sits in the match."""

    __slots__ = ("day", "month", "spans", "year", "year_digits")

    def __init__(self) -> None:
        self.year: int | None = None
        self.year_digits = 4
        self.month = 0
        self.day: int | None = None
        self.spans: dict[str, tuple[int, int]] = {}


def _parse(match: re.Match[str]) -> _Parts | None:
    form = match.lastgroup
    if form is None:
        return None
    i = int(form[1:])
    groups = {name.rsplit("_", 1)[0]: name for name in match.groupdict() if name.endswith(f"_{i}")}
    parts = _Parts()
    base = match.start()

    def span(key: str) -> tuple[int, int]:
        start, end = match.span(groups[key])
        return start - base, end - base

    def value(key: str) -> str | None:
        return match.group(groups[key]) if key in groups else None

    if value("yc") is not None:
        parts.year = int("".join(str(_HAN_DIGITS.index(c) % 10) for c in value("yc")))  # type: ignore[union-attr]
        parts.spans["yc"] = span("yc")
        parts.month = _han_number(value("mc"))  # type: ignore[arg-type]
        parts.spans["mc"] = span("mc")
        if value("dc") is not None:
            parts.day = _han_number(value("dc"))  # type: ignore[arg-type]
            parts.spans["dc"] = span("dc")
    year = value("y")
    if year is not None:
        parts.year_digits = len(year)
        parts.year = int(year) if len(year) == 4 else 2000 + int(year) if int(year) < 50 else 1900 + int(year)
        parts.spans["y"] = span("y")
    if value("mon") is not None:
        parts.month = _MONTH_NUMBER[value("mon").lower()]  # type: ignore[union-attr]
        parts.spans["mon"] = span("mon")
    if value("m") is not None:
        parts.month = int(value("m"))  # type: ignore[arg-type]
        parts.spans["m"] = span("m")
    if value("d") is not None:
        parts.day = int(value("d"))  # type: ignore[arg-type]
        parts.spans["d"] = span("d")
    if value("a") is not None:
        a, b = int(value("a")), int(value("b"))  # type: ignore[arg-type]
        day_first = _ORDERS[i] == "dmy" or a > 12
        if day_first:
            parts.day, parts.month = a, b
            parts.spans["d"], parts.spans["m"] = span("a"), span("b")
        else:
            parts.month, parts.day = a, b
            parts.spans["m"], parts.spans["d"] = span("a"), span("b")
    if value("suf") is not None:
        parts.spans["suf"] = span("suf")
    if not 1 <= parts.month <= 12:
        return None
    try:
        date(parts.year or _reference_year(parts), parts.month, parts.day or 1)
    except ValueError:
        return None
    return parts


def _reference_year(parts: _Parts) -> int:
    return 2000 if (parts.month, parts.day) == (2, 29) else 2001


def find_dates(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every real date in ``text`` (overlapping forms: the scrubber keeps the longest)."""
    for pattern, guard in zip(DATE_PATTERNS, _GUARDS, strict=True):
        for match in pattern.finditer(text):
            start = match.start()
            if guard is not None and start and guard.search(text, max(0, start - 2), start):
                continue
            if _parse(match) is not None:
                yield start, match.end()


def shift_date(surface: str, days: int) -> str:
    """``surface`` (one date as found by :func:`find_dates`) moved by ``days``, same form.

    Returns ``surface`` unchanged when it is not a date this module understands.
    """
    parts = None
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(surface)
        parts = _parse(match) if match else None
        if parts is not None:
            break
    if parts is None or days == 0:
        return surface
    year = parts.year or _reference_year(parts)
    moved = date(year, parts.month, parts.day or 15) + timedelta(days=days)
    numbers = [surface[s:e] for key, (s, e) in parts.spans.items() if key in ("m", "d")]
    # Zero padding as written; when the original cannot tell (12/20/2023), numeric forms pad
    # and Chinese or month-name forms do not (2023年12月20日 → 2024年1月4日).
    worded = "年" in surface or "mon" in parts.spans
    ambiguous = bool(numbers) and all(len(n) == 2 for n in numbers)
    pad = any(n.startswith("0") for n in numbers) or (ambiguous and not worded)
    pieces: dict[str, str] = {}
    if "y" in parts.spans:
        pieces["y"] = f"{moved.year:04d}" if parts.year_digits == 4 else f"{moved.year % 100:02d}"
    if "m" in parts.spans:
        pieces["m"] = f"{moved.month:02d}" if pad else str(moved.month)
    if "d" in parts.spans:
        pieces["d"] = f"{moved.day:02d}" if pad else str(moved.day)
    if "yc" in parts.spans:
        s, e = parts.spans["yc"]
        zero = "零" if "零" in surface[s:e] else "〇"
        pieces["yc"] = "".join(zero if d == "0" else _HAN_DIGITS[int(d)] for d in f"{moved.year:04d}")
        pieces["mc"] = _han_numeral(moved.month)
        if "dc" in parts.spans:
            pieces["dc"] = _han_numeral(moved.day)
    if "mon" in parts.spans:
        s, e = parts.spans["mon"]
        pieces["mon"] = _month_like(surface[s:e], moved.month)
    if "suf" in parts.spans:
        pieces["suf"] = _ordinal_suffix(moved.day)
    out = surface
    for key, (s, e) in sorted(parts.spans.items(), key=lambda item: item[1][0], reverse=True):
        out = out[:s] + pieces[key] + out[e:]
    return out


_HAN_DIGITS = "〇一二三四五六七八九零"


def _han_number(text: str) -> int:
    """一 … 三十一 as an int."""
    if "十" not in text:
        return _HAN_DIGITS.index(text) % 10
    tens, _, units = text.partition("十")
    return (_HAN_DIGITS.index(tens) if tens else 1) * 10 + (_HAN_DIGITS.index(units) if units else 0)


def _han_numeral(number: int) -> str:
    """1 … 31 in Chinese numerals as dates write them (十, 十八, 二十, 三十一)."""
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _HAN_DIGITS[tens] + "十"
    return head + (_HAN_DIGITS[units] if units else "")


def _month_like(original: str, month: int) -> str:
    name = _MONTHS_FULL[month - 1]
    if original.lower() not in _MONTHS_FULL_LOWER:
        name = "Sept" if original.lower() == "sept" and month == 9 else name[:3]
    return name.upper() if original.isupper() and len(original) > 1 else name


def _ordinal_suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
