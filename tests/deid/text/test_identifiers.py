"""Identifiers: resident IDs (GB 11643 checksum), passports, phones, record numbers, e-mail, URLs, WeChat, QQ."""

from __future__ import annotations

import pytest

from huizhen.deid.text.identifiers import resident_id_is_valid
from tests.deid.text.spans import found, found_kind

VALID_ID = "11010519491231002X"  # the GB 11643-1999 example number
VALID_ID_2 = "110101199003077731"


@pytest.mark.parametrize("number", [VALID_ID, VALID_ID_2, VALID_ID.lower(), "110105491231002"])
def test_well_formed_resident_ids_pass_the_checksum(number: str) -> None:
    assert resident_id_is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check character
        "110105194913310026",  # month 13
        "010105194912310021",  # no province starts with 0
        "11010519491231002",  # 17 digits
    ],
)
def test_malformed_resident_ids_fail(number: str) -> None:
    assert not resident_id_is_valid(number)


def test_a_resident_id_in_running_chinese_text_is_found_without_a_cue() -> None:
    assert found(f"患者既往资料{VALID_ID}已核对。") == [("ID_NUMBER", VALID_ID)]


def test_a_resident_id_written_in_groups_is_found() -> None:
    assert found_kind("ID card: 110105 19491231 002X", "ID_NUMBER") == ["110105 19491231 002X"]


def test_a_checksum_invalid_18_digit_number_is_not_an_id_card_but_still_caught() -> None:
    assert found("编号110105194912310021。") == [("RECORD_NUMBER", "110105194912310021")]


def test_a_checksum_invalid_number_after_an_id_cue_is_an_id_number() -> None:
    assert found_kind("身份证号：110105194912310021", "ID_NUMBER") == ["110105194912310021"]


@pytest.mark.parametrize(
    ("text", "number"), [("护照号：E12345678", "E12345678"), ("Passport No. EA1234567", "EA1234567")]
)
def test_passports_are_id_numbers(text: str, number: str) -> None:
    assert found_kind(text, "ID_NUMBER") == [number]


@pytest.mark.parametrize(
    "phone",
    [
        "13812345678",
        "138-1234-5678",
        "138 1234 5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "(+86)13812345678",
        "010-62345678",
        "0755-87654321",
        "(0731)84327788",
        "022 8100 4562",
        "+86-23-60931409",
    ],
)
def test_chinese_phone_numbers_are_found_in_chinese_text(phone: str) -> None:
    assert found(f"如有不适请联系{phone}。") == [("PHONE", phone)]


@pytest.mark.parametrize(
    "phone", ["(617) 555-1234", "617-555-1234", "617.555.1234", "+1 617 555 1234", "(718)728-3456"]
)
def test_us_phone_numbers_are_found_in_english_text(phone: str) -> None:
    assert found(f"Please call {phone} with questions.") == [("PHONE", phone)]


@pytest.mark.parametrize(
    "text", ["血红蛋白 135 g/L，血小板 250×10^9/L", "Hemoglobin 13.5 g/dL, WBC 4500/uL", "CD20+ 95%"]
)
def test_laboratory_values_are_not_phones_or_record_numbers(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("住院号：ZY20230512", "ZY20230512"),
        ("病案号 4410237", "4410237"),
        ("门诊号：M2023-0042", "M2023-0042"),
        ("床号：12", "12"),
        ("医保卡号：2887 8596 3928 0235", "2887 8596 3928 0235"),
        ("病理号：B18-90761", "B18-90761"),
        ("MRN: 692-92-42-5", "692-92-42-5"),
        ("Medical Record #: 00123456", "00123456"),
        ("Accession: S17-83621", "S17-83621"),
        ("Admission No. A2023001", "A2023001"),
    ],
)
def test_record_numbers_are_found_after_their_cue(text: str, number: str) -> None:
    assert found_kind(text, "RECORD_NUMBER") == [number]


def test_a_bed_written_after_its_number_is_a_record_number() -> None:
    assert found_kind("患者，男，45岁，12床。", "RECORD_NUMBER") == ["12床"]


def test_an_mrn_like_token_without_a_cue_is_a_record_number() -> None:
    assert found("CT chest for ZY26815163 follow-up") == [("RECORD_NUMBER", "ZY26815163")]


def test_gene_and_marker_names_are_not_record_numbers() -> None:
    assert found("BCL2, MYC, TP53, CD20, CD79a and BCR-ABL1 were tested; NM_000546.") == []


@pytest.mark.parametrize("address", ["zhang.san@example.com", "li_si+hz@hospital.org.cn"])
def test_email_addresses_are_found(address: str) -> None:
    assert found(f"邮箱：{address}，请回复。") == [("EMAIL", address)]


@pytest.mark.parametrize(
    "url", ["https://example.org/case/123", "www.hospital.cn/report?id=9", "pacs.hospital.cn/view"]
)
def test_urls_are_found(url: str) -> None:
    assert found_kind(f"详见 {url} 查看。", "URL") == [url]


@pytest.mark.parametrize(
    ("text", "handle"),
    [("微信号：wxid_abc123", "wxid_abc123"), ("WeChat: zhang-san88", "zhang-san88"), ("QQ：123456789", "123456789")],
)
def test_wechat_and_qq_ids_are_social_ids(text: str, handle: str) -> None:
    assert found(text) == [("SOCIAL_ID", handle)]
