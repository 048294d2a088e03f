"""First sign-in without an authenticator: enroll a TOTP device, confirm it with a code."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from huizhen.apps.audit.models import AuditEntry
from tests.accounts.factories import PASSWORD, UserFactory, current_code, wrong_code

pytestmark = pytest.mark.django_db


def _start(client: Client, username: str) -> TOTPDevice:
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response["Location"] == reverse("accounts:enroll")
    page = client.get(reverse("accounts:enroll")).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(user__username=username)
    return device


def test_enrollment_page_shows_a_qr_code_and_the_secret_for_manual_entry(client: Client) -> None:
    user = UserFactory()
    device = _start(client, user.username)
    page = client.get(reverse("accounts:enroll")).content.decode()
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    assert secret[:4] in page
    assert not device.confirmed


def test_confirming_with_a_code_confirms_the_device_and_signs_in(client: Client) -> None:
    user = UserFactory()
    device = _start(client, user.username)

    response = client.post(reverse("accounts:enroll"), {"code": current_code(device)})

    assert response["Location"] == reverse("portal:home")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("portal:home")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.otp_enrolled", actor=user.username).exists()
    assert AuditEntry.objects.filter(action="auth.login", actor=user.username).exists()


def test_a_wrong_code_leaves_the_device_unconfirmed(client: Client) -> None:
    user = UserFactory()
    device = _start(client, user.username)

    response = client.post(reverse("accounts:enroll"), {"code": wrong_code(device)})

    assert response.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("portal:home")).status_code == 302


def test_enrollment_is_not_offered_once_a_device_is_confirmed(client: Client) -> None:
    user = UserFactory()
    device = _start(client, user.username)
    client.post(reverse("accounts:enroll"), {"code": current_code(device)})
    client.post(reverse("accounts:logout"))

    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})

    assert client.get(reverse("accounts:enroll"))["Location"] == reverse("accounts:otp")


def test_enrollment_page_needs_the_password_first(client: Client) -> None:
    assert client.get(reverse("accounts:enroll"))["Location"] == reverse("accounts:login")
