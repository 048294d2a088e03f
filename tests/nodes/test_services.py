"""Registering, pinging and removing peers, against a real peer served over loopback HTTP."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.nodes.identity import node_identity
from huizhen.apps.nodes.models import Peer, SeenNonce
from huizhen.apps.nodes.services import PeerCallError, PeerError, add_peer, ping_peer, remove_peer, signed_request
from huizhen.httpsig import keys
from tests.nodes.factories import PeerFactory


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_adding_a_peer_fetches_its_key_and_role_and_audits_it(live_server: Any) -> None:
    peer = add_peer(base_url=live_server.url + "/", fingerprint=node_identity().fingerprint.upper())
    assert peer.fingerprint == node_identity().fingerprint
    assert peer.role == "hub"
    assert peer.name == "Huizhen hub"
    assert peer.base_url == live_server.url
    assert AuditEntry.objects.filter(action="peer.added", outcome="ok", peer=peer.name).exists()


def test_fingerprint_mismatch_stores_nothing_and_says_so(live_server: Any) -> None:
    other = keys.fingerprint(keys.generate_private_key().public_key())
    with pytest.raises(PeerError, match="fingerprint mismatch"):
        add_peer(base_url=live_server.url, fingerprint=other)
    assert not Peer.objects.exists()
    assert AuditEntry.objects.filter(action="peer.added", outcome="rejected").exists()


@pytest.mark.django_db
def test_malformed_public_key_stores_nothing() -> None:
    with pytest.raises(PeerError, match="malformed"):
        add_peer(base_url="http://127.0.0.1:9", fingerprint="SHA256:" + "0" * 64, public_key="AAAA")
    assert not Peer.objects.exists()


@pytest.mark.django_db
def test_unreachable_peer_cannot_be_added_without_its_key() -> None:
    with pytest.raises(PeerError, match="could not fetch the node identity"):
        add_peer(base_url=_closed_port_url(), fingerprint="SHA256:" + "0" * 64)
    assert not Peer.objects.exists()


@pytest.mark.django_db
def test_peer_can_be_registered_offline_with_its_public_key() -> None:
    key = keys.generate_private_key().public_key()
    peer = add_peer(
        base_url=_closed_port_url(), fingerprint=keys.fingerprint(key), public_key=keys.public_key_to_b64(key)
    )
    assert peer.status == Peer.Status.UNKNOWN


@pytest.mark.django_db
def test_the_same_key_cannot_be_registered_twice() -> None:
    existing = PeerFactory()
    with pytest.raises(PeerError, match="already registered"):
        add_peer(base_url="http://127.0.0.1:9", fingerprint=existing.fingerprint, public_key=existing.public_key)


def test_ping_marks_a_live_peer_connected(self_peer: Peer) -> None:
    result = ping_peer(peer=self_peer)
    assert result.ok, result.error
    self_peer.refresh_from_db()
    assert self_peer.status == Peer.Status.CONNECTED
    assert self_peer.last_contact_at is not None
    assert AuditEntry.objects.filter(action="peer.call_out", outcome="ok", peer="Self").exists()


@pytest.mark.django_db
def test_ping_marks_a_dead_peer_unreachable_with_the_reason() -> None:
    peer = PeerFactory(base_url=_closed_port_url())
    result = ping_peer(peer=peer, timeout=2)
    assert not result.ok
    peer.refresh_from_db()
    assert peer.status == Peer.Status.UNREACHABLE
    assert "could not be reached" in peer.last_error
    assert AuditEntry.objects.filter(action="peer.call_out", outcome="failed").exists()


def test_ping_reports_when_the_peer_does_not_know_this_node(live_server: Any) -> None:
    # Registered under a key that is not the live node's: the live node does not know our real key either.
    peer = PeerFactory(base_url=live_server.url)
    with pytest.raises(PeerCallError) as caught:
        signed_request(peer=peer, method="POST", path="/api/node/ping", json={})
    assert caught.value.reason == "rejected_by_peer"
    assert "unknown_peer" in str(caught.value)


def test_answer_signed_by_a_key_other_than_the_registered_one_is_refused(self_peer: Peer) -> None:
    impostor = keys.generate_private_key().public_key()
    # The server still knows our key (the database is unchanged), but this caller now expects
    # another key at that URL, so the genuine answer must no longer be accepted.
    self_peer.public_key = keys.public_key_to_b64(impostor)
    self_peer.fingerprint = keys.fingerprint(impostor)
    with pytest.raises(PeerCallError) as caught:
        signed_request(peer=self_peer, method="POST", path="/api/node/ping", json={})
    assert caught.value.reason == "unknown_peer"


def test_accepted_nonces_are_remembered_per_peer(self_peer: Peer) -> None:
    ping_peer(peer=self_peer)
    ping_peer(peer=self_peer)
    assert SeenNonce.objects.filter(peer=self_peer).count() == 2


@pytest.mark.django_db
def test_removing_a_peer_forgets_it_and_audits_it() -> None:
    peer = PeerFactory(name="Old gateway")
    remove_peer(peer=peer)
    assert not Peer.objects.exists()
    assert AuditEntry.objects.filter(action="peer.removed", peer="Old gateway").exists()
