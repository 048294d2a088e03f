"""Assignment: suggestions ranked by subspecialty, language, load and deadline, explained; a coordinator confirms."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults import assignment, triage
from huizhen.apps.consults.models import Notification, OutboundEvent, State
from tests.consults.hub_factories import AssignmentFactory, hub_case, hub_user, specialist

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator() -> Any:
    return hub_user(Role.CASE_COORDINATOR)


@pytest.fixture
def accepted(coordinator: Any) -> Any:
    return triage.accept(consult=hub_case(subspecialty="lymphoma", language="zh"), by=coordinator)


def _names(suggestions: list[assignment.Suggestion]) -> list[str]:
    return [s.specialist.username for s in suggestions]


def test_a_lymphoma_specialist_is_suggested_before_a_myeloma_one_for_a_lymphoma_case(accepted: Any) -> None:
    specialist(username="myeloma", subspecialties=["myeloma"])
    specialist(username="lymphoma", subspecialties=["lymphoma"])
    assert _names(assignment.suggest_specialists(accepted))[0] == "lymphoma"


def test_a_chinese_reading_specialist_is_preferred_for_a_chinese_case(accepted: Any) -> None:
    specialist(username="english", languages=["en"])
    specialist(username="bilingual", languages=["en", "zh"])
    assert _names(assignment.suggest_specialists(accepted))[0] == "bilingual"


def test_a_specialist_with_fewer_open_cases_is_preferred(accepted: Any) -> None:
    busy = specialist(username="busy")
    specialist(username="free")
    for _ in range(2):
        AssignmentFactory(specialist=busy)
    assert _names(assignment.suggest_specialists(accepted)) == ["free", "busy"]


def test_every_suggestion_explains_its_score(accepted: Any) -> None:
    specialist(username="bilingual", languages=["en", "zh"])
    (suggestion,) = assignment.suggest_specialists(accepted)
    assert suggestion.score == assignment.SUBSPECIALTY_MATCH + assignment.LANGUAGE_MATCH
    text = " ".join(suggestion.reasons)
    assert "Lymphoma" in text
    assert "Chinese" in text
    assert "no open cases" in text


def test_a_heavy_load_against_an_urgent_deadline_costs_more(coordinator: Any) -> None:
    urgent = triage.accept(consult=hub_case(urgency="urgent"), by=coordinator)
    busy = specialist(username="busy")
    for _ in range(3):
        AssignmentFactory(specialist=busy)
    (suggestion,) = assignment.suggest_specialists(urgent)
    unloaded = assignment.SUBSPECIALTY_MATCH + assignment.LANGUAGE_MATCH
    assert suggestion.score == unloaded - 3 * assignment.PER_OPEN_CASE - assignment.DEADLINE_SQUEEZE


def test_a_coordinator_assigns_and_the_case_goes_into_review(accepted: Any, coordinator: Any) -> None:
    lead, second = specialist(), specialist()
    assignment.assign(consult=accepted, specialists=[lead, second], lead=lead, by=coordinator)
    accepted.refresh_from_db()
    assert accepted.state == State.IN_REVIEW
    assert {(a.specialist, a.lead) for a in accepted.assignments.all()} == {(lead, True), (second, False)}


def test_assigning_tells_the_gateway_the_case_is_in_review(accepted: Any, coordinator: Any) -> None:
    lead = specialist()
    assignment.assign(consult=accepted, specialists=[lead], lead=lead, by=coordinator)
    last = OutboundEvent.objects.filter(request=accepted, kind="case.status").latest("id")
    assert last.payload["state"] == "in_review"


def test_assigned_specialists_are_notified(accepted: Any, coordinator: Any) -> None:
    lead = specialist()
    assignment.assign(consult=accepted, specialists=[lead], lead=lead, by=coordinator)
    assert Notification.objects.filter(user=lead, request=accepted, verb="assigned").exists()


def test_a_specialist_cannot_assign_and_the_refusal_is_audited(accepted: Any) -> None:
    lead = specialist()
    with pytest.raises(PermissionDenied):
        assignment.assign(consult=accepted, specialists=[lead], lead=lead, by=lead)
    assert not accepted.assignments.exists()
    assert AuditEntry.objects.filter(action="permission.denied", target=accepted.reference).exists()


def test_only_consulting_specialists_can_be_assigned(accepted: Any, coordinator: Any) -> None:
    translator = hub_user(Role.TRANSLATOR)
    with pytest.raises(assignment.AssignmentError):
        assignment.assign(consult=accepted, specialists=[translator], lead=translator, by=coordinator)


def test_the_lead_must_be_one_of_the_chosen(accepted: Any, coordinator: Any) -> None:
    with pytest.raises(assignment.AssignmentError):
        assignment.assign(consult=accepted, specialists=[specialist()], lead=specialist(), by=coordinator)


def test_a_case_not_yet_accepted_cannot_be_assigned(coordinator: Any) -> None:
    lead = specialist()
    with pytest.raises(assignment.AssignmentError):
        assignment.assign(consult=hub_case(), specialists=[lead], lead=lead, by=coordinator)


def test_a_released_specialist_loses_the_case(coordinator: Any) -> None:
    taken = AssignmentFactory()
    assignment.release(assignment=taken, by=coordinator)
    taken.refresh_from_db()
    assert taken.released_at is not None
    assert not taken.request.assignments.filter(released_at=None).exists()
