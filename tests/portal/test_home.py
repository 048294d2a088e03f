"""The home page tells who this node is, in which role, and who is signed in."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from huizhen.apps.accounts.models import Role
from tests.accounts.factories import sign_in

pytestmark = pytest.mark.django_db


def _sign_in(client: Client) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)


def test_home_shows_the_hub_badge_and_the_users_role(client: Client) -> None:
    _sign_in(client)
    page = client.get(reverse("portal:home")).content.decode()
    assert 'class="role-hub"' in page
    assert "Consulting hub" in page
    assert "Consulting specialist" in page


@override_settings(HUIZHEN_ROLE="gateway")
def test_a_gateway_is_badged_as_a_hospital_gateway(client: Client) -> None:
    _sign_in(client)
    page = client.get(reverse("portal:home")).content.decode()
    assert 'class="role-gateway"' in page
    assert "Hospital gateway" in page


def test_home_includes_the_peer_panel_for_those_who_may_view_peers(client: Client) -> None:
    _sign_in(client)
    page = client.get(reverse("portal:home")).content.decode()
    assert 'data-testid="peer-panel"' in page
    assert 'hx-get="/nodes/' in page
