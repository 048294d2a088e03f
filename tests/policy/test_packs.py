"""Loading rule packs: the shipped packs load, citations travel with rules, broken packs are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from huizhen.policy import PackError, load_pack, load_packs
from huizhen.policy.packs import DEFAULT_PACK_PATHS

RULES_FILE = Path("/work/shared/rules/cross_border_rules.md")

GOOD_RULE = """
  - id: XX-TEST-01
    title: {en: Test, zh: 测试}
    when: {path: action, eq: export}
    effect: deny
    reason: {en: Because, zh: 因为}
    citation: "Test [I]"
    source_status: I
    confidence: H
"""


def write_pack(tmp_path: Path, rules: str, header: str = "pack: {id: test, jurisdiction: CN, version: '1'}") -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(f"{header}\nrules:\n{rules}", encoding="utf-8")
    return path


def test_shipped_packs_are_cn_us_and_the_default_program() -> None:
    assert [(pack.id, pack.jurisdiction) for pack in load_packs()] == [
        ("cn", "CN"),
        ("us", "US"),
        ("default-second-opinion", "program"),
    ]


def test_every_shipped_citation_names_a_source_status() -> None:
    for pack in load_packs():
        for rule in pack.rules:
            assert re.search(r"\[[VSRI]", rule.citation), rule.id


@pytest.mark.skipif(not RULES_FILE.exists(), reason="the shared rules file is not on this machine")
def test_citations_of_rules_file_rules_are_copied_verbatim() -> None:
    text = RULES_FILE.read_text(encoding="utf-8").replace("\\|", "|")
    sources = set(re.findall(r"^\| ([A-Z]+(?:-[A-Z]+)?-\d+) \|", text, flags=re.MULTILINE))
    for pack in load_packs():
        for rule in pack.rules:
            if rule.source in sources and not rule.source.startswith("PROG"):
                assert rule.citation in text, rule.id


def test_rule_sources_point_at_rules_file_ids_or_the_program() -> None:
    for pack in load_packs():
        for rule in pack.rules:
            assert rule.id.startswith(rule.source), rule.id


def test_a_well_formed_pack_loads(tmp_path: Path) -> None:
    pack = load_pack(write_pack(tmp_path, GOOD_RULE))

    assert [rule.id for rule in pack.rules] == ["XX-TEST-01"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("effect: deny", "effect: block"), "effect must be one of"),
        (("source_status: I", "source_status: X"), "source_status"),
        (("confidence: H", "confidence: sure"), "confidence"),
        (("eq: export", "eq: exfiltrate"), "not in the vocabulary"),
        (("path: action", "path: actions"), "unknown fact"),
        (("id: XX-TEST-01", "id: test one"), "id must look like"),
        (("effect: deny", "effect: obligation"), "needs 'obligation"),
        (('citation: "Test [I]"', "citation: ''"), "'citation' must be a non-empty string"),
        (("title: {en: Test, zh: 测试}", "title: Test"), "'title' must be"),
    ],
)
def test_a_broken_rule_is_refused_with_its_file(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = write_pack(tmp_path, GOOD_RULE.replace(*change))

    with pytest.raises(PackError, match=message) as raised:
        load_pack(path)
    assert str(path) in str(raised.value)


def test_a_pack_without_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackError, match="starts with a 'pack:' header"):
        load_pack(write_pack(tmp_path, GOOD_RULE, header=""))


def test_duplicate_rule_ids_across_packs_are_refused(tmp_path: Path) -> None:
    first = write_pack(tmp_path, GOOD_RULE)
    second = tmp_path / "second.yaml"
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")

    with pytest.raises(PackError, match="already used"):
        load_packs([first, second])


def test_default_pack_paths_ship_inside_the_package() -> None:
    assert all(path.is_file() for path in DEFAULT_PACK_PATHS)
