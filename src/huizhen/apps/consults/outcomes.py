"""Outcome follow-up: was the advice adopted, and how is the patient doing — asked, recorded, shared.

When an opinion is delivered the gateway sets ``outcome_due_at`` = delivery + the
program's follow-up days (``settings.HUIZHEN_OUTCOME_FOLLOWUP_DAYS``: a number, or a dict
by program with an optional ``"default"``; 90 days when unset). :func:`send_due_followups`
— run by the ``huizhen consults_followups`` command or the :func:`outcome_followups`
task — asks the referring physician once, by notification, when that day has come.

:func:`record_outcome` at the gateway stores the answer, closes the case and relays it
as ``outcome.recorded`` with the free text scrubbed like every other text that leaves
(:func:`huizhen.apps.consults.threads.scrub_for_peer`). The hub's handler
(:func:`on_outcome_recorded`) keeps the de-identified outcome and closes its copy, which
is how the consulting centre learns whether its advice helped (issue 4 item 9).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import inbound, workflow
from huizhen.apps.consults.models import Adoption, ConsultRequest, Notification, Outcome, State
from huizhen.apps.consults.notifications import notify
from huizhen.apps.consults.relay import EventRefused
from huizhen.apps.consults.threads import (
    case_for_event,
    language_of,
    node_role,
    people_on_case,
    request_reader_translation,
    scrub_for_peer,
)
from huizhen.apps.nodes.models import Peer
from huizhen.site.tasking import retrying_task

DEFAULT_FOLLOWUP_DAYS = 90
#: The notification verb of the follow-up question; its existence is what makes it "once".
FOLLOWUP_VERB = "outcome.due"
MAX_TEXT_CHARS = 4000


class OutcomeError(ValueError):
    """An outcome that cannot be recorded as given; the message says why."""


def followup_days(program: str) -> int:
    """Days from delivery to the follow-up question for ``program``."""
    configured: Any = getattr(settings, "HUIZHEN_OUTCOME_FOLLOWUP_DAYS", DEFAULT_FOLLOWUP_DAYS)
    if isinstance(configured, dict):
        configured = configured.get(program, configured.get("default", DEFAULT_FOLLOWUP_DAYS))
    days = int(configured)
    if days < 0:
        raise ValueError("HUIZHEN_OUTCOME_FOLLOWUP_DAYS must not be negative")
    return days


def outcome_due(*, consult: ConsultRequest, delivered_at: datetime) -> datetime:
    return delivered_at + timedelta(days=followup_days(consult.program))


def is_due(consult: ConsultRequest, *, now: datetime | None = None) -> bool:
    """The case waits for its outcome and the follow-up day has come."""
    moment = now or timezone.now()
    return consult.state == State.DELIVERED and consult.outcome_due_at is not None and consult.outcome_due_at <= moment


def send_due_followups(*, now: datetime | None = None) -> list[ConsultRequest]:
    """Ask the referring physician of every case whose follow-up is due, once per case; gateway only."""
    if node_role() != "gateway":
        return []
    moment = now or timezone.now()
    asked_already = Notification.objects.filter(verb=FOLLOWUP_VERB).values_list("request_id", flat=True)
    due = ConsultRequest.objects.filter(
        state=State.DELIVERED, outcome_due_at__lte=moment, patient__isnull=False
    ).exclude(pk__in=asked_already)
    asked: list[ConsultRequest] = []
    for consult in due.select_related("referring_physician"):
        with transaction.atomic():
            # Locked and re-checked, so two sweeps running at once still ask once.
            locked = ConsultRequest.objects.select_for_update().get(pk=consult.pk)
            if Notification.objects.filter(verb=FOLLOWUP_VERB, request=locked).exists():
                continue
            notify(
                users=people_on_case(locked),
                request=locked,
                verb=FOLLOWUP_VERB,
                text=_(
                    "Follow-up for case %(reference)s: was the consulting centre's advice adopted, "
                    "and how is the patient doing? Please record the outcome."
                )
                % {"reference": locked.reference},
            )
            record_event(
                action="consult.outcome_followup", target=locked.reference, detail={"due": str(locked.outcome_due_at)}
            )
        asked.append(consult)
    return asked


def record_outcome(
    *,
    consult: ConsultRequest,
    by: Any,
    adoption: str,
    reason: str = "",
    patient_status: str = "",
    http_request: Any = None,
) -> Outcome:
    """Record at the gateway whether the advice was adopted; close the case; relay it de-identified."""
    if not permissions.can_record_outcome(by, consult):
        raise permissions.deny(user=by, action="consult.record_outcome", target=consult.reference, request=http_request)
    if adoption not in Adoption.values:
        raise OutcomeError(_("Say whether the advice was adopted fully, partly or not."))
    reason = (reason or "").strip()[:MAX_TEXT_CHARS]
    patient_status = (patient_status or "").strip()[:MAX_TEXT_CHARS]
    if adoption != Adoption.FULLY and not reason:
        raise OutcomeError(_("Say why the advice was not fully adopted."))
    if consult.state != State.DELIVERED:
        raise OutcomeError(_("An outcome can be recorded once the opinion has been delivered, and only once."))
    from huizhen.apps.consults import compliance, relay

    with transaction.atomic():
        outcome = Outcome.objects.create(
            request=consult, adoption=adoption, reason=reason, patient_status=patient_status, recorded_by=by
        )
        payload = {
            "reference": consult.reference,
            "adoption": adoption,
            "reason": scrub_for_peer(consult=consult, text=reason),
            "patient_status": scrub_for_peer(consult=consult, text=patient_status),
            "recorded_at": outcome.recorded_at.isoformat(),
        }
        if consult.peer is None:
            raise OutcomeError(_("This case has no consulting centre to tell."))
        compliance.require_allowed(
            consult=consult, actor=by, action="message", data_classes=["message"], http_request=http_request
        )
        relay.send_event(
            peer=consult.peer, kind="outcome.recorded", payload=payload, request=http_request, consult=consult
        )
        Outcome.objects.filter(pk=outcome.pk).update(relayed_at=timezone.now())
        workflow.transition(consult, State.CLOSED, actor=by, detail={"adoption": adoption}, http_request=http_request)
        record_event(
            action="consult.outcome_recorded",
            actor=by,
            target=consult.reference,
            detail={"adoption": adoption, "reason_chars": len(reason), "status_chars": len(patient_status)},
            request=http_request,
        )
    outcome.refresh_from_db()
    return outcome


@inbound.handles("outcome.recorded")
def on_outcome_recorded(*, peer: Peer, payload: dict[str, Any], event_id: str) -> None:
    """Hub: keep the gateway's de-identified outcome and close the case."""
    if node_role() != "hub":
        raise EventRefused("only a hub receives outcomes", retryable=False)
    consult = case_for_event(peer=peer, reference=payload.get("reference", ""))
    adoption = str(payload.get("adoption") or "")
    if adoption not in Adoption.values:
        raise EventRefused(f"unknown adoption {adoption!r}", retryable=False)
    if consult.outcomes.exists() and consult.state == State.CLOSED:
        return
    if consult.state == State.SIGNED:
        # The delivery acknowledgement and the outcome can cross; delivery came first.
        workflow.transition(consult, State.DELIVERED, actor=workflow.PEER, delivered_at=timezone.now())
    if consult.state != State.DELIVERED:
        raise EventRefused(f"{consult.reference}: no outcome expected in state {consult.state}")
    reason = str(payload.get("reason") or "")[:MAX_TEXT_CHARS]
    patient_status = str(payload.get("patient_status") or "")[:MAX_TEXT_CHARS]
    outcome = Outcome.objects.create(
        request=consult, adoption=adoption, reason=reason, patient_status=patient_status, relayed_at=timezone.now()
    )
    recorded_at = _parse_time(payload.get("recorded_at"))
    if recorded_at is not None:
        Outcome.objects.filter(pk=outcome.pk).update(recorded_at=recorded_at)
    workflow.transition(consult, State.CLOSED, actor=workflow.PEER, detail={"peer": peer.name, "adoption": adoption})
    for field, text in (("reason", reason), ("patient_status", patient_status)):
        request_reader_translation(
            consult=consult,
            text=text,
            language=language_of(text),
            subject=f"{consult.reference}:outcome:{field}",
        )
    record_event(
        action="consult.outcome_received", peer=peer.name, target=consult.reference, detail={"adoption": adoption}
    )
    notify(
        users=people_on_case(consult),
        request=consult,
        verb="outcome.recorded",
        text=_("The referring physician recorded the outcome of case %(reference)s.")
        % {"reference": consult.reference},
    )


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def latest_outcome(consult: ConsultRequest) -> Outcome | None:
    return consult.outcomes.order_by("-recorded_at", "-id").first()


@retrying_task(max_attempts=3, base_delay=timedelta(minutes=5))
def outcome_followups() -> list[str]:
    """The periodic sweep as a background task; returns the references asked."""
    return [consult.reference for consult in send_due_followups()]
