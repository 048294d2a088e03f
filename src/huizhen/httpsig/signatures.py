"""Signed requests and responses between nodes: HTTP Message Signatures (RFC 9421), Ed25519.

A request signature covers ``"@method"``, ``"@target-uri"`` and ``"content-digest"``
(RFC 9530, ``sha-256``, present even for an empty body), with the parameters
``created``, ``nonce`` (random, 128 bits), ``keyid`` (the sender's fingerprint, see
:mod:`huizhen.httpsig.keys`), ``alg="ed25519"`` and ``tag="huizhen"``, under the label
``huizhen`` (RFC 9421 sections 2.2, 2.3 and 4.1).

A response signature covers ``"@status"``, its own ``"content-digest"`` and, with the
``req`` flag (RFC 9421 section 2.4), the request's ``"@method"``, ``"@target-uri"`` and
its ``huizhen`` signature (``"signature";req;key="huizhen"``). Because the request
signature includes a fresh nonce, a recorded response cannot be passed off as the
answer to any other request.

Verification rejects with :class:`SignatureRejected`, whose ``reason`` is one of
:class:`Reason`; checks run in a fixed order (malformed, clock skew, unknown peer,
signature, body digest, replay) so that a forged request can never use up a real
sender's nonce. Replay detection needs a :class:`NonceStore` from the caller, because
only the caller knows where state shared by all its processes lives.
"""

from __future__ import annotations

import datetime
import enum
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import http_sf
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from http_message_signatures import (
    ContentDigest,
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    InvalidSignature,
    MappingKeyResolver,
    algorithms,
)

LABEL = "huizhen"
TAG = "huizhen"
ALGORITHM = "ed25519"
#: A signature is accepted if its ``created`` time is within this many seconds of ours.
SKEW_SECONDS = 300
REQUEST_COMPONENTS = ("@method", "@target-uri", "content-digest")
RESPONSE_COMPONENTS = (
    "@status",
    "content-digest",
    '"@method";req',
    '"@target-uri";req',
    f'"signature";req;key="{LABEL}"',
)


class Reason(enum.StrEnum):
    """Why a signed message was refused; stable strings that callers log and return."""

    UNKNOWN_PEER = "unknown_peer"
    BAD_SIGNATURE = "bad_signature"
    MALFORMED = "malformed"
    CLOCK_SKEW = "clock_skew"
    REPLAY = "replay"
    TAMPERED_BODY = "tampered_body"


class SignatureRejected(Exception):
    def __init__(self, reason: Reason, detail: str, *, keyid: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.keyid = keyid


class NonceStore(Protocol):
    def claim(self, *, keyid: str, nonce: str, created: int) -> bool:
        """Remember ``nonce`` for ``keyid``; return False if it had been claimed before."""
        ...


@dataclass
class MemoryNonceStore:
    """A nonce store for one process (tests, tools); forgets nonces older than twice the skew window."""

    _seen: dict[tuple[str, str], float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, *, keyid: str, nonce: str, created: int) -> bool:
        now = time.time()
        with self._lock:
            for stale in [k for k, at in self._seen.items() if at < now - 2 * SKEW_SECONDS]:
                del self._seen[stale]
            if (keyid, nonce) in self._seen:
                return False
            self._seen[(keyid, nonce)] = now
            return True


@dataclass(frozen=True)
class VerifiedRequest:
    keyid: str
    nonce: str
    created: int


@dataclass(frozen=True)
class VerifiedResponse:
    keyid: str
    created: int


# Duck-typed message views in the shape http_message_signatures resolves components from.
@dataclass
class _Request:
    method: str
    url: str
    headers: dict[str, str]


@dataclass
class _Response:
    status_code: int
    headers: dict[str, str]
    request: _Request


@dataclass(frozen=True)
class _SignatureInput:
    keyid: str
    created: int
    nonce: str


class _Verifier(HTTPMessageVerifier):
    # Our own check against SKEW_SECONDS runs first and gives the precise reason;
    # the library's check (5 s by default) would only blur it into bad_signature.
    max_clock_skew = datetime.timedelta(days=1)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _signer(key: Ed25519PrivateKey, keyid: str) -> HTTPMessageSigner:
    return HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={}, private_keys={keyid: key}),
    )


def _component_names(components: tuple[str, ...]) -> set[str]:
    quoted = (c if c.startswith('"') else f'"{c}"' for c in components)
    return {str(http_sf.ser(http_sf.parse(c.encode(), tltype="item"))) for c in quoted}


def _parse_signature_input(headers: dict[str, str], components: tuple[str, ...]) -> _SignatureInput:
    for name in ("signature-input", "signature", "content-digest"):
        if name not in headers:
            raise SignatureRejected(Reason.MALFORMED, f"the {name} header is missing")
    try:
        parsed: Any = http_sf.parse(headers["signature-input"].encode("latin-1"), tltype="dictionary")
        digest: Any = http_sf.parse(headers["content-digest"].encode("latin-1"), tltype="dictionary")
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise SignatureRejected(Reason.MALFORMED, "a signature header is not a structured field") from exc
    if LABEL not in parsed or not isinstance(parsed[LABEL][0], list):
        raise SignatureRejected(Reason.MALFORMED, f"no signature labelled {LABEL!r}")
    if "sha-256" not in digest or not isinstance(digest["sha-256"][0], bytes):
        raise SignatureRejected(Reason.MALFORMED, "content-digest has no sha-256 value")
    members, params = parsed[LABEL]
    keyid = params.get("keyid")
    keyid = keyid if isinstance(keyid, str) else ""
    covered = {str(http_sf.ser((value, item_params))) for value, item_params in members}
    missing = _component_names(components) - covered
    if missing:
        raise SignatureRejected(Reason.MALFORMED, f"signature does not cover {', '.join(sorted(missing))}", keyid=keyid)
    created = params.get("created")
    nonce = params.get("nonce")
    if not keyid or type(created) is not int or not isinstance(nonce, str) or not nonce:
        raise SignatureRejected(Reason.MALFORMED, "signature needs keyid, created and nonce parameters", keyid=keyid)
    if params.get("tag") != TAG or params.get("alg", ALGORITHM) != ALGORITHM:
        raise SignatureRejected(Reason.MALFORMED, f"signature must have tag {TAG!r} and alg {ALGORITHM!r}", keyid=keyid)
    return _SignatureInput(keyid=keyid, created=created, nonce=nonce)


def _check_skew(signature: _SignatureInput, now: float | None) -> None:
    now = time.time() if now is None else now
    if abs(now - signature.created) > SKEW_SECONDS:
        raise SignatureRejected(
            Reason.CLOCK_SKEW,
            f"signature created {int(signature.created - now):+d} s from our clock (limit ±{SKEW_SECONDS} s); "
            "check both nodes' time synchronisation",
            keyid=signature.keyid,
        )


def _verify(message: _Request | _Response, key: Ed25519PublicKey, signature: _SignatureInput, body: bytes) -> None:
    verifier = _Verifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(public_keys={signature.keyid: key}, private_keys={}),
    )
    try:
        verifier.verify(message, max_age=None, expect_tag=TAG, expect_label=LABEL)
    except InvalidSignature as exc:
        raise SignatureRejected(Reason.BAD_SIGNATURE, str(exc), keyid=signature.keyid) from exc
    except HTTPMessageSignaturesException as exc:
        raise SignatureRejected(Reason.MALFORMED, str(exc), keyid=signature.keyid) from exc
    try:
        ContentDigest.verify(message.headers["content-digest"], body)
    except (InvalidSignature, HTTPMessageSignaturesException) as exc:
        raise SignatureRejected(
            Reason.TAMPERED_BODY, "the body does not match its signed content-digest", keyid=signature.keyid
        ) from exc


def _timestamp(created: int | None) -> datetime.datetime | None:
    return None if created is None else datetime.datetime.fromtimestamp(created, tz=datetime.UTC)


def sign_request(
    *,
    key: Ed25519PrivateKey,
    keyid: str,
    method: str,
    url: str,
    body: bytes,
    created: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Return the Content-Digest, Signature-Input and Signature headers for this request.

    ``url`` must be exactly the absolute URL the request is sent to; ``created`` and
    ``nonce`` are for tests (defaults: now, 128 random bits).
    """
    message = _Request(method=method.upper(), url=url, headers={})
    _signer(key, keyid).sign(
        message,
        key_id=keyid,
        created=_timestamp(created),
        nonce=nonce or secrets.token_urlsafe(16),
        label=LABEL,
        tag=TAG,
        covered_component_ids=REQUEST_COMPONENTS[:2],
        body=body,
    )
    return message.headers


def verify_request(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    public_key_for: Callable[[str], Ed25519PublicKey | None],
    nonces: NonceStore,
    now: float | None = None,
) -> VerifiedRequest:
    """Check a received request; return who signed it or raise SignatureRejected.

    ``url`` is the absolute URL as the receiver reconstructs it; it must equal the URL
    the sender signed. ``public_key_for(keyid)`` returns the registered key or None.
    """
    lowered = _lower(headers)
    signature = _parse_signature_input(lowered, REQUEST_COMPONENTS)
    _check_skew(signature, now)
    key = public_key_for(signature.keyid)
    if key is None:
        raise SignatureRejected(Reason.UNKNOWN_PEER, "no registered peer has this key", keyid=signature.keyid)
    _verify(_Request(method=method.upper(), url=url, headers=lowered), key, signature, body)
    if not nonces.claim(keyid=signature.keyid, nonce=signature.nonce, created=signature.created):
        raise SignatureRejected(Reason.REPLAY, "this request was already received once", keyid=signature.keyid)
    return VerifiedRequest(keyid=signature.keyid, nonce=signature.nonce, created=signature.created)


def sign_response(
    *,
    key: Ed25519PrivateKey,
    keyid: str,
    status: int,
    body: bytes,
    request_method: str,
    request_url: str,
    request_headers: Mapping[str, str],
    created: int | None = None,
) -> dict[str, str]:
    """Return the headers that sign a response to the given (signed) request."""
    request = _Request(method=request_method.upper(), url=request_url, headers=_lower(request_headers))
    message = _Response(status_code=status, headers={}, request=request)
    _signer(key, keyid).sign(
        message,
        key_id=keyid,
        created=_timestamp(created),
        nonce=secrets.token_urlsafe(16),
        label=LABEL,
        tag=TAG,
        covered_component_ids=tuple(c for c in RESPONSE_COMPONENTS if c != "content-digest"),
        body=body,
    )
    return message.headers


def verify_response(
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    request_method: str,
    request_url: str,
    request_headers: Mapping[str, str],
    public_key: Ed25519PublicKey,
    keyid: str,
    now: float | None = None,
) -> VerifiedResponse:
    """Check that a response was signed by the peer we called, for the request we sent."""
    lowered = _lower(headers)
    signature = _parse_signature_input(lowered, RESPONSE_COMPONENTS)
    if signature.keyid != keyid:
        raise SignatureRejected(
            Reason.UNKNOWN_PEER, f"response is signed by {signature.keyid}, not by {keyid}", keyid=signature.keyid
        )
    _check_skew(signature, now)
    request = _Request(method=request_method.upper(), url=request_url, headers=_lower(request_headers))
    _verify(_Response(status_code=status, headers=lowered, request=request), public_key, signature, body)
    return VerifiedResponse(keyid=signature.keyid, created=signature.created)
