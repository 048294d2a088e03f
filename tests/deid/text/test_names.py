"""Personal names: Chinese names by surname and context, pinyin names, English names in context."""

from __future__ import annotations

import pytest

from huizhen.deid.text.names import surnames
from tests.deid.text.spans import found_kind


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("患者张三，男，45岁。", "张三"),
        ("患者王小明因发热入院。", "王小明"),
        ("姓名：刘洋　性别：女", "刘洋"),
        ("患者姓名：欧阳娜娜，女", "欧阳娜娜"),
        ("主治医师：李明。", "李明"),
        ("审核医师：娄一鸿　报告日期", "娄一鸿"),
        ("家属陈涛可（妻子）陪同。", "陈涛可"),
        ("联系人：王小红，电话", "王小红"),
        ("尊敬的卫娜茜教授：", "卫娜茜"),
        ("请张三主任会诊。", "张三"),
        ("转诊医师：东方博彤　联系电话", "东方博彤"),
        ("患者于某某，男", "于某某"),
    ],
)
def test_chinese_names_are_found_by_context(text: str, name: str) -> None:
    assert found_kind(text, "NAME") == [name]


@pytest.mark.parametrize(("text", "name"), [("张某于3月复查。", "张某"), ("王某某，男，60岁。", "王某某")])
def test_surname_with_mou_is_a_name(text: str, name: str) -> None:
    assert found_kind(text, "NAME") == [name]


def test_a_surname_before_a_title_is_a_name() -> None:
    assert found_kind("李主任查房后建议复查。", "NAME") == ["李"]


def test_a_weak_surname_needs_a_strong_cue() -> None:
    assert found_kind("现病史：全先生2019年起病。", "NAME") == ["全"]
    assert found_kind("患者于今日入院，由家属陪同，和家人同住。", "NAME") == []


def test_a_name_found_once_is_found_again_without_its_cue() -> None:
    assert found_kind("患者张三，男。张三于3月8日开始化疗。", "NAME") == ["张三", "张三"]


def test_signature_lines_of_two_people_are_two_names() -> None:
    assert found_kind("报告如上。\n霍桂沐/任强峰\n", "NAME") == ["霍桂沐", "任强峰"]


@pytest.mark.parametrize(
    "text",
    [
        "患者高血压病史5年，白细胞升高。",
        "患者全身浅表淋巴结肿大，呼吸平稳。",
        "患者一般情况可，精神可，无发热。",
        "管床医生查房后予化疗。",
        "患者于2023年3月入院。",
    ],
)
def test_clinical_phrases_after_patient_are_not_names(text: str) -> None:
    assert found_kind(text, "NAME") == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Patient: Zhang San, 45-year-old male.", "Zhang San"),
        ("The patient ZHANG San was admitted.", "ZHANG San"),
        ("Xiaoming Zhang presented with fever.", "Xiaoming Zhang"),
        ("Seen with Zhang Xiao-Ming today.", "Zhang Xiao-Ming"),
        ("Patient: LI, Ping (李萍)", "LI, Ping"),
        ("Ouyang Na was referred.", "Ouyang Na"),
    ],
)
def test_pinyin_names_are_found(text: str, name: str) -> None:
    assert name in found_kind(text, "NAME")


def test_a_bracketed_name_in_the_other_script_is_a_name_too() -> None:
    assert found_kind("Re: Guimei Teng (滕桂梅), DOB 1960", "NAME") == ["Guimei Teng", "滕桂梅"]


def test_a_kinship_word_in_brackets_is_not_a_name() -> None:
    assert found_kind("家属郭玉芸（母亲）陪同。", "NAME") == ["郭玉芸"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Seen by Dr. Emily Carter today.", "Emily Carter"),
        ("Dear Mrs. O'Brien,", "O'Brien"),
        ("Patient: WRIGHT, Joy    DOB", "WRIGHT, Joy"),
        ("Signed: John Smith, MD", "John Smith"),
        ("Electronically signed by Will Park, MD on May 30", "Will Park"),
        ("referred by Gregory Van der Berg for", "Gregory Van der Berg"),
        ("her husband Brandon Nelson at (310) 253-6617", "Brandon Nelson"),
        ("RE: Melissa A. Love (DOB", "Melissa A. Love"),
        ("Priya Miller is a 48 y/o female", "Priya Miller"),
        ("医师签名：Pamela Allen　2022/7/14", "Pamela Allen"),
        ("致：Dr. Catherine MacLeod", "Catherine MacLeod"),
    ],
)
def test_english_names_are_found_in_context(text: str, name: str) -> None:
    assert name in found_kind(text, "NAME")


def test_a_lone_surname_of_a_named_person_is_found_later() -> None:
    assert found_kind("Signed: John Smith, MD. Smith reviewed the slides.", "NAME") == ["John Smith", "Smith"]


@pytest.mark.parametrize(
    "text",
    [
        "The Patient presented with fever.",
        "Hodgkin lymphoma, Burkitt lymphoma and Waldenström macroglobulinemia were considered.",
        "Ann Arbor stage IIA; Lugano classification.",
        "Name: QQ 12345678",
    ],
)
def test_capitalised_clinical_words_are_not_names(text: str) -> None:
    assert found_kind(text, "NAME") == []


def test_the_surname_list_holds_single_and_compound_surnames() -> None:
    single, compound = surnames()
    assert {"王", "李", "张", "刘", "陈"} <= single
    assert {"欧阳", "司马", "诸葛", "上官", "尉迟"} <= compound
    assert len(single) > 400
