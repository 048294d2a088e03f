"""Numbers and handles that identify a person: ID cards, passports, phones, record numbers, e-mail, URLs, WeChat and QQ.

PRC resident identity numbers follow GB 11643-1999: six digits of region, eight of birth date,
three of sequence and a check character computed with ISO 7064 MOD 11-2 (``X`` for 10); the
15-digit numbers issued before 1999 carry a six-digit birth date and no check. A number that
fails the checksum is not taken as an ID card on its own, but is still caught after a cue
(身份证, ID No.) or as a record number. Phones: PRC mobiles (1[3-9] and nine digits, with
+86 and spaces or dashes), landlines with a 0-led area code, US numbers (NANP). Record
numbers (住院号, 病案号, 门诊号, 床号, 医保卡号, MRN …) have no fixed form: the cue in front of
them is what marks them, so the detector reads "cue, separator, token with a digit"; without
a cue, a letter prefix with five or more digits or a run of eight digits is one too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from huizhen.deid.text.lexicon import trie_pattern

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def resident_id_is_valid(number: str) -> bool:
    """Whether ``number`` is a well-formed PRC resident ID (18 with checksum, or 15 digits)."""
    number = number.upper()
    if len(number) == 18 and number[:17].isdigit():
        total = sum(int(digit) * weight for digit, weight in zip(number[:17], _WEIGHTS, strict=True))
        if _CHECK[total % 11] != number[17]:
            return False
        birth = number[6:14]
    elif len(number) == 15 and number.isdigit():
        birth = "19" + number[6:12]
    else:
        return False
    if number[0] == "0" or number[:2] in ("10", "20", "30", "40", "60", "70", "80", "90"):
        return False  # no province code starts with these
    try:
        born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        return False
    return 1890 <= born.year <= 2100


# (kind, pattern, group holding the PHI or 0 for the whole match, priority)
Finding = tuple[int, int, str, int]

_RESIDENT_ID = re.compile(
    r"(\d{6}(?P<sep>[ \-]?)\d{8}(?P=sep)\d{3}[\dXx]|\d{6}(?P<sep15>[ \-]?)\d{6}(?P=sep15)\d{3})"
    r"(?![0-9A-Za-z])"
)
_ID_WORDS = (
    "身份证号码 身份证号 身份证 公民身份号码 证件号码 证件号 护照号码 护照号 护照 通行证号码 通行证号 通行证 "
    "ID Identity National Resident Passport passport SSN Social"
)
_PHONE_WORDS = (
    "电话 手机 联系方式 联系电话 座机 传真 手机号 电话号码 Tel tel TEL Phone phone Mobile mobile Cell cell Fax fax "
    "Telephone telephone"
)
_NO = r"(?:[ \t]*(?:No\.?|no\.?|Number|number|#|ID|Id))?"
_ID_CUE = re.compile(
    trie_pattern(_ID_WORDS.split())
    + r"(?:[ \t]+(?:card|Card|ID|Security|security|resident[ \t]+ID|identity[ \t]+card))?"
    + _NO
    + r"[ \t]*(?:[:：#]|是|为|is)?[ \t]*"
    r"(?P<v>[A-Za-z]{0,2}\d[\dA-Za-z\-]{4,20}(?:[ ][\dXx]{4,8}){0,2})(?![\dA-Za-z])"
)
# PRC ordinary passports: E + 8 digits or E + letter + 7 digits; older G + 8; D/S/P for service.
_PASSPORT = re.compile(r"((?:E[A-HJ-NP-Z0-9]|G|D|S|P)\d{7,8})(?![0-9A-Za-z])")
_CN_PREFIX = r"(?:\+?86[ \-]?|0086[ \-]?|[(（]\+?86[)）][ \-]?)"
_MOBILE = re.compile(rf"({_CN_PREFIX}?1[3-9]\d(?:[ \-]?\d{{4}}){{2}})(?!\d)")
_LANDLINE = re.compile(
    r"("
    rf"(?:{_CN_PREFIX}[ \-]?[1-9]\d{{1,2}}[ \-])"  # +86-23-6093 1409: area code without its 0
    r"|(?:[(（]0\d{2,3}[)）][ \-]?|0\d{2,3}[ \-])"
    r")([2-9]\d{2,3}[ \-]?\d{4})(?:(?:-|转|ext\.?|x)\d{1,5})?(?!\d)"
)
_US_PHONE = re.compile(
    r"((?:\+?1[ \-.]?)?(?:\([2-9]\d{2}\)[ ]?|[2-9]\d{2}[ \-.])[2-9]\d{2}[ \-.]\d{4})(?!\d)"
    r"(?:[ ]*(?:x|ext\.?)[ ]*\d{1,5})?"
)
_PHONE_CUE = re.compile(
    trie_pattern(_PHONE_WORDS.split())
    + r"(?:号码|号)?[ \t]*(?:No\.?|number)?[ \t]*[:：]?[ \t]*(?P<v>\+?[\d(（][\d \-()（）]{5,18}\d)"
)
# Cues that mark a record number on their own, and words that do so only with No./ID/#/Number
# after them ("Patient ID: 123", never "Patient: BCL2").
_RECORD_WORDS = (
    "住院号 病案号 病历号 门诊号 急诊号 床号 医保卡号 医保号 社保卡号 社保号 医疗保险号 就诊卡号 就诊号 登记号 病理号 "
    "检查号 影像号 放射号 标本号 流水号 会诊号 ID号 患者ID 病人ID 档案号 卡号 "
    "MRN Mrn mrn Accession accession Case case Bed bed Account account"
)
_RECORD_NOUNS = (
    "Medical Record|Record|Hospital|Admission|Inpatient|Outpatient|Insurance|Member|Policy|Pathology|Specimen|"
    "Patient|Encounter|Health Plan|Chart|Medical record|medical record|record|admission|insurance|member|policy"
)
_RECORD_SUFFIX = r"(?:[ \t]*(?:No\.?|no\.?|Number|number|#|ID|Id|id))"
_RECORD_CUE = re.compile(
    f"(?:{trie_pattern(_RECORD_WORDS.split())}{_RECORD_SUFFIX}?|{trie_pattern(_RECORD_NOUNS.split('|'))}{_RECORD_SUFFIX})"
    r"[ \t]*(?:[:：#]|是|为|is)?[ \t]*"
    r"(?P<v>\d{4}(?:[ ]\d{4}){2,4}|[A-Za-z]{0,4}[\-]?\d[\dA-Za-z\-/]{0,24})(?![\dA-Za-z])"
)
# Without a cue: a short letter prefix and five or more digits (ZY26815163, MRN-like), or eight
# digits and more. Clinical prose has no such numbers besides identifiers and dates, and
# dates and phones outrank this.
_BARE_NUMBER = re.compile(r"([A-Z]{1,4}-?\d{5,}[A-Z]?|\d{8,}|[A-Z]{1,3}\d{2}-\d{4,})(?![\w\-/]|\.\d)")
_BED = re.compile(r"(\d{1,3}[ ]?床)(?!位)")
_EMAIL = re.compile(r"([A-Za-z0-9][\w.+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})")
_URL = re.compile(
    r"((?:https?://|ftp://|www\.)[^\s\u3000-\u303f\uff00-\uffef<>\"'，。；）]+"
    r"|(?<![\w@.\-])(?:[A-Za-z0-9\-]+\.)+(?:com|cn|net|org|edu|gov|io|info|me|cc|hk|tw|us)(?:/[^\s，。；）]*)?(?![\w@]))"
)
_WECHAT = re.compile(
    r"(?:微信(?:号)?|WeChat(?:\s*ID)?|wx|WX)\s*(?:[:：]|是|为|is)?\s*(?P<v>[A-Za-z][\w\-]{5,19}|1[3-9]\d{9})(?![\w])"
)
_QQ = re.compile(r"(?:QQ|qq|Q\s*Q)\s*(?:号码|号)?\s*(?:[:：]|是|为|is)?\s*(?P<v>[1-9]\d{4,11})(?!\d)")


def _after(text: str, start: int, forbidden: str) -> bool:
    """Whether ``text[start]`` begins a token: the character before it is not in ``forbidden``.

    Checked in Python instead of a leading look-behind, which would disable re's fast scan.
    """
    return start == 0 or text[start - 1] not in forbidden


_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _guarded(pattern: re.Pattern[str], text: str, forbidden: str) -> Iterator[re.Match[str]]:
    for match in pattern.finditer(text):
        if _after(text, match.start(), forbidden):
            yield match


def find_identifiers(text: str) -> Iterator[Finding]:
    """(start, end, kind, priority) of every identifier; overlaps are resolved by the caller."""
    for match in _guarded(_RESIDENT_ID, text, _ALNUM):
        if resident_id_is_valid(re.sub(r"[ \-]", "", match.group(1))):
            yield match.start(1), match.end(1), "ID_NUMBER", 90
    for match in _ID_CUE.finditer(text):
        yield match.start("v"), match.end("v"), "ID_NUMBER", 80
    for match in _guarded(_PASSPORT, text, _ALNUM):
        yield match.start(1), match.end(1), "ID_NUMBER", 60
    for pattern in (_MOBILE, _US_PHONE):
        for match in _guarded(pattern, text, "0123456789+"):
            yield match.start(1), match.end(1), "PHONE", 70
    for match in _guarded(_LANDLINE, text, "0123456789+"):
        yield match.start(1), match.end(2), "PHONE", 70
    for match in _PHONE_CUE.finditer(text):
        yield match.start("v"), match.end("v"), "PHONE", 65
    for match in _RECORD_CUE.finditer(text):
        yield match.start("v"), match.end("v"), "RECORD_NUMBER", 75
    for match in _guarded(_BARE_NUMBER, text, _ALNUM + "_.-/"):
        yield match.start(1), match.end(1), "RECORD_NUMBER", 30
    for match in _guarded(_BED, text, _ALNUM):
        yield match.start(1), match.end(1), "RECORD_NUMBER", 40
    if "@" in text:  # a cheap test saves a scan of every letter
        for match in _guarded(_EMAIL, text, _ALNUM + "_.+-"):
            yield match.start(1), match.end(1), "EMAIL", 95
    if "." in text:
        for match in _URL.finditer(text):
            yield match.start(1), match.end(1), "URL", 85
    for match in _WECHAT.finditer(text):
        yield match.start("v"), match.end("v"), "SOCIAL_ID", 88
    for match in _QQ.finditer(text):
        yield match.start("v"), match.end("v"), "SOCIAL_ID", 88
