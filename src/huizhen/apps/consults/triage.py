"""Triage at the hub: accept a received case, ask the referring physician for more, or decline.

Each step is one :func:`huizhen.apps.consults.workflow.transition` (role-checked and
audited), tells the gateway with a ``case.status`` event through the outbox
(:func:`huizhen.apps.consults.relay.send_event`) in the same transaction, and notifies
the people who act next. Accepting starts the deadline
(:mod:`huizhen.apps.consults.deadlines`); asking for information pauses it and
remembers the state to return to (``resume_state``); :func:`resume_after_information`
is what the ``info.provided`` handler calls to return there, extending the deadline by
the business time spent waiting. The question itself goes to the gateway as a policy-
checked message (``compliance.require_allowed(action="message")``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huizhen.apps.accounts import permissions
from huizhen.apps.consults import compliance, deadlines, selectors, workflow
from huizhen.apps.consults.models import ConsultRequest, Message, MessageKind, OutboundEvent, State
from huizhen.apps.consults.notifications import notify


class TriageError(ValueError):
    """The input cannot be used (e.g. a decline without a reason); nothing was changed."""


def display_name(user: Any) -> str:
    return str(user.get_full_name() or user.username)


def _require_triage(consult: ConsultRequest, by: Any, action: str, http_request: Any) -> None:
    if not permissions.can_triage(by):
        raise permissions.deny(user=by, action=action, target=consult.reference, request=http_request)


def ensure_allowed(consult: ConsultRequest, target: str, *, actor: Any, http_request: Any = None) -> None:
    """Refuse (audited) before a service opens its transaction, so the denial is not rolled back with it."""
    if workflow.allowed(consult, target, actor) is None:
        workflow.transition(consult, target, actor=actor, http_request=http_request)  # raises TransitionRefused


def relay_status(consult: ConsultRequest, *, http_request: Any = None, **extra: Any) -> OutboundEvent | None:
    """Tell the gateway the case's new state (``case.status``); nothing for a case with no peer."""
    if consult.peer is None:
        return None
    from huizhen.apps.consults import relay  # B's outbox; imported late so triage loads without it

    payload: dict[str, Any] = {"reference": consult.reference, "state": consult.state}
    if consult.due_at is not None:
        payload["due_at"] = consult.due_at.isoformat()
    payload.update({key: value for key, value in extra.items() if value is not None})
    event: OutboundEvent = relay.send_event(
        peer=consult.peer, kind="case.status", payload=payload, request=http_request, consult=consult
    )
    return event


def accept(*, consult: ConsultRequest, by: Any, http_request: Any = None) -> ConsultRequest:
    """Accept the case: the deadline starts now (business days by program and urgency)."""
    now = timezone.now()
    due = deadlines.due_for(program=consult.program, urgency=consult.urgency, accepted_at=now)
    _require_triage(consult, by, "consult.accept", http_request)
    ensure_allowed(consult, State.ACCEPTED, actor=by, http_request=http_request)
    with transaction.atomic():
        workflow.transition(
            consult,
            State.ACCEPTED,
            actor=by,
            http_request=http_request,
            detail={"due_at": due.isoformat()},
            accepted_at=now,
            due_at=due,
        )
        relay_status(consult, http_request=http_request)
        notify(
            users=selectors.hub_coordinators(),
            request=consult,
            verb="accepted",
            text=str(_("Case %(reference)s was accepted and is waiting for assignment."))
            % {"reference": consult.reference},
        )
    return consult


def request_information(
    *, consult: ConsultRequest, by: Any, question: str, language: str = "en", http_request: Any = None
) -> Message:
    """Ask the referring physician a question; the case waits (deadline paused) until answered."""
    question = (question or "").strip()
    if not question:
        raise TriageError(_("Write the question for the referring physician."))
    if not (permissions.can_triage(by) or permissions.can_write_opinion(by, consult)):
        raise permissions.deny(user=by, action="consult.request_info", target=consult.reference, request=http_request)
    now = timezone.now()
    ensure_allowed(consult, State.INFO_REQUESTED, actor=by, http_request=http_request)
    compliance.require_allowed(
        consult=consult, actor=by, action="message", data_classes=["message"], http_request=http_request
    )
    with transaction.atomic():
        previous = consult.state
        workflow.transition(
            consult,
            State.INFO_REQUESTED,
            actor=by,
            http_request=http_request,
            detail={"resume": previous},
            resume_state=previous,
            paused_at=now if consult.due_at is not None else None,
        )
        message = Message.objects.create(
            request=consult,
            kind=MessageKind.INFO_REQUEST,
            origin="hub",
            author=by,
            author_name=display_name(by),
            body=question,
            language=language,
            relayed_at=now if consult.peer is not None else None,
        )
        relay_status(
            consult,
            http_request=http_request,
            question={"uid": str(message.uid), "body": question, "language": language},
            resume_state=previous,
        )
        notify(
            users=[*selectors.hub_coordinators(), *selectors.assigned_specialists(consult)],
            request=consult,
            verb="info_requested",
            text=str(_("More information was requested for case %(reference)s.")) % {"reference": consult.reference},
        )
    return message


def decline(*, consult: ConsultRequest, by: Any, reason: str, http_request: Any = None) -> ConsultRequest:
    """Decline the case with a reason the referring physician will read."""
    reason = (reason or "").strip()
    if not reason:
        raise TriageError(_("Give the reason for declining; the referring physician will read it."))
    _require_triage(consult, by, "consult.decline", http_request)
    ensure_allowed(consult, State.DECLINED, actor=by, http_request=http_request)
    with transaction.atomic():
        workflow.transition(
            consult, State.DECLINED, actor=by, http_request=http_request, decline_reason=reason, paused_at=None
        )
        relay_status(consult, http_request=http_request, reason=reason)
        notify(
            users=selectors.hub_coordinators(),
            request=consult,
            verb="declined",
            text=str(_("Case %(reference)s was declined.")) % {"reference": consult.reference},
        )
    return consult


def resume_after_information(
    *, consult: ConsultRequest, actor: Any = workflow.PEER, http_request: Any = None
) -> ConsultRequest:
    """Return an INFO_REQUESTED case to where it was, the deadline extended by the business time paused.

    Called by the ``info.provided`` handler (actor PEER) in its transaction. A case
    with no stored state (older rows) goes back to intake (SUBMITTED).
    """
    target = consult.resume_state or State.SUBMITTED
    now = timezone.now()
    due = deadlines.resumed_due_at(due_at=consult.due_at, paused_at=consult.paused_at, now=now)
    with transaction.atomic():
        workflow.transition(
            consult,
            target,
            actor=actor,
            http_request=http_request,
            detail={"due_at": due.isoformat() if due else None},
            due_at=due,
            paused_at=None,
            resume_state="",
        )
        relay_status(consult, http_request=http_request)
        notify(
            users=[*selectors.hub_coordinators(), *selectors.assigned_specialists(consult)],
            request=consult,
            verb="info_provided",
            text=str(_("The referring physician answered on case %(reference)s.")) % {"reference": consult.reference},
        )
    return consult
