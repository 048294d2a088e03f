"""``policy_explain --case ID`` (``huizhen policy explain``): every decision for a case, in English and Chinese."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from huizhen.apps.policy.services import evaluate_policy
from tests.policy_app.factories import export_request, raw_sequence_export
from tests.site.processes import run_huizhen

pytestmark = pytest.mark.django_db


def _explain(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("policy_explain", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_explain_prints_every_decision_for_the_case_oldest_first() -> None:
    allowed = evaluate_policy(request=export_request(), actor="dr.li", case_ref="HZ-0042")
    denied = evaluate_policy(request=raw_sequence_export(), actor="dr.wang", case_ref="HZ-0042")

    status, output, _ = _explain("--case", "HZ-0042")

    assert status == 0
    assert output.splitlines()[0] == "case HZ-0042: 2 policy decisions"
    assert output.index(f"{allowed.decision}  by dr.li") < output.index("deny  by dr.wang")
    for rule in denied.rules:
        assert rule in output


def test_explain_gives_each_reason_in_english_and_chinese_with_its_citation() -> None:
    denied = evaluate_policy(request=raw_sequence_export(), actor="dr.wang", case_ref="HZ-0042")

    _, output, _ = _explain("--case", "HZ-0042")

    reason = denied.reasons[0]
    assert f"en: {reason.en}" in output
    assert f"zh: {reason.zh}" in output
    assert reason.citation in output


def test_explain_leaves_out_other_cases() -> None:
    evaluate_policy(request=export_request(), actor="dr.li", case_ref="HZ-0042")
    evaluate_policy(request=raw_sequence_export(), actor="dr.li", case_ref="HZ-0099")

    _, output, _ = _explain("--case", "HZ-0042")

    assert "1 policy decision" in output
    assert "deny" not in output


def test_explain_exits_1_for_a_case_without_decisions() -> None:
    status, output, error = _explain("--case", "HZ-0404")

    assert status == 1
    assert output == ""
    assert "no policy decisions recorded for case HZ-0404" in error


def test_explain_json_is_one_document_with_the_request_as_evaluated() -> None:
    evaluate_policy(request=raw_sequence_export(), actor="dr.li", case_ref="HZ-0042")

    _, output, _ = _explain("--case", "HZ-0042", "--json")

    document = json.loads(output)
    assert document["case"] == "HZ-0042"
    (decision,) = document["decisions"]
    assert decision["decision"] == "deny"
    assert decision["request"]["data"]["classes"] == ["genetic_raw_sequence"]


@pytest.mark.django_db(transaction=True)
def test_huizhen_policy_explain_reads_the_node_database() -> None:
    evaluate_policy(request=raw_sequence_export(), actor="dr.li", case_ref="HZ-0042")

    found = run_huizhen("policy", "explain", "--case", "HZ-0042")
    missing = run_huizhen("policy", "explain", "--case", "HZ-0404")

    assert found.returncode == 0, found.stderr
    assert found.stdout.startswith("case HZ-0042: 1 policy decision")
    assert missing.returncode == 1
    assert "no policy decisions recorded for case HZ-0404" in missing.stderr
