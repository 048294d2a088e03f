"""Signing and verifying node-to-node requests and responses (RFC 9421), and every rejection reason."""

from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from huizhen.httpsig import keys
from huizhen.httpsig.signatures import (
    MemoryNonceStore,
    Reason,
    SignatureRejected,
    sign_request,
    sign_response,
    verify_request,
    verify_response,
)

URL = "http://hub.example.org:8000/api/node/ping"
BODY = b'{"hello": "hub"}'


class Sender:
    def __init__(self) -> None:
        self.key = keys.generate_private_key()
        self.keyid = keys.fingerprint(self.key.public_key())

    def lookup(self, keyid: str) -> Ed25519PublicKey | None:
        return self.key.public_key() if keyid == self.keyid else None

    def sign(self, *, method: str = "POST", url: str = URL, body: bytes = BODY, **kwargs: object) -> dict[str, str]:
        return sign_request(key=self.key, keyid=self.keyid, method=method, url=url, body=body, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def sender() -> Sender:
    return Sender()


def _verify(sender: Sender, headers: dict[str, str], **overrides: object) -> object:
    args: dict[str, object] = {
        "method": "POST",
        "url": URL,
        "headers": headers,
        "body": BODY,
        "public_key_for": sender.lookup,
        "nonces": MemoryNonceStore(),
    }
    args.update(overrides)
    return verify_request(**args)  # type: ignore[arg-type]


def _reason(sender: Sender, headers: dict[str, str], **overrides: object) -> Reason:
    with pytest.raises(SignatureRejected) as caught:
        _verify(sender, headers, **overrides)
    return caught.value.reason


def test_signed_request_verifies_and_names_its_sender(sender: Sender) -> None:
    verified = _verify(sender, sender.sign())
    assert verified.keyid == sender.keyid  # type: ignore[attr-defined]


def test_empty_body_is_still_covered_by_a_content_digest(sender: Sender) -> None:
    headers = sender.sign(method="GET", body=b"")
    assert headers["Content-Digest"].startswith("sha-256=")
    assert '"content-digest"' in headers["Signature-Input"]
    _verify(sender, headers, method="GET", body=b"")


def test_request_from_unregistered_key_is_rejected_as_unknown_peer(sender: Sender) -> None:
    stranger = Sender()
    assert _reason(sender, stranger.sign()) is Reason.UNKNOWN_PEER


def test_request_signed_by_another_key_under_our_keyid_is_a_bad_signature(sender: Sender) -> None:
    forger = Ed25519PrivateKey.generate()
    headers = sign_request(key=forger, keyid=sender.keyid, method="POST", url=URL, body=BODY)
    assert _reason(sender, headers) is Reason.BAD_SIGNATURE


def test_request_sent_to_another_url_is_a_bad_signature(sender: Sender) -> None:
    headers = sender.sign(url="http://gateway.example.org:8001/api/node/ping")
    assert _reason(sender, headers) is Reason.BAD_SIGNATURE


def test_request_with_changed_method_is_a_bad_signature(sender: Sender) -> None:
    assert _reason(sender, sender.sign(), method="PUT") is Reason.BAD_SIGNATURE


def test_request_whose_body_was_changed_is_rejected_as_tampered(sender: Sender) -> None:
    assert _reason(sender, sender.sign(), body=b'{"hello": "attacker"}') is Reason.TAMPERED_BODY


def test_request_without_signature_headers_is_malformed(sender: Sender) -> None:
    assert _reason(sender, {"Content-Type": "application/json"}) is Reason.MALFORMED


def test_request_with_garbled_signature_input_is_malformed(sender: Sender) -> None:
    headers = sender.sign()
    headers["Signature-Input"] = "huizhen=((("
    assert _reason(sender, headers) is Reason.MALFORMED


def test_signature_not_covering_the_digest_is_malformed(sender: Sender) -> None:
    headers = sender.sign()
    headers["Signature-Input"] = headers["Signature-Input"].replace(' "content-digest"', "")
    assert _reason(sender, headers) is Reason.MALFORMED


@pytest.mark.parametrize("offset", [-301, 301])
def test_request_created_more_than_five_minutes_away_is_rejected_for_clock_skew(sender: Sender, offset: int) -> None:
    headers = sender.sign(created=int(time.time()) + offset)
    assert _reason(sender, headers) is Reason.CLOCK_SKEW


def test_request_created_four_minutes_ago_is_accepted(sender: Sender) -> None:
    _verify(sender, sender.sign(created=int(time.time()) - 240))


def test_request_received_twice_is_rejected_as_replay(sender: Sender) -> None:
    headers = sender.sign()
    nonces = MemoryNonceStore()
    _verify(sender, headers, nonces=nonces)
    assert _reason(sender, headers, nonces=nonces) is Reason.REPLAY


def test_forged_request_does_not_use_up_the_real_nonce(sender: Sender) -> None:
    headers = sender.sign()
    nonces = MemoryNonceStore()
    assert _reason(sender, headers, nonces=nonces, body=b"changed") is Reason.TAMPERED_BODY
    _verify(sender, headers, nonces=nonces)


class Exchange:
    """One signed request from a gateway and the hub's signed answer."""

    def __init__(self) -> None:
        self.gateway = Sender()
        self.hub = Sender()
        self.request_headers = self.gateway.sign()
        self.body = b'{"pong": true}'
        self.response_headers = self.answer(self.request_headers)

    def answer(self, request_headers: dict[str, str], status: int = 200) -> dict[str, str]:
        return sign_response(
            key=self.hub.key,
            keyid=self.hub.keyid,
            status=status,
            body=self.body,
            request_method="POST",
            request_url=URL,
            request_headers=request_headers,
        )

    def verify(self, **overrides: object) -> object:
        args: dict[str, object] = {
            "status": 200,
            "headers": self.response_headers,
            "body": self.body,
            "request_method": "POST",
            "request_url": URL,
            "request_headers": self.request_headers,
            "public_key": self.hub.key.public_key(),
            "keyid": self.hub.keyid,
        }
        args.update(overrides)
        return verify_response(**args)  # type: ignore[arg-type]

    def reason(self, **overrides: object) -> Reason:
        with pytest.raises(SignatureRejected) as caught:
            self.verify(**overrides)
        return caught.value.reason


def test_signed_response_verifies_for_the_request_it_answers() -> None:
    exchange = Exchange()
    assert exchange.verify().keyid == exchange.hub.keyid  # type: ignore[attr-defined]


def test_response_recorded_for_one_request_is_rejected_for_another() -> None:
    exchange = Exchange()
    second_request = exchange.gateway.sign()
    assert exchange.reason(request_headers=second_request) is Reason.BAD_SIGNATURE


def test_response_with_changed_status_is_a_bad_signature() -> None:
    assert Exchange().reason(status=500) is Reason.BAD_SIGNATURE


def test_response_with_changed_body_is_rejected_as_tampered() -> None:
    assert Exchange().reason(body=b'{"pong": false}') is Reason.TAMPERED_BODY


def test_response_signed_by_a_node_other_than_the_one_called_is_rejected_as_unknown_peer() -> None:
    exchange = Exchange()
    impostor = Sender()
    assert exchange.reason(public_key=impostor.key.public_key(), keyid=impostor.keyid) is Reason.UNKNOWN_PEER


def test_unsigned_response_is_malformed() -> None:
    assert Exchange().reason(headers={"Content-Type": "application/json"}) is Reason.MALFORMED


def test_stale_response_is_rejected_for_clock_skew() -> None:
    exchange = Exchange()
    assert exchange.reason(now=time.time() + 400) is Reason.CLOCK_SKEW
