"""Seeded, labelled synthetic corpus of clinical notes for evaluating the text scrubber (issue 6, item 4).

No public Chinese de-identification benchmark exists, so the scrubber is measured on notes
generated here: referral letters (转诊信), pathology reports (病理报告: IHC, flow cytometry,
cytogenetics, molecular) and discharge summaries (出院小结), in Chinese, English and mixed text
(Chinese with English drug and gene names; English with Chinese names and addresses). Every
PHI item carries a gold span (start, end, kind) of the kinds of :mod:`huizhen.deid.text`
(NAME, ID_NUMBER, PHONE, RECORD_NUMBER, EMAIL, URL, SOCIAL_ID, ADDRESS, DATE, AGE over 89,
ORGANIZATION), and clinical terms that must survive scrubbing (eponyms, place-like terms,
drugs, regimens, genes, words that begin with a surname character) are labelled as retention
targets. Identifiers are realistic: PRC resident ID numbers with a valid ISO 7064 MOD 11-2
check character, dates, phones and record numbers in the forms hospitals write them. Names
come from this module's own pools (``corpus_data/pools.json``), so the scrubber is built
independently of them. Three splits: ``dev`` for tuning; ``dev2``, a second development split
with its own name pools and phrasings written independently of the other two (signature and
role lines, relatives and proxies, forms and tables, romanisations), so tuning does not fit one
template set; ``dev3``, a third, written from how real letters, reports and summaries name people
(salutations and sign-offs, cc lines, attendance lists, operation teams, UK and US forms, names
with no cue, many romanised orders) with given names and Western names no other split uses; and
``test``, held out, whose pools also include names, roads and estates the dev
split never shows and whose notes carry phrasings (cues, orders) the dev split never uses. The
same split always gives the same notes (a per-note seeded RNG);
``python -m huizhen.deid.text.corpus --split test --out FILE`` writes one JSON object per note.

Annotation rules (what the gold spans cover): the value only, never its label (住院号：, MRN:)
or a title (先生, Dr., Mr.); a surname before a title (张先生, Mr. Zhang) is a NAME; a Chinese
name written also in pinyin is two NAME spans; a whole address is one ADDRESS span; a date is
one span whatever its form, a year alone is not PHI and is not generated; an age is PHI only
over 89 (its digits); hospital names are ORGANIZATION (policy-dependent), departments are not;
pathology and accession numbers are RECORD_NUMBER; a phone extension (转8201, ext. 4) is not
part of the phone span.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

PHI_KINDS = (
    "NAME",
    "ID_NUMBER",
    "PHONE",
    "RECORD_NUMBER",
    "EMAIL",
    "URL",
    "SOCIAL_ID",
    "ADDRESS",
    "DATE",
    "AGE",
    "ORGANIZATION",
)
LANGUAGES = ("zh", "en", "mixed")
NOTE_TYPES = ("referral", "pathology", "discharge")
# Seeds of the splits: dev, dev2 and dev3 are for tuning, test is held out.
SEEDS = {"dev": 20260601, "test": 90210417, "dev2": 44071853, "dev3": 61530927}
DEFAULT_COUNT = 600
KEEP = "KEEP"
T = TypeVar("T")

# The weights of the PRC resident ID check character (GB 11643-1999, ISO 7064 MOD 11-2).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class GoldSpan:
    """One labelled item of a note: PHI of a kind, or (kind ``KEEP``) a term that must be retained."""

    start: int
    end: int
    kind: str
    text: str


@dataclass(frozen=True)
class Note:
    """One synthetic clinical note with its gold PHI spans and retention targets."""

    id: str
    split: str
    note_type: str
    language: str
    text: str
    phi: tuple[GoldSpan, ...]
    retain: tuple[GoldSpan, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "split": self.split,
            "note_type": self.note_type,
            "language": self.language,
            "text": self.text,
            "phi": [[s.start, s.end, s.kind, s.text] for s in self.phi],
            "retain": [[s.start, s.end, s.text] for s in self.retain],
        }


def resident_id_checksum(body: str) -> str:
    """The check character of the first 17 digits of a PRC resident ID number."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def resident_id_is_valid(number: str) -> bool:
    """True when ``number`` (spaces allowed) is 18 characters with a valid check character."""
    compact = number.replace(" ", "").upper()
    return bool(re.fullmatch(r"\d{17}[\dX]", compact)) and resident_id_checksum(compact[:17]) == compact[17]


# --- pools ---------------------------------------------------------------------------------


@cache
def _pools() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("huizhen.deid.text").joinpath("corpus_data/pools.json").read_text(encoding="utf-8")
    )
    return data


def _held_out(item: str) -> bool:
    """A quarter of each name, road and estate pool appears only in the test split."""
    return zlib.crc32(item.encode()) % 4 == 0


@cache
def _pool(name: str, split: str) -> tuple[Any, ...]:
    items: list[Any] = _pools()[name]
    if split == "test" or name not in _HOLDOUT_POOLS:
        return tuple(items)
    return tuple(item for item in items if not _held_out(json.dumps(item, ensure_ascii=False)))


_HOLDOUT_POOLS = frozenset(
    {"zh_surnames", "zh_given", "en_first_male", "en_first_female", "en_last", "zh_roads", "zh_estates", "us_streets"}
)

# Clinical vocabulary with retention targets marked [[like this]]: eponyms, place-like terms,
# drugs, regimens and genes, and words that begin with a surname character (高血压, 白细胞).
_DX_ZH = (
    "弥漫大B细胞淋巴瘤（生发中心来源）",
    "经典型[[霍奇金淋巴瘤]]（结节硬化型）",
    "经典型[[霍奇金淋巴瘤]]（混合细胞型），可见[[R-S细胞]]",
    "[[伯基特淋巴瘤]]",
    "滤泡性淋巴瘤（3A级）",
    "套细胞淋巴瘤（经典型）",
    "[[华氏巨球蛋白血症]]/淋巴浆细胞淋巴瘤",
    "慢性髓系白血病（[[费城染色体]]阳性）",
    "急性淋巴细胞白血病（[[费城染色体]]阳性）",
    "结外NK/T细胞淋巴瘤，鼻型（[[EB病毒]]阳性）",
    "高级别B细胞淋巴瘤伴MYC和BCL2重排",
    "[[朗格汉斯细胞]]组织细胞增生症",
    "[[卡斯尔曼病]]（多中心型）",
    "外周T细胞淋巴瘤，非特指型",
    "慢性淋巴细胞白血病伴[[Richter转化]]",
    "[[非霍奇金淋巴瘤]]",
    "多发性骨髓瘤（IgG-κ型）",
    "血管免疫母细胞性T细胞淋巴瘤",
)
_DX_EN = (
    "diffuse large B-cell lymphoma, germinal centre B-cell type",
    "classic [[Hodgkin lymphoma]], nodular sclerosis",
    "classic [[Hodgkin lymphoma]] with [[Reed-Sternberg]] cells",
    "[[Burkitt]] lymphoma",
    "follicular lymphoma, grade 3A",
    "mantle cell lymphoma",
    "[[Waldenström]] macroglobulinemia / lymphoplasmacytic lymphoma",
    "chronic myeloid leukemia, [[Philadelphia chromosome]]-positive",
    "[[Philadelphia chromosome]]-positive B-lymphoblastic leukemia",
    "extranodal NK/T-cell lymphoma, nasal type, [[Epstein-Barr]] virus positive",
    "high-grade B-cell lymphoma with MYC and BCL2 rearrangements",
    "[[Langerhans]] cell histiocytosis",
    "multicentric [[Castleman]] disease",
    "peripheral T-cell lymphoma, not otherwise specified",
    "chronic lymphocytic leukemia with [[Richter]] transformation",
    "nodular lymphocyte-predominant [[Hodgkin]] lymphoma",
    "plasma cell myeloma, IgG kappa",
)
_REGIMENS = (
    "R-CHOP",
    "R-CHOP",
    "ABVD",
    "BEACOPP",
    "R-EPOCH",
    "BR",
    "R-DHAP",
    "R-ICE",
    "GemOx",
    "P-GemOx",
    "Pola-R-CHP",
)
_DRUGS_ZH = (
    "利妥昔单抗",
    "环磷酰胺",
    "多柔比星",
    "长春新碱",
    "泼尼松",
    "伊布替尼",
    "泽布替尼",
    "维奈克拉",
    "苯达莫司汀",
    "来那度胺",
    "硼替佐米",
    "维布妥昔单抗",
    "甲氨蝶呤",
    "阿糖胞苷",
    "伊马替尼",
    "达沙替尼",
    "地塞米松",
    "吉西他滨",
    "奥沙利铂",
    "西达本胺",
    "培门冬酶",
    "依托泊苷",
)
_DRUGS_EN = (
    "rituximab",
    "cyclophosphamide",
    "doxorubicin",
    "vincristine",
    "prednisone",
    "ibrutinib",
    "zanubrutinib",
    "venetoclax",
    "bendamustine",
    "lenalidomide",
    "bortezomib",
    "brentuximab vedotin",
    "polatuzumab vedotin",
    "methotrexate",
    "cytarabine",
    "imatinib",
    "dasatinib",
    "dexamethasone",
    "gemcitabine",
    "oxaliplatin",
    "acalabrutinib",
    "tafasitamab",
)
_GENES = (
    "MYC",
    "BCL2",
    "BCL6",
    "TP53",
    "MYD88 L265P",
    "CD79B",
    "EZH2",
    "NOTCH1",
    "BCR-ABL1",
    "JAK2 V617F",
    "CALR",
    "FLT3-ITD",
    "NPM1",
    "IDH1",
    "KMT2A",
    "CXCR4",
    "BRAF V600E",
    "CCND1",
    "SF3B1",
    "ATM",
)
_SURNAME_CLAUSES_ZH = (
    "既往[[高血压]]病史10年，规律服用氨氯地平",
    "化疗后出现[[白细胞]]减少，予升白治疗",
    "皮肤巩膜无[[黄疸]]",
    "胸部CT示右肺上叶[[陈旧性]]病灶",
    "痰培养示[[金黄色葡萄球菌]]",
    "血[[常规]]示三系减少",
    "入院时[[全血细胞减少]]",
    "[[甘油三酯]]2.3 mmol/L，[[谷丙转氨酶]]56 U/L",
    "血清[[单克隆]]免疫球蛋白阳性",
    "嘱出院后逐步[[康复]]锻炼",
    "左上腹可触及[[包块]]",
    "既往[[房颤]]病史3年，口服华法林",
    "化疗后[[明显]]乏力",
    "否认[[严重]]药物过敏史",
    "[[余]]无特殊",
)
_EPONYMS_EN_EXTRA = (
    "[[Coombs]]-positive hemolytic anemia",
    "[[Bence Jones]] proteinuria",
    "[[Hashimoto]] disease",
    "[[Sjögren]] syndrome",
    "[[Hashimoto]] thyroiditis",
    "[[Kaposi]] sarcoma",
    "[[Ewing]] sarcoma",
    "[[Down]] syndrome",
    "[[Graves]] disease",
)
_EPONYMS_ZH_EXTRA = (
    "[[干燥综合征]]",
    "[[桥本甲状腺炎]]",
    "[[唐氏综合征]]",
    "[[卡波西肉瘤]]",
    "[[尤文肉瘤]]",
    "[[库欣综合征]]",
)
_SYMPTOMS_ZH = (
    "颈部无痛性肿物",
    "反复发热伴盗汗",
    "乏力伴体重下降",
    "腹胀、纳差",
    "皮肤瘙痒",
    "腋窝淋巴结肿大",
    "鼻塞、涕中带血",
)
_SYMPTOMS_EN = (
    "painless cervical lymphadenopathy",
    "fevers, night sweats and weight loss",
    "fatigue and abdominal fullness",
    "pruritus",
    "an enlarging axillary mass",
    "nasal obstruction with epistaxis",
)
_SITES_ZH = ("左颈部淋巴结", "右腋窝淋巴结", "腹股沟淋巴结", "纵隔肿物", "骨髓", "鼻腔肿物", "胃窦")
_SITES_EN = (
    "left cervical lymph node",
    "right axillary lymph node",
    "inguinal lymph node",
    "mediastinal mass",
    "bone marrow",
    "nasal cavity mass",
    "gastric antrum",
)
_RELATIONS_ZH = ("女儿", "儿子", "妻子", "丈夫", "母亲", "父亲", "姐姐", "弟弟")
_RELATIONS_EN = ("daughter", "son", "wife", "husband", "mother", "father", "sister", "brother")
_MONTHS = (
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
_ZH_DIGITS = "〇一二三四五六七八九"
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "156", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186",
    "187", "188", "189", "191", "198", "199",
)  # fmt: skip
_AREA_CODES = (
    "010",
    "021",
    "022",
    "023",
    "020",
    "0755",
    "0571",
    "025",
    "028",
    "027",
    "0731",
    "0371",
    "0531",
    "029",
    "0394",
    "0311",
)
_US_AREA_CODES = (
    "617",
    "857",
    "212",
    "646",
    "718",
    "713",
    "832",
    "215",
    "734",
    "507",
    "415",
    "206",
    "312",
    "410",
    "615",
    "310",
    "949",
    "732",
)


# --- the note builder ----------------------------------------------------------------------

Piece = tuple[str, str]  # (text, kind): kind is a PHI kind, KEEP, or "" for plain text
_MARKUP = re.compile(r"\{(\w+)\}|\[\[(.+?)\]\]")


def _plain(text: str) -> list[Piece]:
    """Plain text that may contain [[retention targets]] (no slots)."""
    pieces: list[Piece] = []
    pos = 0
    for match in re.finditer(r"\[\[(.+?)\]\]", text):
        pieces.append((text[pos : match.start()], ""))
        pieces.append((match.group(1), KEEP))
        pos = match.end()
    pieces.append((text[pos:], ""))
    return [p for p in pieces if p[0]]


@dataclass
class Person:
    """A person of a note: Chinese (characters and pinyin) or Western (English name)."""

    chinese: bool
    sex: str  # "M" | "F"
    surname: str
    given: str
    surname_pinyin: str = ""
    given_pinyin: str = ""

    @property
    def hanzi(self) -> str:
        return self.surname + self.given


@dataclass
class Patient:
    person: Person
    age: int
    birth: dt.date
    region: list[str]
    resident_id: str
    mobile: str


@dataclass
class NoteContext:
    """Everything one note draws on: its RNG, style, patient and the people around them."""

    rng: random.Random
    split: str
    style: str  # "zh", "en", "zh+en" (Chinese text, English terms), "en+zh" (English text, Chinese PHI)
    index_date: dt.date
    patient: Patient
    doctors: list[Person] = field(default_factory=list)
    relative: Person | None = None
    numbers: dict[str, str] = field(default_factory=dict)

    @property
    def zh_text(self) -> bool:
        return self.style in ("zh", "zh+en")

    @property
    def zh_phi(self) -> bool:
        """PHI in Chinese forms (Chinese patient, +86 phones, Chinese addresses)."""
        return self.style != "en" or self.patient.person.chinese


def _pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[rng.randrange(len(items))]


def _person(rng: random.Random, split: str, *, chinese: bool, sex: str | None = None) -> Person:
    sex = sex or _pick(rng, ("M", "F"))
    if chinese:
        surname, surname_pinyin = str(_pick(rng, _pool("zh_surnames", split))).split(" ")
        given_chars = [
            str(_pick(rng, _pool("zh_given", split))).split(" ") for _ in range(1 if rng.random() < 0.3 else 2)
        ]
        given = "".join(c for c, _ in given_chars)
        pinyin = "".join(p for _, p in given_chars)
        return Person(True, sex, surname, given, surname_pinyin, pinyin.capitalize())
    first = _pick(rng, _pool("en_first_male" if sex == "M" else "en_first_female", split))
    return Person(False, sex, _pick(rng, _pool("en_last", split)), first)


def _patient(rng: random.Random, split: str, *, chinese: bool, index_date: dt.date) -> Patient:
    person = _person(rng, split, chinese=chinese)
    # One note in seven is about a patient over 89, whose age is PHI (more than in life, so AGE is measured).
    age = rng.randint(90, 103) if rng.random() < 0.15 else rng.randint(18, 89)
    birth = index_date - dt.timedelta(days=age * 365 + rng.randint(30, 330))
    region = list(_pick(rng, _pools()["regions"]))
    body = f"{region[3]}{birth:%Y%m%d}{rng.randint(0, 99):02d}{rng.choice('13579' if person.sex == 'M' else '02468')}"
    mobile = _pick(rng, _MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"
    return Patient(person, age, birth, region, body + resident_id_checksum(body), mobile)


class NoteBuilder:
    """Accumulates text pieces and records the offsets of the labelled ones."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.phi: list[GoldSpan] = []
        self.retain: list[GoldSpan] = []

    def add(self, pieces: Sequence[Piece]) -> None:
        for text, kind in pieces:
            if not text:
                continue
            if kind == KEEP:
                self.retain.append(GoldSpan(self.length, self.length + len(text), KEEP, text))
            elif kind:
                self.phi.append(GoldSpan(self.length, self.length + len(text), kind, text))
            self.parts.append(text)
            self.length += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


# --- PHI forms -----------------------------------------------------------------------------


def _date_text(rng: random.Random, day: dt.date, *, chinese: bool) -> str:
    y, m, d = day.year, day.month, day.day
    if chinese:
        forms = (
            f"{y}年{m}月{d}日",
            f"{y}年{m}月{d}日",
            f"{y}年{m:02d}月{d:02d}日",
            f"{y}-{m:02d}-{d:02d}",
            f"{y}-{m:02d}-{d:02d}",
            f"{y}/{m}/{d}",
            f"{y}/{m:02d}/{d:02d}",
            f"{y}.{m:02d}.{d:02d}",
            f"{y}.{m}.{d}",
            f"{m}月{d}日",
            f"{y}年{m}月",
            f"{y}{m:02d}{d:02d}",
            "".join(_ZH_DIGITS[int(c)] for c in str(y)) + f"年{_zh_number(m)}月{_zh_number(d)}日",
        )
    else:
        month = _MONTHS[m - 1]
        suffix = "th" if 11 <= d <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
        forms = (
            f"{month} {d}, {y}",
            f"{month} {d}, {y}",
            f"{month[:3]} {d}, {y}",
            f"{d} {month} {y}",
            f"{m:02d}/{d:02d}/{y}",
            f"{m}/{d}/{y}",
            f"{m}/{d}/{y % 100:02d}",
            f"{y}-{m:02d}-{d:02d}",
            f"{d:02d}-{month[:3]}-{y}",
            f"{month} {y}",
            f"{month} {d}{suffix}, {y}",
            f"{month[:3]}. {d}, {y}" if month != "May" else f"May {d}, {y}",
            f"{d}{suffix} {month} {y}",
        )
    return str(_pick(rng, forms))


def _zh_number(n: int) -> str:
    if n < 10:
        return _ZH_DIGITS[n] if n else "〇"
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")


def _mobile_text(rng: random.Random, number: str) -> str:
    a, b, c = number[:3], number[3:7], number[7:]
    return str(
        _pick(
            rng,
            (
                number,
                number,
                f"{a}-{b}-{c}",
                f"{a} {b} {c}",
                f"+86 {a} {b} {c}",
                f"+86-{number}",
                f"(+86){number}",
                f"+86{number}",
            ),
        )
    )


def _landline_text(rng: random.Random) -> str:
    code = _pick(rng, _AREA_CODES)
    digits = 8 if len(code) == 3 or rng.random() < 0.5 else 7
    local = str(rng.randint(2, 8)) + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
    half = len(local) // 2 if digits == 8 else 3
    return str(
        _pick(
            rng,
            (
                f"{code}-{local}",
                f"{code}-{local}",
                f"({code}){local}",
                f"{code} {local[:half]} {local[half:]}",
                f"+86-{code[1:]}-{local}",
            ),
        )
    )


def _us_phone_text(rng: random.Random) -> str:
    area = _pick(rng, _US_AREA_CODES)
    exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
    line = f"{rng.randint(0, 9999):04d}"
    return str(
        _pick(
            rng,
            (
                f"({area}) {exchange}-{line}",
                f"{area}-{exchange}-{line}",
                f"{area}.{exchange}.{line}",
                f"+1 {area} {exchange} {line}",
                f"+1-{area}-{exchange}-{line}",
                f"({area}){exchange}-{line}",
            ),
        )
    )


def _zh_address(rng: random.Random, split: str, region: Sequence[str]) -> str:
    province, city, district = region[0], region[1], region[2]
    prefix = (
        city + district
        if province == city
        else str(_pick(rng, (province + city + district, city + district, province + city + district)))
    )
    if district.endswith("县"):
        town, village = str(_pick(rng, _pools()["zh_towns"])), str(_pick(rng, _pools()["zh_villages"]))
        return f"{prefix}{town}{village}{rng.randint(1, 9)}组{rng.randint(1, 80)}号"
    road = str(_pick(rng, _pool("zh_roads", split)))
    number = f"{rng.randint(1, 999)}号"
    tail = _pick(
        rng,
        (
            "",
            f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 28)}{rng.randint(1, 4):02d}室",
            f"{_pick(rng, _pool('zh_estates', split))}{rng.randint(1, 30)}栋{rng.randint(101, 2804)}室",
            f"院{rng.randint(1, 12)}号楼{rng.randint(101, 1804)}",
            f"{rng.randint(1, 20)}幢{rng.randint(1, 4)}单元{rng.randint(101, 1202)}室",
        ),
    )
    if rng.random() < 0.2:
        return prefix + road + f"{rng.randint(1, 800)}弄{rng.randint(1, 60)}号{rng.randint(101, 602)}室"
    return prefix + road + number + tail


def _us_address(rng: random.Random, split: str) -> str:
    city, state, zip3 = _pick(rng, _pools()["us_cities"])
    street = (
        f"{rng.randint(1, 9899)} {_pick(rng, _pool('us_streets', split))} {_pick(rng, _pools()['us_street_types'])}"
    )
    unit = _pick(
        rng,
        (
            "",
            "",
            f", Apt {rng.randint(1, 12)}{_pick(rng, 'ABCD')}",
            f", Unit {rng.randint(1, 40)}",
            f" #{rng.randint(1, 30)}",
        ),
    )
    zip_code = f"{zip3}{rng.randint(1, 99):02d}"
    return f"{street}{unit}, {city}, {state} {zip_code}"


def _record_number(rng: random.Random, kind: str) -> str:
    year = rng.randint(2015, 2025)
    forms: dict[str, tuple[str, ...]] = {
        "mrn_zh": (
            f"ZY{year}{rng.randint(1, 99999):05d}",
            f"{rng.randint(0, 99999999):010d}",
            f"{year}{rng.randint(1, 999999):06d}",
            f"H{rng.randint(100000, 999999)}",
            f"{rng.randint(100000, 999999)}",
        ),
        "case_zh": (f"{rng.randint(100000, 9999999)}", f"BA{year}-{rng.randint(1, 99999):05d}"),
        "outpatient": (
            f"MZ{year}{rng.randint(1, 12):02d}{rng.randint(1, 999999):06d}",
            f"{rng.randint(1, 9999999999):010d}",
        ),
        "insurance": (
            f"{rng.randint(1000, 9999)} {rng.randint(0, 9999):04d} {rng.randint(0, 9999):04d} "
            f"{rng.randint(0, 9999):04d}",
            f"{_pick(rng, ('BJ', 'SH', 'GD', 'ZJ'))}{rng.randint(10000000, 99999999)}",
            f"S{rng.randint(3000000000, 3999999999)}",
        ),
        "pathology": (
            f"P{year}-{rng.randint(1, 99999):05d}",
            f"B{year % 100:02d}-{rng.randint(1, 99999):05d}",
            f"{year}{rng.randint(10000, 99999)}",
            f"BL{year % 100:02d}{rng.randint(1000, 9999)}",
        ),
        "mrn_en": (
            f"{rng.randint(0, 99999999):08d}",
            f"{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
            f"A{rng.randint(1000000, 9999999)}",
            f"{rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(0, 9)}",
        ),
        "accession": (
            f"S{year % 100:02d}-{rng.randint(1, 99999):05d}",
            f"SP-{year % 100:02d}-{rng.randint(1, 999999):06d}",
            f"HS{year % 100:02d}-{rng.randint(1000, 99999)}",
        ),
        "member": (
            f"{_pick(rng, ('XYZ', 'BCB', 'UHC', 'W'))}{rng.randint(100000000, 999999999)}",
            f"{rng.randint(100000000, 999999999)}{_pick(rng, ('A', '01', 'M'))}",
        ),
    }
    return str(_pick(rng, forms[kind]))


def _passport(rng: random.Random, *, chinese: bool) -> str:
    if chinese:
        return str(
            _pick(
                rng,
                (
                    f"E{rng.randint(10000000, 99999999)}",
                    f"E{_pick(rng, 'ABCDEFGHJK')}{rng.randint(1000000, 9999999)}",
                    f"G{rng.randint(10000000, 99999999)}",
                ),
            )
        )
    return str(
        _pick(
            rng,
            (f"{rng.randint(100000000, 999999999)}", f"{_pick(rng, 'ACEFHJKLMNP')}{rng.randint(10000000, 99999999)}"),
        )
    )


def _ssn(rng: random.Random) -> str:
    area = rng.choice([n for n in range(1, 900) if n != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def _handle(rng: random.Random, person: Person) -> str:
    if person.chinese:
        base = _pick(
            rng,
            (
                person.surname_pinyin.lower() + person.given_pinyin.lower(),
                person.given_pinyin.lower() + "." + person.surname_pinyin.lower(),
                person.surname_pinyin.lower()[0] + person.given_pinyin.lower(),
            ),
        )
    else:
        base = _pick(
            rng,
            (
                f"{person.given}.{person.surname}".lower(),
                f"{person.given[0]}{person.surname}".lower(),
                f"{person.given}{person.surname[0]}".lower(),
            ),
        )
    base = re.sub(r"[^a-z.]", "", str(base))
    return base + str(
        _pick(rng, ("", str(rng.randint(1, 99)), str(rng.randint(1950, 2005)), "_" + str(rng.randint(1, 999))))
    )


# --- slots ---------------------------------------------------------------------------------


def _name_pieces(ctx: NoteContext, person: Person, *, form: str) -> list[Piece]:
    """A person's name as this note writes it. ``form``: "full", "ref" (later mention), "doctor"."""
    rng = ctx.rng
    if ctx.zh_text:
        if not person.chinese:
            return [(f"{person.given} {person.surname}", "NAME")]
        if form == "ref":
            title = "先生" if person.sex == "M" else "女士"
            return _pick(rng, ([(person.hanzi, "NAME")], [(person.surname, "NAME"), (title, "")], [("患者", "")]))
        return [(person.hanzi, "NAME")]
    if not person.chinese:
        title = "Mr. " if person.sex == "M" else _pick(rng, ("Ms. ", "Mrs. "))
        if form == "ref":
            return _pick(
                rng,
                (
                    [(title, ""), (person.surname, "NAME")],
                    [(f"{person.given} {person.surname}", "NAME")],
                    [("the patient", "")],
                ),
            )
        if form == "doctor":
            return [(f"{person.given} {person.surname}", "NAME")]
        forms: list[list[Piece]] = [
            [(f"{person.given} {person.surname}", "NAME")],
            [(f"{person.given} {person.surname}", "NAME")],
            [(f"{person.surname.upper()}, {person.given}", "NAME")],
            [(f"{person.given[0]}. {person.surname}", "NAME")],
            [(f"{person.given} {_pick(rng, 'ABCDEJKLMRS')}. {person.surname}", "NAME")],
        ]
        return _pick(rng, forms)
    # A Chinese person in English text: pinyin in either order, often with the characters.
    sur, giv = person.surname_pinyin, person.given_pinyin
    if len(person.given) == 2 and rng.random() < 0.15:
        giv = giv  # keep one word; hyphenated forms below
        hyph = _hyphenate_pinyin(person)
        if hyph:
            giv = hyph
    if form == "ref":
        title = "Mr. " if person.sex == "M" else "Ms. "
        return _pick(rng, ([(title, ""), (sur, "NAME")], [(f"{sur} {giv}", "NAME")], [("the patient", "")]))
    if form == "doctor":
        return _pick(rng, ([(f"{giv} {sur}", "NAME")], [(f"{sur} {giv}", "NAME")]))
    options: list[list[Piece]] = [
        [(f"{sur} {giv}", "NAME")],
        [(f"{sur.upper()} {giv}", "NAME")],
        [(f"{giv} {sur}", "NAME")],
        [(f"{sur.upper()}, {giv}", "NAME")],
    ]
    chosen = list(_pick(rng, options))
    if ctx.style == "en+zh" and rng.random() < 0.6:
        chosen += [(" (", ""), (person.hanzi, "NAME"), (")", "")]
    elif ctx.style == "en+zh" and rng.random() < 0.5:
        chosen = [(person.hanzi, "NAME")]
    return chosen


def _wechat_id(rng: random.Random, person: Person) -> str:
    """A WeChat ID: 6-20 characters, a letter first, then letters, digits, _ or -."""
    name = person.surname_pinyin or re.sub(r"[^A-Za-z]", "", person.surname)
    handle = _pick(
        rng,
        (
            "wxid_" + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz0123456789") for _ in range(rng.randint(10, 14))),
            _handle(rng, person).replace(".", "_"),
            f"{name}{rng.randint(100, 99999)}",
            f"{name.lower()}-{person.given_pinyin.lower() or person.given.lower()}",
        ),
    )
    handle = handle[:20]
    while len(handle) < 6:
        handle += str(rng.randint(0, 9))
    return handle


def _hyphenate_pinyin(person: Person) -> str:
    """Xiao-Ming: the given name split at its first syllable, when the pool tells where."""
    first = person.given[0]
    for item in _pools()["zh_given"]:
        char, pinyin = str(item).split(" ")
        if char == first:
            return pinyin.capitalize() + "-" + person.given_pinyin[len(pinyin) :]
    return ""


def _slot(ctx: NoteContext, name: str) -> list[Piece]:
    rng = ctx.rng
    patient = ctx.patient
    zh = ctx.zh_text
    chinese_phi = ctx.zh_phi
    if name == "pt":
        return _name_pieces(ctx, patient.person, form="full")
    if name == "pt_ref":
        return _name_pieces(ctx, patient.person, form="ref")
    if name in ("dr", "dr2", "dr3"):
        return _name_pieces(ctx, ctx.doctors[{"dr": 0, "dr2": 1, "dr3": 2}[name]], form="doctor")
    if name == "rel":
        assert ctx.relative is not None
        return _name_pieces(ctx, ctx.relative, form="doctor")
    if name == "relation":
        assert ctx.relative is not None
        index = rng.randrange(4)
        return [((_RELATIONS_ZH if zh else _RELATIONS_EN)[index * 2 + (0 if ctx.relative.sex == "F" else 1)], "")]
    if name == "sex":
        male = patient.person.sex == "M"
        return [(("男" if male else "女") if zh else ("male" if male else "female"), "")]
    if name in ("he", "He", "his", "His"):
        word = {"he": ("he", "she"), "his": ("his", "her")}[name.lower()][0 if patient.person.sex == "M" else 1]
        return [(word.capitalize() if name[0].isupper() else word, "")]
    if name == "age":
        return [(str(patient.age), "AGE" if patient.age > 89 else "")]
    if name == "dob":
        return [(_date_text(rng, patient.birth, chinese=zh), "DATE")]
    if name in ("date", "idx", "later"):
        offset = {"date": rng.randint(-420, -3), "idx": 0, "later": rng.randint(1, 45)}[name]
        return [(_date_text(rng, ctx.index_date + dt.timedelta(days=offset), chinese=zh), "DATE")]
    if name == "id":
        number = patient.resident_id
        if rng.random() < 0.1:
            number = f"{number[:6]} {number[6:14]} {number[14:]}"
        if number.endswith("X") and rng.random() < 0.2:
            number = number[:-1] + "x"
        return [(number, "ID_NUMBER")]
    if name == "passport":
        return [(_passport(rng, chinese=patient.person.chinese), "ID_NUMBER")]
    if name == "ssn":
        return [(_ssn(rng), "ID_NUMBER")]
    if name == "phone":
        if chinese_phi:
            return [(_mobile_text(rng, patient.mobile), "PHONE")]
        return [(_us_phone_text(rng), "PHONE")]
    if name == "phone2":
        if chinese_phi:
            return [(_mobile_text(rng, _pick(rng, _MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"), "PHONE")]
        return [(_us_phone_text(rng), "PHONE")]
    if name == "tel":
        if chinese_phi:
            ext = _pick(rng, ("", "", f"转{rng.randint(1000, 8999)}"))
            return [(_landline_text(rng), "PHONE"), (ext, "")]
        ext = _pick(rng, ("", "", f" ext. {rng.randint(1, 9999)}", f" x{rng.randint(100, 9999)}"))
        return [(_us_phone_text(rng), "PHONE"), (ext, "")]
    if name in ("mrn", "case", "outpatient", "insurance", "pathology", "accession", "member"):
        key = {"mrn": "mrn_zh" if chinese_phi else "mrn_en", "case": "case_zh"}.get(name, name)
        value = ctx.numbers.setdefault(name, _record_number(rng, key))
        return [(value, "RECORD_NUMBER")]
    if name == "bed":
        return [(ctx.numbers.setdefault("bed", str(rng.randint(1, 68))), "RECORD_NUMBER")]
    if name == "addr":
        if chinese_phi:
            return [(ctx.numbers.setdefault("addr", _zh_address(rng, ctx.split, patient.region)), "ADDRESS")]
        return [(ctx.numbers.setdefault("addr", _us_address(rng, ctx.split)), "ADDRESS")]
    if name == "email":
        person = ctx.doctors[0] if rng.random() < 0.5 else patient.person
        domains = _pools()["mail_domains_cn" if person.chinese and chinese_phi else "mail_domains_en"]
        return [(f"{_handle(rng, person)}@{_pick(rng, domains)}", "EMAIL")]
    if name == "url":
        host = _pick(rng, _pools()["url_hosts"])
        path = _pick(
            rng,
            (
                f"/doctor/{rng.randint(10000, 999999)}.html",
                f"/record?id={rng.randint(100000, 9999999)}",
                f"/p/{_handle(rng, patient.person)}",
                f"/MyChart/share/{rng.randint(10**7, 10**8)}",
            ),
        )
        scheme = _pick(rng, ("https://", "https://", "http://", ""))
        if not scheme and not str(host).startswith("www."):
            scheme = "https://"
        return [(f"{scheme}{host}{path}", "URL")]
    if name == "wechat":
        return [(_wechat_id(rng, patient.person), "SOCIAL_ID")]
    if name == "qq":
        return [(str(rng.randint(10000, 3999999999)), "SOCIAL_ID")]
    if name == "hosp":
        return [(ctx.numbers.setdefault("hosp", _hospital(ctx)), "ORGANIZATION")]
    if name == "hosp2":
        return [(ctx.numbers.setdefault("hosp2", _pick(rng, _pools()["us_hospitals"])), "ORGANIZATION")]
    if name == "dx":
        return _plain(ctx.numbers.setdefault("dx", _pick(rng, _DX_ZH if zh else _DX_EN)))
    if name == "regimen":
        return [(ctx.numbers.setdefault("regimen", _pick(rng, _REGIMENS)), KEEP)]
    if name == "drug":
        english = not zh or (ctx.style == "zh+en" and rng.random() < 0.7)
        return [(_pick(rng, _DRUGS_EN if english else _DRUGS_ZH), KEEP)]
    if name == "gene":
        return [(_pick(rng, _GENES), KEEP)]
    if name == "word":
        return _plain(_pick(rng, _SURNAME_CLAUSES_ZH))
    if name == "eponym":
        return _plain(_pick(rng, _EPONYMS_ZH_EXTRA if zh else _EPONYMS_EN_EXTRA))
    if name == "symptom":
        return [(_pick(rng, _SYMPTOMS_ZH if zh else _SYMPTOMS_EN), "")]
    if name == "site":
        return [(ctx.numbers.setdefault("site", _pick(rng, _SITES_ZH if zh else _SITES_EN)), "")]
    if name == "n":
        return [(str(rng.randint(2, 8)), "")]
    if name == "lab":
        return [(_lab_line(rng, zh=zh), "")]
    raise KeyError(name)


def _hospital(ctx: NoteContext) -> str:
    if ctx.zh_text or (ctx.style == "en+zh" and ctx.rng.random() < 0.5):
        return str(_pick(ctx.rng, _pools()["zh_hospitals"]))
    if ctx.zh_phi:
        return str(_pick(ctx.rng, _pools()["zh_hospitals_en"]))
    return str(_pick(ctx.rng, _pools()["us_hospitals"]))


def _lab_line(rng: random.Random, *, zh: bool) -> str:
    wbc = f"{rng.uniform(1.2, 18.0):.1f}"
    hb = rng.randint(68, 152)
    plt = rng.randint(35, 420)
    ldh = rng.randint(150, 980)
    b2m = f"{rng.uniform(1.5, 9.5):.1f}"
    if zh:
        return f"WBC {wbc}×10^9/L，Hb {hb} g/L，PLT {plt}×10^9/L，LDH {ldh} U/L，β2-MG {b2m} mg/L"
    return (
        f"WBC {wbc} x10^9/L, Hb {hb / 10:.1f} g/dL, platelets {plt} x10^9/L, LDH {ldh} U/L, "
        f"beta-2 microglobulin {b2m} mg/L"
    )


# --- templates -----------------------------------------------------------------------------
# Each note is a sequence of lines; a line is a tuple of alternatives (one is chosen, "" skips
# the line). {slot} is filled by _slot, [[term]] is a retention target.

Template = tuple[tuple[str, ...], ...]

_REFERRAL_ZH: Template = (
    ("{hosp}血液内科\n会诊申请（转诊信）", "转诊信", "{hosp}　远程会诊申请单"),
    ("致：{hosp2}血液科 {dr2}教授", "尊敬的{dr2}教授：", "致{hosp2}会诊专家："),
    ("患者姓名：{pt}　性别：{sex}　年龄：{age}岁", "姓名：{pt}，{sex}，{age}岁", "患者{pt}，{sex}，{age}岁"),
    ("出生日期：{dob}", "出生日期：{dob}　身份证号：{id}", "身份证号：{id}", ""),
    ("住院号：{mrn}　床号：{bed}", "病案号：{case}", "门诊号：{outpatient}", "住院号：{mrn}"),
    (
        "联系电话：{phone}　现住址：{addr}",
        "现住址：{addr}",
        "联系方式：{phone}（本人）",
        "户籍地址：{addr}，电话 {phone}",
    ),
    ("医保卡号：{insurance}", "护照号：{passport}", ""),
    (
        "病史摘要：患者于{date}无明显诱因出现{symptom}，当地医院予抗感染治疗无效。{date}于我院行{site}活检，病理提示{dx}。",
        "现病史：{pt_ref}{date}起出现{symptom}，{date}行{site}穿刺活检，诊断为{dx}，Ann Arbor分期IV期B组。",
    ),
    (
        "既往史：[[高血压]]病史10年，规律服用氨氯地平；否认糖尿病史。",
        "既往史：{eponym}病史5年。",
        "既往史：{word}。",
        "",
    ),
    ("辅助检查：{lab}。", "血常规（{date}）：{lab}。"),
    (
        "治疗经过：{date}起予{regimen}方案化疗{n}周期，末次化疗时间{date}，疗效评价PR。",
        "治疗经过：予{regimen}方案化疗{n}个周期，联合{drug}维持治疗，{date}复查PET-CT示Deauville 4分。",
        "{date}开始口服{drug}，{date}因疾病进展改用{drug}。",
    ),
    ("会诊目的：请协助明确病理诊断及下一步治疗方案。", "会诊目的：患者复发后是否适合CAR-T治疗，请专家指导。"),
    (
        "家属联系人：{rel}（{relation}），电话：{phone2}",
        "家属{rel}（{relation}）陪同，联系电话{phone2}，微信号：{wechat}",
        "患者QQ：{qq}",
        "",
    ),
    (
        "转诊医师：{dr}　联系电话：{tel}　邮箱：{email}",
        "申请医师：{dr}（主治医师），科室电话 {tel}",
        "经治医生：{dr}，电子邮箱 {email}",
    ),
    ("影像资料链接：{url}", ""),
    ("{hosp}　{later}", "申请日期：{later}", "日期：{later}"),
)

_DISCHARGE_ZH: Template = (
    ("{hosp}\n出院小结", "出院记录", "{hosp}血液科出院小结"),
    (
        "姓名：{pt}　性别：{sex}　年龄：{age}岁　科室：血液科　床号：{bed}　住院号：{mrn}",
        "姓名：{pt}　住院号：{mrn}　{bed}床",
        "患者：{pt}（{sex}，{age}岁），病案号 {case}",
    ),
    ("入院日期：{idx}　出院日期：{later}　住院天数：{n}天", "入院时间：{idx}；出院时间：{later}"),
    ("身份证号：{id}", "联系电话：{phone}", "身份证号码 {id}，电话 {phone}", ""),
    ("入院诊断：{dx}", "入院诊断：1. {dx} 2. [[高血压]]2级"),
    ("出院诊断：1. {dx}（IV期B组，IPI 3分） 2. 骨髓抑制", "出院诊断：{dx}，化疗后"),
    (
        "入院情况：{pt_ref}因“{symptom}{n}月”入院。查体：体温36.8℃，脉搏88次/分，血压130/80 mmHg，"
        "双侧颈部可触及多个肿大淋巴结。",
        "入院情况：患者因“{symptom}”于{idx}入院，入院时[[白细胞]]明显降低。",
    ),
    (
        "辅助检查：{lab}。PET-CT（{date}）：全身多发淋巴结肿大，SUVmax 18.6。",
        "辅助检查：{lab}；骨髓涂片（{date}）未见异常细胞。",
    ),
    (
        "诊疗经过：入院后完善检查，于{idx}行骨髓穿刺，{later}起予{regimen}方案化疗（{drug}+{drug}），过程顺利，无明显不良反应。",
        "诊疗经过：予{regimen}方案化疗第{n}周期，辅以{drug}预防，{word}，对症处理后好转。",
    ),
    ("出院情况：一般情况可，无发热。", "出院情况：患者精神可，[[白细胞]]恢复正常。"),
    (
        "出院医嘱：1. {later}返院行下一周期化疗。2. 门诊随访，{dr}医生门诊（周三上午）。3. 如有不适请联系{tel}。",
        "出院医嘱：定期复查血常规，{later}复诊。家属{rel}（{relation}）已知悉，电话{phone2}。",
    ),
    ("随访方式：微信 {wechat}", "电子病历查询：{url}", "患者邮箱：{email}", ""),
    ("主治医师：{dr}　住院医师：{dr2}", "医师签名：{dr}　{later}", "{dr2}/{dr}"),
)

_PATHOLOGY_ZH: Template = (
    ("{hosp}病理诊断报告书", "{hosp}病理科 病理会诊报告", "病理报告"),
    (
        "病理号：{pathology}　住院号：{mrn}　床号：{bed}",
        "病理号：{pathology}",
        "病理号 {pathology}，门诊号 {outpatient}",
    ),
    (
        "姓名：{pt}　性别：{sex}　年龄：{age}岁　送检科室：血液科　送检医生：{dr}",
        "姓名：{pt}，{sex}，{age}岁，送检医生{dr}",
    ),
    ("送检日期：{date}　收到日期：{date}", "取材日期：{date}", "送检日期：{date}"),
    ("临床诊断：淋巴结肿大待查", "临床诊断：{dx}？"),
    ("标本：{site}切除活检，10%中性福尔马林固定，[[石蜡包埋]]。", "送检标本：{site}穿刺组织。"),
    ("肉眼所见：灰白灰红组织一块，大小3.5×2.5×1.5 cm，切面灰白、质中。", "大体：条索状组织3条，长0.8–1.5 cm。"),
    (
        "镜下所见：淋巴结结构破坏，弥漫中等至大细胞浸润，核分裂象易见。",
        "镜下：可见散在[[R-S细胞]]，背景为小淋巴细胞、嗜酸性粒细胞。",
        "镜下见星空现象。",
    ),
    (
        "免疫组化：CD20(+)，CD3(-)，CD10(+)，BCL6(+)，MUM1(-)，BCL2(+,80%)，MYC(+,50%)，Ki-67(约90%+)，CD30(-)，CyclinD1(-)",
        "免疫组化：CD30(+)，CD15(+)，PAX5(弱+)，CD20(-)，CD45(-)，Ki-67(60%)",
        "免疫组化：CD3(+)，CD56(+)，TIA-1(+)，Granzyme B(+)，Ki-67(80%+)",
    ),
    ("原位杂交：EBER(-)", "原位杂交：EBER(+)，提示[[EB病毒]]感染", ""),
    (
        "流式细胞术：CD19+CD20+CD10+，κ轻链限制性表达，异常B细胞占有核细胞12.5%。",
        "流式：CD5+CD23-，λ轻链限制性，考虑套细胞淋巴瘤可能。",
        "",
    ),
    ("FISH：{gene}断裂阳性（阳性细胞占85/200），BCL2断裂阳性。", "FISH检测：IGH/BCL2融合阳性。", ""),
    (
        "染色体核型：46,XY,t(8;14)(q24;q32)[12]/46,XY[8]",
        "染色体核型：46,XX,t(9;22)(q34;q11)[20]，[[费城染色体]]阳性。",
        "染色体：47,XY,+8[5]/46,XY[15]",
        "",
    ),
    ("分子检测：{gene}突变阳性（VAF 32%），TP53外显子5–8未见突变。", "二代测序：检测到{gene}、{gene}突变。"),
    ("病理诊断：（{site}）{dx}。", "诊断：{dx}。"),
    ("备注：请结合临床，必要时会诊。如有疑问请致电{tel}。", "会诊意见可通过{url}查看。", ""),
    ("报告医师：{dr}　审核医师：{dr2}　报告日期：{later}", "诊断医师：{dr}，复核：{dr2}，{later}"),
)

_REFERRAL_EN: Template = (
    ("{hosp}\nDivision of Hematology and Oncology", "{hosp}, Department of Hematology", "REFERRAL LETTER"),
    ("{later}", "Date: {later}"),
    ("Dear Dr. {dr2},", "To: Dr. {dr2}, Lymphoma Program, {hosp2}", "Dear colleague,"),
    (
        "Re: {pt}, DOB {dob}, MRN {mrn}",
        "RE: {pt} (DOB: {dob}; MRN: {mrn})",
        "Patient: {pt}    Medical record number: {mrn}",
    ),
    ("Passport no. {passport}", "ID card: {id}", "SSN: {ssn}", "Insurance member ID: {member}", ""),
    (
        "Thank you for seeing {pt_ref}, a {age}-year-old {sex} with {dx} diagnosed on {date}.",
        "I am writing to refer {pt_ref}, age {age}, who presented on {date} with {symptom}.",
        "{pt_ref} is a {age} y/o {sex} referred for a second opinion on {dx}.",
    ),
    (
        "{He} presented with {symptom} and a biopsy of the {site} on {date} showed {dx}; "
        "staging was [[Ann Arbor]] stage IV.",
        "Biopsy of the {site} on {date} showed {dx}. PET-CT on {date} showed SUVmax 18.6; [[Ann Arbor]] stage IIIB.",
    ),
    ("Past history includes {eponym} and hypertension.", "No significant past history apart from {eponym}.", ""),
    ("Labs on {date}: {lab}.", "Most recent labs: {lab}."),
    (
        "{He} received {n} cycles of {regimen} from {date}, with a partial response, then {drug} maintenance.",
        "Treatment: {regimen} x{n} starting {date}; relapse on {later}. {He} was then started on {drug} and {drug}.",
    ),
    ("Molecular studies showed {gene} and {gene} mutations.", "NGS: {gene} mutated, TP53 wild type.", ""),
    (
        "{He} lives at {addr} and can be reached at {phone} or {email}.",
        "Address: {addr}. Phone: {phone}.",
        "Contact: {phone} (mobile); {his} {relation} {rel} at {phone2}.",
    ),
    ("Images are available at {url}.", "WeChat: {wechat}", ""),
    ("Please contact me at {tel} or {email} with any questions.", "Office: {tel}"),
    ("Sincerely,\n{dr}, MD", "Best regards,\nDr. {dr}\n{hosp}", "Yours,\n{dr}, MD, PhD"),
)

_DISCHARGE_EN: Template = (
    ("{hosp}\nDISCHARGE SUMMARY", "DISCHARGE SUMMARY"),
    (
        "Patient: {pt}    MRN: {mrn}    Bed: {bed}",
        "Name: {pt}  Medical Record #: {mrn}",
        "Patient name: {pt}; account {member}",
    ),
    ("DOB: {dob}    Age: {age}    Sex: {sex}", "Age: {age}  Sex: {sex}"),
    ("Admitted: {idx}    Discharged: {later}", "Admission date: {idx}\nDischarge date: {later}"),
    ("Attending: Dr. {dr}    Resident: Dr. {dr2}", "Attending physician: {dr}, MD"),
    ("Diagnosis: {dx}", "Principal diagnosis: {dx}; secondary: hypertension, history of {eponym}"),
    (
        "History: {pt_ref} is a {age}-year-old {sex} admitted on {idx} with {symptom}.",
        "HPI: {age} yo {sex} with {dx}, admitted for cycle {n} of {regimen}.",
    ),
    ("Labs: {lab}. Bone marrow biopsy on {date} was negative.", "Admission labs: {lab}."),
    (
        "Hospital course: {He} received {regimen} starting {idx} without complications.",
        "Hospital course: started {drug} on {idx}; developed febrile neutropenia treated with cefepime.",
    ),
    ("Discharge medications: {drug}, {drug}, acyclovir.", "Medications on discharge: {drug} and allopurinol."),
    (
        "Follow-up: clinic visit with Dr. {dr} on {later}; call {tel} with fever.",
        "Follow-up with Dr. {dr} on {later}. Patient contact: {phone}; emergency contact {rel} ({relation}) {phone2}.",
    ),
    ("Home address: {addr}", "Patient portal: {url}", "Patient e-mail: {email}", ""),
    ("Electronically signed by {dr}, MD on {later}", "Dictated by {dr2}, MD; signed {later}"),
)

_PATHOLOGY_EN: Template = (
    (
        "{hosp}\nDepartment of Pathology\nSURGICAL PATHOLOGY REPORT",
        "HEMATOPATHOLOGY CONSULTATION REPORT",
        "{hosp} Pathology",
    ),
    (
        "Accession: {accession}    MRN: {mrn}",
        "Case: {accession}",
        "Outside case no. {pathology}; our accession {accession}",
    ),
    ("Patient: {pt}    DOB: {dob}    Age/Sex: {age}/{sex}", "Name: {pt}  Age: {age}  Sex: {sex}"),
    ("Collected: {date}    Received: {date}", "Date of procedure: {date}"),
    ("Submitting physician: Dr. {dr}", "Referring physician: {dr}, MD ({tel})"),
    ("Clinical history: {symptom}; rule out lymphoma.", "Clinical history: known {dx}, relapse?"),
    ("Specimen: {site}, excisional biopsy.", "Specimen: {site}, core biopsies x3."),
    ("Gross: a 3.5 x 2.5 x 1.5 cm tan-white lymph node.", ""),
    (
        "Microscopic: effaced architecture with sheets of large atypical cells.",
        "Microscopic: scattered [[Reed-Sternberg]] cells in a mixed inflammatory background.",
        "Microscopic: starry-sky pattern with a high mitotic rate.",
    ),
    (
        "Immunohistochemistry: CD20+, CD3-, CD10+, BCL6+, MUM1-, BCL2+ (80%), MYC+ (50%), Ki-67 ~90%.",
        "Immunohistochemistry: CD30+, CD15+, PAX5 weak, CD45-, CD20-.",
        "IHC: CD5+, cyclin D1+, SOX11+, CD23-.",
    ),
    ("EBER in situ hybridization: negative.", "EBER ISH: positive ([[Epstein-Barr]] virus).", ""),
    (
        "Flow cytometry: CD19+ CD20+ CD10+ B cells with lambda light chain restriction (12.5% of events).",
        "Flow cytometry: kappa-restricted CD5+ B cells.",
        "",
    ),
    (
        "Cytogenetics: 46,XY,t(8;14)(q24;q32)[12]/46,XY[8].",
        "Karyotype: 46,XX,t(9;22)(q34;q11.2)[20] ([[Philadelphia chromosome]]).",
        "FISH: {gene} rearrangement detected in 85/200 nuclei.",
    ),
    ("Molecular: {gene} mutation (VAF 32%); {gene} wild type.", "NGS panel: {gene}, {gene}."),
    ("DIAGNOSIS: {site}: {dx}.", "Final diagnosis: {dx}."),
    ("Electronically signed out by {dr}, MD, on {later}.", "Pathologist: {dr2}, MD   Signed: {later}"),
)

_TEMPLATES: dict[tuple[str, bool], Template] = {
    ("referral", True): _REFERRAL_ZH,
    ("discharge", True): _DISCHARGE_ZH,
    ("pathology", True): _PATHOLOGY_ZH,
    ("referral", False): _REFERRAL_EN,
    ("discharge", False): _DISCHARGE_EN,
    ("pathology", False): _PATHOLOGY_EN,
}


def _render_line(ctx: NoteContext, line: str, builder: NoteBuilder) -> None:
    pos = 0
    for match in _MARKUP.finditer(line):
        builder.add([(line[pos : match.start()], "")])
        if match.group(1):
            builder.add(_slot(ctx, match.group(1)))
        else:
            builder.add([(match.group(2), KEEP)])
        pos = match.end()
    builder.add([(line[pos:], "")])


# Narrative lines inserted into every note: the hard negatives of real notes (relative times,
# fractions that look like dates, scores, staging systems named after people and places).
_NARRATIVE_ZH = (
    "化疗后第3天出现发热，体温最高38.6℃，予头孢哌酮舒巴坦抗感染。",
    "第2周期后出现3/4级中性粒细胞减少，予G-CSF支持。",
    "按[[Hans]]模型为生发中心型，[[Lugano]]分期IV期，IPI评分3分。",
    "身高170 cm，体重65 kg，体表面积1.75 m²，ECOG评分1分。",
    "3个月后复查PET-CT，[[Deauville]]评分2分，达完全缓解。",
    "骨髓流式CD4/CD8比值1.2，未见异常T细胞。",
    "FISH示del(17p)阴性，1q21扩增阳性；[[Durie-Salmon]]分期IIIA期。",
    "慢性淋巴细胞白血病[[Rai]]分期II期、[[Binet]]分期B期。",
    "每21天为1个周期，D1–5口服{drug}，共6个周期。",
    "{word}，余查体未见明显异常。",
    "[[Kaplan-Meier]]分析提示中位无进展生存期约18个月。",
    "患者于化疗间歇期在家休养，家属陪护。",
)
_NARRATIVE_EN = (
    "On day +14 {he} developed fever to 38.6 C and was treated with cefepime.",
    "After cycle 2 {he} had grade 3/4 neutropenia requiring G-CSF.",
    "By the [[Hans]] algorithm this is germinal centre type; [[Lugano]] stage IV, IPI 3.",
    "Height 170 cm, weight 65 kg, BSA 1.75 m2, ECOG 1. BP 130/80, HR 88.",
    "Interim PET after 3 cycles: [[Deauville]] score 2, complete metabolic response per [[Cheson]] criteria.",
    "Peripheral blood CD4/CD8 ratio 1.2; no aberrant T cells.",
    "FISH: del(17p) negative, 1q21 gain; [[Durie-Salmon]] stage IIIA.",
    "CLL, [[Rai]] stage II, [[Binet]] stage B, with 2 of 3 risk factors.",
    "Cycles every 21 days, {drug} on days 1-5, six cycles planned, then review in 3 months.",
    "Two weeks later {he} was back to baseline; pain 2/10.",
    "[[Kaplan-Meier]] estimates give a median progression-free survival of about 18 months.",
    "[[Cotswolds]]-modified [[Ann Arbor]] staging was used; bulky disease (>10 cm) absent.",
)

# Phrasings only the test split shows: the same kinds of PHI behind cues and in orders the dev
# split never uses, so that the held-out figures measure more than the dev templates.
_HELD_OUT_ZH = (
    "患者爱人{rel}，手机{phone2}，已知情同意。",
    "门诊登记号 {outpatient}，既往于{hosp}就诊。",
    "{date}曾在外院就诊，接诊医生{dr3}建议转上级医院。",
    "家住{addr}，务农，已婚。",
    "随访联系：{pt_ref}本人 {phone}；邮箱 {email}。",
    "病人身份证：{id}。",
    "复诊预约于{later}上午。",
    "联系人{rel}（{relation}）QQ {qq}。",
)
_HELD_OUT_EN = (
    "{His} {relation}, {rel}, can be reached on {phone2}.",
    "Seen in clinic by {dr3} on {date}; notes reviewed with {dr}.",
    "Lives at {addr} with family.",
    "Hospital no. {mrn}; registered {date}.",
    "Best contact: {email}, or mobile {phone}.",
    "Travel document: {passport}.",
    "Follow-up booked for {later}.",
    "{pt_ref} was accompanied by {his} {relation} {rel}.",
)

# Mixed Chinese notes name their drugs and regimens in English inside Chinese sentences.
_ZH_EN_LINES = (
    "靶向治疗：{drug} 560 mg qd，联合{drug}。",
    "基因检测提示{gene}阳性，{gene}阴性，建议使用{drug}。",
    "方案：{regimen}（rituximab 375 mg/m² d0，cyclophosphamide 750 mg/m² d1，doxorubicin 50 mg/m² d1，"
    "vincristine 1.4 mg/m² d1，prednisone 100 mg d1–5）。",
)
# Mixed English notes carry Chinese PHI; these lines add more of it.
_EN_ZH_LINES = (
    "Family contact: {rel} ({relation}), {phone2}.",
    "Home address (as in the ID card): {addr}.",
    "Originally seen at {hosp} on {date}.",
    "Chinese resident ID: {id}.",
)


def generate_note(split: str, index: int) -> Note:
    """Note ``index`` of ``split``: the same arguments always give the same note."""
    if split not in SEEDS:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(SEEDS)}")
    if split == "dev2":
        return _dev2_note(index)
    if split == "dev3":
        return _dev3_note(index)
    rng = random.Random(f"{SEEDS[split]}:{index}")  # noqa: S311 - seeded test data, not a secret
    note_type = NOTE_TYPES[index % 3]
    language = ("zh", "zh", "en", "mixed", "en", "mixed", "zh")[rng.randrange(7)]
    style = language if language != "mixed" else _pick(rng, ("zh+en", "en+zh"))
    chinese_patient = style != "en" or rng.random() < 0.3
    index_date = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randint(0, 7 * 365))
    patient = _patient(rng, split, chinese=chinese_patient, index_date=index_date)
    # Doctors: Chinese in Chinese notes; in English notes, the consultants are a mix.
    doctors_chinese = [(style != "en" and rng.random() < 0.85) or rng.random() < 0.3 for _ in range(3)]
    doctors = [_person(rng, split, chinese=chinese) for chinese in doctors_chinese]
    relative = _person(rng, split, chinese=chinese_patient)
    ctx = NoteContext(rng, split, style, index_date, patient, doctors, relative)
    template = _TEMPLATES[(note_type, ctx.zh_text)]
    builder = NoteBuilder()
    lines = [str(_pick(rng, alternatives)) for alternatives in template]
    narrative = _NARRATIVE_ZH if ctx.zh_text else _NARRATIVE_EN
    for line in rng.sample(narrative, rng.randint(2, 4)):
        lines.insert(rng.randint(4, len(lines) - 2), line)
    if split == "test":
        for line in rng.sample(_HELD_OUT_ZH if ctx.zh_text else _HELD_OUT_EN, 2):
            lines.insert(rng.randint(4, len(lines) - 2), line)
    extra = _ZH_EN_LINES if style == "zh+en" else _EN_ZH_LINES if style == "en+zh" else ()
    for line in extra:
        # An English note with Chinese PHI always carries the Chinese address, so it is mixed.
        if rng.random() < 0.6 or line.startswith("Home address"):
            lines.insert(rng.randint(2, len(lines) - 1), line)
    first = True
    for line in lines:
        if not line:
            continue
        if not first:
            builder.add([("\n", "")])
        first = False
        _render_line(ctx, line, builder)
    text = builder.text
    return Note(
        id=f"{split}-{index:04d}",
        split=split,
        note_type=note_type,
        language=language,
        text=text,
        phi=tuple(builder.phi),
        retain=tuple(builder.retain),
    )


# --- the dev2 split --------------------------------------------------------------------------
# A second development split written independently of the dev and test templates: its own name
# pools (``dev2_*`` in pools.json: rarer and compound surnames, Cantonese and Taiwanese
# romanisations, hyphenated and apostrophe names, middle initials) and its own phrasings
# (signature blocks, role lines, relatives and proxies, forms and tables), so tuning on dev and
# dev2 together does not fit one template set. The test split stays held out.


@dataclass(frozen=True)
class _Dev2Person:
    chinese: bool
    sex: str
    surname: str  # hanzi, or the English last name
    given: str  # hanzi, or the English first name
    roman_surname: str = ""
    roman_given: tuple[str, ...] = ()  # pinyin syllables of the given name
    romanised: str = ""  # a fixed Cantonese/Taiwanese romanisation ("Chan Tai-man"), if any
    middle: str = ""  # a middle initial of an English name


def _dev2_person(rng: random.Random, *, chinese: bool) -> _Dev2Person:
    pools = _pools()
    sex = _pick(rng, ("M", "F"))
    if chinese and rng.random() < 0.25:
        hanzi, roman = str(_pick(rng, pools["dev2_romanised"])).split(" ", 1)
        return _Dev2Person(True, sex, hanzi[0], hanzi[1:], romanised=roman)
    if chinese:
        surname, roman_surname = str(_pick(rng, pools["dev2_zh_surnames"])).split(" ")
        chars = [str(_pick(rng, pools["dev2_zh_given"])).split(" ") for _ in range(1 if rng.random() < 0.3 else 2)]
        return _Dev2Person(True, sex, surname, "".join(c for c, _ in chars), roman_surname, tuple(p for _, p in chars))
    first = str(_pick(rng, pools["dev2_en_first_male" if sex == "M" else "dev2_en_first_female"]))
    middle = _pick(rng, "ABCDEFGHJKLMNPRSTW") if rng.random() < 0.35 else ""
    return _Dev2Person(False, sex, str(_pick(rng, pools["dev2_en_last"])), first, middle=middle)


def _dev2_name(rng: random.Random, person: _Dev2Person, *, zh: bool, form: str = "full") -> str:
    """One written form of a person's name: hanzi in Chinese text, a romanisation or English form otherwise."""
    if person.chinese and zh:
        return person.surname if form == "surname" else person.surname + person.given
    if person.chinese and person.romanised:
        surname, given = person.romanised.split(" ", 1)
        if form == "surname":
            return surname
        if form == "given":
            return given
        return str(_pick(rng, (person.romanised, f"{surname.upper()} {given}", f"{given} {surname}")))
    if person.chinese:
        sur = person.roman_surname
        joined = "".join(person.roman_given).capitalize()
        if form == "surname":
            return str(_pick(rng, (sur, sur.upper())))
        if form == "given":
            return joined
        hyphen = "-".join(s.capitalize() for s in person.roman_given)
        return str(
            _pick(
                rng,
                (
                    f"{sur} {joined}",
                    f"{sur.upper()} {joined}",
                    f"{joined} {sur}",
                    f"{sur.upper()} {joined.upper()}",
                    f"{sur} {hyphen}",
                    f"{hyphen} {sur}",
                    f"{sur.lower()} {joined.lower()}",
                    f"{sur} {' '.join(s.capitalize() for s in person.roman_given)}",
                ),
            )
        )
    if form == "surname":
        return person.surname
    if form == "given":
        return person.given
    middle = f" {person.middle}." if person.middle else ""
    return str(
        _pick(
            rng,
            (
                f"{person.given}{middle} {person.surname}",
                f"{person.given} {person.surname}",
                f"{person.surname.upper()}, {person.given}{middle}",
                f"{person.surname}, {person.given}",
                f"{person.given[0]}. {person.surname}",
            ),
        )
    )


# The relation of a relative to the patient, in aligned forms (one relation per note).
_DEV2_REL_ZH = {"M": ("父亲", "儿子", "丈夫", "哥哥"), "F": ("母亲", "女儿", "妻子", "姐姐")}
_DEV2_REL_ZH_SHORT = {"M": ("父", "子", "夫", "兄"), "F": ("母", "女", "妻", "姊")}
_DEV2_REL_EN = {"M": ("father", "son", "husband", "brother"), "F": ("mother", "daughter", "wife", "sister")}

# Lines with slots: {pt} patient, {d1} {d2} {d3} doctors, {nu} {nu2} nurses, {r1} {r2} relatives (…_sur
# surname, …_given given name), {rel}/{relz} relation of r1, {date} {mobile} {phone} {mrn} {path}
# {hosp} {addr} {id} {email} {age}; [[terms]] to retain.
_DEV2_HEAD_ZH = {
    "referral": ("{hosp}　会诊申请单", "申请日期：{date}　门诊号：{opd}"),
    "pathology": ("{hosp}病理科　病理会诊报告", "病理号：{path}　收到日期：{date}"),
    "discharge": ("{hosp}　出院记录", "住院号：{mrn}　出院日期：{date}"),
}
_DEV2_HEAD_EN = {
    "referral": ("{hosp} — Consultation Request", "Date of request: {date}  MRN: {mrn}"),
    "pathology": ("{hosp}, Department of Pathology — Outside Slide Review", "Accession: {path}  Received {date}"),
    "discharge": ("{hosp} — Discharge Summary", "Admit/discharge: {date}  Acct MRN {mrn}"),
}
_DEV2_PEOPLE_ZH = (
    "经治医师：{d1}　主治医师：{d2}　主任医师：{d3}",
    "住院医师（签名）：{d1}",
    "记录者：{nu}　记录时间：{date}",
    "护士长{nu}已安排单间病房。",
    "{d1_sur}医生查房后指示继续原方案，复查血常规。",
    "今日{d2}大夫查看患者，建议完善骨髓穿刺。",
    "由{nu}护士执行医嘱，输注过程顺利。",
    "联系人：{r1}（{rel}）　电话：{mobile}",
    "紧急联系人：{r1}，与患者关系：{rel}，手机{mobile}",
    "监护人{r1}已签署知情同意书。",
    "委托人：{r1}　受托人：{r2}",
    "患者之{relz}{r1}代诉病史，可靠。",
    "患者由其{rel}{r1}陪同入院。",
    "由{r1}陪同前来就诊，携外院资料一份。",
    "会诊申请人：{d1}（血液科）",
    "申请会诊医师：{d1}　会诊医师：{d3}",
    "医师签章：{d2}（盖章）",
    "病史陈述者：{r1}（患者{rel}）",
    "向患者{rel}{r1}交代病情及治疗风险，其表示理解。",
    "已电话告知{r1}（{mobile}）复查时间。",
    "主管护士：{nu}；责任护士：{nu2}",
    "抄送：{d2}、{d3}",
    "{d3}教授会诊意见：考虑[[弥漫大B细胞淋巴瘤]]可能性大。",
    "（主治医师：{d2}）",
    "下级医师{d1}汇报病史，上级医师{d3}查房。",
    "{pt_sur}老师家属{r1}要求转上级医院继续治疗。",
    "签字人：{r1}　　签字日期：{date}",
    "{d2}主任指示：暂缓化疗，先行抗感染。",
    "夜班护士{nu}发现患者体温升高，报告值班医生{d1}。",
    "患者配偶{r1}，住址：{addr}",
)
_DEV2_PEOPLE_EN = (
    "Dictated by: {d1}, MD",
    "Electronically signed by {d2}, MD on {date}",
    "Attending: {d3}, MD; Fellow: {d1}, MD",
    "cc: {d3}, MD; {d2}",
    "{nu}, RN, administered the first dose without incident.",
    "Spoke with {his} {rel} {r1_given} by phone ({phone}) and updated the plan.",
    "Patient's {rel} {r1_given} is the health care proxy.",
    "Emergency contact: {r1} ({rel}), {phone}",
    "Accompanied today by {his} {rel}, {r1}.",
    "Presented at tumor board by {d1} (fellow).",
    "Seen and examined with Dr. {d3_sur}; I agree with the fellow's note.",
    "Consult requested by: {d1}",
    "Pathologist: {d2}, MD | Grossed by: {nu}",
    "Ordering provider: {d1}   Referring physician: Dr. {d2_sur}",
    "Thank you for referring {pt} to our clinic.",
    "Sincerely,\n{d3}, MD, PhD",
    "Nurse navigator: {nu}, RN, BSN, {phone}",
    "Release of information signed by {r1} ({rel}) on {date}.",
    "Name | MRN | DOB\n{pt} | {mrn} | {dob}",
    "Per {his} {rel}, {r1_given}, {he} has been eating less.",
    "Case discussed with {d2} (attending) and {nu} (charge nurse).",
    "Reviewed by: {d3}, MD (Hematopathology)",
    "Interpreter {nu2} present for the entire visit.",
    "Contact: {email}",
)
_DEV2_BODY_ZH = (
    "患者{pt}，{sex}，{age}岁，因“颈部包块2月”入院。",
    "姓名：{pt}　性别：{sex}　年龄：{age}岁　身份证号：{id}",
    "既往[[高血压]]病史10年，否认[[糖尿病]]。",
    "[[白细胞]]3.2×10^9/L，[[血红蛋白]]95 g/L，血小板121×10^9/L。",
    "免疫组化：CD20(+)，[[Bcl-2]](+)，Ki-67约80%；[[EBER]]原位杂交阴性。",
    "[[Ann Arbor]]分期IIIB期，伴[[B症状]]。",
    "诊断：[[霍奇金淋巴瘤]]，结节硬化型，可见[[Reed-Sternberg]]细胞。",
    "予[[R-CHOP]]方案化疗2周期，耐受可。",
    "[[Waldeyer]]环未见受累。",
    "家庭住址：{addr}",
)
_DEV2_BODY_EN = (
    "{pt_title} {pt_sur} is a {age}-year-old {man} with a neck mass for 2 months.",
    "Patient: {pt}   DOB: {dob}   MRN: {mrn}",
    "History of [[Sjögren]] syndrome and hypertension.",
    "WBC 3.2, Hgb 9.5, platelets 121. LDH 410.",
    "IHC: CD20+, [[BCL2]]+, MYC 50%, Ki-67 80%; [[EBER]] ISH negative.",
    "[[Ann Arbor]] stage IIIB with B symptoms; no [[Richter]] transformation.",
    "Impression: classic [[Hodgkin]] lymphoma with [[Reed-Sternberg]] cells.",
    "Received [[R-CHOP]] x2 cycles, tolerated well.",
    "Home: {addr}",
)
_DEV2_MIXED_EN = (
    "Patient: {pt_hanzi} ({pt_roman})",
    "Consultant: {d3_roman}, MD",
    "Family contact: {r1_hanzi} / {r1_roman}, {mobile}",
)


@dataclass
class _Dev2Note:
    rng: random.Random
    zh_phi: bool
    patient: _Dev2Person
    people: dict[str, _Dev2Person]
    age: int
    birth: dt.date
    region: list[str]
    mobile: str
    index_date: dt.date
    relation: int


def _dev2_slot(note: _Dev2Note, slot: str, *, zh: bool) -> list[Piece]:
    rng = note.rng
    key, _, form = slot.partition("_")
    person = note.patient if key == "pt" else note.people.get(key)
    if person is not None:
        if form == "hanzi":
            return [(person.surname + person.given, "NAME")]
        if form == "roman":
            return [(_dev2_name(rng, person, zh=False), "NAME")]
        return [(_dev2_name(rng, person, zh=zh, form={"sur": "surname", "given": "given"}.get(form, "full")), "NAME")]
    relative, pt = note.people["r1"], note.patient
    day = note.index_date - dt.timedelta(days=rng.randint(0, 400))
    plain: dict[str, str] = {
        "rel": (_DEV2_REL_ZH if zh else _DEV2_REL_EN)[relative.sex][note.relation],
        "relz": _DEV2_REL_ZH_SHORT[relative.sex][note.relation],
        "his": "his" if pt.sex == "M" else "her",
        "he": "he" if pt.sex == "M" else "she",
        "man": "man" if pt.sex == "M" else "woman",
        "pt": "",
        "sex": ("男" if pt.sex == "M" else "女") if zh else pt.sex,
    }
    if slot == "pt_title":
        return [("Mr." if pt.sex == "M" else "Ms.", "")]
    if slot in plain:
        return [(plain[slot], "")]
    if slot == "age":
        return [(str(note.age), "AGE" if note.age > 89 else "")]
    if slot == "date":
        return [(_date_text(rng, day, chinese=zh), "DATE")]
    if slot == "dob":
        return [(_date_text(rng, note.birth, chinese=zh), "DATE")]
    if slot == "mobile":
        return [(_mobile_text(rng, note.mobile), "PHONE")]
    if slot == "phone":
        return [(_mobile_text(rng, note.mobile) if note.zh_phi else _us_phone_text(rng), "PHONE")]
    if slot in ("mrn", "opd", "path"):
        kind = {"mrn": "mrn_zh" if zh else "mrn_en", "opd": "outpatient", "path": "pathology" if zh else "accession"}
        return [(_record_number(rng, kind[slot]), "RECORD_NUMBER")]
    if slot == "hosp":
        pool = "zh_hospitals" if zh else "zh_hospitals_en" if note.zh_phi else "us_hospitals"
        return [(str(_pick(rng, _pools()[pool])), "ORGANIZATION")]
    if slot == "addr":
        return [(_zh_address(rng, "dev", note.region) if note.zh_phi else _us_address(rng, "dev"), "ADDRESS")]
    if slot == "id":
        body = f"{note.region[3]}{note.birth:%Y%m%d}{rng.randint(0, 99):02d}{rng.randint(0, 9)}"
        return [(body + resident_id_checksum(body), "ID_NUMBER")]
    if slot == "email":
        local = _dev2_name(rng, pt, zh=False, form="surname").lower().replace("'", "")
        domain = _pick(rng, _pools()["mail_domains_cn" if note.zh_phi else "mail_domains_en"])
        return [(f"{local}.{note.birth:%m%d}@{domain}", "EMAIL")]
    raise KeyError(slot)


def _dev2_render(note: _Dev2Note, line: str, builder: NoteBuilder, *, zh: bool) -> None:
    pos = 0
    for match in _MARKUP.finditer(line):
        builder.add([(line[pos : match.start()], "")])
        if match.group(1):
            builder.add(_dev2_slot(note, match.group(1), zh=zh))
        else:
            builder.add([(match.group(2), KEEP)])
        pos = match.end()
    builder.add([(line[pos:], "")])


def _dev2_note(index: int) -> Note:
    rng = random.Random(f"{SEEDS['dev2']}:{index}")  # noqa: S311 - seeded test data, not a secret
    note_type = NOTE_TYPES[index % 3]
    language = ("zh", "en", "mixed")[rng.randrange(3)]
    chinese = language != "en" or rng.random() < 0.4
    index_date = dt.date(2019, 6, 1) + dt.timedelta(days=rng.randint(0, 6 * 365))
    age = rng.randint(90, 101) if rng.random() < 0.12 else rng.randint(19, 88)
    people = {
        key: _dev2_person(rng, chinese=chinese if key.startswith("r") else language != "en" or rng.random() < 0.25)
        for key in ("d1", "d2", "d3", "nu", "nu2", "r1", "r2")
    }
    note = _Dev2Note(
        rng=rng,
        zh_phi=chinese,
        patient=_dev2_person(rng, chinese=chinese),
        people=people,
        age=age,
        birth=index_date - dt.timedelta(days=age * 365 + rng.randint(20, 340)),
        region=list(_pick(rng, _pools()["regions"])),
        mobile=_pick(rng, _MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}",
        index_date=index_date,
        relation=rng.randrange(4),
    )
    zh = language != "en"
    head = (_DEV2_HEAD_ZH if zh else _DEV2_HEAD_EN)[note_type]
    body = rng.sample(_DEV2_BODY_ZH if zh else _DEV2_BODY_EN, rng.randint(3, 5))
    people_lines = rng.sample(_DEV2_PEOPLE_ZH if zh else _DEV2_PEOPLE_EN, rng.randint(5, 8))
    lines: list[tuple[str, bool]] = [(line, zh) for line in (*body, *people_lines)]
    rng.shuffle(lines)
    if language == "mixed":
        for line in (*rng.sample(_DEV2_PEOPLE_EN, 2), *rng.sample(_DEV2_MIXED_EN, 2)):
            lines.insert(rng.randint(0, len(lines)), (line, False))
    builder = NoteBuilder()
    for number, (line, line_zh) in enumerate([(h, zh) for h in head] + lines):
        if number:
            builder.add([("\n", "")])
        _dev2_render(note, line, builder, zh=line_zh)
    return Note(
        id=f"dev2-{index:04d}",
        split="dev2",
        note_type=note_type,
        language=language,
        text=builder.text,
        phi=tuple(builder.phi),
        retain=tuple(builder.retain),
    )


# --- the dev3 split --------------------------------------------------------------------------
# A third development split, written from how real referral letters, pathology reports and
# discharge summaries name people, without reading the scrubber: salutations and valedictions
# ("Dear Dr Fox", "Yours sincerely," over a name on its own line), cc and copy lines, "seen by",
# report sign-offs (诊断医师/复核医师, Reported by … FCAP), case-discussion attendance lists
# (参加讨论人员：…主任医师、…), operation-note teams (手术者/一助/麻醉), relatives (家属, next of
# kin), UK and US forms (Surname: … Forename(s): …), table rows, names opening a sentence with no
# cue, names followed by a title or a post ("…, Consultant Haematologist"), and romanised names in
# many orders (WANG Xiaoming, Xiao-Ming Wang, X. Wang, Wang XM, Tan Siew Ling, Nguyen Thi Huong).
# Its pools (``dev3_*``) hold given-name characters and Western names no other split uses.


@dataclass(frozen=True)
class _Dev3Person:
    origin: str  # "zh" (hanzi and pinyin), "west" (English name), "asia" (romanised only, surname first)
    sex: str
    surname: str  # hanzi, the Western last name, or the romanised surname
    given: str  # hanzi, the Western first name, or the romanised given name ("Siew Ling")
    roman_surname: str = ""
    roman_given: tuple[str, ...] = ()
    middle: str = ""


def _dev3_person(rng: random.Random, *, origin: str) -> _Dev3Person:
    pools = _pools()
    sex = _pick(rng, ("M", "F"))
    if origin == "asia":
        surname, given = str(_pick(rng, pools["dev3_asian_romanised"])).split(" ", 1)
        return _Dev3Person("asia", sex, surname, given)
    if origin == "zh":
        roll = rng.random()
        pool = "dev3_zh_surnames_common" if roll < 0.75 else "dev3_zh_surnames_rare"
        surname, roman_surname = str(_pick(rng, pools[pool])).split(" ")
        chars = [str(_pick(rng, pools["dev3_zh_given"])).split(" ") for _ in range(1 if rng.random() < 0.25 else 2)]
        return _Dev3Person("zh", sex, surname, "".join(c for c, _ in chars), roman_surname, tuple(p for _, p in chars))
    first = str(_pick(rng, pools["dev3_en_first_male" if sex == "M" else "dev3_en_first_female"]))
    middle = _pick(rng, "ABCDEFGHJKLMNOPRSTVW") if rng.random() < 0.3 else ""
    return _Dev3Person("west", sex, str(_pick(rng, pools["dev3_en_last"])), first, middle=middle)


def _dev3_roman(rng: random.Random, person: _Dev3Person, form: str) -> str:
    """A romanised or English form of a name: ``full``, ``sur``, ``given``, ``formal`` (a form's LAST, First)."""
    if person.origin == "zh":
        sur = person.roman_surname
        given = "".join(person.roman_given).capitalize()
        hyphen = "-".join(s.capitalize() for s in person.roman_given)
        if form == "sur":
            return sur
        if form == "given":
            return given
        if form == "formal":
            return str(_pick(rng, (f"{sur.upper()}, {given}", f"{sur.upper()} {given}", f"{sur}, {given}")))
        initials = "".join(s[0].upper() for s in person.roman_given)
        dotted = ".".join(s[0].upper() for s in person.roman_given) + "."
        options = [
            f"{sur} {given}",
            f"{given} {sur}",
            f"{sur.upper()} {given}",
            f"{hyphen} {sur}",
            f"{sur} {hyphen}",
            f"{dotted} {sur}",
            f"{sur} {initials}",
        ]
        if len(person.roman_given) == 2:
            options.append(f"{sur} {person.roman_given[0].capitalize()}-{person.roman_given[1]}")
        return str(_pick(rng, options))
    if person.origin == "asia":
        if form == "sur":
            return person.surname
        if form == "given":
            return person.given
        if form == "formal":
            return f"{person.surname.upper()} {person.given}"
        return str(_pick(rng, (f"{person.surname} {person.given}", f"{person.surname.upper()} {person.given}")))
    if form == "sur":
        return person.surname
    if form == "given":
        return person.given
    if form == "formal":
        middle = f" {person.middle}." if person.middle else ""
        return str(
            _pick(rng, (f"{person.surname.upper()}, {person.given}{middle}", f"{person.surname}, {person.given}"))
        )
    middle = f" {person.middle}." if person.middle else ""
    return str(
        _pick(
            rng,
            (
                f"{person.given}{middle} {person.surname}",
                f"{person.given} {person.surname}",
                f"{person.given[0]}. {person.surname}",
                f"{person.given[0]}.{person.middle or person.given[1].upper()}. {person.surname}"
                if person.middle
                else f"{person.given} {person.surname}",
            ),
        )
    )


def _dev3_name(rng: random.Random, person: _Dev3Person, *, zh: bool, form: str) -> str:
    """The name as a line in Chinese (``zh``) or English writes it: hanzi for a Chinese person in Chinese text."""
    if person.origin == "zh" and (zh or form == "hanzi"):
        if form == "sur":
            return person.surname
        return person.surname + person.given
    if form == "hanzi":
        form = "full"
    if form == "upper":
        return _dev3_roman(rng, person, "sur").upper()
    return _dev3_roman(rng, person, form)


# The relation of the relative to the patient, aligned across the forms (one relation per note).
_DEV3_REL_ZH = {"M": ("儿子", "丈夫", "父亲", "弟弟", "侄子"), "F": ("女儿", "妻子", "母亲", "妹妹", "儿媳")}
_DEV3_REL_EN = {
    "M": ("son", "husband", "father", "brother", "nephew"),
    "F": ("daughter", "wife", "mother", "sister", "daughter-in-law"),
}
_DEV3_REL_ZH_SHORT = {"M": ("子", "夫", "父", "弟", "侄"), "F": ("女", "妻", "母", "妹", "媳")}

# Slots: {pt} patient; {d1} {d2} {d3} doctors; {nu} {nu2} nurses and technicians; {gp} the
# referring doctor; {r1} {r2} relatives. A suffix picks the form: _sur surname, _given given name,
# _formal a form's "LAST, First", _upper the surname in capitals, _hanzi characters (Chinese
# people), _roman a romanised form. Plain slots: {title} {rel} {relz} {sex} {his} {he} {age}
# {date} {dob} {mobile} {phone} {mrn} {path} {bed} {hosp} {addr} {id} {email}.
_DEV3_HEAD_ZH = {
    "referral": ("{hosp}　双向转诊（转出）单", "尊敬的{gp_sur}主任："),
    "pathology": ("{hosp}　病理诊断报告书", "姓　　名：{pt}　　性　　别：{sex}　　年　　龄：{age}岁"),
    "discharge": ("{hosp}　出院小结", "床号：{bed}　　姓名：{pt}　　住院号：{mrn}"),
}
_DEV3_HEAD_EN = {
    "referral": ("{hosp}", "Dear Dr {gp_sur},"),
    "pathology": ("{hosp} — Surgical Pathology Report", "Patient: {pt_formal}    Accession #: {path}"),
    "discharge": ("{hosp} — Discharge Summary", "Surname: {pt_upper}    Forename(s): {pt_given}    DOB: {dob}"),
}
_DEV3_PEOPLE_ZH = (
    "{pt}，{sex}，{age}岁，汉族，已婚，退休职工，因“乏力伴发热1月”于{date}入院。",
    "诊断医师：{d1}　　复核医师：{d2}　　报告日期：{date}",
    "取材：{nu}　　制片：{nu2}　　诊断：{d2}",
    "参加讨论人员：{d3}主任医师、{d2}副主任医师、{d1}主治医师、{nu}护士长",
    "讨论意见：{d3}主任医师：患者诊断明确，建议按高危组治疗。",
    "手术者：{d2}　　一助：{d1}　　麻醉医师：{nu2}　　器械护士：{nu}",
    "经治医生：{d1}　　上级医师：{d3}",
    "送检医生：{gp}　　送检科室：血液科　　收到日期：{date}",
    "转诊医生：{gp}　　联系电话：{phone}",
    "此致\n敬礼！\n{d2}\n{date}",
    "患者家属：{r1}（{rel}）　　联系电话：{mobile}",
    "家属{r1}签字同意行骨髓穿刺术。",
    "{r1}（患者之{relz}）诉患者近一周食欲差、夜间盗汗。",
    "患者{pt_sur}某之{rel}{r1}于{date}来院咨询病理结果。",
    "经{gp}医师介绍转来我院进一步诊治。",
    "请{d3}教授会诊，会诊意见：建议加做[[MYC]]、[[BCL2]]、[[BCL6]] FISH。",
    "{d2}副主任医师查房后指出：需排除[[Burkitt]]淋巴瘤。",
    "与患者{rel}{r1}沟通病情及预后，家属表示理解。",
    "床位医生：{d1}　　主诊组长：{d3}",
    "病历书写者：{d1}　　审核者：{d3}",
    "{pt_sur}阿姨今晨体温37.8℃，已告知{d1}医生。",
    "记录：{nu}　{date}",
    "会诊医生签名：{d3}　　会诊时间：{date}",
    "姓名\t性别\t年龄\t住院号\n{pt}\t{sex}\t{age}\t{mrn}",
    "｜角色｜姓名｜\n｜主刀｜{d2}｜\n｜一助｜{d1}｜",
    "门诊随访：{d1}医生门诊（每周三上午）",
    "复核：{d3}　　签发：{d2}",
    "联系人：{r1}，{mobile}（{relz}）",
    "委托{r1}（{rel}）代为办理出院手续。",
    "外院会诊：{gp}（{hosp}）",
    "值班医师{d1}接报后查看患者，通知上级医师{d3}。",
    "患者于{date}在{d2}医师主持下行腰椎穿刺+鞘内注射。",
)
_DEV3_PEOPLE_EN = (
    "Re: {pt} (DOB {dob}; Hospital No. {mrn})",
    "Thank you for asking me to see {title} {pt_sur}, a {age}-year-old {man} with lymphadenopathy.",
    "I reviewed {title} {pt} in the haematology clinic today with {his} {rel}.",
    "Yours sincerely,\n\n{d2}\nConsultant Haematologist",
    "Kind regards,\nDr {d3}\nHaematology Registrar",
    "With best wishes,\n{d1}, MBBS, MRCP",
    "cc: {gp}, General Practitioner; {title} {pt_sur} (patient)",
    "Copy to: Dr {d2_sur}, {hosp}",
    "Seen by: {d1} (SpR) and {d3} (Consultant)",
    "Reported by: {d2}, MD, FCAP    Verified {date}",
    "Frozen section result called to {d1} by {d2} at 10:42.",
    "Results discussed with Dr. {d1_sur} by telephone on {date}.",
    "Present at MDT: {d3}, {d2}, {d1}, {nu}",
    "Next of kin: {r1} ({rel}), {phone}",
    "NOK {r1_given} ({rel}) updated at the bedside.",
    "Lives with {his} {rel}, {r1_given}, who is the main carer.",
    "Last name: {pt_sur}    First name: {pt_given}",
    "{pt} was admitted on {date} with neutropenic fever.",
    "{d2}, PA-C, and {d1}, NP, reviewed the patient on the ward round.",
    "Chaperone: {nu}",
    "Signed: {d3}, MBBS, FRCPath",
    "Addendum ({d1}, {date}): flow cytometry confirms a clonal B-cell population.",
    "On behalf of Dr {d3_sur}",
    "Per Dr. {d2_sur}'s recommendation, a PET-CT was arranged.",
    "{title} {pt_sur}'s {rel}, {r1}, asked about the prognosis.",
    "Tumour board ({date}): {d3} (haematology), {d2} (pathology), {d1} (radiology).",
    "Secretary: {nu}    Tel: {phone}",
    "Dear {d1_given},",
    "Referring physician: {gp}",
    "Gross description dictated by {nu}; microscopy by {d2}.",
    "Interpreter ({rel_lang}): {nu2}",
    "Patient\tMRN\tDOB\n{pt_formal}\t{mrn}\t{dob}",
    "{d3} — Consultant Haematopathologist",
    "The patient's {rel} ({r1}) gave consent on {his} behalf.",
)
_DEV3_BODY_ZH = (
    "既往史：[[高血压]]病史8年，[[糖尿病]]病史3年。",
    "[[白细胞]]2.1×10^9/L，中性粒细胞0.6×10^9/L，[[血红蛋白]]82 g/L。",
    "免疫组化：CD20(+)，CD10(+)，[[BCL6]](+)，[[MYC]](约60%+)，Ki-67约95%。",
    "骨髓细胞学：可见[[Auer小体]]，考虑急性髓系白血病。",
    "染色体核型：46,XX,t(9;22)(q34;q11.2)[20]，[[费城染色体]]阳性。",
    "诊断：[[伯基特淋巴瘤]]（Burkitt lymphoma），[[Ann Arbor]] IV期。",
    "血清蛋白电泳见M蛋白，尿[[本周蛋白]]阳性。",
    "予[[R-CHOP]]方案化疗，第1周期后复查[[PET-CT]]。",
    "[[Waldenström]]巨球蛋白血症不能除外，建议查[[MYD88]] L265P。",
    "家庭住址：{addr}",
    "身份证号：{id}",
)
_DEV3_BODY_EN = (
    "Past history: [[Hashimoto]] thyroiditis, type 2 diabetes.",
    "FBC: Hb 82 g/L, WCC 2.1, neutrophils 0.6, platelets 45.",
    "Sections show sheets of medium-sized cells with a starry-sky pattern, in keeping with [[Burkitt]] lymphoma.",
    "Scattered [[Hodgkin]] and [[Reed-Sternberg]] cells are present (CD30+, CD15+).",
    "No features of [[Waldenström]] macroglobulinaemia; [[MYD88]] L265P not detected.",
    "Cytogenetics: [[Philadelphia chromosome]] detected (BCR-ABL1 p210).",
    "Staging: [[Ann Arbor]] IIA, bulky mediastinal disease.",
    "Plan: [[R-CHOP]] x6 with intrathecal methotrexate.",
    "Address: {addr}",
    "Email: {email}",
)
_DEV3_MIXED_EN = (
    "Patient: {pt_hanzi} ({pt_roman})",
    "Referred by Dr. {gp_roman} ({gp_hanzi}), {hosp}",
    "Family: {r1_hanzi} ({rel}), {mobile}",
)
_DEV3_MIXED_ZH = (
    "外籍会诊专家：{d3_roman}, MD",
    "英文报告签发：{d2_roman}",
)


@dataclass
class _Dev3Note:
    rng: random.Random
    zh_phi: bool
    patient: _Dev3Person
    people: dict[str, _Dev3Person]
    age: int
    birth: dt.date
    region: list[str]
    mobile: str
    index_date: dt.date
    relation: int


def _dev3_slot(note: _Dev3Note, slot: str, *, zh: bool) -> list[Piece]:
    rng = note.rng
    key, _, form = slot.partition("_")
    person = note.patient if key == "pt" else note.people.get(key)
    if person is not None:
        if form == "roman":
            return [(_dev3_roman(rng, person, "full"), "NAME")]
        return [(_dev3_name(rng, person, zh=zh, form=form or "full"), "NAME")]
    relative, pt = note.people["r1"], note.patient
    day = note.index_date - dt.timedelta(days=rng.randint(0, 300))
    plain: dict[str, str] = {
        "rel": (_DEV3_REL_ZH if zh else _DEV3_REL_EN)[relative.sex][note.relation],
        "relz": _DEV3_REL_ZH_SHORT[relative.sex][note.relation],
        "rel_lang": {"zh": "Mandarin", "west": "Portuguese", "asia": "Vietnamese"}[pt.origin],
        "title": "Mr" if pt.sex == "M" else _pick(rng, ("Mrs", "Ms", "Miss")),
        "his": "his" if pt.sex == "M" else "her",
        "man": "man" if pt.sex == "M" else "woman",
        "sex": ("男" if pt.sex == "M" else "女") if zh else pt.sex,
    }
    if slot in plain:
        return [(plain[slot], "")]
    if slot == "age":
        return [(str(note.age), "AGE" if note.age > 89 else "")]
    if slot == "date":
        return [(_date_text(rng, day, chinese=zh), "DATE")]
    if slot == "dob":
        return [(_date_text(rng, note.birth, chinese=zh), "DATE")]
    if slot == "mobile":
        return [(_mobile_text(rng, note.mobile), "PHONE")]
    if slot == "phone":
        return [(_mobile_text(rng, note.mobile) if note.zh_phi else _us_phone_text(rng), "PHONE")]
    if slot in ("mrn", "path", "bed"):
        if slot == "bed":
            return [(f"{rng.randint(1, 60)}", "RECORD_NUMBER")]
        kind = {"mrn": "mrn_zh" if zh else "mrn_en", "path": "pathology" if zh else "accession"}
        return [(_record_number(rng, kind[slot]), "RECORD_NUMBER")]
    if slot == "hosp":
        pool = "zh_hospitals" if zh else "zh_hospitals_en" if note.zh_phi else "us_hospitals"
        return [(str(_pick(rng, _pools()[pool])), "ORGANIZATION")]
    if slot == "addr":
        return [(_zh_address(rng, "dev", note.region) if note.zh_phi else _us_address(rng, "dev"), "ADDRESS")]
    if slot == "id":
        body = f"{note.region[3]}{note.birth:%Y%m%d}{rng.randint(0, 99):02d}{rng.randint(0, 9)}"
        return [(body + resident_id_checksum(body), "ID_NUMBER")]
    if slot == "email":
        local = re.sub(r"[^a-z]", "", _dev3_roman(rng, pt, "sur").lower()) or "pt"
        domain = _pick(rng, _pools()["mail_domains_cn" if note.zh_phi else "mail_domains_en"])
        return [(f"{local}{note.birth:%y}@{domain}", "EMAIL")]
    raise KeyError(slot)


def _dev3_render(note: _Dev3Note, line: str, builder: NoteBuilder, *, zh: bool) -> None:
    pos = 0
    for match in _MARKUP.finditer(line):
        builder.add([(line[pos : match.start()], "")])
        if match.group(1):
            builder.add(_dev3_slot(note, match.group(1), zh=zh))
        else:
            builder.add([(match.group(2), KEEP)])
        pos = match.end()
    builder.add([(line[pos:], "")])


def _dev3_note(index: int) -> Note:
    rng = random.Random(f"{SEEDS['dev3']}:{index}")  # noqa: S311 - seeded test data, not a secret
    note_type = NOTE_TYPES[index % 3]
    language = ("zh", "en", "mixed")[rng.randrange(3)]
    zh = language != "en"
    # Who the people are: Chinese in Chinese notes; in English notes Western, Chinese or other Asian.
    english_origins = ("west", "west", "zh", "asia")
    chinese_patient = zh or rng.random() < 0.35
    patient_origin = "zh" if chinese_patient else _pick(rng, ("west", "west", "asia"))

    def origin(key: str) -> str:
        if key.startswith("r"):
            return "zh" if patient_origin == "zh" else "west" if patient_origin == "west" else "asia"
        if zh:
            return "zh" if rng.random() < 0.9 else "west"
        return str(_pick(rng, english_origins))

    index_date = dt.date(2018, 9, 1) + dt.timedelta(days=rng.randint(0, 7 * 365))
    age = rng.randint(90, 99) if rng.random() < 0.1 else rng.randint(16, 89)
    people = {key: _dev3_person(rng, origin=origin(key)) for key in ("d1", "d2", "d3", "nu", "nu2", "gp", "r1", "r2")}
    note = _Dev3Note(
        rng=rng,
        zh_phi=chinese_patient,
        patient=_dev3_person(rng, origin=patient_origin),
        people=people,
        age=age,
        birth=index_date - dt.timedelta(days=age * 365 + rng.randint(10, 350)),
        region=list(_pick(rng, _pools()["regions"])),
        mobile=_pick(rng, _MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}",
        index_date=index_date,
        relation=rng.randrange(5),
    )
    head = (_DEV3_HEAD_ZH if zh else _DEV3_HEAD_EN)[note_type]
    body = rng.sample(_DEV3_BODY_ZH if zh else _DEV3_BODY_EN, rng.randint(3, 6))
    people_lines = rng.sample(_DEV3_PEOPLE_ZH if zh else _DEV3_PEOPLE_EN, rng.randint(5, 9))
    lines: list[tuple[str, bool]] = [(line, zh) for line in (*body, *people_lines)]
    rng.shuffle(lines)
    if language == "mixed":
        for line in (*rng.sample(_DEV3_PEOPLE_EN, 2), *rng.sample(_DEV3_MIXED_EN, 2)):
            lines.insert(rng.randint(0, len(lines)), (line, False))
        lines.insert(rng.randint(0, len(lines)), (_pick(rng, _DEV3_MIXED_ZH), True))
    builder = NoteBuilder()
    for number, (line, line_zh) in enumerate([(h, zh) for h in head] + lines):
        if number:
            builder.add([("\n", "")])
        _dev3_render(note, line, builder, zh=line_zh)
    return Note(
        id=f"dev3-{index:04d}",
        split="dev3",
        note_type=note_type,
        language=language,
        text=builder.text,
        phi=tuple(builder.phi),
        retain=tuple(builder.retain),
    )


def generate(split: str, *, count: int = DEFAULT_COUNT) -> list[Note]:
    """The first ``count`` notes of ``split`` ("dev", "dev2", "dev3" or "test")."""
    return [generate_note(split, index) for index in range(count)]


def iter_jsonl(notes: Sequence[Note]) -> Iterator[str]:
    for note in notes:
        yield json.dumps(note.as_json(), ensure_ascii=False)


def load_jsonl(path: Path) -> list[Note]:
    """Notes written by :func:`iter_jsonl` (``--out``), e.g. to evaluate a frozen copy."""
    notes: list[Note] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        notes.append(
            Note(
                id=row["id"],
                split=row["split"],
                note_type=row["note_type"],
                language=row["language"],
                text=row["text"],
                phi=tuple(GoldSpan(s, e, k, t) for s, e, k, t in row["phi"]),
                retain=tuple(GoldSpan(s, e, KEEP, t) for s, e, t in row["retain"]),
            )
        )
    return notes


def main(argv: Sequence[str] | None = None, *, stdout: Callable[[str], object] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m huizhen.deid.text.corpus", description="Write the labelled synthetic corpus as JSONL."
    )
    parser.add_argument("--split", choices=tuple(SEEDS), default="dev")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"notes to write (default {DEFAULT_COUNT})")
    parser.add_argument("--out", type=Path, help="output file (default: standard output)")
    args = parser.parse_args(argv)
    lines = iter_jsonl(generate(args.split, count=args.count))
    if args.out:
        args.out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    else:
        write = stdout or sys.stdout.write
        for line in lines:
            write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
