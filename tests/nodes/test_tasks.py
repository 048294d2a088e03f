"""The background peer check."""

from __future__ import annotations

import pytest

from huizhen.apps.nodes.models import Peer
from huizhen.apps.nodes.tasks import check_peer


def test_check_peer_records_a_live_peer_as_connected_and_can_run_again(self_peer: Peer) -> None:
    assert check_peer.call(self_peer.pk)["ok"]
    assert check_peer.call(self_peer.pk)["ok"]
    self_peer.refresh_from_db()
    assert self_peer.status == Peer.Status.CONNECTED


@pytest.mark.django_db
def test_check_peer_of_a_removed_peer_does_nothing() -> None:
    assert check_peer.call(12345) == {"peer_id": 12345, "ok": False, "error": "peer no longer registered"}
