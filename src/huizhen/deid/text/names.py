"""Personal names in Chinese, pinyin and English clinical text.

Chinese names are a surname from the shipped list (``data/surnames.txt``: 单姓 and 复姓) and
one or two given characters, taken where context says a person is meant: after 患者/病人/
姓名/家属/联系人/签名 or a role (医师, 主任 …), before a title or kinship word (医生, 主任,
教授, 先生, 女士, 之子 …), or as 张某/王某某. Given characters stop at characters that
almost never occur in given names but often follow one (男, 因, 于, 入, 诉 …), so 患者张三因
发热入院 yields 张三. Surnames that are also everyday function words (于, 和, 由 …) need a
strong cue (姓名：, a title after them). Romanised Chinese names are a pinyin surname and
a given name of one or two pinyin syllables in either order and in title or upper case
(Zhang San, ZHANG San, Xiaoming Zhang, Zhang Xiao-Ming). English names are taken after a
title (Dr., Mr., Mrs., Ms., Prof.), after a label (Patient:, Name:, Signed:, referred by,
Dear …) or before a degree (", MD"). Once a name is found, its other mentions in the same
text are found too, including a lone surname of an English name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from importlib import resources

from pypinyin import Style, lazy_pinyin

from huizhen.deid.text.language import HAN

Finding = tuple[int, int, str, int]

# Surnames that are everyday words: taken only with a strong cue.
WEAK_SURNAMES = frozenset(
    "于和由向时全那来门平计相初国公信展智富花海强原南明文常成安齐易关包宁尚单华解阳司古吉车项连景党宫应边"
    "师商沙荣官封谈乐满位区权帅豆盖井巴丰支云都普戈伏干但元衣植利居双越"
)
# Characters that end a given name: rare inside names, frequent right after one.
_STOP = (
    "男女因于自既往入出院诉以主无一般神志目前术后病情年岁日周次例名个的是在和与及或等有不未已经曾再又并且而但被把"
    "将对向从到至为由给让使所该其此本各每某今昨前后上下左右内外多少低全半近远旧短负性状型期级度量率值数项治疗检查诊"
    "断术用药服予行示见显提考虑可能疑似伴合并热痛咳血压糖脂心肺肝肾脑胃肠骨皮肤淋巴细胞瘤癌炎症病变常规复随访现持续"
    "反复进逐渐突床号科室医护士生师任授先姐院博教属之妻母父您你我他她们签字别龄族职婚址话电住身份证码来去回再就转收"
    "做打拿要想说讲问答听看叫称系请约同意拒绝陪伴及时"
)
_GIVEN = f"[^\\W\\d_A-Za-z{_STOP}]"
# Cues that name a person next: strong ones may precede a weak surname.
_STRONG_BEFORE = (
    r"(?:(?:患者|病人|患儿)?姓名|签名|签字|医师签名|医生签名|报告(?:医师|医生|者)|审核(?:医师|医生|者)|复核(?:医师|医生)|"
    r"主治医师|主管医师|经治医师|住院医师|主任医师|副主任医师|会诊医师|会诊医生|送检医师|送检医生|申请医师|申请医生|"
    r"记录者|记录人|联系人|监护人|委托人|代理人|家属|配偶|母亲|父亲|儿子|女儿|丈夫|妻子|翻译|译者|校对|审校)"
    r"\s*[:：]\s*"
)
_SOFT_BEFORE = (
    r"(?:患者|病人|患儿|病儿|产妇|孕妇|伤者|家属|其子|其女|其妻|其夫|其母|其父|配偶|母亲|父亲|儿子|女儿|丈夫|妻子|"
    r"联系人|医师|医生|大夫|护士|教授|主任|签名|签字|经治医生|主治医生|主管医生|上级医生|由|请|经)\s*[:：]?\s*"
)
_TITLE_AFTER = (
    r"(?:医生|医师|大夫|主任|副主任|教授|副教授|院长|护士长|护士|老师|先生|女士|小姐|太太|同志|院士|博士|"
    r"之子|之女|之妻|之夫|之母|之父|家属|某某|某)"
)
# English words that are capitalised but never part of a person's name here.
_EN_NOT_NAME_WORDS = """
    The A An And Of In On At For To From With By Hospital Department Dept Clinic Center Centre University College
    Medical Medicine Institute Cancer Oncology Hematology Haematology Pathology Radiology Surgery Internal General
    People's Peoples First Second Third Affiliated Union Children's Women's Memorial Health System Group Lab Laboratory
    MD PhD DO RN NP PA MBBS FRCP Dr Mr Mrs Ms Miss Prof Professor Patient Name Date Age Sex Male Female Report Diagnosis
    History Signed Referred Dear Sincerely Regards Thank Thanks Please Re Subject Ward Room Bed Unit Floor Street Road
    Is Was Has Had Will He She His Her They We I You It This That These Those Who Which Yes No None Not Unknown
    Hodgkin Burkitt Philadelphia Reed Sternberg Epstein Barr Waldenstrom Waldenström Kaposi Castleman Sezary Sézary
    Richter Hashimoto Down Sjogren Sjögren Ann Arbor Lugano Chinese English American China Beijing Shanghai
    Dept. Phone Tel Email Address Fax Consultant Attending Physician Pathologist Note Notes Summary Discharge Admission
    January February March April May June July August September October November December Monday Tuesday Wednesday
    Thursday Friday Saturday Sunday Today Yesterday Tomorrow
"""
_EN_NOT_NAME = frozenset(_EN_NOT_NAME_WORDS.split())
_EN_WORD = r"[A-Z][a-z]+(?:[\-'’][A-Z]?[a-z]+)?|[A-Z]{2,}(?:[\-'][A-Z]+)?|[A-Z][a-z]*[A-Z][a-z]+"
_EN_NAME = rf"(?:[A-Z]\.\s?){{0,2}}(?:{_EN_WORD})(?:\s+(?:[A-Z]\.\s?)?(?:{_EN_WORD})){{0,2}}"
_EN_TITLE = r"(?<![A-Za-z])(?:Dr|Mr|Mrs|Ms|Miss|Mx|Prof|Professor|Doctor|Nurse|Sister)\.?\s+"
_EN_LABEL = (
    r"(?<![A-Za-z])(?:(?:Patient(?:'s)?|Pt\.?|Full|Given|Family|Last|First)\s+[Nn]ame|Name|Patient|Pt|Contact(?:\s+person)?|"
    r"Next\s+of\s+kin|Emergency\s+contact|Guardian|Spouse|Wife|Husband|Mother|Father|Son|Daughter|"
    r"Attending(?:\s+physician)?|Referring\s+(?:physician|doctor|clinician)|Physician|Pathologist|Radiologist|"
    r"Surgeon|Consultant|Translator|Interpreter|Verifier|Verified\s+by|Translated\s+by|To|From|Attn|cc|CC)\s*:\s*"
)
_EN_VERB = (
    r"(?<![A-Za-z])(?:[Ss]igned(?:\s+by)?|[Ee]lectronically\s+signed\s+by|[Rr]eferred\s+by|[Rr]eviewed\s+by|"
    r"[Dd]ictated\s+by|[Tt]ranscribed\s+by|[Aa]pproved\s+by|[Rr]eported\s+by|[Ss]een\s+by|[Ee]xamined\s+by|"
    r"[Cc]onsulted\s+with|[Dd]ear|[Ss]incerely|[Rr]egards|[Yy]ours\s+(?:sincerely|faithfully|truly))\s*[:,]?\s*"
)
_EN_DEGREE = r",?\s*(?:MD|M\.D\.|PhD|Ph\.D\.|DO|RN|NP|PA-C|MBBS|FRCP|FRCPath|FACP|MS|MSc)(?![A-Za-z])"


def _lines(name: str) -> list[str]:
    text = resources.files("huizhen.deid.text").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """(single-character surnames, compound surnames) from the shipped list."""
    names = _lines("surnames.txt")
    return frozenset(n for n in names if len(n) == 1), frozenset(n for n in names if len(n) > 1)


@cache
def pinyin_syllables() -> frozenset[str]:
    return frozenset(_lines("pinyin_syllables.txt"))


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    single, compound = surnames()
    strong_single = "".join(sorted(single - WEAK_SURNAMES))
    all_single = "".join(sorted(single))
    compound_alt = "|".join(sorted(compound, key=len, reverse=True))
    surname_any = f"(?:{compound_alt}|[{all_single}])"
    surname_strong = f"(?:{compound_alt}|[{strong_single}])"
    not_han_before = f"(?<![{HAN}])"
    patterns = {
        "strong": re.compile(f"{_STRONG_BEFORE}(?P<n>{surname_any}{_GIVEN}{{1,2}})"),
        "soft": re.compile(f"{_SOFT_BEFORE}(?P<n>{surname_strong}{_GIVEN}{{1,2}})(?!{_TITLE_AFTER})"),
        "titled": re.compile(f"(?P<n>{surname_strong}{_GIVEN}{{0,2}}?)(?={_TITLE_AFTER})"),
        "titled_weak": re.compile(f"{not_han_before}(?P<n>{surname_any}{_GIVEN}{{1,2}}?)(?={_TITLE_AFTER})"),
        "mou": re.compile(f"(?P<n>{surname_strong}某{{1,2}})"),
    }
    surname_pinyin = _surname_pinyin()
    syllable = "(?:" + "|".join(sorted(pinyin_syllables(), key=len, reverse=True)) + ")"
    given_title = rf"{_title(syllable)}(?:[\-'’]?{syllable}|[\-]{_title(syllable)})?"
    given_upper = rf"(?:{syllable.upper()})(?:[\-]?{syllable.upper()})?"
    sur_title = "(?:" + "|".join(sorted((s.title() for s in surname_pinyin), key=len, reverse=True)) + ")"
    sur_upper = "(?:" + "|".join(sorted((s.upper() for s in surname_pinyin), key=len, reverse=True)) + ")"
    pinyin = (
        rf"(?<![A-Za-z\-])(?P<n>{sur_title}\s+{given_title}|{sur_upper}\s+(?:{given_title}|{given_upper})"
        rf"|{given_title}\s+{sur_title}|{given_upper}\s+{sur_upper})(?![A-Za-z\-'’])"
    )
    patterns["pinyin"] = re.compile(pinyin)
    patterns["en_title"] = re.compile(f"{_EN_TITLE}(?P<n>{_EN_NAME})")
    patterns["en_label"] = re.compile(f"{_EN_LABEL}(?P<n>{_EN_NAME})")
    patterns["en_verb"] = re.compile(f"{_EN_VERB}(?P<n>{_EN_NAME})")
    patterns["en_degree"] = re.compile(f"(?<![A-Za-z])(?P<n>{_EN_NAME})(?={_EN_DEGREE})")
    patterns["zh_after_label"] = re.compile(
        f"(?:{_EN_LABEL}|{_EN_TITLE}|{_EN_VERB})(?P<n>{surname_any}{_GIVEN}{{1,2}})"
    )
    return patterns


def _title(syllable_alternation: str) -> str:
    """A pinyin syllable alternation in title case (first letter upper)."""
    inner = syllable_alternation[3:-1].split("|")
    return "(?:" + "|".join(s.title() for s in inner) + ")"


@cache
def _surname_pinyin() -> frozenset[str]:
    single, compound = surnames()
    forms = {"".join(lazy_pinyin(name, style=Style.NORMAL)) for name in single | compound}
    # Common spellings outside Hanyu Pinyin (Wade-Giles, Cantonese) seen on passports and letters.
    forms |= {"lyu", "lu", "chan", "cheung", "wong", "leung", "chow", "ng", "lau", "ho", "tsang", "kwok"}
    return frozenset(f for f in forms if f.isascii() and f.isalpha())


def _trim_english(name: str) -> tuple[int, int] | None:
    """The part of ``name`` before the first word that is never a name; None when nothing is left."""
    words = list(re.finditer(r"\S+", name))
    end = 0
    for word in words:
        bare = word.group().rstrip(".,")
        if bare in _EN_NOT_NAME or bare.upper() in ("MD", "PHD"):
            break
        end = word.end()
    if end == 0:
        return None
    return 0, end


def find_names(text: str) -> Iterator[Finding]:
    """(start, end, "NAME", priority) of every personal name found in ``text``."""
    patterns = _patterns()
    found: list[Finding] = []
    for key in ("strong", "soft", "titled", "titled_weak", "mou", "zh_after_label"):
        priority = 55 if key in ("strong", "zh_after_label") else 50
        for match in patterns[key].finditer(text):
            found.append((match.start("n"), match.end("n"), "NAME", priority))
    for match in patterns["pinyin"].finditer(text):
        found.append((match.start("n"), match.end("n"), "NAME", 45))
    for key in ("en_title", "en_label", "en_verb", "en_degree"):
        for match in patterns[key].finditer(text):
            trimmed = _trim_english(match.group("n"))
            if trimmed is not None:
                start = match.start("n")
                found.append((start + trimmed[0], start + trimmed[1], "NAME", 45))
    yield from found
    yield from _other_mentions(text, found)


def _other_mentions(text: str, found: list[Finding]) -> Iterator[Finding]:
    """Every other occurrence of a name already found (and of an English surname alone)."""
    surfaces: set[str] = set()
    for start, end, _kind, _priority in found:
        surface = text[start:end]
        if "某" in surface:
            continue
        if len(surface) >= 2:
            surfaces.add(surface)
        if re.fullmatch(r"[A-Za-z .'’\-]+", surface):
            for word in re.findall(r"[A-Za-z][A-Za-z'’\-]{2,}", surface):
                if word not in _EN_NOT_NAME:
                    surfaces.add(word)
    if not surfaces:
        return
    alternation = "|".join(re.escape(s) for s in sorted(surfaces, key=len, reverse=True))
    latin = f"(?<![A-Za-z])(?:{alternation})(?![A-Za-z])"
    for match in re.finditer(latin, text):
        yield match.start(), match.end(), "NAME", 30
