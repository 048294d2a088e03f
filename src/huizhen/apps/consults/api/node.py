"""Signed node-to-node consultation traffic: events from the peer's outbox and de-identified files.

``POST /api/node/consults/events`` takes ``{"id", "kind", "reference", "payload"}`` from
a verified peer (:func:`huizhen.apps.nodes.peer_auth.peer_signed`), checks that the kind
travels in this direction (a hub takes ``case.submitted`` only from a gateway, a
gateway takes ``opinion.signed`` only from a hub…), and runs the kind's handler
(:mod:`huizhen.apps.consults.inbound`) in the transaction that records the event's id:
an id seen before answers 200 ``{"duplicate": true}`` and changes nothing; a handler that
refuses answers 409 (try again later) or 422 (the event is wrong) with the reason, and
the event is not recorded, so a retry applies it afresh. ``PUT
/api/node/consults/blobs/<sha256>`` stores one file under its hash (verified, size-limited,
written to a temporary name then renamed), idempotently; a file alone creates nothing a
user sees until an event references it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router
from ninja.decorators import decorate_view

from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import inbound
from huizhen.apps.consults.models import InboundEvent, ReceivedBlob
from huizhen.apps.consults.relay import EventRefused
from huizhen.apps.consults.workflow import TransitionRefused
from huizhen.apps.nodes.models import Peer
from huizhen.apps.nodes.peer_auth import peer_signed

router = Router(tags=["consults"])

#: Which node role sends each event kind (None: either side, to the other).
SENDER_ROLE: dict[str, str | None] = {
    "case.submitted": "gateway",
    "info.provided": "gateway",
    "outcome.recorded": "gateway",
    "case.status": "hub",
    "opinion.signed": "hub",
    "message.posted": None,
}
#: Default limit on one received file; HUIZHEN_MAX_BLOB_BYTES in settings overrides it.
DEFAULT_MAX_BLOB_BYTES = 2 * 1024**3
#: Default limit on one event (a message may carry files inline); HUIZHEN_MAX_EVENT_BYTES overrides it.
DEFAULT_MAX_EVENT_BYTES = 64 * 1024**2
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def max_blob_bytes() -> int:
    return int(getattr(settings, "HUIZHEN_MAX_BLOB_BYTES", DEFAULT_MAX_BLOB_BYTES))


def max_event_bytes() -> int:
    return int(getattr(settings, "HUIZHEN_MAX_EVENT_BYTES", DEFAULT_MAX_EVENT_BYTES))


def _refuse(status: int, error: str, detail: str) -> JsonResponse:
    return JsonResponse({"error": error, "detail": detail}, status=status)


def _direction_problem(peer: Peer, kind: str) -> str | None:
    here = str(settings.HUIZHEN_ROLE)
    if not peer.role:
        return f"the role of peer {peer.name} is not known yet (ping it first)"
    if peer.role == here:
        return f"{kind} does not travel between two {here}s"
    sender = SENDER_ROLE.get(kind)
    if sender is not None and peer.role != sender:
        return f"{kind} is accepted from a {sender} only; {peer.name} is a {peer.role}"
    return None


def _bounded_body(limit: Callable[[], int]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Read the body up to our own ``limit``, so the signature check does not hit Django's form-size limit.

    Django refuses bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) when ``request.body``
    is first read; files and events carrying a message's files are larger by design.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return _refuse(400, "bad_request", "bad Content-Length")
            if length > limit():
                return _refuse(413, "too_large", f"bodies larger than {limit()} bytes are refused")
            if not hasattr(request, "_body"):
                request._body = request.read()
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _signed_event(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return _bounded_body(max_event_bytes)(peer_signed(view))


def _signed_file_upload(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    return _bounded_body(max_blob_bytes)(peer_signed(view))


@router.post("events", auth=None)
@decorate_view(_signed_event)
def receive_event(request: HttpRequest) -> HttpResponse:
    """Apply one event from the verified peer exactly once."""
    peer: Peer = request.peer  # type: ignore[attr-defined]
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return _refuse(400, "bad_request", "the body is not JSON")
    if not isinstance(body, dict):
        return _refuse(400, "bad_request", "the body is not a JSON object")
    kind, payload = body.get("kind"), body.get("payload")
    try:
        event_id = str(uuid.UUID(str(body.get("id"))))
    except ValueError:
        return _refuse(400, "bad_request", "id must be a UUID")
    if not isinstance(kind, str) or not isinstance(payload, dict):
        return _refuse(400, "bad_request", "kind (string) and payload (object) are required")
    handler = inbound.handler_for(kind)
    if handler is None or kind not in SENDER_ROLE:
        return _refuse(400, "unknown_kind", f"this node handles no event of kind {kind!r}")
    problem = _direction_problem(peer, kind)
    if problem is not None:
        record_event(
            action="consults.event_refused",
            peer=peer.name,
            target=str(body.get("reference", ""))[:64] or kind,
            outcome="denied",
            detail={"kind": kind, "event": event_id, "reason": problem},
            request=request,
        )
        return _refuse(403, "wrong_direction", problem)
    reference = str(payload.get("reference") or body.get("reference") or "")[:32]
    status, error, detail = 200, "", ""
    try:
        with transaction.atomic():
            if InboundEvent.objects.filter(uid=event_id).exists():
                return JsonResponse({"ok": True, "duplicate": True})
            handler(peer=peer, payload=payload, event_id=event_id)
            InboundEvent.objects.create(uid=event_id, peer=peer, kind=kind, reference=reference)
            record_event(
                action="consults.event_received",
                peer=peer.name,
                target=reference or kind,
                detail={"kind": kind, "event": event_id},
                request=request,
            )
    except EventRefused as exc:
        status, error, detail = (409 if exc.retryable else 422), "refused", exc.reason
    except IntegrityError:
        # The same id applied by a concurrent delivery a moment ago.
        if InboundEvent.objects.filter(uid=event_id).exists():
            return JsonResponse({"ok": True, "duplicate": True})
        status, error, detail = 409, "conflict", "the event conflicts with stored data; try again"
    except (TransitionRefused, ValidationError, ValueError, KeyError, TypeError) as exc:
        status, error, detail = 422, "invalid", f"{type(exc).__name__}: {exc}"[:500]
    if status != 200:
        record_event(
            action="consults.event_refused",
            peer=peer.name,
            target=reference or kind,
            outcome="denied",
            detail={"kind": kind, "event": event_id, "status": status, "reason": detail[:300]},
            request=request,
        )
        return _refuse(status, error, detail)
    return JsonResponse({"ok": True, "duplicate": False})


@router.put("blobs/{sha256}", auth=None)
@decorate_view(_signed_file_upload)
def receive_blob(request: HttpRequest, sha256: str) -> HttpResponse:
    """Store one file from the verified peer under its SHA-256 (idempotent)."""
    peer: Peer = request.peer  # type: ignore[attr-defined]
    if not _SHA256.match(sha256):
        return _refuse(400, "bad_request", "the path must end in a lower-case hex SHA-256")
    content = request.body
    if len(content) > max_blob_bytes():
        return _refuse(413, "too_large", f"files larger than {max_blob_bytes()} bytes are refused")
    if hashlib.sha256(content).hexdigest() != sha256:
        return _refuse(422, "hash_mismatch", "the body does not hash to the SHA-256 in the path")
    relative = f"received/{sha256[:2]}/{sha256}"
    target = Path(settings.HUIZHEN_BLOB_DIR) / relative
    existing = ReceivedBlob.objects.filter(sha256=sha256).first()
    if existing is not None and target.exists():
        return JsonResponse({"ok": True, "duplicate": True, "sha256": sha256})
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{sha256}.{secrets.token_hex(4)}.part")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    with transaction.atomic():
        ReceivedBlob.objects.get_or_create(
            sha256=sha256, defaults={"peer": peer, "size": len(content), "blob": relative}
        )
        record_event(
            action="consults.blob_received",
            peer=peer.name,
            target=sha256,
            detail={"size": len(content)},
            request=request,
        )
    return JsonResponse({"ok": True, "duplicate": False, "sha256": sha256})
