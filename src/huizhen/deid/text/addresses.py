"""Street addresses: Chinese (province, city, district, road, number, building, room) and US.

A Chinese address is read as a run of administrative and street parts, anchored either by a
known province or prefecture-level city (``data/places.txt``) or by a cue (住址, 地址, 家住,
现住, 户籍地 …); a province on its own is not PHI (HIPAA keeps states), so a run must hold a
city or a finer part. A US address is a house number, street name and suffix (St, Ave, Rd …),
optionally unit, city, state and ZIP (``123 Main St, Springfield, IL 62704``); a "City, ST
ZIP" line on its own is one too. English renderings of Chinese addresses ("No. 88 Jianguo
Road, Chaoyang District, Beijing") are taken through their road and district words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

from huizhen.deid.text.language import HAN
from huizhen.deid.text.lexicon import trie_pattern

Finding = tuple[int, int, str, int]

_H = f"[{HAN}]"


@cache
def places() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(provinces, cities) from the shipped list."""
    text = resources.files("huizhen.deid.text").joinpath("data", "places.txt").read_text(encoding="utf-8")
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        sections.setdefault(current, []).extend(line.split())
    return tuple(sections.get("provinces", [])), tuple(sections.get("cities", []))


def _alt(words: tuple[str, ...]) -> str:
    return trie_pattern(words)


# Finer parts of a Chinese address, in order; each optional, at least one must follow a city.
_NUM = r"[0-9０-９一二三四五六七八九十百零〇]+"
_PARTS = (
    rf"(?:{_H}{{1,6}}?(?:自治州|地区|盟|州))?"
    rf"(?:{_H}{{1,5}}?(?:新区|区|县|旗|市))?"
    rf"(?:{_H}{{1,6}}?(?:街道|镇|乡))?"
    rf"(?:{_H}{{1,6}}?(?:村|社区|居委会)(?:{_NUM}组)?)?"
    rf"(?:[{HAN}0-9]{{1,8}}?(?:大道|大街|路|街|巷|弄|胡同|道)(?:{_NUM}段)?)?"
    rf"(?:{_NUM}(?:号院|号楼|号|弄|巷|栋|幢|座)){{0,3}}"
    rf"(?:{_H}{{1,8}}?(?:小区|花园|公寓|大厦|新村|家园|华庭|山庄|公馆|苑|园|庭|府|湾|居|阁|城|坊|邸|广场|宿舍))?"
    rf"(?:[0-9A-Za-z一二三四五六七八九十]{{1,4}}(?:号楼|栋|幢|座|期))?"
    rf"(?:{_NUM}单元)?(?:{_NUM}(?:楼|层))?(?:{_NUM}(?:室|号房|户))?"
    # a bare room number after a building (9号楼1708)
    rf"(?:(?<=[楼栋幢座元层])[0-9]{{2,5}}(?![0-9]))?"
)
_FINER = re.compile(r"(?:区|县|旗|镇|乡|村|路|街|道|巷|弄|胡同|号|楼|栋|幢|室|单元|小区|花园|公寓|大厦|社区)")
_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|Parkway|Pkwy|"
    r"Highway|Hwy|Terrace|Ter|Circle|Cir|Square|Sq|Trail|Trl|Alley|Loop|Plaza)"
)
_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR "
    "PA RI SC SD TN TX UT VT VA WA WV WI WY PR"
)
_STATES = _STATE_CODES.split()
_US_CITY_STATE_ZIP = rf"[A-Z][a-zA-Z.]+(?:\s+[A-Z][a-zA-Z.]+){{0,3}},\s*(?:{'|'.join(_STATES)})\s+\d{{5}}(?:-\d{{4}})?"
_US_ADDRESS = re.compile(
    rf"(?<![\w])(?:\d{{1,6}}[A-Z]?\s+(?:[NSEW]\.?\s+|North\s+|South\s+|East\s+|West\s+)?"
    rf"(?:[A-Z][a-zA-Z']+\s+|\d{{1,3}}(?:st|nd|rd|th)\s+){{1,4}}{_STREET_SUFFIX}\.?"
    rf"(?:,?\s*(?:(?:Apt|Apartment|Suite|Ste|Unit|Room|Rm|Floor|Fl)(?![A-Za-z])|#)\.?\s*#?[\w\-]+)?"
    rf"(?:,\s*{_US_CITY_STATE_ZIP}|,\s*[A-Z][a-zA-Z]+(?:\s+[A-Z][a-zA-Z]+){{0,2}}(?:,\s*(?:{'|'.join(_STATES)}))?)?"
    rf"|{_US_CITY_STATE_ZIP})(?![\w])"
)
# "No. 88 Jianguo Road, Chaoyang District, Beijing": romanised Chinese addresses.
_ROMANISED = re.compile(
    r"(?<![\w])(?:(?:No\.|Room|Rm\.?|Apt\.?|Unit|Building|Bldg\.?)\s*\d+[A-Za-z]?,?\s*)*"
    r"(?:(?:No\.\s*)?\d+[A-Za-z]?,?\s+)?(?:[A-Z][a-z]+\s+){1,3}(?:Road|Street|Avenue|Lane|Alley|Hutong|Lu|Jie)"
    r"(?:\s*(?:,\s*)?(?:No\.\s*)?\d+)?"
    r"(?:,\s*[A-Z][a-z]+\s+(?:District|County|Town|Township|Village|Community))*"
    r"(?:,\s*[A-Z][a-z]+(?:\s+(?:City|Province))?){0,2}(?![\w])"
)


@cache
def _chinese() -> tuple[re.Pattern[str], re.Pattern[str]]:
    provinces, cities = places()
    province = f"{_alt(provinces)}(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?"
    city = f"{_alt(cities)}(?:市|地区|自治州|州)?"
    anchored = re.compile(f"(?:{province})?(?:{city})?{_PARTS}")
    cue_words = (
        "住址 地址 家住 现住 住在 居住于 居住在 居住地 户籍地 户籍地址 户籍 家庭住址 家庭地址 联系地址 "
        "通讯地址 通信地址 现住址 现居住地 常住地址 Address address ADDRESS"
    )
    cue = re.compile(
        trie_pattern(cue_words.split())
        + r"[ \t]*(?:[(（][^)）\n]{0,40}[)）])?[ \t]*(?:[:：]|为|是|于|在)?[ \t]*"
        + rf"(?P<v>[{HAN}0-9０-９A-Za-z\-#]{{2,60}})"
    )
    return anchored, cue


@cache
def _anchor() -> re.Pattern[str]:
    provinces, cities = places()
    return re.compile(trie_pattern(provinces + cities))


def find_addresses(text: str) -> Iterator[Finding]:
    """(start, end, "ADDRESS", priority) of every address found in ``text``."""
    anchored, cue = _chinese()
    anchor = _anchor()
    for match in anchor.finditer(text):
        found = anchored.match(text, match.start())
        if found is None:
            continue
        surface = found.group()
        rest = surface[len(match.group()) :]
        # A province or city alone is not an address; some finer part or a second place must follow.
        if len(surface) > len(match.group()) + 1 and (_FINER.search(rest) or anchor.match(rest.lstrip("省市"))):
            yield found.start(), found.end(), "ADDRESS", 50
    for match in cue.finditer(text):
        value = match.group("v")
        end = match.start("v") + _address_length(value)
        if end > match.start("v"):
            yield match.start("v"), end, "ADDRESS", 52
    for pattern in (_US_ADDRESS, _ROMANISED):
        for match in pattern.finditer(text):
            if pattern is _ROMANISED and _BARE_LU_JIE.fullmatch(match.group()):
                continue  # Yue-Hong Lu, Ke-Heng Jie: a name, unless a number or a district says it is a road
            yield match.start(), match.end(), "ADDRESS", 50


# Lu and Jie (路, 街) are also surnames: "Hong Lu" alone is read as a name, not a road.
_BARE_LU_JIE = re.compile(r"(?:[A-Z][a-z]+\s+){1,3}(?:Lu|Jie)")


_ADDRESS_END = re.compile(
    r"(?:号院|号|室|户|楼|层|单元|栋|幢|座|村|组|小区|花园|公寓|大厦|路|街|道|巷|弄|镇|乡|区|县|市)"
)


def _address_length(value: str) -> int:
    """How much of the text after an address cue is the address: up to its last address word."""
    last = 0
    for match in _ADDRESS_END.finditer(value):
        last = match.end()
    if last and value[last - 1] in "楼栋幢座元层":
        # a bare room number after the building: 9号楼1708
        digits = re.match(r"[0-9]{2,5}(?![0-9])", value[last:])
        if digits:
            last += digits.end()
    return last
