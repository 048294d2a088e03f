"""docs/engines/policy.md lists every shipped rule: its catalogue is the generated table, byte for byte."""

from __future__ import annotations

from pathlib import Path

from huizhen.policy import load_packs
from huizhen.policy.cli import catalogue_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "engines" / "policy.md"


def test_the_documented_catalogue_is_the_generated_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = text.split("<!-- catalogue:start -->\n", 1)[1].split("<!-- catalogue:end -->", 1)[0]

    assert documented == catalogue_markdown(load_packs()), "regenerate with: huizhen policy packs --markdown"


def test_every_shipped_rule_id_appears_in_the_doc() -> None:
    text = DOC.read_text(encoding="utf-8")

    assert [rule.id for pack in load_packs() for rule in pack.rules if f"| {rule.id} |" not in text] == []
