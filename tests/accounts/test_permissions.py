"""Authorisation questions and the audit entry every refusal leaves."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from huizhen.apps.accounts import permissions
from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from tests.accounts.factories import MembershipFactory, sign_in

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, role: str) -> str:
    return str(sign_in(client, role=role).username)


def test_a_specialist_asking_for_the_user_list_is_refused_and_audited(client: Client) -> None:
    username = _sign_in(client, Role.CONSULTING_SPECIALIST)

    response = client.get(reverse("accounts:users"))

    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="permission.denied")
    assert (entry.actor, entry.detail) == (username, {"attempted": "accounts.list_users"})


def test_an_admin_sees_the_user_list(client: Client) -> None:
    username = _sign_in(client, Role.ADMIN)
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 200
    assert username in response.content.decode()


def test_only_privacy_officers_and_admins_may_read_the_audit_log() -> None:
    allowed = {role for role in Role if permissions.can_view_audit_log(MembershipFactory(role=role).user)}
    assert allowed == {Role.PRIVACY_OFFICER, Role.ADMIN}


def test_the_audit_link_is_shown_only_to_those_who_may_open_it(client: Client) -> None:
    _sign_in(client, Role.REFERRING_PHYSICIAN)
    assert 'href="/audit/"' not in client.get(reverse("portal:home")).content.decode()
    client.post(reverse("accounts:logout"))
    _sign_in(client, Role.PRIVACY_OFFICER)
    assert 'href="/audit/"' in client.get(reverse("portal:home")).content.decode()


def test_a_signed_in_administrator_reaches_the_django_admin_without_a_second_login(client: Client) -> None:
    sign_in(client, role=Role.ADMIN, is_staff=True, is_superuser=True)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 200


def test_the_django_admin_sends_anonymous_visitors_to_the_two_step_sign_in(client: Client) -> None:
    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("accounts:login"))
