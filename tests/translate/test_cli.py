"""``huizhen translate`` as a subprocess: translation with provenance, the human queue, glossary and codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.translate.loopback import translation_service


def huizhen(*args: str, stdin: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("HUIZHEN_TRANSLATION_", "DJANGO_"))
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "huizhen", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def test_free_text_without_an_engine_is_queued_for_a_human_with_exit_3() -> None:
    result = huizhen("translate", "--from", "zh", "--to", "en", stdin="患者诊断为淋巴瘤。")

    assert result.returncode == 3
    assert "queued for a human translator: no engine configured" in result.stderr
    assert result.stdout == ""


def test_a_glossary_only_text_is_translated_without_an_engine(tmp_path: Path) -> None:
    path = tmp_path / "ihc.txt"
    path.write_text("CD20（+），CD10（-）", encoding="utf-8")

    result = huizhen("translate", str(path), "--json")

    data = json.loads(result.stdout)
    assert result.returncode == 0
    assert data["text"] == "CD20 (+), CD10 (-)"
    assert data["provenance"]["method"] == "glossary"


def test_the_http_engine_from_the_environment_translates_and_reports_provenance() -> None:
    with translation_service() as service:
        result = huizhen(
            "translate",
            stdin="患者诊断为套细胞淋巴瘤。",
            env={"HUIZHEN_TRANSLATION_ENGINE": "http", "HUIZHEN_TRANSLATION_URL": service.url},
        )

    assert result.returncode == 0
    assert result.stdout.strip() == "The patient was diagnosed with mantle cell lymphoma."
    assert "Machine translation (http:127.0.0.1:" in result.stderr
    assert "glossary terms: mantle cell lymphoma" in result.stderr


def test_an_engine_failure_exits_1_and_says_a_human_is_needed() -> None:
    with translation_service(lambda payload: (500, {"error": "model crashed"})) as service:
        result = huizhen("translate", "--engine", "http", "--url", service.url, stdin="患者诊断为淋巴瘤。")

    assert result.returncode == 1
    assert "answered 500: model crashed; the text needs a human translator" in result.stderr


def test_a_configuration_mistake_exits_2_naming_the_setting() -> None:
    result = huizhen("translate", "--engine", "http", stdin="淋巴瘤")

    assert result.returncode == 2
    assert "HUIZHEN_TRANSLATION_URL: required" in result.stderr


def test_glossary_lookup_prints_the_other_language() -> None:
    result = huizhen("translate", "glossary", "泽布替尼")

    assert result.returncode == 0
    assert result.stdout == "zanubrutinib\n"


def test_glossary_lookup_of_an_unknown_term_exits_4() -> None:
    result = huizhen("translate", "glossary", "not a term")

    assert result.returncode == 4


def test_glossary_stats_count_every_category() -> None:
    result = huizhen("translate", "glossary", "--stats")

    assert result.returncode == 0
    assert "diagnosis" in result.stdout
    assert "total" in result.stdout


def test_code_prints_both_languages() -> None:
    result = huizhen("translate", "code", "ICD-10", "C83.3")

    assert result.returncode == 0
    assert result.stdout == "弥漫大B细胞淋巴瘤\nDiffuse large B-cell lymphoma\n"
