"""The signed node API over real HTTP: accepted pings, and each rejection with its 401 reason and audit entry."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.nodes.identity import node_identity, node_private_key
from huizhen.apps.nodes.models import Peer
from huizhen.httpsig import keys
from huizhen.httpsig.signatures import sign_request, verify_response

BODY = json.dumps({}).encode()


def _signed_headers(url: str, body: bytes = BODY, **kwargs: Any) -> dict[str, str]:
    key = kwargs.pop("key", node_private_key())
    keyid = kwargs.pop("keyid", node_identity().fingerprint)
    headers = sign_request(key=key, keyid=keyid, method="POST", url=url, body=body, **kwargs)
    return {"Content-Type": "application/json", **headers}


def _last_rejection() -> AuditEntry:
    entry = AuditEntry.objects.filter(action="peer.rejected").order_by("-seq").first()
    assert entry is not None
    return entry


def test_identity_is_public_and_matches_this_nodes_key(live_server: Any) -> None:
    data = httpx.get(f"{live_server.url}/api/node/identity").json()
    assert data["fingerprint"] == node_identity().fingerprint
    assert keys.fingerprint(keys.public_key_from_b64(data["public_key"])) == data["fingerprint"]
    assert data["role"] == "hub"


def test_signed_ping_from_a_registered_peer_gets_a_signed_answer(self_peer: Peer) -> None:
    url = f"{self_peer.base_url}/api/node/ping"
    headers = _signed_headers(url)
    response = httpx.post(url, content=BODY, headers=headers)
    assert response.status_code == 200
    assert response.json()["peer"] == "Self"
    verify_response(
        status=response.status_code,
        headers=dict(response.headers),
        body=response.content,
        request_method="POST",
        request_url=url,
        request_headers=headers,
        public_key=node_private_key().public_key(),
        keyid=node_identity().fingerprint,
    )


def test_accepted_call_is_audited_as_call_in(self_peer: Peer) -> None:
    url = f"{self_peer.base_url}/api/node/ping"
    httpx.post(url, content=BODY, headers=_signed_headers(url))
    entry = AuditEntry.objects.filter(action="peer.call_in").order_by("-seq").first()
    assert entry is not None
    assert entry.peer == "Self"
    assert entry.target == "/api/node/ping"


def _unknown_key(url: str) -> tuple[dict[str, str], bytes]:
    stranger = keys.generate_private_key()
    return _signed_headers(url, key=stranger, keyid=keys.fingerprint(stranger.public_key())), BODY


def _forged_under_our_keyid(url: str) -> tuple[dict[str, str], bytes]:
    return _signed_headers(url, key=keys.generate_private_key()), BODY


def _signed_for_another_path(url: str) -> tuple[dict[str, str], bytes]:
    return _signed_headers(url.replace("/ping", "/other")), BODY


def _tampered(url: str) -> tuple[dict[str, str], bytes]:
    return _signed_headers(url), b'{"injected": true}'


def _skewed(url: str) -> tuple[dict[str, str], bytes]:
    return _signed_headers(url, created=int(time.time()) - 600), BODY


def _unsigned(url: str) -> tuple[dict[str, str], bytes]:
    return {"Content-Type": "application/json"}, BODY


def _garbled(url: str) -> tuple[dict[str, str], bytes]:
    headers = _signed_headers(url)
    headers["Signature-Input"] = "huizhen=(((("
    return headers, BODY


@pytest.mark.parametrize(
    ("make_request", "reason"),
    [
        (_unknown_key, "unknown_peer"),
        (_forged_under_our_keyid, "bad_signature"),
        (_signed_for_another_path, "bad_signature"),
        (_tampered, "tampered_body"),
        (_skewed, "clock_skew"),
        (_unsigned, "malformed"),
        (_garbled, "malformed"),
    ],
)
def test_bad_request_is_refused_with_its_reason_and_audited(
    self_peer: Peer, make_request: Callable[[str], tuple[dict[str, str], bytes]], reason: str
) -> None:
    url = f"{self_peer.base_url}/api/node/ping"
    headers, body = make_request(url)
    response = httpx.post(url, content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == reason
    entry = _last_rejection()
    assert entry.outcome == "rejected"
    assert entry.detail["reason"] == reason


def test_replayed_request_is_refused_and_audited_with_the_claimed_keyid(self_peer: Peer) -> None:
    url = f"{self_peer.base_url}/api/node/ping"
    headers = _signed_headers(url)
    assert httpx.post(url, content=BODY, headers=headers).status_code == 200
    replay = httpx.post(url, content=BODY, headers=headers)
    assert replay.status_code == 401
    assert replay.json()["error"] == "replay"
    entry = _last_rejection()
    assert entry.detail == {**entry.detail, "reason": "replay", "keyid": node_identity().fingerprint}
    assert entry.peer == "Self"


def test_refused_request_does_not_reach_the_endpoint(self_peer: Peer) -> None:
    url = f"{self_peer.base_url}/api/node/ping"
    headers, body = _unknown_key(url)
    httpx.post(url, content=body, headers=headers)
    assert not AuditEntry.objects.filter(action="peer.call_in").exists()
