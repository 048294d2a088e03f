"""Relaying consultation events and de-identified files to the peer node (the outbox).

:func:`send_event` stores an :class:`~huizhen.apps.consults.models.OutboundEvent` and,
after the transaction commits, enqueues :func:`deliver_outbound_event`, which makes the
signed ``POST /api/node/consults/events`` call and retries with backoff until the peer
answers 200 (applied, or a duplicate it already applied). The receiving side is
:mod:`huizhen.apps.consults.api.node`. :func:`deliver` makes the same call at once for
callers that must know the outcome (the submission pipeline). :func:`upload_blob`
sends one de-identified file with a signed ``PUT /api/node/consults/blobs/<sha256>``.

At a gateway every outgoing payload passes a last guard first: if any string in it
holds the case patient's name, record number, national ID, passport, phone, e-mail,
address or birth date in a common written form, the event is refused
(:class:`LeakBlocked`, audited ``consults.leak_blocked``) — identified data never
leaves, whatever bug upstream let it through.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from huizhen.apps.audit.services import record_event
from huizhen.apps.consults.models import ConsultRequest, OutboundEvent
from huizhen.apps.nodes.models import Peer
from huizhen.apps.nodes.services import PeerCallError, signed_request
from huizhen.site.tasking import retry_delay

logger = logging.getLogger(__name__)

EVENTS_PATH = "/api/node/consults/events"
BLOBS_PATH = "/api/node/consults/blobs/"
#: How often delivery of one event is tried before it is left FAILED for an operator.
MAX_DELIVERY_ATTEMPTS = 10
DELIVERY_BASE_DELAY = timedelta(seconds=30)
DELIVERY_MAX_DELAY = timedelta(hours=1)
#: Generous for a whole signed file in one request; DICOM goes one instance per call.
BLOB_TIMEOUT = 120.0


class DeliveryFailed(Exception):
    """The peer could not be reached or did not apply the event; ``reason`` says why."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class LeakBlocked(Exception):
    """An outgoing payload holds one of the patient's identifiers; nothing was sent."""

    def __init__(self, kinds: list[str]) -> None:
        super().__init__("the payload holds the patient's " + ", ".join(kinds) + "; nothing was sent")
        self.kinds = kinds


class EventRefused(Exception):
    """Raised by an inbound handler to refuse an event with a reason.

    ``retryable`` (answered 409) means the sender should try again later, for example a
    referenced file has not arrived yet; otherwise (422) the event itself is wrong. Either
    way the event is not recorded, so a corrected or later delivery is applied.
    """

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


def record_outbound(
    *, peer: Peer, kind: str, payload: dict[str, Any], consult: ConsultRequest | None = None, request: Any = None
) -> OutboundEvent:
    """Store an event for ``peer`` after the leak guard, without enqueuing its delivery."""
    consult = consult if consult is not None else _consult_for(payload)
    if settings.HUIZHEN_ROLE == "gateway":
        guard_payload(payload=payload, consult=consult, request=request, kind=kind)
    event = OutboundEvent.objects.create(peer=peer, request=consult, kind=kind, payload=payload)
    record_event(
        action="consults.event_queued",
        actor=getattr(request, "user", None),
        peer=peer.name,
        target=consult.reference if consult is not None else kind,
        detail={"kind": kind, "event": str(event.uid)},
        request=request,
    )
    return event


def send_event(
    *, peer: Peer, kind: str, payload: dict[str, Any], request: Any = None, consult: ConsultRequest | None = None
) -> OutboundEvent:
    """Store ``kind`` for ``peer`` and deliver it in the background once this transaction commits."""
    event = record_outbound(peer=peer, kind=kind, payload=payload, consult=consult, request=request)
    uid = str(event.uid)
    transaction.on_commit(lambda: deliver_outbound_event.enqueue(event_uid=uid))
    return event


def deliver(event: OutboundEvent, *, timeout: float = 30.0) -> dict[str, Any]:
    """POST ``event`` to its peer now; mark it SENT and return the peer's answer, or raise DeliveryFailed.

    A 200 answer means the peer applied it, or had applied it before (``duplicate``).
    """
    if event.status == OutboundEvent.Status.SENT:
        return {"duplicate": True}
    body = {
        "id": str(event.uid),
        "kind": event.kind,
        "reference": str(event.payload.get("reference", "")),
        "payload": event.payload,
    }
    event.attempts += 1
    try:
        response = signed_request(peer=event.peer, method="POST", path=EVENTS_PATH, json=body, timeout=timeout)
    except PeerCallError as exc:
        _failed(event, str(exc))
        raise DeliveryFailed(str(exc)) from exc
    answer = _json(response)
    if response.status_code != 200:
        reason = str(answer.get("detail") or answer.get("error") or f"HTTP {response.status_code}")
        reason = f"{event.peer.name} refused {event.kind} ({response.status_code}): {reason}"
        _failed(event, reason)
        raise DeliveryFailed(reason, status=response.status_code)
    event.status = OutboundEvent.Status.SENT
    event.sent_at = timezone.now()
    event.last_error = ""
    event.save(update_fields=["status", "sent_at", "last_error", "attempts"])
    return answer


@task()
def deliver_outbound_event(event_uid: str, retry_attempt: int = 1) -> str:
    """Background delivery of one outbox event, re-enqueued with backoff until the peer takes it.

    Not a ``retrying_task``: its atomic attempt would roll back the FAILED status and the
    error that the case page shows; here each attempt's outcome is kept, and the next
    attempt is enqueued by hand with the same backoff policy.
    """
    event = OutboundEvent.objects.select_related("peer").filter(uid=event_uid).first()
    if event is None or event.status == OutboundEvent.Status.SENT:
        return "nothing to do"
    try:
        deliver(event)
    except DeliveryFailed as exc:
        if retry_attempt >= MAX_DELIVERY_ATTEMPTS:
            record_event(
                action="consults.event_gave_up",
                peer=event.peer.name,
                target=event.request.reference if event.request else event.kind,
                outcome="failed",
                detail={"kind": event.kind, "event": event_uid, "attempts": retry_attempt, "error": exc.reason[:300]},
            )
            return "gave up"
        _enqueue_retry(event_uid, retry_attempt)
        return "retrying"
    return "sent"


def _enqueue_retry(event_uid: str, attempt: int) -> None:
    follow_up = deliver_outbound_event
    if follow_up.get_backend().supports_defer:
        delay = retry_delay(attempt=attempt, base_delay=DELIVERY_BASE_DELAY, max_delay=DELIVERY_MAX_DELAY)
        follow_up = follow_up.using(run_after=timezone.now() + delay)
    else:
        # A backend that runs tasks at once (tests, demos) would retry in a tight loop: stop here.
        return
    follow_up.enqueue(event_uid=event_uid, retry_attempt=attempt + 1)


def upload_blob(*, peer: Peer, path: Path, sha256: str | None = None) -> str:
    """Send the file at ``path`` to ``peer`` by its SHA-256 (idempotent); return the hash, or raise DeliveryFailed."""
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if sha256 is not None and sha256 != digest:
        raise DeliveryFailed(f"{path.name} changed since it was packaged")
    try:
        response = signed_request(
            peer=peer, method="PUT", path=f"{BLOBS_PATH}{digest}", content=content, timeout=BLOB_TIMEOUT
        )
    except PeerCallError as exc:
        raise DeliveryFailed(str(exc)) from exc
    if response.status_code != 200:
        answer = _json(response)
        reason = str(answer.get("detail") or answer.get("error") or f"HTTP {response.status_code}")
        raise DeliveryFailed(
            f"{peer.name} refused a file ({response.status_code}): {reason}", status=response.status_code
        )
    return digest


# --- the last guard -------------------------------------------------------------------------


def guard_payload(*, payload: Any, consult: ConsultRequest | None, request: Any = None, kind: str = "") -> None:
    """Raise :class:`LeakBlocked` (audited) if ``payload`` holds an identifier of the case's patient."""
    if consult is None or consult.patient is None:
        return
    from huizhen.apps.consults.packaging import identifier_forms, normalise

    forms = identifier_forms(consult.patient)
    found: set[str] = set()
    for text in _strings(payload):
        plain = normalise(text)
        for identifier_kind, variants in forms.items():
            if identifier_kind not in found and any(variant in plain for variant in variants):
                found.add(identifier_kind)
    if found:
        kinds = sorted(found)
        record_event(
            action="consults.leak_blocked",
            actor=getattr(request, "user", None),
            peer=consult.peer.name if consult.peer else "",
            target=consult.reference,
            outcome="denied",
            # Which kinds of identifier, never their values.
            detail={"kind": kind, "identifiers": kinds},
            request=request,
        )
        raise LeakBlocked(kinds)


#: Machine values in payloads that carry no person: SHA-256 hashes and DICOM paths made of
#: new UIDs. Skipped because their long digit runs could spell a short number by chance.
_MACHINE_VALUE = re.compile(r"^(?:[0-9a-f]{64}|[0-9.]{1,64}/[0-9.]{1,64}/[0-9.]{1,64}\.dcm)$")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if not _MACHINE_VALUE.match(value):
            yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _consult_for(payload: dict[str, Any]) -> ConsultRequest | None:
    reference = payload.get("reference") if isinstance(payload, dict) else None
    if not isinstance(reference, str) or not reference:
        return None
    return ConsultRequest.objects.select_related("patient", "peer").filter(reference=reference).first()


def _failed(event: OutboundEvent, reason: str) -> None:
    event.status = OutboundEvent.Status.FAILED
    event.last_error = reason[:2000]
    event.save(update_fields=["status", "last_error", "attempts"])
    logger.warning("event %s (%s) to %s failed: %s", event.uid, event.kind, event.peer.name, reason)


def _json(response: Any) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
