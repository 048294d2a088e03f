"""The peers page: live status badges, registration by administrators only, the home-page panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.nodes.identity import node_identity
from huizhen.apps.nodes.models import Peer
from tests.nodes.conftest import sign_in
from tests.nodes.factories import PeerFactory


def test_status_badge_says_connected_for_a_live_peer(client: Client, self_peer: Peer) -> None:
    sign_in(client, Role.CONSULTING_SPECIALIST)
    badge = client.get(reverse("nodes:peer_status", args=[self_peer.pk])).content.decode()
    assert 'data-testid="peer-status"' in badge
    assert "Self: Connected" in badge


@pytest.mark.django_db
def test_status_badge_says_unreachable_with_the_reason(client: Client) -> None:
    sign_in(client, Role.CONSULTING_SPECIALIST)
    peer = PeerFactory(name="Down", base_url="http://127.0.0.1:9")
    badge = client.get(reverse("nodes:peer_status", args=[peer.pk])).content.decode()
    assert "Down: Unreachable: Down could not be reached" in badge


@pytest.mark.django_db
def test_peers_page_lists_peers_with_self_loading_badges(client: Client) -> None:
    sign_in(client, Role.CONSULTING_SPECIALIST)
    peer = PeerFactory(name="Ruijin gateway")
    page = client.get(reverse("nodes:peers")).content.decode()
    assert "Ruijin gateway" in page
    assert f'hx-get="{reverse("nodes:peer_status", args=[peer.pk])}"' in page
    assert node_identity().fingerprint in page


@pytest.mark.django_db
def test_non_admin_does_not_see_the_registration_form(client: Client) -> None:
    sign_in(client, Role.CONSULTING_SPECIALIST)
    page = client.get(reverse("nodes:peers")).content.decode()
    assert 'data-testid="register-peer-form"' not in page


@pytest.mark.django_db
def test_non_admin_cannot_register_a_peer_and_the_attempt_is_audited(client: Client) -> None:
    sign_in(client, Role.CONSULTING_SPECIALIST)
    response = client.post(
        reverse("nodes:register"), {"base_url": "http://127.0.0.1:9", "fingerprint": "SHA256:" + "0" * 64}
    )
    assert response.status_code == 403
    assert not Peer.objects.exists()
    assert AuditEntry.objects.filter(action="permission.denied", detail__attempted="peer.add").exists()


def test_admin_registers_a_peer_through_the_form(client: Client, live_server: Any) -> None:
    sign_in(client, Role.ADMIN)
    response = client.post(
        reverse("nodes:register"),
        {"base_url": live_server.url, "fingerprint": node_identity().fingerprint, "name": "Mirror"},
    )
    assert response.status_code == 302
    assert Peer.objects.get().name == "Mirror"


def test_admin_sees_a_fingerprint_mismatch_and_nothing_is_stored(client: Client, live_server: Any) -> None:
    sign_in(client, Role.ADMIN)
    response = client.post(
        reverse("nodes:register"), {"base_url": live_server.url, "fingerprint": "SHA256:" + "ab" * 32}
    )
    assert response.status_code == 400
    assert "fingerprint mismatch" in response.content.decode()
    assert not Peer.objects.exists()


@pytest.mark.django_db
def test_home_panel_partial_lists_peers(client: Client) -> None:
    sign_in(client, Role.CONSULTING_SPECIALIST)
    PeerFactory(name="Ruijin gateway")
    panel = client.get(reverse("nodes:panel")).content.decode()
    assert "Ruijin gateway" in panel
    assert 'data-testid="peer-status"' in panel


@pytest.mark.django_db
def test_person_without_a_role_cannot_see_peers(client: Client) -> None:
    from tests.accounts.factories import PASSWORD, TOTPDeviceFactory, current_code

    device = TOTPDeviceFactory()
    client.post(reverse("accounts:login"), {"username": device.user.username, "password": PASSWORD})
    client.post(reverse("accounts:otp"), {"code": current_code(device)})
    assert client.get(reverse("nodes:peers")).status_code == 403
