"""Shared set-up for node tests: the live test server registered as a peer of itself.

pytest-django's ``live_server`` is a real threaded HTTP server in this process; when
this node registers it (i.e. itself) as a peer, every signed call below crosses a
real loopback socket and both sides of the protocol run for real.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from huizhen.apps.accounts.models import Role
from huizhen.apps.nodes.identity import node_identity
from huizhen.apps.nodes.models import Peer
from huizhen.apps.nodes.services import add_peer
from tests.accounts.factories import PASSWORD, MembershipFactory, TOTPDeviceFactory, current_code


@pytest.fixture
def self_peer(live_server: Any) -> Peer:
    return add_peer(base_url=live_server.url, fingerprint=node_identity().fingerprint, name="Self")


def sign_in(client: Client, role: str = Role.ADMIN) -> Any:
    """Sign in with password and TOTP, as a person with ``role``; return the user."""
    membership = MembershipFactory(role=role)
    device = TOTPDeviceFactory(user=membership.user)
    client.post(reverse("accounts:login"), {"username": device.user.username, "password": PASSWORD})
    client.post(reverse("accounts:otp"), {"code": current_code(device)})
    return membership.user
