"""``huizhen policy`` as a subprocess: the decision JSON, exit statuses, the problem list, the pack listing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.policy.factories import changed, cn_export


def huizhen(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "huizhen", *args], input=stdin, capture_output=True, text=True, env=env, check=False
    )


def write(tmp_path: Path, data: Any) -> str:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_evaluate_prints_the_decision_and_exits_0_when_allowed(tmp_path: Path) -> None:
    result = huizhen("policy", "evaluate", write(tmp_path, cn_export()))

    decision = json.loads(result.stdout)
    assert result.returncode == 0
    assert decision["decision"] == "allow_with_obligations"
    assert set(decision) == {"decision", "obligations", "rules", "reasons", "warnings"}


def test_evaluate_exits_1_on_deny(tmp_path: Path) -> None:
    result = huizhen("policy", "evaluate", write(tmp_path, changed(cn_export(), consent={"cross_border": False})))

    assert result.returncode == 1
    assert "CN-XB-01b" in json.loads(result.stdout)["rules"]


def test_evaluate_reads_standard_input() -> None:
    result = huizhen("policy", "evaluate", "-", stdin=json.dumps(cn_export()))

    assert json.loads(result.stdout)["decision"] == "allow_with_obligations"


def test_an_invalid_request_exits_2_listing_every_problem(tmp_path: Path) -> None:
    result = huizhen("policy", "evaluate", write(tmp_path, {"action": "fly", "actor": {"role": "doctor"}}))

    assert result.returncode == 2
    assert result.stdout == ""
    assert "action: unknown value 'fly'" in result.stderr
    assert "actor.role: unknown value 'doctor'" in result.stderr


def test_a_file_that_is_not_json_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text("{not json", encoding="utf-8")

    result = huizhen("policy", "evaluate", str(path))

    assert (result.returncode, "is not JSON" in result.stderr) == (2, True)


def test_packs_lists_each_pack_with_its_rule_count() -> None:
    result = huizhen("policy", "packs")

    assert result.returncode == 0
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["cn", "us", "default-second-opinion"]
    assert all(line.split("\t")[3].endswith(" rules") for line in result.stdout.splitlines())


def test_packs_json_lists_rules_with_citations() -> None:
    listing = json.loads(huizhen("policy", "packs", "--json").stdout)

    assert all(rule["citation"] for pack in listing for rule in pack["rules"])


def test_a_broken_pack_exits_2(tmp_path: Path) -> None:
    pack = tmp_path / "broken.yaml"
    pack.write_text("rules: []\n", encoding="utf-8")

    result = huizhen("policy", "packs", "--pack", str(pack))

    assert (result.returncode, "pack:" in result.stderr) == (2, True)
