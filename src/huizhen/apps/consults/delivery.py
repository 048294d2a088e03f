"""Delivery at the gateway: the hub's status changes and its signed opinion, applied to the local case.

The hub relays ``case.status`` when it accepts, asks for information, declines or starts
the review; the gateway mirrors each move on its identified copy with the actor
``PEER`` (:mod:`huizhen.apps.consults.workflow`), keeps the hub's deadline, stores a
question as an ``INFO_REQUEST`` message and tells the referring physician.

``opinion.signed`` carries a signed opinion and the SHA-256 of its canonical content.
The gateway recomputes that hash over the same canonical JSON
(:func:`opinion_content_hash`) and refuses the event when they differ (audited, 422):
what the physician reads is byte for byte what the specialist signed. An accepted
opinion is stored as a signed :class:`~huizhen.apps.consults.models.Opinion` with the
names as sent (a higher version supersedes, older versions stay visible), the case moves
to DELIVERED with its outcome follow-up date (:mod:`huizhen.apps.consults.outcomes`),
its free text is queued for translation into Chinese, and the physician is notified.
Re-linking is by reference: the case row at the gateway is the one linked to the patient.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import inbound, workflow
from huizhen.apps.consults.models import (
    Agreement,
    ConsultRequest,
    Message,
    MessageKind,
    Opinion,
    OpinionStatus,
    State,
)
from huizhen.apps.consults.notifications import notify
from huizhen.apps.consults.opinions import CANONICAL_KEYS, opinion_content_hash
from huizhen.apps.consults.relay import EventRefused
from huizhen.apps.consults.threads import (
    case_for_event,
    people_on_case,
    request_reader_translation,
    store_received_message,
)
from huizhen.apps.nodes.models import Peer

#: The opinion's free-text fields, translated for the reader (dotted: inside ``treatment``).
TRANSLATED_FIELDS = ("workup", "treatment.rationale", "trials", "comments", "addendum_reason")

#: Hub states the gateway mirrors from ``case.status``; others (signed, delivered) arrive otherwise.
MIRRORED_STATES = (State.ACCEPTED, State.INFO_REQUESTED, State.DECLINED, State.IN_REVIEW)


def opinion_subject(consult: ConsultRequest, opinion: Opinion, field: str) -> str:
    """The translation subject of one field of one opinion version."""
    return f"{consult.reference}:opinion-v{opinion.version}:{field}"


def field_text(opinion: Opinion, field: str) -> str:
    """The text of ``field`` (dotted for a key inside ``treatment``)."""
    if field.startswith("treatment."):
        value = (opinion.treatment or {}).get(field.split(".", 1)[1], "")
        return value if isinstance(value, str) else ""
    return str(getattr(opinion, field, "") or "")


def _gateway_case(*, peer: Peer, payload: dict[str, Any]) -> ConsultRequest:
    if str(settings.HUIZHEN_ROLE) != "gateway":
        raise EventRefused("only a gateway applies the hub's status and opinions", retryable=False)
    if peer.role and peer.role != Peer.Role.HUB:
        raise EventRefused(f"{peer.name} is not a consulting hub", retryable=False)
    return case_for_event(peer=peer, reference=payload.get("reference", ""))


# -- case.status -----------------------------------------------------------------------------------


@inbound.handles("case.status")
def on_case_status(*, peer: Peer, payload: dict[str, Any], event_id: str) -> None:
    consult = _gateway_case(peer=peer, payload=payload)
    apply_case_status(consult=consult, peer=peer, payload=payload)


def apply_case_status(*, consult: ConsultRequest, peer: Peer, payload: dict[str, Any]) -> ConsultRequest:
    """Mirror the hub's move on the gateway's copy; a repeat of the current state changes nothing."""
    target = str(payload.get("state") or "")
    if target not in State.values:
        raise EventRefused(f"unknown state {target!r}", retryable=False)
    if target not in MIRRORED_STATES:
        # Signature and delivery reach the gateway as opinion.signed; nothing to mirror.
        return consult
    fields: dict[str, Any] = {}
    due = _parse_time(payload.get("due_at"))
    if "due_at" in payload:
        fields["due_at"] = due
    if target == State.DECLINED:
        fields["decline_reason"] = str(payload.get("reason") or "")[:4000]
    if target == State.ACCEPTED and consult.accepted_at is None:
        fields["accepted_at"] = timezone.now()
    if target == State.INFO_REQUESTED:
        resume = str(payload.get("resume_state") or "")
        fields["resume_state"] = resume if resume in (State.SUBMITTED, State.ACCEPTED, State.IN_REVIEW) else ""
    with transaction.atomic():
        if consult.state == target:
            if fields:
                ConsultRequest.objects.filter(pk=consult.pk).update(**fields)
            applied = consult
        else:
            if target == State.INFO_REQUESTED and not fields["resume_state"]:
                # Where to return once answered: where the case is now.
                fields["resume_state"] = consult.state
            if target == State.IN_REVIEW and consult.state == State.SUBMITTED:
                # The acceptance is implied by the review; mirror both steps.
                workflow.transition(consult, State.ACCEPTED, actor=workflow.PEER, accepted_at=timezone.now())
            if workflow.allowed(consult, target, workflow.PEER) is None:
                # Probably ahead of an event still on its way: the hub's retry applies it.
                raise EventRefused(
                    f"{consult.reference}: cannot move from {consult.state} to {target} yet", retryable=False
                )
            applied = workflow.transition(
                consult, target, actor=workflow.PEER, detail={"peer": peer.name, "event": "case.status"}, **fields
            )
        question = payload.get("question")
        if target == State.INFO_REQUESTED and isinstance(question, dict):
            store_received_message(
                consult=applied,
                peer=peer,
                data={
                    "uid": question.get("uid"),
                    "body": question.get("body"),
                    "language": question.get("language"),
                    "author_name": question.get("author_name", ""),
                    "created_at": question.get("created_at"),
                    "kind": MessageKind.INFO_REQUEST,
                    "origin": "hub",
                },
            )
        notify(
            users=people_on_case(applied),
            request=applied,
            verb=f"case.{target}",
            text=_status_text(applied, target),
        )
    return applied


def _status_text(consult: ConsultRequest, state: str) -> str:
    reference = consult.reference
    if state == State.ACCEPTED:
        return _("The consulting centre accepted case %(reference)s.") % {"reference": reference}
    if state == State.INFO_REQUESTED:
        return _("The consulting centre asks for more information on case %(reference)s.") % {"reference": reference}
    if state == State.DECLINED:
        return _("The consulting centre declined case %(reference)s.") % {"reference": reference}
    return _("Specialists are reviewing case %(reference)s.") % {"reference": reference}


# -- opinion.signed -------------------------------------------------------------------------------


@inbound.handles("opinion.signed")
def on_opinion_signed(*, peer: Peer, payload: dict[str, Any], event_id: str) -> None:
    consult = _gateway_case(peer=peer, payload=payload)
    receive_opinion(consult=consult, peer=peer, payload=payload)


def receive_opinion(*, consult: ConsultRequest, peer: Peer, payload: dict[str, Any]) -> Opinion:
    """Verify, store and deliver a signed opinion from the hub; see the module docstring."""
    content = {key: payload.get(key) for key in CANONICAL_KEYS}
    claimed = str(payload.get("content_hash") or "")
    actual = opinion_content_hash(content)
    if not claimed or claimed != actual or content["reference"] != consult.reference:
        record_event(
            action="consult.opinion_refused",
            peer=peer.name,
            target=consult.reference,
            outcome="denied",
            detail={"version": payload.get("version"), "claimed": claimed, "computed": actual},
        )
        raise EventRefused(f"{consult.reference}: the opinion's content does not match its hash", retryable=False)
    version, signed_at = _version_and_time(payload)
    existing = consult.opinions.filter(version=version).first()
    if existing is not None:
        if existing.content_hash == actual:
            return existing  # the same opinion delivered again
        raise EventRefused(f"{consult.reference}: version {version} already holds another opinion", retryable=False)
    supersedes_version = payload.get("supersedes_version") or (version - 1 if version > 1 else None)
    supersedes = consult.opinions.filter(version=supersedes_version).first() if supersedes_version else None
    with transaction.atomic():
        opinion = Opinion.objects.create(
            request=consult,
            version=version,
            supersedes=supersedes,
            status=OpinionStatus.SIGNED,
            agreement=_choice(content["agreement"], Agreement.values),
            consultant_diagnosis=content["consultant_diagnosis"] or [],
            workup=str(content["workup"] or ""),
            treatment=content["treatment"] or {},
            trials=str(content["trials"] or ""),
            comments=str(content["comments"] or ""),
            addendum_reason=str(content["addendum_reason"] or ""),
            language=str(content["language"] or "en")[:8],
            author_name=str(payload.get("author_name") or "")[:200],
            cosigner_name=str(payload.get("cosigner_name") or "")[:200],
            signer_name=str(content["signer_name"] or "")[:200],
            signed_at=signed_at,
            content_hash=actual,
        )
        if consult.state in (State.IN_REVIEW, State.ACCEPTED):
            from huizhen.apps.consults.outcomes import outcome_due

            now = timezone.now()
            workflow.transition(
                consult,
                State.DELIVERED,
                actor=workflow.PEER,
                detail={"peer": peer.name, "opinion_version": version},
                delivered_at=now,
                outcome_due_at=outcome_due(consult=consult, delivered_at=now),
            )
        elif consult.state not in (State.DELIVERED, State.CLOSED):
            raise EventRefused(f"{consult.reference}: an opinion cannot be delivered in state {consult.state}")
        for field in TRANSLATED_FIELDS:
            request_reader_translation(
                consult=consult,
                text=field_text(opinion, field),
                language=opinion.language,
                subject=opinion_subject(consult, opinion, field),
                # The report is bilingual: whichever language the specialist wrote in, the other.
                target="en" if opinion.language == "zh" else "zh",
            )
        record_event(
            action="consult.opinion_delivered",
            peer=peer.name,
            target=consult.reference,
            detail={"version": version, "content_hash": actual, "supersedes": supersedes_version},
        )
        text = (
            _("The opinion on case %(reference)s has arrived.")
            if version == 1
            else _("An addendum (version %(version)d) to the opinion on case %(reference)s has arrived.")
        ) % {"reference": consult.reference, "version": version}
        notify(users=people_on_case(consult), request=consult, verb="opinion.delivered", text=text)
    return opinion


def _version_and_time(payload: dict[str, Any]) -> tuple[int, Any]:
    try:
        version = int(payload.get("version") or 0)
    except (TypeError, ValueError):
        version = 0
    if version < 1:
        raise EventRefused("an opinion needs a version of 1 or more", retryable=False)
    signed_at = _parse_time(payload.get("signed_at"))
    if signed_at is None:
        raise EventRefused("a signed opinion needs its signing time", retryable=False)
    return version, signed_at


def _choice(value: Any, allowed: list[str]) -> str:
    return str(value) if value in allowed else ""


def _parse_time(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


# -- Reading ---------------------------------------------------------------------------------------


def signed_opinions(consult: ConsultRequest) -> list[Opinion]:
    """Every signed version, newest first: the newest is current, older ones stay visible."""
    return list(consult.opinions.filter(status=OpinionStatus.SIGNED).order_by("-version"))


def current_opinion(consult: ConsultRequest) -> Opinion | None:
    return consult.opinions.filter(status=OpinionStatus.SIGNED).order_by("-version").first()


def info_requests(consult: ConsultRequest) -> list[Message]:
    return list(consult.messages.filter(kind=MessageKind.INFO_REQUEST).order_by("created_at"))
