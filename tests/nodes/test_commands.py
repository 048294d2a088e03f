"""The ``huizhen peer`` and ``huizhen node`` commands an operator types."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from huizhen.apps.nodes.identity import node_identity
from huizhen.apps.nodes.models import Peer
from tests.nodes.factories import PeerFactory


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_peer_add_then_ping_reports_a_verified_answer(live_server: Any) -> None:
    added = _run("peer", "add", live_server.url, "--fingerprint", node_identity().fingerprint, "--name", "Mirror")
    assert "added" in added
    out = _run("peer", "ping", "Mirror")
    assert re.fullmatch(r'ok: hub "Huizhen hub" answered in \d+ ms, response signature verified\n', out)


def test_peer_add_with_wrong_fingerprint_fails_and_stores_nothing(live_server: Any) -> None:
    with pytest.raises(CommandError, match="fingerprint mismatch"):
        _run("peer", "add", live_server.url, "--fingerprint", "SHA256:" + "ab" * 32)
    assert not Peer.objects.exists()


@pytest.mark.django_db
def test_peer_ping_of_a_dead_peer_fails() -> None:
    PeerFactory(name="Down", base_url="http://127.0.0.1:9")
    with pytest.raises(CommandError, match="failed: Down could not be reached"):
        _run("peer", "ping", "Down", "--timeout", "2")


@pytest.mark.django_db
def test_peer_list_shows_each_peer_with_its_fingerprint() -> None:
    peer = PeerFactory(name="Ruijin gateway")
    out = _run("peer", "list")
    assert "Ruijin gateway" in out
    assert peer.fingerprint in out


@pytest.mark.django_db
def test_peer_remove_by_name_forgets_the_peer() -> None:
    PeerFactory(name="Old")
    _run("peer", "remove", "Old")
    assert not Peer.objects.exists()


@pytest.mark.django_db
def test_peer_remove_of_an_unknown_name_fails() -> None:
    with pytest.raises(CommandError, match="no peer named"):
        _run("peer", "remove", "Nobody")


def test_node_show_prints_the_fingerprint_and_public_key() -> None:
    out = _run("node", "show")
    me = node_identity()
    assert f"fingerprint: {me.fingerprint}" in out
    assert f"public key:  {me.public_key}" in out
    assert "role:        hub" in out


def test_node_show_json_gives_the_identity_a_peer_needs() -> None:
    data = json.loads(_run("node", "show", "--json"))
    me = node_identity()
    assert data["fingerprint"] == me.fingerprint
    assert data["public_key"] == me.public_key


@pytest.mark.django_db
def test_peer_add_if_absent_leaves_an_existing_peer_alone() -> None:
    peer = PeerFactory(name="Known")
    out = _run(
        "peer",
        "add",
        "http://127.0.0.1:9",
        "--fingerprint",
        peer.fingerprint,
        "--public-key",
        peer.public_key,
        "--if-absent",
    )
    assert "already registered" in out
    assert Peer.objects.count() == 1
