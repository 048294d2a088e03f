"""The physician thread: posts relayed scrubbed from the gateway, received on both nodes, no patient channel."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from huizhen.apps.accounts.models import Role
from huizhen.apps.consults import threads
from huizhen.apps.consults.models import Message, MessageKind, Notification, OutboundEvent, State
from huizhen.apps.consults.relay import EventRefused
from huizhen.apps.translation.models import TranslationTask
from tests.accounts.factories import MembershipFactory
from tests.consults.delivery_support import gateway, gateway_case, hub, hub_case  # noqa: F401
from tests.consults.hub_factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def _outbound(kind: str) -> dict[str, Any]:
    payload: dict[str, Any] = OutboundEvent.objects.get(kind=kind).payload
    return payload


def _named_patient_case() -> Any:
    consult = gateway_case(State.IN_REVIEW)
    patient = consult.patient
    patient.family_name, patient.given_name, patient.name_latin = "欧阳", "震华", "Zhenhua Ouyang"
    patient.mrn, patient.phone, patient.email = "ZH-88812345", "13998765432", "ouyang.zh@example.cn"
    patient.save()
    return consult


@pytest.mark.usefixtures("gateway")
def test_a_gateway_post_leaves_scrubbed_and_the_gateway_keeps_the_original() -> None:
    consult = _named_patient_case()
    body = "欧阳震华（病案号ZH-88812345）昨日复查，电话13998765432。请问是否需要再次活检？"

    message = threads.post_message(consult=consult, by=consult.referring_physician, body=body)

    sent = _outbound("message.posted")["body"]
    assert message.body == body
    for identifier in ("欧阳震华", "ZH-88812345", "13998765432"):
        assert identifier not in sent
    assert "请问是否需要再次活检" in sent
    assert message.relayed_at is not None


@pytest.mark.usefixtures("gateway")
def test_an_english_post_naming_the_patient_is_scrubbed_too() -> None:
    consult = _named_patient_case()

    threads.post_message(
        consult=consult, by=consult.referring_physician, body="Zhenhua Ouyang (ouyang.zh@example.cn) relapsed."
    )

    sent = _outbound("message.posted")["body"]
    assert "Ouyang" not in sent
    assert "ouyang.zh@example.cn" not in sent
    assert "relapsed" in sent


@pytest.mark.usefixtures("hub")
def test_the_hub_stores_only_the_scrubbed_text_it_received_and_asks_for_an_english_translation() -> None:
    consult = hub_case(State.IN_REVIEW)
    assignment = AssignmentFactory(request=consult)
    payload = {
        "reference": consult.reference,
        "uid": "6d1f5f3e-1111-4a4a-9a9a-3b2c1d0e9f8a",
        "kind": "question",
        "author_name": "Wei Zhang",
        "origin": "gateway",
        "language": "zh",
        "body": "[姓名-1]（病案号[病案号-1]）昨日复查。请问是否需要再次活检？",
        "created_at": "2026-11-24T02:00:00+00:00",
        "attachments": [],
    }

    threads.on_message_posted(peer=consult.peer, payload=payload, event_id="e1")

    stored = Message.objects.get(request=consult)
    assert stored.body == payload["body"]
    assert stored.origin == "gateway"
    assert TranslationTask.objects.get(case_ref=consult.reference).target_lang == "en"
    assert Notification.objects.filter(user=assignment.specialist, verb="message").exists()


@pytest.mark.usefixtures("hub")
def test_a_message_relayed_twice_is_stored_once() -> None:
    consult = hub_case(State.IN_REVIEW)
    payload = {"reference": consult.reference, "uid": "6d1f5f3e-2222-4a4a-9a9a-3b2c1d0e9f8a", "body": "Hello"}

    threads.on_message_posted(peer=consult.peer, payload=payload, event_id="e1")
    threads.on_message_posted(peer=consult.peer, payload=payload, event_id="e2")

    assert consult.messages.count() == 1


@pytest.mark.usefixtures("hub")
def test_an_assigned_specialists_post_is_relayed_to_the_gateway_as_written() -> None:
    consult = hub_case(State.IN_REVIEW)
    assignment = AssignmentFactory(request=consult)

    threads.post_message(consult=consult, by=assignment.specialist, body="Was a PET-CT done after cycle 4?")

    sent = _outbound("message.posted")
    assert sent["body"] == "Was a PET-CT done after cycle 4?"
    assert sent["origin"] == "hub"
    assert sent["language"] == "en"


@pytest.mark.usefixtures("hub")
def test_a_specialist_not_assigned_to_the_case_cannot_post() -> None:
    consult = hub_case(State.IN_REVIEW)
    stranger = MembershipFactory(role=Role.CONSULTING_SPECIALIST).user

    with pytest.raises(PermissionDenied):
        threads.post_message(consult=consult, by=stranger, body="Hello")

    assert not OutboundEvent.objects.exists()


@pytest.mark.usefixtures("gateway")
def test_another_physicians_case_cannot_be_posted_to() -> None:
    consult = gateway_case(State.IN_REVIEW)
    other = gateway_case(State.IN_REVIEW).referring_physician

    with pytest.raises(PermissionDenied):
        threads.post_message(consult=consult, by=other, body="Hello")


@pytest.mark.usefixtures("gateway")
def test_an_empty_post_is_refused_with_a_reason() -> None:
    consult = gateway_case(State.IN_REVIEW)

    with pytest.raises(threads.ThreadError):
        threads.post_message(consult=consult, by=consult.referring_physician, body="   ")


@pytest.mark.usefixtures("gateway")
def test_answering_the_hubs_question_resumes_the_case_and_relays_the_answer_scrubbed() -> None:
    consult = _named_patient_case()
    consult.state, consult.resume_state = State.INFO_REQUESTED, State.ACCEPTED
    consult.save()
    question = Message.objects.create(
        request=consult, kind=MessageKind.INFO_REQUEST, origin="hub", body="PET-CT report?", language="en"
    )

    answer = threads.provide_information(
        consult=consult, by=consult.referring_physician, body="欧阳震华的PET-CT：SUVmax 12.3。"
    )

    consult.refresh_from_db()
    sent = _outbound("info.provided")
    assert consult.state == State.ACCEPTED
    assert answer.kind == MessageKind.INFO_RESPONSE
    assert answer.in_reply_to == question
    assert sent["message"]["in_reply_to"] == str(question.uid)
    assert "欧阳震华" not in sent["message"]["body"]
    assert "SUVmax 12.3" in sent["message"]["body"]


@pytest.mark.usefixtures("gateway")
def test_information_cannot_be_provided_when_none_was_asked_for() -> None:
    consult = gateway_case(State.IN_REVIEW)

    with pytest.raises(threads.ThreadError):
        threads.provide_information(consult=consult, by=consult.referring_physician, body="Here it is")


@pytest.mark.usefixtures("gateway")
def test_no_channel_reaches_the_patient_even_when_the_hub_posts(
    django_capture_on_commit_callbacks: Any,
) -> None:
    consult = gateway_case(State.IN_REVIEW)
    consult.patient.email = "patient.li@example.cn"
    consult.patient.save()
    consult.referring_physician.email = "dr.zhang@hospital.example"
    consult.referring_physician.save()

    with django_capture_on_commit_callbacks(execute=True):
        threads.on_message_posted(
            peer=consult.peer,
            payload={"reference": consult.reference, "uid": "6d1f5f3e-3333-4a4a-9a9a-3b2c1d0e9f8a", "body": "Q?"},
            event_id="e",
        )
        threads.post_message(consult=consult, by=consult.referring_physician, body="Answer.")

    recipients = [address for message in mail.outbox for address in message.to]
    assert recipients == ["dr.zhang@hospital.example"]
    assert "patient.li@example.cn" not in recipients


@pytest.mark.usefixtures("gateway")
def test_a_text_file_attached_at_the_gateway_leaves_scrubbed_and_the_original_stays() -> None:
    consult = _named_patient_case()
    report = "PET-CT 报告：欧阳震华，病案号ZH-88812345。SUVmax 12.3。".encode()

    message = threads.post_message(
        consult=consult,
        by=consult.referring_physician,
        body="附PET-CT报告。",
        attachments=[threads.ThreadFile(filename="pet.txt", content=report)],
    )

    [sent] = _outbound("message.posted")["attachments"]
    kept = message.attachments.get()
    assert sent["encoding"] == "text"
    assert "欧阳震华" not in sent["content"]
    assert "ZH-88812345" not in sent["content"]
    assert "SUVmax 12.3" in sent["content"]
    assert kept.size == len(report)


@pytest.mark.usefixtures("gateway")
def test_a_pdf_cannot_be_attached_at_the_gateway_because_it_cannot_be_de_identified() -> None:
    consult = gateway_case(State.IN_REVIEW)

    with pytest.raises(threads.ThreadError):
        threads.post_message(
            consult=consult,
            by=consult.referring_physician,
            body="See the report.",
            attachments=[threads.ThreadFile(filename="report.pdf", content=b"%PDF-1.7 ...")],
        )

    assert not OutboundEvent.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.usefixtures("hub")
def test_a_pdf_from_the_hub_reaches_the_gateway_as_a_file_of_the_message(settings: Any) -> None:
    consult = hub_case(State.IN_REVIEW)
    specialist = AssignmentFactory(request=consult).specialist
    threads.post_message(
        consult=consult,
        by=specialist,
        body="Our protocol is attached.",
        attachments=[threads.ThreadFile(filename="protocol.pdf", content=b"%PDF-1.7 protocol")],
    )
    payload = _outbound("message.posted")
    settings.HUIZHEN_ROLE = "gateway"
    target = gateway_case(State.IN_REVIEW)

    threads.on_message_posted(
        peer=target.peer, payload={**payload, "reference": target.reference, "uid": str(uuid.uuid4())}, event_id="e"
    )

    received = target.messages.get().attachments.get()
    assert received.kind == "pdf"
    assert received.filename == "protocol.pdf"


@pytest.mark.usefixtures("hub")
def test_the_hub_refuses_a_binary_file_from_a_gateway() -> None:
    consult = hub_case(State.IN_REVIEW)
    payload = {
        "reference": consult.reference,
        "uid": "6d1f5f3e-5555-4a4a-9a9a-3b2c1d0e9f8a",
        "body": "scan attached",
        "attachments": [{"filename": "scan.jpg", "encoding": "base64", "content": "/9j/4AAQ"}],
    }

    with pytest.raises(EventRefused):
        threads.on_message_posted(peer=consult.peer, payload=payload, event_id="e")
