"""The /api/threads/ JSON API: the same thread, opinion, PDF, outcome and notifications as the pages."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from huizhen.apps.accounts.models import Role
from huizhen.apps.consults.delivery import on_opinion_signed
from huizhen.apps.consults.models import ConsultRequest, MessageKind, Notification, OutboundEvent, State
from huizhen.apps.consults.notifications import notify
from huizhen.apps.consults.threads import on_message_posted
from tests.accounts.factories import sign_in
from tests.consults.delivery_support import gateway, gateway_case, hub, hub_case, signed_opinion_payload  # noqa: F401
from tests.consults.hub_factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def physician(client: Client, settings: Any) -> Any:
    settings.HUIZHEN_ROLE = "gateway"
    settings.HUIZHEN_COUNTRY = "CN"
    return sign_in(client, role=Role.REFERRING_PHYSICIAN, first_name="Wei", last_name="Zhang")


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def _delivered(physician: Any) -> ConsultRequest:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)
    on_opinion_signed(peer=consult.peer, payload=signed_opinion_payload(consult), event_id="e")
    consult.refresh_from_db()
    return consult


def test_the_thread_lists_messages_with_their_translation_state(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)
    on_message_posted(
        peer=consult.peer,
        payload={"reference": consult.reference, "uid": "6d1f5f3e-4444-4a4a-9a9a-3b2c1d0e9f8a", "body": "PET?"},
        event_id="e",
    )

    messages = client.get(f"/api/threads/{consult.reference}/messages").json()

    assert [m["body"] for m in messages] == ["PET?"]
    assert messages[0]["translation_language"] == "zh"
    assert messages[0]["translation"] is None


def test_a_message_is_posted_and_relayed(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)

    response = _post(client, f"/api/threads/{consult.reference}/messages", {"body": "请问需要PET-CT吗？"})

    assert response.status_code == 201
    assert response.json()["language"] == "zh"
    assert OutboundEvent.objects.filter(kind="message.posted").count() == 1


def test_an_empty_message_is_a_400(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)

    assert _post(client, f"/api/threads/{consult.reference}/messages", {"body": " "}).status_code == 400


def test_another_physicians_thread_is_refused(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW)

    assert client.get(f"/api/threads/{consult.reference}/messages").status_code == 403
    assert _post(client, f"/api/threads/{consult.reference}/messages", {"body": "Hi"}).status_code == 403


def test_information_is_provided_through_the_api(client: Client, physician: Any) -> None:
    consult = gateway_case(State.INFO_REQUESTED, referring_physician=physician, resume_state=State.ACCEPTED)
    consult.messages.create(kind=MessageKind.INFO_REQUEST, origin="hub", body="PET-CT?", language="en")

    response = _post(client, f"/api/threads/{consult.reference}/information", {"body": "SUVmax 12.3"})

    consult.refresh_from_db()
    assert response.status_code == 201
    assert response.json()["kind"] == "info_response"
    assert consult.state == State.ACCEPTED


def test_the_opinions_come_in_both_languages_with_provenance(client: Client, physician: Any) -> None:
    consult = _delivered(physician)

    [opinion] = client.get(f"/api/threads/{consult.reference}/opinions").json()

    parts = {part["field"]: part for part in opinion["sections"]}
    assert opinion["version"] == 1
    assert parts["consultant_diagnosis"]["zh"].startswith("弥漫大B细胞淋巴瘤")
    assert parts["consultant_diagnosis"]["source"] == "coded"
    assert parts["workup"]["en"] == "Repeat PET-CT and a biopsy of the residual mass."
    assert parts["workup"]["pending"] is True
    assert parts["workup"]["verified"] is False


def test_the_opinion_pdf_downloads_through_the_api(client: Client, physician: Any) -> None:
    consult = _delivered(physician)

    response = client.get(f"/api/threads/{consult.reference}/opinion.pdf")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


def test_the_outcome_is_recorded_and_read_back(client: Client, physician: Any) -> None:
    consult = _delivered(physician)

    created = _post(
        client,
        f"/api/threads/{consult.reference}/outcome",
        {"adoption": "partly", "reason": "CAR-T not available", "patient_status": "Stable"},
    )
    read = client.get(f"/api/threads/{consult.reference}/outcome")

    assert created.status_code == 201
    assert read.json()["adoption"] == "partly"
    assert OutboundEvent.objects.filter(kind="outcome.recorded").exists()


def test_an_outcome_without_a_reason_for_partial_adoption_is_a_400(client: Client, physician: Any) -> None:
    consult = _delivered(physician)

    response = _post(client, f"/api/threads/{consult.reference}/outcome", {"adoption": "partly"})

    assert response.status_code == 400


def test_notifications_are_listed_and_marked_read(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)
    notify(users=[physician], request=consult, verb="opinion.delivered", text="Arrived")

    listed = client.get("/api/threads/notifications?unread=true").json()
    marked = _post(client, "/api/threads/notifications/read", {}).json()

    assert [n["reference"] for n in listed] == [consult.reference]
    assert marked == {"marked": 1}
    assert not Notification.objects.filter(user=physician, read_at=None).exists()


def test_the_api_needs_a_verified_session(client: Client, settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    consult = gateway_case(State.IN_REVIEW)

    assert client.get(f"/api/threads/{consult.reference}/messages").status_code == 401


@pytest.mark.usefixtures("hub")
def test_a_specialist_cannot_record_an_outcome_through_the_api(client: Client) -> None:
    specialist = sign_in(client, role=Role.CONSULTING_SPECIALIST)
    consult = hub_case(State.DELIVERED)
    AssignmentFactory(request=consult, specialist=specialist)

    response = _post(client, f"/api/threads/{consult.reference}/outcome", {"adoption": "fully"})

    assert response.status_code == 403


def test_a_text_file_goes_with_a_message_posted_through_the_api(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)
    content = base64.b64encode(b"LDH 412 U/L").decode()

    response = _post(
        client,
        f"/api/threads/{consult.reference}/messages",
        {"body": "附化验单", "attachments": [{"filename": "labs.txt", "content_base64": content}]},
    )

    [file] = response.json()["attachments"]
    assert response.status_code == 201
    assert file["filename"] == "labs.txt"
    assert client.get(file["url"]).status_code == 200


@pytest.mark.usefixtures("hub")
def test_at_the_hub_the_thread_api_is_refused_when_the_policy_engine_refuses_the_view(client: Client) -> None:
    specialist = sign_in(client, role=Role.CONSULTING_SPECIALIST)
    consult = hub_case(State.IN_REVIEW)
    consult.export_facts = {}
    consult.save(update_fields=["export_facts"])
    AssignmentFactory(request=consult, specialist=specialist)

    assert client.get(f"/api/threads/{consult.reference}/messages").status_code == 403
    assert client.get(f"/api/threads/{consult.reference}/opinions").status_code == 403
