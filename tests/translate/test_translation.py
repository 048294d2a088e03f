"""Glossary-protected translation: placeholders, restored terms, provenance, the human queue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from huizhen.translate.glossary import Glossary, GlossaryEntry
from huizhen.translate.translation import (
    PLACEHOLDER_PATTERN,
    Provenance,
    Translation,
    human_translation,
    translate,
)
from tests.translate.fakes import PhrasebookEngine, PlaceholderDroppingEngine, ReorderingEngine
from tests.translate.loopback import translation_service

MOMENT = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)


def test_glossary_terms_reach_the_engine_as_placeholders() -> None:
    engine = PhrasebookEngine()
    translate("患者诊断为弥漫大B细胞淋巴瘤，接受R-CHOP方案治疗。", source="zh", target="en", engine=engine)

    assert engine.calls == ["患者诊断为[T1]，接受[T2]治疗。"]


def test_placeholders_come_back_as_the_glossarys_preferred_terms() -> None:
    result = translate(
        "患者诊断为弥漫大B细胞淋巴瘤，接受R-CHOP方案治疗。", source="zh", target="en", engine=PhrasebookEngine()
    )

    assert result is not None
    assert result.text == "The patient was diagnosed with diffuse large B-cell lymphoma，received R-CHOP treatment."
    assert result.glossary_terms == ("diffuse large B-cell lymphoma", "R-CHOP")


def test_placeholders_survive_an_engine_that_reorders_words_and_widens_brackets() -> None:
    result = translate(
        "Relapsed follicular lymphoma treated with rituximab", source="en", target="zh", engine=ReorderingEngine()
    )

    assert result is not None
    assert result.text == "利妥昔单抗 with treated 滤泡性淋巴瘤 复发"
    assert not PLACEHOLDER_PATTERN.search(result.text)


def test_a_term_used_twice_is_rendered_the_same_both_times() -> None:
    result = translate("The patient has DLBCL and DLBCL.", source="en", target="zh", engine=PhrasebookEngine())

    assert result is not None
    assert result.text == "患者患有弥漫大B细胞淋巴瘤和弥漫大B细胞淋巴瘤。"
    assert result.glossary_terms == ("弥漫大B细胞淋巴瘤",)


def test_a_term_at_the_start_of_an_english_sentence_is_capitalised() -> None:
    result = translate("利妥昔单抗治疗", source="zh", target="en", engine=PhrasebookEngine())

    assert result is not None
    assert result.text == "Rituximab treatment"


def test_machine_provenance_names_engine_model_and_time() -> None:
    result = translate("患者诊断为淋巴瘤。", source="zh", target="en", engine=PhrasebookEngine(), at=MOMENT)

    assert result is not None
    assert result.provenance == Provenance(
        method="machine",
        engine="fake-phrasebook",
        model="phrasebook-1",
        translator=None,
        verified_by=None,
        at="2025-03-01T08:30:00+00:00",
    )
    assert (result.source_lang, result.target_lang) == ("zh", "en")


def test_a_text_made_only_of_glossary_terms_needs_no_engine() -> None:
    result = translate("弥漫大B细胞淋巴瘤", source="zh", target="en", engine=None)

    assert result is not None
    assert result.text == "Diffuse large B-cell lymphoma"
    assert result.provenance.method == "glossary"
    assert result.provenance.engine is None


def test_an_ihc_line_is_rendered_from_the_glossary_with_english_punctuation() -> None:
    result = translate("免疫组化：CD20（+），CD3（-），细胞周期蛋白D1（-）", source="zh", target="en", engine=None)

    assert result is not None
    assert result.text == "Immunohistochemistry: CD20 (+), CD3 (-), cyclin D1 (-)"
    assert result.provenance.method == "glossary"


def test_the_glossary_is_used_even_when_an_engine_is_configured() -> None:
    engine = PhrasebookEngine()
    result = translate("套细胞淋巴瘤", source="zh", target="en", engine=engine)

    assert result is not None
    assert result.provenance.method == "glossary"
    assert engine.calls == []


def test_without_an_engine_free_text_goes_to_the_human_queue() -> None:
    assert translate("患者诊断为弥漫大B细胞淋巴瘤。", source="zh", target="en", engine=None) is None


def test_an_engine_that_loses_a_placeholder_gets_the_plain_text_instead() -> None:
    engine = PlaceholderDroppingEngine()
    result = translate("The patient has DLBCL.", source="en", target="zh", engine=engine)

    assert result is not None
    assert engine.calls == ["The patient has [T1].", "The patient has DLBCL."]
    assert result.text == "THE PATIENT HAS DLBCL."
    assert result.glossary_terms == ()
    assert result.provenance.method == "machine"


def test_a_custom_glossary_replaces_the_shipped_one() -> None:
    glossary = Glossary([GlossaryEntry(en="watch and wait", zh="观察等待", category="response")])
    result = translate("Watch and wait", source="en", target="zh", engine=None, glossary=glossary)

    assert result is not None
    assert result.text == "观察等待"


def test_same_source_and_target_is_refused() -> None:
    with pytest.raises(ValueError, match="source and target are both 'zh'"):
        translate("淋巴瘤", source="zh", target="zh-Hans", engine=None)


def test_translation_through_the_http_engine_records_the_service() -> None:
    with translation_service() as service:
        from huizhen.translate.engines import HttpEngine

        result = translate("患者诊断为弥漫大B细胞淋巴瘤。", source="zh", target="en", engine=HttpEngine(service.url))

    assert result is not None
    assert result.text == "The patient was diagnosed with diffuse large B-cell lymphoma."
    assert result.provenance.engine == f"http:{service.url.removeprefix('http://')}"
    assert service.requests[0]["q"] == "患者诊断为[T1]。"


def test_human_translation_names_the_translator() -> None:
    result = human_translation("Diagnosis confirmed.", source="en", target="zh", translator="li.translator", at=MOMENT)

    assert result.provenance.method == "human"
    assert result.provenance.translator == "li.translator"
    assert not result.provenance.is_verified


def test_verification_adds_the_verifier_and_keeps_the_rest() -> None:
    provenance = Provenance("machine", "http:mt", "m1", None, None, "2025-03-01T08:30:00+00:00")
    verified = provenance.verified(by="dr.wang", at=MOMENT)

    assert verified.verified_by == "dr.wang"
    assert verified.verified_at == "2025-03-01T08:30:00+00:00"
    assert (verified.method, verified.engine, verified.model) == ("machine", "http:mt", "m1")


def test_provenance_refuses_an_unknown_method() -> None:
    with pytest.raises(ValueError, match="provenance method 'magic'"):
        Provenance("magic", None, None, None, None, "2025-03-01T08:30:00+00:00")


def test_machine_provenance_must_name_its_engine() -> None:
    with pytest.raises(ValueError, match="names its engine"):
        Provenance("machine", None, None, None, None, "2025-03-01T08:30:00+00:00")


def test_provenance_describes_itself_in_both_languages() -> None:
    provenance = Provenance("machine", "http:mt", "m1", None, None, "2025-03-01T08:30:00+00:00")

    assert provenance.describe("en") == "Machine translation (http:mt, m1); not verified"
    assert provenance.describe("zh") == "机器翻译（http:mt, m1）；未核对"
    assert provenance.verified(by="dr.wang").describe("en") == "Machine translation (http:mt, m1); verified by dr.wang"


def test_a_translation_round_trips_through_a_dict() -> None:
    result = translate("患者诊断为淋巴瘤。", source="zh", target="en", engine=PhrasebookEngine(), at=MOMENT)

    assert result is not None
    assert Translation.from_dict(result.to_dict()) == result


def test_deidentification_tags_come_out_in_the_target_languages_form() -> None:
    engine = PhrasebookEngine()
    result = translate("患者诊断为[姓名-1]，[医院]。", source="zh", target="en", engine=engine)

    assert result is not None
    assert engine.calls == ["患者诊断为[T1]，[T2]。"]
    assert result.text == "The patient was diagnosed with [NAME-1]，[HOSPITAL]."
    assert result.glossary_terms == ()


def test_a_text_of_tags_and_terms_only_needs_no_engine() -> None:
    result = translate("[NAME-1]: mantle cell lymphoma, [DEPARTMENT]", source="en", target="zh", engine=None)

    assert result is not None
    assert result.text == "[姓名-1]: 套细胞淋巴瘤, [科室]"
    assert result.provenance.method == "glossary"
