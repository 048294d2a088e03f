"""Five failed attempts lock an account out from that address, whether passwords or codes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from huizhen.apps.audit.models import AuditEntry
from tests.accounts.factories import PASSWORD, TOTPDeviceFactory, current_code, wrong_code

pytestmark = pytest.mark.django_db


def test_five_wrong_passwords_lock_out_even_the_right_password(client: Client) -> None:
    device = TOTPDeviceFactory()
    login = reverse("accounts:login")
    for _ in range(5):
        last = client.post(login, {"username": device.user.username, "password": "wrong password"})
    assert last.status_code == 429
    assert "Account temporarily locked" in last.content.decode()

    response = client.post(login, {"username": device.user.username, "password": PASSWORD})

    assert response.status_code == 429
    assert client.get(reverse("accounts:otp")).status_code == 302  # no pending sign-in was started
    assert AuditEntry.objects.filter(action="auth.locked_out", actor=device.user.username).exists()


def test_five_wrong_totp_codes_lock_out_the_account(client: Client) -> None:
    device = TOTPDeviceFactory(user__username="dr.miller")
    client.post(reverse("accounts:login"), {"username": "dr.miller", "password": PASSWORD})
    for _ in range(5):
        last = client.post(reverse("accounts:otp"), {"code": wrong_code(device)})
    assert last.status_code == 429
    device.throttle_reset()  # take django-otp's own back-off out of the picture

    response = client.post(reverse("accounts:otp"), {"code": current_code(device)})

    assert response.status_code == 429
    assert client.get(reverse("portal:home")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.locked_out", actor="dr.miller").exists()
