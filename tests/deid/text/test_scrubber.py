"""scrub and detect: typed tags consistent within a case, tag language, spans, mixed text."""

from __future__ import annotations

import pytest

from huizhen.deid.text import PHI_KINDS, ScrubContext, Span, detect, scrub

LETTER = (
    "患者张三，男，45岁，住院号：ZY20230512，手机138-1234-5678，于2023年3月5日入院。\n"
    "Patient: Zhang San, MRN ZY20230512, phone +86 138 1234 5678, admitted on March 5, 2023.\n"
)


def test_scrub_replaces_every_span_by_its_replacement() -> None:
    result = scrub(LETTER, context=ScrubContext(date_shift_days=3))
    rebuilt, position = [], 0
    for span in result.spans:
        rebuilt += [LETTER[position : span.start], span.replacement]
        position = span.end
    assert "".join([*rebuilt, LETTER[position:]]) == result.text


def test_spans_point_into_the_input_and_carry_known_kinds() -> None:
    for span in detect(LETTER):
        assert LETTER[span.start : span.end] == span.text
        assert span.kind in PHI_KINDS
        assert span.replacement == ""


def test_the_same_person_number_and_phone_get_the_same_tag_in_both_languages() -> None:
    text = scrub(LETTER, context=ScrubContext(date_shift_days=3)).text
    assert text.splitlines() == [
        "患者[姓名-1]，男，45岁，住院号：[病案号-1]，手机[电话-1]，于2023年3月8日入院。",
        "Patient: [NAME-1], MRN [MRN-1], phone [PHONE-1], admitted on March 8, 2023.",
    ]


def test_different_people_get_different_numbers() -> None:
    text = scrub("主治医师：李明。联系人：王小红。报告医师：李明。").text
    assert text == "主治医师：[姓名-1]。联系人：[姓名-2]。报告医师：[姓名-1]。"


def test_one_context_keeps_tags_across_the_texts_of_a_case() -> None:
    context = ScrubContext()
    scrub("患者张三，电话13812345678。", context=context)
    second = scrub("Contact Zhang San at 138-1234-5678; Dr. Emily Carter.", context=context)
    assert second.text == "Contact [NAME-1] at [PHONE-1]; Dr. [NAME-2]."


def test_pinyin_in_either_order_is_the_same_person() -> None:
    context = ScrubContext()
    assert scrub("Patient: Zhang Xiaoming", context=context).text == "Patient: [NAME-1]"
    assert scrub("Xiaoming Zhang was seen.", context=context).text == "[NAME-1] was seen."


def test_a_fresh_context_numbers_from_one() -> None:
    assert scrub("联系人：王小红").text == "联系人：[姓名-1]"
    assert scrub("联系人：王小红").text == "联系人：[姓名-1]"


@pytest.mark.parametrize(("lang", "tag"), [("zh", "[姓名-1]"), ("en", "[NAME-1]")])
def test_the_lang_argument_fixes_the_tag_language(lang: str, tag: str) -> None:
    assert scrub("患者张三，男。", lang=lang).text == f"患者{tag}，男。"


def test_an_unknown_lang_is_refused() -> None:
    with pytest.raises(ValueError, match="lang"):
        scrub("text", lang="fr")


@pytest.mark.parametrize(
    ("text", "language"), [("患者张三，男，45岁。", "zh"), ("Patient seen today.", "en"), (LETTER, "mixed"), ("", "en")]
)
def test_the_result_names_the_texts_language(text: str, language: str) -> None:
    assert scrub(text).language == language


def test_text_without_phi_comes_back_unchanged() -> None:
    text = "骨髓穿刺示增生活跃，免疫组化：CD20(+)，Ki-67约80%。R-CHOP方案6周期后PET-CT示完全缓解。"
    assert scrub(text, context=ScrubContext(date_shift_days=10, keep_organizations=False)).text == text


def test_an_empty_text_scrubs_to_an_empty_text() -> None:
    assert scrub("") == scrub("", lang="zh").__class__("", (), "en")


def test_detect_and_scrub_find_the_same_spans() -> None:
    scrubbed = [(s.start, s.end, s.kind) for s in scrub(LETTER).spans]
    assert scrubbed == [(s.start, s.end, s.kind) for s in detect(LETTER)]


def test_span_is_a_frozen_value() -> None:
    span = Span(0, 2, "NAME", "张三")
    with pytest.raises(AttributeError):
        span.kind = "AGE"  # type: ignore[misc]
