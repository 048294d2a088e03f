"""One case's scrubbing state: the same PHI always becomes the same tag, dates move together.

A :class:`ScrubContext` numbers the tags of a case (``[姓名-1]``, ``[NAME-1]``, ``[电话-2]`` …)
by first appearance and remembers them, so a person named in the referral letter and again in
the pathology report carries one tag across both, whether written in characters (张三) or
pinyin (Zhang San / San Zhang). Dates are shifted by the case's ``date_shift_days`` (the
patient's pseudonymous shift, the same one the DICOM vault applies), so intervals between
events survive. ``keep_organizations`` is the policy's choice for hospital and department
names: kept as written, or generalized to ``[医院]`` / ``[HOSPITAL]``. Where dates may not
be kept even shifted (a DICOM profile without the modified-dates option), ``shift_dates=False``
tags them (``[日期-1]`` / ``[DATE-1]``) instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Tag labels by kind: (Chinese, English). DATE and AGE are rewritten, not tagged.
TAG_LABELS: dict[str, tuple[str, str]] = {
    "NAME": ("姓名", "NAME"),
    "ID_NUMBER": ("证件号", "ID"),
    "PHONE": ("电话", "PHONE"),
    "RECORD_NUMBER": ("病案号", "MRN"),
    "EMAIL": ("邮箱", "EMAIL"),
    "URL": ("网址", "URL"),
    "SOCIAL_ID": ("社交账号", "SOCIAL-ID"),
    "ADDRESS": ("地址", "ADDRESS"),
    "DATE": ("日期", "DATE"),
    "AGE": ("年龄", "AGE"),
}
# Generalized organizations carry no number: the policy asks for the category only.
HOSPITAL = ("[医院]", "[HOSPITAL]")
# Departments are left as written (every hospital has a 血液科); the pair stays for readers of
# tags, such as the translation engine, which carry tags across languages.
DEPARTMENT = ("[科室]", "[DEPARTMENT]")
AGE_OVER_89 = ("90岁以上", "90 or older")

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


class ScrubContext:
    """Tags and date shift shared by every text of one case (one patient)."""

    def __init__(self, *, date_shift_days: int = 0, keep_organizations: bool = True, shift_dates: bool = True) -> None:
        self.date_shift_days = date_shift_days
        self.keep_organizations = keep_organizations
        self.shift_dates = shift_dates
        self._tags: dict[tuple[str, str], int] = {}
        self._counts: dict[str, int] = {}

    def tag(self, kind: str, surface: str, *, lang: str) -> str:
        """The tag of ``surface`` of ``kind``, numbered on first sight, in ``lang`` ("zh"/"en")."""
        key = (kind, identity_key(kind, surface))
        number = self._tags.get(key)
        if number is None:
            number = self._counts.get(kind, 0) + 1
            self._counts[kind] = number
            self._tags[key] = number
            if kind == "NAME":
                # "Smith" later in the letter is the "John Smith" named first.
                words = _NOT_ALNUM.sub(" ", surface.casefold()).split()
                if len(words) >= 2 and surface.isascii():
                    self._tags.setdefault((kind, words[-1]), number)
        zh, en = TAG_LABELS[kind]
        return f"[{zh if lang == 'zh' else en}-{number}]"

    def tags(self) -> dict[tuple[str, str], int]:
        """A copy of the numbering so far: (kind, identity key) → number."""
        return dict(self._tags)


def identity_key(kind: str, surface: str) -> str:
    """What makes two surfaces the same PHI: digits for numbers, pinyin for names."""
    if kind in ("PHONE", "ID_NUMBER", "RECORD_NUMBER"):
        digits = re.sub(r"\D", "", surface)
        if kind == "PHONE" and len(digits) > 11 and digits.startswith("86"):
            digits = digits[2:]  # +86 138… and 138… are one number
        return digits or surface.casefold()
    if kind == "NAME":
        return _name_key(surface)
    return _NOT_ALNUM.sub("", surface.casefold()) or surface


@lru_cache(maxsize=4096)
def _name_key(surface: str) -> str:
    """Order-free romanised form: 张三, Zhang San, San Zhang and ZHANG San share one key."""
    if _HAN_RUN.search(surface):
        han = "".join(_HAN_RUN.findall(surface))
        syllables = lazy_pinyin(han, style=Style.NORMAL)
        # The surname is the first syllable (compound surnames are rare enough here).
        parts = [syllables[0], "".join(syllables[1:])] if len(syllables) >= 2 else syllables
    else:
        parts = [_NOT_ALNUM.sub("", word) for word in surface.casefold().replace("-", "").split()]
        parts = [p for p in parts if p]
    return "|".join(sorted(parts))
