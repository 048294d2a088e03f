"""The UI speaks English or Simplified Chinese, as each person chooses."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import PASSWORD, TOTPDeviceFactory, current_code

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, **user: str):  # type: ignore[no-untyped-def]
    device = TOTPDeviceFactory(**{f"user__{k}": v for k, v in user.items()})
    client.post(reverse("accounts:login"), {"username": device.user.username, "password": PASSWORD})
    client.post(reverse("accounts:otp"), {"code": current_code(device)})
    return device.user


def test_a_chinese_speaking_user_sees_chinese_after_sign_in(client: Client) -> None:
    _sign_in(client, language="zh-hans")
    page = client.get(reverse("portal:home")).content.decode()
    assert '<html lang="zh-Hans">' in page
    assert "退出登录" in page  # "Sign out"
    assert "Sign out" not in page


def test_the_language_switch_changes_the_page_and_persists_to_the_user(client: Client) -> None:
    user = _sign_in(client)
    assert "Sign out" in client.get(reverse("portal:home")).content.decode()

    response = client.post(reverse("portal:switch_language"), {"language": "zh-hans", "next": "/accounts/profile/"})

    assert response["Location"] == "/accounts/profile/"
    assert "退出登录" in client.get("/accounts/profile/").content.decode()
    user.refresh_from_db()
    assert user.language == "zh-hans"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"


def test_the_sign_in_page_can_be_switched_to_chinese_before_signing_in(client: Client) -> None:
    client.post(reverse("portal:switch_language"), {"language": "zh-hans", "next": reverse("accounts:login")})
    assert "用户名" in client.get(reverse("accounts:login")).content.decode()  # "Username"


def test_the_language_switch_refuses_to_redirect_off_site(client: Client) -> None:
    response = client.post(reverse("portal:switch_language"), {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == reverse("portal:home")


def test_the_profile_sets_the_preferred_language(client: Client) -> None:
    user = _sign_in(client)
    client.post(reverse("accounts:profile"), {"language": "zh-hans"})
    user.refresh_from_db()
    assert user.language == "zh-hans"
