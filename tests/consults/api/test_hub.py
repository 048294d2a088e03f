"""The hub's API at /api/hub/: triage, assignment and the opinion, with the same refusals as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults import triage
from huizhen.apps.consults.models import OpinionStatus, OutboundEvent, State
from tests.accounts.factories import sign_in
from tests.consults.hub_factories import AssignmentFactory, hub_case, hub_user, sign_in_as, specialist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def hub_in_the_united_states(settings: Any) -> None:
    settings.HUIZHEN_COUNTRY = "US"


@pytest.fixture
def coordinator(client: Client) -> Any:
    return sign_in(client, role=Role.CASE_COORDINATOR)


def _post(client: Client, path: str, body: Any = None) -> Any:
    return client.post(path, data=json.dumps(body or {}), content_type="application/json")


def test_without_a_verified_session_the_hub_api_answers_401(client: Client) -> None:
    assert client.get("/api/hub/queue").status_code == 401


def test_the_queue_lists_cases_waiting_for_triage_and_marks_overdue(client: Client, coordinator: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    waiting = hub_case()
    late = hub_case(state=State.IN_REVIEW, due_at=timezone.now() - dt.timedelta(hours=2))
    answer = client.get("/api/hub/queue").json()
    assert [c["reference"] for c in answer["intake"]] == [waiting.reference]
    (first, *_rest) = answer["open"]
    assert (first["reference"], first["overdue"]) == (late.reference, True)


def test_a_coordinator_accepts_through_the_api(client: Client, coordinator: Any) -> None:
    consult = hub_case()
    answer = _post(client, f"/api/hub/{consult.reference}/accept").json()
    assert answer["state"] == "accepted"
    assert answer["due_at"]


def test_a_specialist_cannot_accept_through_the_api(client: Client) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    consult = hub_case()
    assert _post(client, f"/api/hub/{consult.reference}/accept").status_code == 403
    consult.refresh_from_db()
    assert consult.state == State.SUBMITTED


def test_accepting_twice_answers_409(client: Client, coordinator: Any) -> None:
    consult = hub_case()
    _post(client, f"/api/hub/{consult.reference}/accept")
    assert _post(client, f"/api/hub/{consult.reference}/accept").status_code == 409


def test_a_decline_without_a_reason_answers_400(client: Client, coordinator: Any) -> None:
    consult = hub_case()
    assert _post(client, f"/api/hub/{consult.reference}/decline", {"reason": " "}).status_code == 400


def test_a_question_goes_to_the_gateway_through_the_api(client: Client, coordinator: Any) -> None:
    consult = hub_case()
    answer = _post(client, f"/api/hub/{consult.reference}/request-info", {"question": "Bone marrow?"}).json()
    assert answer["kind"] == "info_request"
    event = OutboundEvent.objects.filter(request=consult, kind="case.status").latest("id")
    assert event.payload["question"]["body"] == "Bone marrow?"


def test_suggestions_and_assignment_through_the_api(client: Client, coordinator: Any) -> None:
    consult = triage.accept(consult=hub_case(), by=hub_user(Role.CASE_COORDINATOR))
    chosen = specialist(username="dr-chen")
    (suggestion,) = client.get(f"/api/hub/{consult.reference}/suggestions").json()
    assert suggestion["specialist"] == "dr-chen"
    assert suggestion["reasons"]
    answer = _post(client, f"/api/hub/{consult.reference}/assign", {"specialists": ["dr-chen"], "lead": "dr-chen"})
    assert answer.json()[0]["lead"] is True
    consult.refresh_from_db()
    assert (consult.state, consult.assignments.get().specialist) == (State.IN_REVIEW, chosen)


def test_the_case_detail_is_policy_checked_and_audited(client: Client, coordinator: Any) -> None:
    consult = hub_case()
    answer = client.get(f"/api/hub/{consult.reference}").json()
    assert answer["summary"]["diagnoses"][0]["icd10"] == "C83.3"
    assert "accepted" in answer["next_states"]
    assert AuditEntry.objects.filter(action="record.viewed", target=consult.reference).exists()


def test_an_unassigned_specialist_cannot_read_the_case(client: Client) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    consult = hub_case(state=State.IN_REVIEW)
    assert client.get(f"/api/hub/{consult.reference}").status_code == 403


def test_the_opinion_is_drafted_signed_and_then_immutable_through_the_api(client: Client) -> None:
    assigned = AssignmentFactory()
    sign_in_as(client, assigned.specialist)
    base = f"/api/hub/{assigned.request.reference}/opinion"
    draft = _post(client, base, {"agreement": "concordant", "comments": "Agree with DLBCL."}).json()
    assert draft["status"] == OpinionStatus.DRAFT
    signed = _post(client, f"{base}/1/sign").json()
    assert signed["status"] == OpinionStatus.SIGNED
    assert len(signed["content_hash"]) == 64
    assert _post(client, base, {"comments": "changed"}).status_code == 400
    assert client.get(f"/api/hub/{assigned.request.reference}").json()["opinions"][0]["comments"] == "Agree with DLBCL."


def test_an_opinion_with_a_prescription_is_refused_by_the_api(client: Client) -> None:
    assigned = AssignmentFactory()
    sign_in_as(client, assigned.specialist)
    response = _post(
        client, f"/api/hub/{assigned.request.reference}/opinion", {"agreement": "concordant", "prescription": "x"}
    )
    assert response.status_code in (400, 422)
    assert not assigned.request.opinions.exists()


def test_the_author_cannot_cosign_through_the_api(client: Client) -> None:
    assigned = AssignmentFactory()
    sign_in_as(client, assigned.specialist)
    base = f"/api/hub/{assigned.request.reference}/opinion"
    _post(client, base, {"agreement": "concordant", "comments": "Agree."})
    _post(client, f"{base}/1/cosign-request")
    assert _post(client, f"{base}/1/cosign").status_code == 403


def test_an_addendum_through_the_api_is_version_two(client: Client) -> None:
    assigned = AssignmentFactory()
    sign_in_as(client, assigned.specialist)
    base = f"/api/hub/{assigned.request.reference}/opinion"
    _post(client, base, {"agreement": "concordant", "comments": "Agree."})
    _post(client, f"{base}/1/sign")
    addendum = _post(client, f"{base}/1/addendum", {"reason": "New FISH result."}).json()
    assert (addendum["version"], addendum["supersedes_version"], addendum["status"]) == (2, 1, "draft")
