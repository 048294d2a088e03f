"""The shipped glossary: both directions for every category, normalisation, longest-match scanning."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from huizhen.translate.glossary import (
    CATEGORIES,
    Glossary,
    GlossaryEntry,
    GlossaryError,
    load_file,
    load_glossary,
    normalize,
)

# One (en, zh) pair per category, named in the issue or the engineer's brief.
PAIRS_BY_CATEGORY = {
    "diagnosis": [
        ("diffuse large B-cell lymphoma", "弥漫大B细胞淋巴瘤"),
        ("follicular lymphoma", "滤泡性淋巴瘤"),
        ("mantle cell lymphoma", "套细胞淋巴瘤"),
        ("classic Hodgkin lymphoma", "经典型霍奇金淋巴瘤"),
        ("Burkitt lymphoma", "伯基特淋巴瘤"),
        ("multiple myeloma", "多发性骨髓瘤"),
        ("extranodal NK/T-cell lymphoma", "结外NK/T细胞淋巴瘤"),
        ("chronic lymphocytic leukaemia/small lymphocytic lymphoma", "慢性淋巴细胞白血病/小淋巴细胞淋巴瘤"),
        ("acute promyelocytic leukaemia with PML::RARA fusion", "急性早幼粒细胞白血病伴PML::RARA融合"),
        ("myelodysplastic neoplasm with low blasts", "骨髓增生异常肿瘤伴低原始细胞"),
        ("myelodysplastic neoplasm with increased blasts", "骨髓增生异常肿瘤伴原始细胞增多"),
        ("Waldenström macroglobulinaemia", "华氏巨球蛋白血症"),
        ("ALK-negative anaplastic large cell lymphoma", "ALK阴性间变性大细胞淋巴瘤"),
    ],
    "drug": [
        ("rituximab", "利妥昔单抗"),
        ("zanubrutinib", "泽布替尼"),
        ("venetoclax", "维奈克拉"),
        ("azacitidine", "阿扎胞苷"),
        ("lenalidomide", "来那度胺"),
        ("bortezomib", "硼替佐米"),
        ("daratumumab", "达雷妥尤单抗"),
    ],
    "regimen": [("R-CHOP", "R-CHOP方案"), ("Pola-R-CHP", "Pola-R-CHP方案"), ("BV-AVD", "BV-AVD方案")],
    "lab": [
        ("haemoglobin", "血红蛋白"),
        ("lactate dehydrogenase", "乳酸脱氢酶"),
        ("beta-2 microglobulin", "β2-微球蛋白"),
        ("white blood cell count", "白细胞计数"),
        ("bone marrow blast percentage", "骨髓原始细胞比例"),
    ],
    "ihc": [("CD20", "CD20"), ("cyclin D1", "细胞周期蛋白D1"), ("Ki-67", "Ki-67"), ("EBER", "EBER")],
    "section": [
        ("Clinical diagnosis", "临床诊断"),
        ("Pathological diagnosis", "病理诊断"),
        ("Immunohistochemistry", "免疫组化"),
        ("Flow cytometry", "流式细胞术"),
        ("Cytogenetics", "细胞遗传学"),
        ("Molecular testing", "分子检测"),
        ("Treatment history", "治疗经过"),
        ("Response assessment", "疗效评估"),
    ],
    "staging": [("Ann Arbor stage", "Ann Arbor分期"), ("International Prognostic Index", "国际预后指数")],
    "response": [("complete response", "完全缓解"), ("progressive disease", "疾病进展")],
}
PAIRS = [(category, en, zh) for category, pairs in PAIRS_BY_CATEGORY.items() for en, zh in pairs]


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary()


def test_every_category_is_tested_in_both_directions() -> None:
    assert set(PAIRS_BY_CATEGORY) == set(CATEGORIES)


@pytest.mark.parametrize(("category", "en", "zh"), PAIRS)
def test_english_term_translates_to_chinese(glossary: Glossary, category: str, en: str, zh: str) -> None:
    assert glossary.lookup(en, source="en", target="zh") == zh
    assert glossary.entry(en, lang="en") is not None
    assert glossary.entry(en, lang="en").category == category  # type: ignore[union-attr]


@pytest.mark.parametrize(("category", "en", "zh"), PAIRS)
def test_chinese_term_translates_to_english(glossary: Glossary, category: str, en: str, zh: str) -> None:
    assert glossary.lookup(zh, source="zh", target="en") == en


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_entry_of_a_category_round_trips(glossary: Glossary, category: str) -> None:
    entries = glossary.by_category(category)
    assert entries
    for entry in entries:
        assert glossary.lookup(entry.en, source="en", target="zh") == entry.zh
        assert glossary.lookup(entry.zh, source="zh", target="en") == entry.en


def test_no_surface_form_names_two_concepts_in_one_language(glossary: Glossary) -> None:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for entry in glossary.entries:
        for lang in ("en", "zh"):
            for name in entry.names(lang):
                owners[(lang, normalize(name))].add(f"{entry.category}:{entry.en}")
    clashes = {form: names for form, names in owners.items() if len(names) > 1}
    assert clashes == {}


def test_lookup_ignores_case_and_full_width_forms(glossary: Glossary) -> None:
    assert glossary.lookup("ＤＬＢＣＬ", source="en", target="zh") == "弥漫大B细胞淋巴瘤"
    assert glossary.lookup("dlbcl", source="en", target="zh") == "弥漫大B细胞淋巴瘤"
    assert glossary.lookup("弥漫大Ｂ细胞淋巴瘤", source="zh", target="en") == "diffuse large B-cell lymphoma"


def test_lookup_treats_dash_variants_alike(glossary: Glossary) -> None:
    assert glossary.lookup("Ki‑67", source="en", target="zh") == "Ki-67"
    assert glossary.lookup("ALK− ALCL", source="en", target="zh") == "ALK阴性间变性大细胞淋巴瘤"


def test_synonyms_and_abbreviations_map_to_the_preferred_term(glossary: Glossary) -> None:
    assert glossary.lookup("Waldenstrom macroglobulinemia", source="en", target="zh") == "华氏巨球蛋白血症"
    assert glossary.lookup("axi-cel", source="en", target="zh") == "阿基仑赛注射液"
    assert glossary.lookup("CR", source="en", target="zh") == "完全缓解"
    assert glossary.lookup("强的松", source="zh", target="en") == "prednisone"


def test_unknown_term_is_not_found(glossary: Glossary) -> None:
    assert glossary.lookup("aspirin-free lymphoma", source="en", target="zh") is None


def test_lab_entries_carry_units_and_loinc_codes(glossary: Glossary) -> None:
    haemoglobin = glossary.entry("Hb", lang="en")
    assert haemoglobin is not None
    assert haemoglobin.unit == "g/L"
    assert haemoglobin.code("LOINC") == "718-7"


def test_diagnoses_carry_icd10_and_icdo3_codes(glossary: Glossary) -> None:
    dlbcl = glossary.entry("弥漫大B细胞淋巴瘤", lang="zh")
    assert dlbcl is not None
    assert dlbcl.code("ICD-10") == "C83.3"
    assert dlbcl.code("ICD-O-3") == "9680/3"


def test_glossary_has_hundreds_of_entries_in_every_category(glossary: Glossary) -> None:
    assert len(glossary) >= 400
    for category in CATEGORIES:
        assert len(glossary.by_category(category)) >= 20


def test_scanning_takes_the_longest_term(glossary: Glossary) -> None:
    hits = glossary.terms_in("病理诊断：弥漫大B细胞淋巴瘤，非特指型，生发中心型", lang="zh")

    assert [hit.text for hit in hits] == ["病理诊断", "弥漫大B细胞淋巴瘤，非特指型", "生发中心型"]
    assert hits[1].target("en") == "diffuse large B-cell lymphoma, not otherwise specified"


def test_scanning_finds_english_abbreviations_in_chinese_text(glossary: Glossary) -> None:
    text = "予R-CHOP方案化疗6个疗程，CD20阳性，Ki-67约80%"
    hits = glossary.terms_in(text, lang="zh")

    assert [hit.text for hit in hits] == ["R-CHOP方案", "化疗", "疗程", "CD20", "阳性", "Ki-67"]
    assert all(text[hit.start : hit.end] == hit.text for hit in hits)


def test_scanning_respects_word_boundaries_of_latin_terms(glossary: Glossary) -> None:
    hits = glossary.terms_in("CD30 and CD3 were checked; CD38 too", lang="en")

    assert [hit.text for hit in hits] == ["CD30", "CD3", "CD38"]


def test_short_abbreviations_match_only_in_their_own_capitals(glossary: Glossary) -> None:
    assert [hit.text for hit in glossary.terms_in("He achieved CR after the pd visit", lang="en")] == ["CR"]


def test_scanning_maps_full_width_text_back_to_original_positions(glossary: Glossary) -> None:
    text = "免疫组化：ＣＤ２０（＋），ｃｙｃｌｉｎ Ｄ１（－）"
    hits = glossary.terms_in(text, lang="zh")

    assert [hit.text for hit in hits] == ["免疫组化", "ＣＤ２０", "ｃｙｃｌｉｎ Ｄ１"]
    assert [hit.target("en") for hit in hits] == ["Immunohistochemistry", "CD20", "cyclin D1"]


def test_scanning_mixed_english_text_finds_terms_case_insensitively(glossary: Glossary) -> None:
    hits = glossary.terms_in("Relapsed Diffuse Large B-Cell Lymphoma after R-CHOP; now on zanubrutinib.", lang="en")

    assert [hit.target("zh") for hit in hits] == ["复发", "弥漫大B细胞淋巴瘤", "R-CHOP方案", "泽布替尼"]


def test_a_glossary_file_without_zh_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "drug.yaml"
    path.write_text("category: drug\nentries:\n  - {en: rituximab}\n", encoding="utf-8")

    with pytest.raises(GlossaryError, match=r"drug.yaml entry 1: en and zh are required"):
        load_file(path)


def test_a_glossary_file_with_an_unknown_code_system_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "diagnosis.yaml"
    path.write_text(
        "category: diagnosis\nentries:\n  - {en: lymphoma, zh: 淋巴瘤, codes: {SNOMED: '118600007'}}\n",
        encoding="utf-8",
    )

    with pytest.raises(GlossaryError, match="unknown code systems"):
        load_file(path)


def test_first_entry_keeps_a_shared_surface_form() -> None:
    first = GlossaryEntry(en="complete response", zh="完全缓解", category="response", en_synonyms=("CR",))
    second = GlossaryEntry(en="creatinine", zh="肌酐", category="lab", en_synonyms=("CR",))

    assert Glossary([first, second]).lookup("CR", source="en", target="zh") == "完全缓解"
