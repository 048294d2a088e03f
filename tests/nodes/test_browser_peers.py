"""In a real browser, the peers page loads each status badge by itself (htmx) and shows Connected."""

from __future__ import annotations

import os
from typing import Any

from huizhen.apps.accounts.models import Role
from huizhen.apps.nodes.models import Peer
from tests.accounts.factories import PASSWORD, MembershipFactory, TOTPDeviceFactory, current_code
from tests.browser import chromium, needs_chromium

# Playwright's sync API runs an event loop in this thread; the ORM calls here are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = needs_chromium


def test_peer_badge_turns_connected_in_the_browser(live_server: Any, self_peer: Peer) -> None:
    from playwright.sync_api import expect

    membership = MembershipFactory(user__username="admin.chen", role=Role.ADMIN)
    device = TOTPDeviceFactory(user=membership.user)
    with chromium() as browser:
        page = browser.new_page()
        page.goto(f"{live_server.url}/nodes/")
        page.get_by_label("Username").fill("admin.chen")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("6-digit code").fill(current_code(device))
        page.get_by_role("button", name="Verify and sign in").click()
        page.goto(f"{live_server.url}/nodes/")
        badge = page.get_by_test_id("peer-status")
        expect(badge).to_have_text("Self: Connected", timeout=10_000)
        expect(page.get_by_test_id("register-peer-form")).to_be_visible()
