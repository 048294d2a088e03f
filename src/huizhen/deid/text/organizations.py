"""Hospital and department names, which the policy keeps or generalizes (``[医院]`` / ``[HOSPITAL]``).

Chinese hospital names end in a facility word (医院, 卫生院, 保健院, 医学中心, 诊所 …) and begin
after a word that cannot be part of a name (在, 于, 至, 到, 从, 经, 转, 入, 就诊于 …) or at
punctuation; English ones are capitalised words ending in Hospital, Medical Center, Cancer
Center, Clinic, Infirmary, Medicine (Penn Medicine), optionally followed by "of <Place>"
(Xiangya Hospital of Central South University). Generic mentions (当地医院, 外院, 我院, the
local hospital) name no one and are left alone; so are departments (血液科, Department of
Hematology): every hospital has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from huizhen.deid.text.language import HAN

Finding = tuple[int, int, str, int]

# Characters that end the words before a hospital name: "患者于北京协和医院" starts at 北.
_BEFORE = "在于至到从经转入来去往赴由及和与自、，。；：:（(的为系是就诊住收治送检外请患者病人其该我本此"
# Characters never inside a hospital name (协和 and 人民 are, so 和 and 人 may be).
_INSIDE_NOT = "在于至到从经转赴往去来及与自、，。；：:的为是诊收送请患者"
_FACILITY = (
    r"(?:附属医院|中心医院|人民医院|中医医院|中医院|妇幼保健院|保健院|卫生院|医院|医学中心|肿瘤防治中心|肿瘤中心|诊所|"
    r"社区卫生服务中心|卫生服务中心|血液病研究所|研究所)"
)
_ZH_HOSPITAL = re.compile(
    rf"[^\W\d_A-Za-z{_BEFORE}](?:(?![{_INSIDE_NOT}])[{HAN}\d（）()]){{1,20}}?{_FACILITY}(?:[{HAN}]{{1,8}}?院区)?"
)
_ZH_HOSPITAL_START = re.compile(rf"[{_BEFORE}]")
# Hospitals that name no one: 当地医院 (the local hospital), 上级医院, 外院.
_GENERIC = re.compile(
    r"^(?:当地|外|我|本|该|上级|下级|基层|附近|其他|多家|某|县级|市级|省级|三甲|二甲|综合|专科|私立|公立)"
)
_EN_HOSPITAL = re.compile(
    r"(?<![A-Za-z])(?:(?:The[ \t]+)?(?:[A-Z][A-Za-z'’.\-]+[ \t]+(?:of[ \t]+|and[ \t]+|&[ \t]+)?){1,6}"
    r"(?:Hospital|Medical[ \t]+Center|Medical[ \t]+Centre|Cancer[ \t]+(?:Center|Centre|Hospital|Institute)|Clinic|"
    r"Infirmary|Health[ \t]+System|Health[ \t]+Care|Medical[ \t]+College|Medicine(?![ \t]*[A-Za-z]))"
    r"(?:[ \t]+of[ \t]+(?:the[ \t]+)?[A-Z][A-Za-z]+(?:[ \t]+[A-Z][A-Za-z]+){0,3})?"
    r"(?:,[ \t]*(?:[A-Z][A-Za-z]+[ \t]+){1,3}University(?:[ \t]+School[ \t]+of[ \t]+Medicine)?)?"
    r"|City[ \t]+of[ \t]+Hope)(?![A-Za-z])"
)
# Generic English mentions: "the local hospital" is lower case and not matched; these are capitalised.
_EN_GENERIC = ("The Local", "Local", "Outside", "An Outside", "Community")


def find_organizations(text: str) -> Iterator[Finding]:
    """(start, end, "ORGANIZATION", priority) of every hospital and department name."""
    for match in _ZH_HOSPITAL.finditer(text):
        if not _GENERIC.match(match.group()):
            yield match.start(), match.end(), "ORGANIZATION", 47
    for match in _EN_HOSPITAL.finditer(text):
        if not match.group().startswith(("The local", "the local", "Local", "Outside", "An outside")):
            yield match.start(), match.end(), "ORGANIZATION", 47
