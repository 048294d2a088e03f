"""A real browser signs in with password and TOTP code and reaches the home page."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.accounts.factories import PASSWORD, MembershipFactory, TOTPDeviceFactory, current_code
from tests.browser import chromium, needs_chromium

# Playwright's sync API runs an event loop in this thread; the ORM calls here are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = needs_chromium


@pytest.mark.django_db(transaction=True)
def test_a_physician_signs_in_with_password_and_code_in_a_browser(live_server: Any) -> None:
    from playwright.sync_api import expect

    membership = MembershipFactory(user__username="dr.miller", user__first_name="Sarah", user__last_name="Miller")
    device = TOTPDeviceFactory(user=membership.user)

    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("Username").fill("dr.miller")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()

        expect(page.get_by_role("heading", name="Verification code")).to_be_visible()
        page.get_by_label("6-digit code").fill(current_code(device))
        page.get_by_role("button", name="Verify and sign in").click()

        expect(page.get_by_role("heading", name="Welcome, Sarah Miller")).to_be_visible()
        expect(page.get_by_test_id("node-role")).to_contain_text("Consulting hub")
        page.get_by_role("button", name="中文").click()
        expect(page.get_by_role("button", name="退出登录")).to_be_visible()
