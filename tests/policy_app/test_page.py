"""The /policy/ page: who may see it, what it shows, and the "try a request" form."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.policy import selectors
from huizhen.apps.policy.models import PolicyDecisionRecord
from huizhen.apps.policy.services import evaluate_policy
from tests.accounts.factories import sign_in
from tests.policy_app.factories import export_request, fill_register, raw_sequence_export

pytestmark = pytest.mark.django_db


def test_a_referring_physician_is_refused_and_the_refusal_is_audited(client: Client) -> None:
    user = sign_in(client, role=Role.REFERRING_PHYSICIAN)

    response = client.get(reverse("policy:page"))

    assert response.status_code == 403
    denial = AuditEntry.objects.filter(action="permission.denied").latest("seq")
    assert (denial.actor, denial.target, denial.detail["attempted"]) == (user.username, "policy", "policy.view")


@pytest.mark.parametrize("role", [Role.PRIVACY_OFFICER, Role.PROGRAM_DIRECTOR, Role.ADMIN])
def test_privacy_officers_program_directors_and_admins_see_the_page(client: Client, role: str) -> None:
    sign_in(client, role=role)

    response = client.get(reverse("policy:page"))

    assert response.status_code == 200


def test_viewing_the_page_is_audited(client: Client) -> None:
    user = sign_in(client, role=Role.PRIVACY_OFFICER)

    client.get(reverse("policy:page"), {"decision": "deny"})

    viewed = AuditEntry.objects.latest("seq")
    assert (viewed.action, viewed.actor, viewed.target) == ("record.viewed", user.username, "policy")
    assert viewed.detail == {"filter_decision": "deny"}


def test_the_nav_shows_policy_only_to_those_who_may_open_it(client: Client) -> None:
    sign_in(client, role=Role.PROGRAM_DIRECTOR)
    other = Client()
    sign_in(other, role=Role.CONSULTING_SPECIALIST)

    assert 'href="/policy/"' in client.get(reverse("portal:home")).content.decode()
    assert 'href="/policy/"' not in other.get(reverse("portal:home")).content.decode()


def test_the_page_lists_every_rule_of_the_loaded_packs_with_its_citation(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)

    page = client.get(reverse("policy:page")).content.decode()

    for pack in selectors.rule_packs():
        assert pack.id in page
        for rule in pack.rules:
            assert rule.id in page
            assert escape(rule.title_en) in page


def test_recent_decisions_are_newest_first(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)
    evaluate_policy(request=export_request(), actor="dr.li", case_ref="HZ-OLDER")
    evaluate_policy(request=export_request(), actor="dr.li", case_ref="HZ-NEWER")

    page = client.get(reverse("policy:page")).content.decode()

    assert page.index("HZ-NEWER") < page.index("HZ-OLDER")


def test_the_decision_filter_shows_only_that_decision(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)
    evaluate_policy(request=export_request(), actor="dr.li", case_ref="HZ-ALLOWED")
    evaluate_policy(request=raw_sequence_export(), actor="dr.li", case_ref="HZ-DENIED")

    page = client.get(reverse("policy:page"), {"decision": "deny"}).content.decode()

    assert "HZ-DENIED" in page
    assert "HZ-ALLOWED" not in page


def test_the_register_shows_its_lines_and_flags_one_near_its_threshold(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)
    threshold = selectors.volume_thresholds()[("CN", "*", "health")]
    fill_register(int(threshold * 0.8), year=2025)
    fill_register(3, year=2024)

    page = client.get(reverse("policy:page")).content.decode()

    register = page[page.index('data-testid="export-register"') : page.index("</table>", page.index("export-register"))]
    assert register.count('data-approaching="true"') == 1
    assert 'data-testid="threshold-warning"' in register
    assert str(threshold) in register


def _dsp_register(page: str) -> str:
    start = page.index('data-testid="dsp-register"')
    return page[start : page.index("</table>", start)]


def test_the_dsp_register_shows_each_bulk_threshold_of_the_packs_for_a_country_of_concern(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)
    fill_register(3, origin_country="US", destination_country="CN", us_person=True)

    register = _dsp_register(client.get(reverse("policy:page")).content.decode())

    for threshold in selectors.dsp_thresholds():
        assert f"more than {threshold.limit}" in register
        for rule in threshold.rules:
            assert rule in register
    assert "<td>CN</td>" in register
    assert 'data-approaching="true"' not in register


def test_the_dsp_register_flags_the_line_whose_warning_the_next_us_person_would_bring(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)
    _health, genomic = selectors.dsp_thresholds()
    assert genomic.warn_at is not None
    fill_register(genomic.warn_at, destination_country="CN", us_person=True)

    register = _dsp_register(client.get(reverse("policy:page")).content.decode())

    assert register.count('data-approaching="true"') == 1
    assert register.count('data-testid="dsp-warning"') == 1
    assert f"Past the {genomic.warn_percent} % warning" in register


def test_the_dsp_register_leaves_out_us_persons_who_are_not_in_a_country_of_concern(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)
    fill_register(3, origin_country="CN", destination_country="US", us_person=True)

    register = _dsp_register(client.get(reverse("policy:page")).content.decode())

    assert "No US person" in register


def test_a_privacy_officer_tries_a_request_and_the_decision_is_recorded_and_audited(client: Client) -> None:
    user = sign_in(client, role=Role.PRIVACY_OFFICER)

    response = client.post(
        reverse("policy:try"), {"request": json.dumps(raw_sequence_export())}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert 'data-decision="deny"' in response.content.decode()
    record = PolicyDecisionRecord.objects.get()
    assert (record.case_ref, record.actor, record.decision) == ("manual", user.username, "deny")
    audited = AuditEntry.objects.get(action="policy.decision")
    assert (audited.target, audited.actor, audited.outcome) == ("manual", user.username, "denied")


def test_the_try_form_without_htmx_renders_the_whole_page_with_the_decision(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)

    page = client.post(reverse("policy:try"), {"request": json.dumps(export_request())}).content.decode()

    assert 'data-testid="policy-decision"' in page
    assert 'data-testid="export-register"' in page


def test_the_try_form_reports_invalid_json_and_records_nothing(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)

    response = client.post(reverse("policy:try"), {"request": "{not json"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    assert "This is not valid JSON" in response.content.decode()
    assert not PolicyDecisionRecord.objects.exists()


def test_the_try_form_lists_every_problem_the_engine_finds(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)
    request = export_request(action="teleport", purpose="curiosity")

    response = client.post(reverse("policy:try"), {"request": json.dumps(request)}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400
    body = response.content.decode()
    assert "teleport" in body
    assert "curiosity" in body


def test_a_program_director_may_view_but_not_try(client: Client) -> None:
    sign_in(client, role=Role.PROGRAM_DIRECTOR)

    page = client.get(reverse("policy:page")).content.decode()
    response = client.post(reverse("policy:try"), {"request": json.dumps(export_request())})

    assert 'data-testid="try-form"' not in page
    assert response.status_code == 403
    assert not PolicyDecisionRecord.objects.exists()


def test_the_page_renders_in_chinese(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER, language="zh-hans")
    evaluate_policy(request=raw_sequence_export(), actor="dr.li", case_ref="HZ-0042")
    fill_register(3)
    record = PolicyDecisionRecord.objects.get()

    page = client.get(reverse("policy:page")).content.decode()

    assert '<html lang="zh-Hans">' in page
    for heading in ("数据出境登记", "最近的决定", "规则包", "试评一个请求"):
        assert heading in page
    assert "拒绝" in page
    assert record.reasons[0]["zh"] in page
    rule = selectors.rule_packs()[0].rules[0]
    assert rule.title_zh in page
    assert "Export register" not in page
