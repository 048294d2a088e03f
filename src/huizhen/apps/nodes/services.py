"""Changing who this node trusts, and calling peers with signed requests.

:func:`add_peer` trusts a key only when it matches the fingerprint an administrator
obtained out of band; :func:`signed_request` is the one way any app calls a peer,
and it accepts an answer only if the peer we meant signed it for this very request.
Every outbound call is audited as ``peer.call_out``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.db import IntegrityError, transaction
from django.utils import timezone

from huizhen.apps.audit.services import record_event
from huizhen.apps.nodes.identity import node_identity, node_private_key
from huizhen.apps.nodes.models import Peer, SeenNonce
from huizhen.apps.nodes.selectors import peer_by_fingerprint
from huizhen.httpsig import keys
from huizhen.httpsig.signatures import SKEW_SECONDS, SignatureRejected, sign_request, verify_response

IDENTITY_PATH = "/api/node/identity"
PING_PATH = "/api/node/ping"
DEFAULT_TIMEOUT = 10.0


class PeerError(Exception):
    """A peer operation failed; the message is meant for the administrator."""


class PeerCallError(PeerError):
    """A signed call failed; ``reason`` is ``unreachable``, ``rejected_by_peer`` or a signature Reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _clean_base_url(base_url: str) -> str:
    url = base_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PeerError(f"{base_url!r} is not an http(s) URL such as https://hub.example.org")
    return url


def fetch_identity(*, base_url: str, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """GET a node's public identity document (unsigned; only trusted after the fingerprint check)."""
    url = _clean_base_url(base_url) + IDENTITY_PATH
    try:
        response = httpx.get(url, timeout=timeout)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise PeerError(f"could not fetch the node identity from {url}: {exc}") from exc
    if not isinstance(data, dict):
        raise PeerError(f"{url} did not answer with a node identity")
    return data


def add_peer(
    *,
    base_url: str,
    fingerprint: str,
    public_key: str | None = None,
    name: str | None = None,
    by: Any = None,
) -> Peer:
    """Trust the node at ``base_url`` if its key matches ``fingerprint``; nothing is stored otherwise."""
    url = _clean_base_url(base_url)
    try:
        expected = keys.normalize_fingerprint(fingerprint)
    except keys.KeyFormatError as exc:
        raise PeerError(f"fingerprint: {exc}") from exc
    role = ""
    if public_key is None:
        identity = fetch_identity(base_url=url)
        public_key = str(identity.get("public_key", ""))
        role = str(identity.get("role", ""))
        name = name or str(identity.get("name", "")).strip() or None
    try:
        key = keys.public_key_from_b64(public_key)
    except keys.KeyFormatError as exc:
        raise PeerError(f"the public key of {url} is malformed: {exc}") from exc
    actual = keys.fingerprint(key)
    if actual != expected:
        record_event(
            action="peer.added",
            actor=by,
            target=url,
            outcome="rejected",
            detail={"reason": "fingerprint_mismatch", "expected": expected, "presented": actual},
        )
        raise PeerError(
            f"fingerprint mismatch: you expected {expected} but {url} presents {actual}; "
            "nothing was stored — confirm the fingerprint with the peer's administrator"
        )
    if actual == node_identity().fingerprint and Peer.objects.filter(fingerprint=actual).exists():
        raise PeerError("this node is already registered as a peer of itself")
    name = (name or urlsplit(url).netloc)[:200]
    for field, value, label in (("fingerprint", actual, "key"), ("base_url", url, "URL"), ("name", name, "name")):
        existing = Peer.objects.filter(**{field: value}).first()
        if existing is not None:
            raise PeerError(f"a peer with this {label} is already registered: {existing.name}")
    peer = Peer.objects.create(
        name=name,
        base_url=url,
        public_key=keys.public_key_to_b64(key),
        fingerprint=actual,
        role=role if role in Peer.Role.values else "",
        added_by=by if getattr(by, "is_authenticated", False) else None,
    )
    record_event(
        action="peer.added",
        actor=by,
        peer=peer.name,
        target=url,
        detail={"fingerprint": actual, "role": peer.role},
    )
    return peer


def remove_peer(*, peer: Peer, by: Any = None) -> None:
    record_event(
        action="peer.removed", actor=by, peer=peer.name, target=peer.base_url, detail={"fingerprint": peer.fingerprint}
    )
    peer.delete()


def signed_request(
    *,
    peer: Peer,
    method: str,
    path: str,
    json: Any = None,
    content: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    actor: Any = None,
) -> httpx.Response:
    """Send a signed request to ``peer`` and return its response, whose signature has been verified.

    Raises PeerCallError if the peer cannot be reached, refuses our signature, or its
    answer is not signed by its registered key for this request. Any status code
    with a valid signature is returned; judging it is the caller's business.
    """
    if not path.startswith("/"):
        raise ValueError("path must start with '/'")
    identity = node_identity()
    started = time.monotonic()
    detail: dict[str, Any] = {"method": method.upper(), "path": path}
    try:
        with httpx.Client(timeout=timeout) as client:
            request = client.build_request(method.upper(), peer.base_url + path, json=json, content=content)
            url = str(request.url)
            request.headers.update(
                sign_request(
                    key=node_private_key(),
                    keyid=identity.fingerprint,
                    method=request.method,
                    url=url,
                    body=request.content,
                )
            )
            try:
                response = client.send(request)
            except httpx.HTTPError as exc:
                raise PeerCallError("unreachable", f"{peer.name} could not be reached: {exc}") from exc
            detail["status"] = response.status_code
            if "signature" not in response.headers and response.status_code == 401:
                raise PeerCallError("rejected_by_peer", _refusal(peer, response))
            try:
                verify_response(
                    status=response.status_code,
                    headers=dict(response.headers),
                    body=response.content,
                    request_method=request.method,
                    request_url=url,
                    request_headers=dict(request.headers),
                    public_key=keys.public_key_from_b64(peer.public_key),
                    keyid=peer.fingerprint,
                )
            except SignatureRejected as exc:
                raise PeerCallError(
                    str(exc.reason), f"the answer from {peer.name} failed signature verification: {exc}"
                ) from exc
    except PeerCallError as exc:
        detail.update(reason=exc.reason, ms=_ms_since(started))
        record_event(action="peer.call_out", actor=actor, peer=peer.name, target=path, outcome="failed", detail=detail)
        raise
    detail["ms"] = _ms_since(started)
    record_event(action="peer.call_out", actor=actor, peer=peer.name, target=path, detail=detail)
    return response


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _refusal(peer: Peer, response: httpx.Response) -> str:
    try:
        data = response.json()
        why = f"{data.get('error')}: {data.get('detail')}"
    except ValueError:
        why = response.text[:200]
    hint = " (has the peer registered this node?)" if "unknown_peer" in why else ""
    return f"{peer.name} refused our signed request — {why}{hint}"


@dataclass(frozen=True)
class PingResult:
    ok: bool
    elapsed_ms: int
    name: str = ""
    role: str = ""
    error: str = ""


def ping_peer(*, peer: Peer, timeout: float = DEFAULT_TIMEOUT, actor: Any = None) -> PingResult:
    """Make a signed ping and record the outcome on the peer; never raises for a failed call."""
    started = time.monotonic()
    try:
        response = signed_request(peer=peer, method="POST", path=PING_PATH, json={}, timeout=timeout, actor=actor)
        if response.status_code != 200:
            raise PeerCallError("bad_status", f"{peer.name} answered the ping with HTTP {response.status_code}")
        data = response.json()
    except (PeerCallError, ValueError) as exc:
        result = PingResult(ok=False, elapsed_ms=_ms_since(started), error=str(exc))
    else:
        result = PingResult(
            ok=True, elapsed_ms=_ms_since(started), name=str(data.get("name", "")), role=str(data.get("role", ""))
        )
    record_ping(peer=peer, result=result)
    return result


def record_ping(*, peer: Peer, result: PingResult) -> None:
    now = timezone.now()
    fields = ["status", "last_checked_at", "last_error"]
    peer.last_checked_at = now
    if result.ok:
        peer.status = Peer.Status.CONNECTED
        peer.last_contact_at = now
        peer.last_error = ""
        fields.append("last_contact_at")
        if result.role in Peer.Role.values and result.role != peer.role:
            peer.role = result.role
            fields.append("role")
    else:
        peer.status = Peer.Status.UNREACHABLE
        peer.last_error = result.error[:2000]
    Peer.objects.filter(pk=peer.pk).update(**{f: getattr(peer, f) for f in fields})


class DatabaseNonceStore:
    """Nonces in the database: the unique (peer, nonce) constraint detects replays across processes."""

    def claim(self, *, keyid: str, nonce: str, created: int) -> bool:
        peer = peer_by_fingerprint(keyid)
        if peer is None:
            return False
        now = timezone.now()
        # Nonces older than twice the skew window can no longer accompany a valid signature.
        SeenNonce.objects.filter(seen_at__lt=now - timedelta(seconds=2 * SKEW_SECONDS)).delete()
        try:
            with transaction.atomic():
                SeenNonce.objects.create(peer=peer, nonce=nonce[:128], seen_at=now)
        except IntegrityError:
            return False
        return True
