"""Addresses: Chinese administrative and street parts, US street addresses, romanised Chinese ones."""

from __future__ import annotations

import pytest

from tests.deid.text.spans import found, found_kind


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("家住北京市朝阳区建国路88号3单元502室。", "北京市朝阳区建国路88号3单元502室"),
        ("现住址：南昌市东湖区工农路856号院9号楼706", "南昌市东湖区工农路856号院9号楼706"),
        ("户籍地址：江西省南昌市东湖区中山路627号15幢3单元936室，电话", "江西省南昌市东湖区中山路627号15幢3单元936室"),
        ("菏泽市曹县柳河镇王家村8组55号。", "菏泽市曹县柳河镇王家村8组55号"),
        (
            "She lives at 四川省成都市锦江区中山路210号锦绣华庭22栋2670室 and",
            "四川省成都市锦江区中山路210号锦绣华庭22栋2670室",
        ),
        ("Address: 123 Main St, Springfield, IL 62704.", "123 Main St, Springfield, IL 62704"),
        (
            "Home address: 8982 Meadow Avenue, Unit 18, Cambridge, MA 02132",
            "8982 Meadow Avenue, Unit 18, Cambridge, MA 02132",
        ),
        (
            "He lives at 7790 Summer Lane, Unit 28, Ann Arbor, MI 48116 and",
            "7790 Summer Lane, Unit 28, Ann Arbor, MI 48116",
        ),
        ("Address: 3495 Meadow Rd, Flushing, NY 11301.", "3495 Meadow Rd, Flushing, NY 11301"),
        ("No. 88 Jianguo Road, Chaoyang District, Beijing", "No. 88 Jianguo Road, Chaoyang District, Beijing"),
    ],
)
def test_addresses_are_found_whole(text: str, address: str) -> None:
    assert found_kind(text, "ADDRESS") == [address]


@pytest.mark.parametrize("text", ["患者来自湖南省。", "籍贯：广东", "Referred from Beijing, China."])
def test_a_province_or_city_alone_is_not_an_address(text: str) -> None:
    assert found_kind(text, "ADDRESS") == []


def test_an_address_keeps_its_phone_separate() -> None:
    assert found("户籍地址：南昌市东湖区香港中路724弄55号504室，电话 13812345678") == [
        ("ADDRESS", "南昌市东湖区香港中路724弄55号504室"),
        ("PHONE", "13812345678"),
    ]
