"""The /audit/ page: who may see it, what it lists, and its "Verify chain" button."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry, ChainVerification
from huizhen.apps.audit.services import record_event
from huizhen.apps.audit.views import ENTRIES_PER_PAGE
from tests.accounts.factories import PASSWORD, MembershipFactory, TOTPDeviceFactory, current_code
from tests.audit.tampering import drop_append_only_triggers, raw_sql

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, role: str) -> str:
    membership = MembershipFactory(role=role)
    device = TOTPDeviceFactory(user=membership.user)
    client.post(reverse("accounts:login"), {"username": device.user.username, "password": PASSWORD})
    client.post(reverse("accounts:otp"), {"code": current_code(device)})
    return str(device.user.username)


def test_a_privacy_officer_sees_entries_newest_first(client: Client) -> None:
    _sign_in(client, Role.PRIVACY_OFFICER)
    record_event(action="export.case", target="consult/older")
    record_event(action="export.case", target="consult/newer")

    page = client.get(reverse("audit:log")).content.decode()

    assert page.index("consult/newer") < page.index("consult/older")


def test_a_consulting_specialist_is_refused_and_the_refusal_is_audited(client: Client) -> None:
    username = _sign_in(client, Role.CONSULTING_SPECIALIST)

    response = client.get(reverse("audit:log"))

    assert response.status_code == 403
    denial = AuditEntry.objects.filter(action="permission.denied").latest("seq")
    assert denial.actor == username
    assert denial.target == "audit_log"


def test_viewing_the_log_is_itself_audited(client: Client) -> None:
    username = _sign_in(client, Role.ADMIN)

    client.get(reverse("audit:log"), {"action": "auth.login"})

    viewed = AuditEntry.objects.latest("seq")
    assert (viewed.action, viewed.actor, viewed.target) == ("record.viewed", username, "audit_log")
    assert viewed.detail["filter_action"] == "auth.login"


def test_the_action_filter_shows_only_that_action(client: Client) -> None:
    _sign_in(client, Role.PRIVACY_OFFICER)
    record_event(action="peer.added", target="gateway.example.cn")
    record_event(action="export.case", target="consult/41")

    page = client.get(reverse("audit:log"), {"action": "peer.added"}).content.decode()

    assert "gateway.example.cn" in page
    assert "consult/41" not in page


def test_long_logs_are_paginated(client: Client) -> None:
    _sign_in(client, Role.PRIVACY_OFFICER)
    for n in range(ENTRIES_PER_PAGE + 5):
        record_event(action="record.viewed", target=f"consult/{n:03d}")

    first = client.get(reverse("audit:log"), {"action": "record.viewed"}).content.decode()
    second = client.get(reverse("audit:log"), {"action": "record.viewed", "page": 2}).content.decode()

    assert "consult/000" not in first
    assert "consult/000" in second
    assert "Page 2 of 2" in second


def test_chinese_detail_is_shown_as_written(client: Client) -> None:
    _sign_in(client, Role.PRIVACY_OFFICER)
    record_event(action="record.viewed", target="会诊/7", detail={"患者": "张伟"})

    page = client.get(reverse("audit:log")).content.decode()

    assert "患者=张伟" in page
    assert "会诊/7" in page


def test_verify_chain_button_reports_an_intact_chain_and_keeps_the_result(client: Client) -> None:
    _sign_in(client, Role.PRIVACY_OFFICER)

    fragment = client.post(reverse("audit:verify"), HTTP_HX_REQUEST="true").content.decode()

    assert 'data-intact="true"' in fragment
    assert "Chain intact" in fragment
    assert ChainVerification.objects.get().intact


def test_verify_chain_button_reports_the_broken_entry(client: Client) -> None:
    _sign_in(client, Role.PRIVACY_OFFICER)
    drop_append_only_triggers()
    raw_sql("UPDATE audit_auditentry SET detail = %s WHERE seq = 1", [json.dumps({"edited": True})])

    fragment = client.post(reverse("audit:verify"), HTTP_HX_REQUEST="true").content.decode()

    assert 'data-intact="false"' in fragment
    assert "Chain broken at entry #1" in fragment


def test_the_page_shows_the_latest_verification(client: Client) -> None:
    _sign_in(client, Role.PRIVACY_OFFICER)
    client.post(reverse("audit:verify"))

    page = client.get(reverse("audit:log")).content.decode()

    assert "Chain intact" in page


def test_verifying_needs_the_same_permission_as_viewing(client: Client) -> None:
    _sign_in(client, Role.REFERRING_PHYSICIAN)

    response = client.post(reverse("audit:verify"))

    assert response.status_code == 403
    assert not ChainVerification.objects.exists()
