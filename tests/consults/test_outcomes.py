"""Outcome follow-up: due after delivery, asked once, recorded at the gateway, relayed de-identified."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from huizhen.apps.accounts.models import Role
from huizhen.apps.consults import outcomes
from huizhen.apps.consults.models import Notification, OutboundEvent, Outcome, Program, State
from tests.accounts.factories import MembershipFactory
from tests.consults.delivery_support import gateway, gateway_case, hub, hub_case  # noqa: F401
from tests.consults.hub_factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _delivered(days_ago: int = 100, **fields: Any) -> Any:
    delivered = timezone.now() - timedelta(days=days_ago)
    return gateway_case(
        State.DELIVERED, delivered_at=delivered, outcome_due_at=delivered + timedelta(days=90), **fields
    )


def test_the_follow_up_is_due_ninety_days_after_delivery_by_default() -> None:
    consult = gateway_case(State.DELIVERED)
    delivered = timezone.now()

    assert outcomes.outcome_due(consult=consult, delivered_at=delivered) == delivered + timedelta(days=90)


def test_a_program_can_have_its_own_follow_up_time(settings: Any) -> None:
    settings.HUIZHEN_OUTCOME_FOLLOWUP_DAYS = {"treatment_plan_review": 30, "default": 60}

    assert outcomes.followup_days(Program.TREATMENT_PLAN) == 30
    assert outcomes.followup_days(Program.SECOND_OPINION) == 60


@pytest.mark.usefixtures("gateway")
def test_the_referring_physician_is_asked_once_when_the_follow_up_is_due() -> None:
    consult = _delivered()

    first = outcomes.send_due_followups()
    second = outcomes.send_due_followups()

    assert [c.reference for c in first] == [consult.reference]
    assert second == []
    assert Notification.objects.filter(user=consult.referring_physician, verb=outcomes.FOLLOWUP_VERB).count() == 1


@pytest.mark.usefixtures("gateway")
def test_nobody_is_asked_before_the_follow_up_is_due() -> None:
    _delivered(days_ago=10)

    assert outcomes.send_due_followups() == []


@pytest.mark.usefixtures("gateway")
def test_the_followups_command_asks_due_cases() -> None:
    consult = _delivered()
    out = StringIO()

    call_command("consults_followups", stdout=out)

    assert f"asked {consult.reference}" in out.getvalue()


@pytest.mark.usefixtures("gateway")
def test_recording_the_outcome_closes_the_case_and_relays_it_de_identified() -> None:
    consult = _delivered()
    patient = consult.patient
    patient.family_name, patient.given_name = "欧阳", "震华"
    patient.save()

    outcomes.record_outcome(
        consult=consult,
        by=consult.referring_physician,
        adoption="partly",
        reason="欧阳震华拒绝CAR-T，改为自体移植。",
        patient_status="移植后完全缓解，电话13812345678随访。",
    )

    consult.refresh_from_db()
    sent = OutboundEvent.objects.get(kind="outcome.recorded").payload
    assert consult.state == State.CLOSED
    assert sent["adoption"] == "partly"
    assert "欧阳震华" not in sent["reason"]
    assert "13812345678" not in sent["patient_status"]
    assert "自体移植" in sent["reason"]
    assert Outcome.objects.get(request=consult).reason == "欧阳震华拒绝CAR-T，改为自体移植。"


@pytest.mark.usefixtures("gateway")
def test_an_outcome_not_fully_adopted_needs_a_reason() -> None:
    consult = _delivered()

    with pytest.raises(outcomes.OutcomeError):
        outcomes.record_outcome(consult=consult, by=consult.referring_physician, adoption="not", reason="")

    assert not Outcome.objects.exists()


@pytest.mark.usefixtures("gateway")
def test_an_outcome_cannot_be_recorded_before_the_opinion_is_delivered() -> None:
    consult = gateway_case(State.IN_REVIEW)

    with pytest.raises(outcomes.OutcomeError):
        outcomes.record_outcome(consult=consult, by=consult.referring_physician, adoption="fully")


@pytest.mark.usefixtures("gateway")
def test_a_specialist_cannot_record_an_outcome() -> None:
    consult = _delivered()
    specialist = MembershipFactory(role=Role.CONSULTING_SPECIALIST).user

    with pytest.raises(PermissionDenied):
        outcomes.record_outcome(consult=consult, by=specialist, adoption="fully")


@pytest.mark.usefixtures("hub")
def test_the_hub_keeps_the_outcome_it_received_and_closes_its_copy() -> None:
    consult = hub_case(State.DELIVERED)
    assignment = AssignmentFactory(request=consult)

    outcomes.on_outcome_recorded(
        peer=consult.peer,
        payload={
            "reference": consult.reference,
            "adoption": "fully",
            "reason": "",
            "patient_status": "Complete remission after CAR-T.",
            "recorded_at": "2027-02-20T09:00:00+00:00",
        },
        event_id="e",
    )

    consult.refresh_from_db()
    outcome = consult.outcomes.get()
    assert consult.state == State.CLOSED
    assert outcome.patient_status == "Complete remission after CAR-T."
    assert outcome.recorded_by is None
    assert Notification.objects.filter(user=assignment.specialist, verb="outcome.recorded").exists()


@pytest.mark.usefixtures("gateway")
def test_the_followups_task_asks_due_cases(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    consult = _delivered()

    call_command("consults_followups", "--enqueue", stdout=StringIO())

    assert Notification.objects.filter(request=consult, verb=outcomes.FOLLOWUP_VERB).exists()


@pytest.mark.usefixtures("hub")
def test_a_hub_asks_nobody_for_outcomes() -> None:
    out = StringIO()

    call_command("consults_followups", stdout=out)

    assert "hub" in out.getvalue()
