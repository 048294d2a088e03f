"""Triage at the hub: accept starts the deadline, a question pauses it, a decline needs a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults import triage, workflow
from huizhen.apps.consults.models import Message, MessageKind, Notification, OutboundEvent, State
from tests.consults.hub_factories import AssignmentFactory, hub_case, hub_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator() -> Any:
    return hub_user(Role.CASE_COORDINATOR)


def _status_events(consult: Any) -> list[dict[str, Any]]:
    return [e.payload for e in OutboundEvent.objects.filter(request=consult, kind="case.status").order_by("id")]


def test_accepting_a_case_starts_its_deadline(coordinator: Any) -> None:
    consult = hub_case()
    triage.accept(consult=consult, by=coordinator)
    consult.refresh_from_db()
    assert consult.state == State.ACCEPTED
    assert consult.accepted_at is not None
    assert consult.due_at is not None
    assert consult.due_at - consult.accepted_at >= dt.timedelta(days=5)


def test_accepting_a_case_tells_the_gateway(coordinator: Any) -> None:
    consult = hub_case()
    triage.accept(consult=consult, by=coordinator)
    (payload,) = _status_events(consult)
    assert payload["reference"] == consult.reference
    assert payload["state"] == "accepted"
    assert payload["due_at"]


def test_an_urgent_case_is_due_sooner_than_a_routine_one(coordinator: Any) -> None:
    routine = triage.accept(consult=hub_case(urgency="routine"), by=coordinator)
    urgent = triage.accept(consult=hub_case(urgency="urgent"), by=coordinator)
    assert urgent.due_at < routine.due_at


def test_a_specialist_cannot_accept_and_the_refusal_is_audited() -> None:
    consult = hub_case()
    with pytest.raises(PermissionDenied):
        triage.accept(consult=consult, by=hub_user(Role.CONSULTING_SPECIALIST))
    consult.refresh_from_db()
    assert consult.state == State.SUBMITTED
    denial = AuditEntry.objects.filter(action="permission.denied").latest("seq")
    assert (denial.target, denial.detail["attempted"]) == (consult.reference, "consult.accept")


def test_a_case_cannot_be_accepted_twice(coordinator: Any) -> None:
    consult = triage.accept(consult=hub_case(), by=coordinator)
    with pytest.raises(workflow.TransitionRefused):
        triage.accept(consult=consult, by=coordinator)
    assert AuditEntry.objects.filter(action="consult.transition", outcome="denied").exists()


def test_declining_needs_a_reason_and_changes_nothing_without_one(coordinator: Any) -> None:
    consult = hub_case()
    with pytest.raises(triage.TriageError):
        triage.decline(consult=consult, by=coordinator, reason="  ")
    consult.refresh_from_db()
    assert consult.state == State.SUBMITTED
    assert not _status_events(consult)


def test_a_declined_case_carries_its_reason_to_the_gateway(coordinator: Any) -> None:
    consult = hub_case()
    triage.decline(consult=consult, by=coordinator, reason="Outside the program: solid tumour.")
    consult.refresh_from_db()
    assert (consult.state, consult.decline_reason) == (State.DECLINED, "Outside the program: solid tumour.")
    assert _status_events(consult)[-1] == {
        "reference": consult.reference,
        "state": "declined",
        "reason": "Outside the program: solid tumour.",
    }


def test_asking_for_information_sends_the_question_to_the_referring_physician(coordinator: Any) -> None:
    consult = hub_case()
    message = triage.request_information(consult=consult, by=coordinator, question="Please send the PET-CT report.")
    consult.refresh_from_db()
    assert consult.state == State.INFO_REQUESTED
    assert (message.kind, message.origin, message.body) == (
        MessageKind.INFO_REQUEST,
        "hub",
        "Please send the PET-CT report.",
    )
    question = _status_events(consult)[-1]["question"]
    assert question == {"uid": str(message.uid), "body": "Please send the PET-CT report.", "language": "en"}


def test_asking_for_information_pauses_the_deadline_and_remembers_where_the_case_was(coordinator: Any) -> None:
    consult = triage.accept(consult=hub_case(), by=coordinator)
    triage.request_information(consult=consult, by=coordinator, question="Bone marrow biopsy result?")
    consult.refresh_from_db()
    assert consult.paused_at is not None
    assert consult.resume_state == State.ACCEPTED


def test_an_empty_question_is_refused(coordinator: Any) -> None:
    consult = hub_case()
    with pytest.raises(triage.TriageError):
        triage.request_information(consult=consult, by=coordinator, question="")
    assert not Message.objects.filter(request=consult).exists()


def test_an_unassigned_specialist_cannot_ask_for_information() -> None:
    consult = hub_case(state=State.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        triage.request_information(consult=consult, by=hub_user(Role.CONSULTING_SPECIALIST), question="CT?")
    assert AuditEntry.objects.filter(action="permission.denied", target=consult.reference).exists()


def test_the_assigned_specialist_can_ask_for_information_during_review() -> None:
    assignment = AssignmentFactory()
    triage.request_information(consult=assignment.request, by=assignment.specialist, question="Ki-67 method?")
    assignment.request.refresh_from_db()
    assert assignment.request.resume_state == State.IN_REVIEW


def test_the_answer_resumes_the_case_and_extends_the_deadline_by_the_pause(coordinator: Any) -> None:
    consult = triage.accept(consult=hub_case(), by=coordinator)
    original_due = consult.due_at
    triage.request_information(consult=consult, by=coordinator, question="Cytogenetics?")
    consult.refresh_from_db()
    # Pretend the question was asked three days ago (a pause that spans business days).
    consult.paused_at = timezone.now() - dt.timedelta(days=3)
    consult.save(update_fields=["paused_at"])
    triage.resume_after_information(consult=consult)
    consult.refresh_from_db()
    assert (consult.state, consult.paused_at, consult.resume_state) == (State.ACCEPTED, None, "")
    assert consult.due_at > original_due


def test_coordinators_hear_about_an_accepted_case(coordinator: Any) -> None:
    consult = triage.accept(consult=hub_case(), by=coordinator)
    assert Notification.objects.filter(user=coordinator, request=consult, verb="accepted").exists()
