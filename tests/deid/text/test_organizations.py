"""Hospital names: kept by default, generalized to [医院]/[HOSPITAL] when the policy says so."""

from __future__ import annotations

import pytest

from huizhen.deid.text import ScrubContext, scrub
from tests.deid.text.spans import found_kind

GENERALIZE = ScrubContext(keep_organizations=False)


@pytest.mark.parametrize(
    ("text", "hospital"),
    [
        ("患者于北京协和医院血液科就诊。", "北京协和医院"),
        ("转诊自中山大学肿瘤防治中心。", "中山大学肿瘤防治中心"),
        ("seen at Massachusetts General Hospital on", "Massachusetts General Hospital"),
        ("致：Mayo Clinic血液科", "Mayo Clinic"),
        ("West China Hospital, Sichuan University\nDISCHARGE", "West China Hospital, Sichuan University"),
        ("Lymphoma Program, Penn Medicine\n", "Penn Medicine"),
    ],
)
def test_hospitals_are_found(text: str, hospital: str) -> None:
    assert found_kind(text, "ORGANIZATION") == [hospital]


@pytest.mark.parametrize(
    "text", ["当地医院予抗感染治疗。", "外院病理会诊。", "血液科会诊。", "Department of Pathology"]
)
def test_generic_hospitals_and_departments_are_not_organizations(text: str) -> None:
    assert found_kind(text, "ORGANIZATION") == []


def test_hospitals_are_kept_by_default() -> None:
    result = scrub("患者于北京协和医院就诊。")
    assert result.text == "患者于北京协和医院就诊。"
    assert result.spans == ()


def test_hospitals_are_generalized_when_the_context_says_so() -> None:
    assert scrub("患者于北京协和医院就诊。", context=GENERALIZE).text == "患者于[医院]就诊。"
    assert scrub("Seen at Mayo Clinic today.", context=GENERALIZE).text == "Seen at [HOSPITAL] today."
