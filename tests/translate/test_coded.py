"""Coded fields render in both languages from the code tables, never from an engine."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from huizhen.translate.coded import code_table, coded_label, coded_translation, normalize_code

LABELS = [
    ("ICD-10", "C83.3", "弥漫大B细胞淋巴瘤", "Diffuse large B-cell lymphoma"),
    ("ICD-10", "C81.1", "结节硬化型经典霍奇金淋巴瘤", "Nodular sclerosis classical Hodgkin lymphoma"),
    ("ICD-10", "C90.0", "多发性骨髓瘤", "Multiple myeloma"),
    ("ICD-10", "C92.4", "急性早幼粒细胞白血病", "Acute promyelocytic leukaemia [PML]"),
    ("ICD-10", "D46.9", "骨髓增生异常综合征，未特指", "Myelodysplastic syndrome, unspecified"),
    ("ICD-10", "D47.2", "单克隆丙种球蛋白病", "Monoclonal gammopathy"),
    ("ICD-O-3", "9680/3", "弥漫大B细胞淋巴瘤，非特指型", "Diffuse large B-cell lymphoma, NOS"),
    ("ICD-O-3", "9673/3", "套细胞淋巴瘤", "Mantle cell lymphoma"),
    ("ICD-O-3", "9866/3", "急性早幼粒细胞白血病伴PML::RARA融合", "Acute promyelocytic leukaemia with PML::RARA fusion"),
    ("ICD-O-3", "9732/3", "浆细胞骨髓瘤（多发性骨髓瘤）", "Plasma cell myeloma"),
    ("REGIMEN", "R-CHOP", "R-CHOP方案", "R-CHOP"),
    ("REGIMEN", "VRd", "VRd方案", "VRd"),
    ("LOINC", "718-7", "血红蛋白", "haemoglobin"),
    ("LOINC", "2532-0", "乳酸脱氢酶", "lactate dehydrogenase"),
    ("LAB", "PLT", "血小板计数", "platelet count"),
    ("IHC", "cyclin D1", "细胞周期蛋白D1", "cyclin D1"),
    ("IHC", "CD20", "CD20", "CD20"),
]


@pytest.mark.parametrize(("system", "code", "zh", "en"), LABELS)
def test_coded_label_in_chinese(system: str, code: str, zh: str, en: str) -> None:
    assert coded_label(system, code, lang="zh") == zh


@pytest.mark.parametrize(("system", "code", "zh", "en"), LABELS)
def test_coded_label_in_english(system: str, code: str, zh: str, en: str) -> None:
    assert coded_label(system, code, lang="en") == en


def test_every_icd10_code_from_c81_to_c96_and_d45_to_d47_has_both_names() -> None:
    table = code_table("ICD-10")
    categories = {code[:3] for code in table}
    expected = {f"C{n}" for n in (81, 82, 83, 84, 85, 86, 88, 90, 91, 92, 93, 94, 95, 96)} | {"D45", "D46", "D47"}
    assert expected <= categories
    assert all(names["en"] and names["zh"] for names in table.values())


def test_every_icdo3_code_is_a_haematolymphoid_morphology() -> None:
    table = code_table("ICD-O-3")
    assert len(table) >= 100
    assert all(code[:1] == "9" and code[-2:] in ("/1", "/3") for code in table)


def test_code_spellings_are_normalised() -> None:
    assert normalize_code("ICD-10", "c833") == "C83.3"
    assert normalize_code("ICD-O-3", "M96803") == "9680/3"
    assert coded_label("icd10", "ｃ８３．３", lang="zh") == "弥漫大B细胞淋巴瘤"


def test_an_unlisted_subdivision_falls_back_to_its_parent_code() -> None:
    assert coded_label("ICD-10", "C83.38", lang="en") == "Diffuse large B-cell lymphoma"


def test_an_unknown_code_has_no_label() -> None:
    assert coded_label("ICD-10", "J18.9", lang="zh") is None
    assert coded_label("IHC", "NOT-A-MARKER", lang="en") is None


def test_an_unknown_code_system_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown code system 'SNOMED'"):
        coded_label("SNOMED", "118600007", lang="en")


def test_a_regimen_is_not_looked_up_among_drugs() -> None:
    assert coded_label("REGIMEN", "rituximab", lang="zh") is None


def test_coded_translation_records_the_code_as_its_source() -> None:
    moment = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    result = coded_translation("ICD-10", "c83.3", target="zh", at=moment)

    assert result is not None
    assert result.text == "弥漫大B细胞淋巴瘤"
    assert result.provenance.method == "coded"
    assert result.provenance.engine == "ICD-10 C83.3"
    assert result.provenance.at == "2025-03-01T08:00:00+00:00"
