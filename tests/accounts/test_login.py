"""Signing in with password and TOTP code, and what an unverified session may reach."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from huizhen.apps.audit.models import AuditEntry
from tests.accounts.factories import PASSWORD, TOTPDeviceFactory, UserFactory, current_code, wrong_code

pytestmark = pytest.mark.django_db


def _password_step(client: Client, username: str, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def test_password_and_totp_code_sign_in_and_land_on_home(client: Client) -> None:
    device = TOTPDeviceFactory()
    response = _password_step(client, device.user.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp")

    response = client.post(reverse("accounts:otp"), {"code": current_code(device)}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("portal:home")
    assert "Welcome, Sarah Miller" in response.content.decode()
    assert AuditEntry.objects.filter(action="auth.login", actor=device.user.username, outcome="ok").exists()


def test_sign_in_returns_to_the_page_first_asked_for(client: Client) -> None:
    device = TOTPDeviceFactory()
    first = client.get(reverse("accounts:profile"))
    assert first.status_code == 302
    next_url = reverse("accounts:profile")
    assert first["Location"] == f"{reverse('accounts:login')}?next=%2Faccounts%2Fprofile%2F"

    _password_step(client, device.user.username, next=next_url)
    response = client.post(reverse("accounts:otp"), {"code": current_code(device)})

    assert response["Location"] == next_url


def test_wrong_password_is_refused_and_audited(client: Client) -> None:
    user = UserFactory()
    response = _password_step(client, user.username, "not the password")
    assert response.status_code == 200
    assert "The username or password is not correct." in response.content.decode()
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert (entry.actor, entry.outcome, entry.detail) == (user.username, "denied", {"step": "password"})


def test_right_password_alone_does_not_sign_in(client: Client) -> None:
    device = TOTPDeviceFactory()
    _password_step(client, device.user.username)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_wrong_totp_code_is_refused_and_audited(client: Client) -> None:
    device = TOTPDeviceFactory()
    _password_step(client, device.user.username)

    response = client.post(reverse("accounts:otp"), {"code": wrong_code(device)})

    assert response.status_code == 200
    assert "This code is not valid" in response.content.decode()
    assert client.get(reverse("portal:home")).status_code == 302
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.detail == {"step": "totp"}
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_signed_in_but_unverified_session_cannot_reach_home(client: Client) -> None:
    device = TOTPDeviceFactory()
    client.force_login(device.user)  # authenticated without any second factor
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp")


def test_unverified_htmx_request_is_told_to_load_the_sign_in_page(client: Client) -> None:
    response = client.get("/nodes/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))


def test_sign_out_is_post_only_and_audited(client: Client) -> None:
    device = TOTPDeviceFactory()
    _password_step(client, device.user.username)
    client.post(reverse("accounts:otp"), {"code": current_code(device)})

    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))

    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("portal:home")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.logout", actor=device.user.username).exists()
