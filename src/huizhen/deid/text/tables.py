"""Values in the columns of plain-text tables whose header names a person or a record number.

Referral letters and lab printouts often carry a small table (``Name | MRN | DOB`` followed by
one row per person, or the same with tabs). A value in such a column has no cue of its own,
so it is found by its column: a header row is a row of known column titles only (Name,
Patient, 姓名, MRN, 病案号, DOB, 性别 …); every following row with the same number of cells
gives the cell under a person column as a NAME, the cell under a record column as a
RECORD_NUMBER and an age over 89 under an age column (Age, 年龄) as AGE, until a line that is not a
row of the table. Full-width bars (｜) separate cells like ASCII ones. Key-value rows such as
``| 姓名 | 许文博 | 性别 | 男 |`` are not headers (许文博 is not a column title): the name cues
read those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Finding = tuple[int, int, str, int]


def _titles(words: str) -> frozenset[str]:
    return frozenset(w.strip() for w in words.split("|") if w.strip())


_PERSON_TITLES = _titles(
    """
    name|patient|patient name|full name|pt name|姓名|患者|患者姓名|病人姓名|病人|患儿姓名|联系人|联系人姓名|contact|
    contact name|emergency contact|physician|doctor|attending|provider|clinician|pathologist|radiologist|surgeon|
    nurse|医生|医师|主治医师|经治医师|护士|家属|家属姓名|relative|next of kin|spouse|guardian|监护人|signed by|签名|
    签字|reviewer|审核者|记录者|referring physician|转诊医师|送检医生|送检医师
    """
)
_RECORD_TITLES = _titles(
    """
    mrn|mr no.|mr no|mr#|record no.|record number|medical record number|hospital no.|hospital number|patient id|
    pt id|case no.|case number|accession|accession no.|account|account no.|病案号|住院号|门诊号|病历号|登记号|
    患者id|id号|就诊卡号|医保卡号|床号|bed|bed no.
    """
)
_OTHER_TITLES = _titles(
    """
    dob|date of birth|birth date|sex|gender|phone|tel|telephone|mobile|email|address|diagnosis|date|time|
    relationship|relation|role|title|department|dept|hospital|ward|signature|id number|id|notes|note|status|
    性别|出生日期|电话|手机|联系电话|地址|诊断|日期|时间|科室|病区|医院|关系|与患者关系|职务|职称|角色|身份证号|
    证件号|备注|状态|签名日期|签字日期
    """
)
_AGE_TITLES = _titles("age|年龄|age (years)|年龄（岁）|年龄(岁)")
_CELL = re.compile(r"[^|｜\t\n]+")
_AGE = re.compile(r"(\d{2,3})(?:[ ]?(?:岁|y|yo|y/o|years?))?")
_RULE = re.compile(r"[\s|:\-=+]*")


def find_table_cells(text: str) -> Iterator[Finding]:
    """(start, end, kind, priority) of the values under person and record columns of a table."""
    if "|" not in text and "\t" not in text and "｜" not in text:
        return
    columns: dict[int, str] = {}
    width = 0
    position = 0
    for line in text.splitlines(keepends=True):
        line_start, position = position, position + len(line)
        if "|" not in line and "\t" not in line and "｜" not in line:
            columns = {}
            continue
        cells = [(m.start(), m.group()) for m in _CELL.finditer(line) if m.group().strip()]
        header = _header(cells)
        if header:
            columns, width = header, len(cells)
            continue
        if not columns or _RULE.fullmatch(line):
            continue
        if len(cells) != width:
            columns = {}
            continue
        for index, kind in columns.items():
            offset, cell = cells[index]
            value = cell.strip()
            if kind == "RECORD_NUMBER" and not any(c.isdigit() for c in value):
                continue
            if kind == "AGE":
                age = _AGE.fullmatch(value)
                if age is None or int(age.group(1)) <= 89:
                    continue
                start = line_start + offset + (len(cell) - len(cell.lstrip()))
                yield start, start + len(age.group(1)), kind, 50
                continue
            if kind == "NAME" and (len(value) > 40 or not any(c.isalpha() for c in value)):
                continue
            start = line_start + offset + (len(cell) - len(cell.lstrip()))
            yield start, start + len(value), kind, 50


def _header(cells: list[tuple[int, str]]) -> dict[int, str]:
    """Column kinds when every cell is a column title and one names a person or a record; else {}."""
    kinds: dict[int, str] = {}
    for index, (_offset, cell) in enumerate(cells):
        title = cell.strip().rstrip(":：").lower()
        if title in _PERSON_TITLES:
            kinds[index] = "NAME"
        elif title in _RECORD_TITLES:
            kinds[index] = "RECORD_NUMBER"
        elif title in _AGE_TITLES:
            kinds[index] = "AGE"
        elif title not in _OTHER_TITLES:
            return {}
    return kinds
