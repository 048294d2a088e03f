"""The thread, opinion, outcome and notification pages on either node, as physicians and specialists use them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults import threads
from huizhen.apps.consults.delivery import on_opinion_signed
from huizhen.apps.consults.models import (
    Attachment,
    ConsultRequest,
    Message,
    MessageKind,
    Notification,
    OutboundEvent,
    State,
)
from huizhen.apps.consults.notifications import notify
from tests.accounts.factories import sign_in
from tests.consults.delivery_support import gateway, gateway_case, hub, hub_case, signed_opinion_payload  # noqa: F401
from tests.consults.hub_factories import AssignmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def physician(client: Client, settings: Any) -> Any:
    settings.HUIZHEN_ROLE = "gateway"
    settings.HUIZHEN_COUNTRY = "CN"
    return sign_in(client, role=Role.REFERRING_PHYSICIAN, first_name="Wei", last_name="Zhang")


def _delivered(physician: Any) -> ConsultRequest:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)
    on_opinion_signed(peer=consult.peer, payload=signed_opinion_payload(consult), event_id="e")
    consult.refresh_from_db()
    return consult


def test_the_case_page_shows_the_thread_with_a_post_form(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)
    Message.objects.create(request=consult, kind="question", origin="hub", body="Was PET done?", language="en")

    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()

    assert 'data-testid="thread"' in page
    assert "Was PET done?" in page
    assert 'data-testid="message-form"' in page


def test_a_post_from_htmx_answers_with_the_thread_holding_it(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)

    response = client.post(
        reverse("consults:message_post", args=[consult.reference]),
        {"body": "请问是否需要PET-CT？"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "请问是否需要PET-CT？" in response.content.decode()
    assert OutboundEvent.objects.filter(kind="message.posted").count() == 1


def test_an_empty_post_answers_400_with_the_reason(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)

    response = client.post(
        reverse("consults:message_post", args=[consult.reference]), {"body": ""}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    assert 'data-testid="thread-error"' in response.content.decode()


def test_another_physicians_case_cannot_be_posted_to_and_the_attempt_is_audited(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW)

    response = client.post(reverse("consults:message_post", args=[consult.reference]), {"body": "Hello"})

    assert response.status_code == 403
    assert not OutboundEvent.objects.exists()
    assert AuditEntry.objects.filter(action="permission.denied", target=consult.reference).exists()


def test_the_physician_answers_the_hubs_question_and_the_case_resumes(client: Client, physician: Any) -> None:
    consult = gateway_case(State.INFO_REQUESTED, referring_physician=physician, resume_state=State.IN_REVIEW)
    Message.objects.create(
        request=consult, kind=MessageKind.INFO_REQUEST, origin="hub", body="PET-CT report?", language="en"
    )

    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()
    response = client.post(reverse("consults:provide_info", args=[consult.reference]), {"body": "SUVmax 12.3"})

    consult.refresh_from_db()
    assert 'data-testid="provide-info-form"' in page
    assert response.status_code == 302
    assert consult.state == State.IN_REVIEW
    assert OutboundEvent.objects.filter(kind="info.provided").exists()


def test_the_delivered_opinion_is_shown_in_english_and_chinese_with_a_pdf_link(client: Client, physician: Any) -> None:
    consult = _delivered(physician)

    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()

    assert 'data-testid="opinion-delivered"' in page
    assert "Repeat PET-CT and a biopsy of the residual mass." in page
    assert "弥漫大B细胞淋巴瘤" in page
    assert "Translation pending" in page
    assert reverse("consults:opinion_pdf", args=[consult.reference]) in page


def test_a_case_without_an_opinion_shows_no_opinion_panel(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)

    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()

    assert 'data-testid="opinion-delivered"' not in page
    assert 'data-testid="outcome-form"' not in page


def test_the_opinion_pdf_downloads_and_is_audited(client: Client, physician: Any) -> None:
    consult = _delivered(physician)

    response = client.get(reverse("consults:opinion_pdf", args=[consult.reference]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="record.viewed", target=consult.reference).exists()


def test_there_is_no_pdf_before_an_opinion_arrives(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)

    assert client.get(reverse("consults:opinion_pdf", args=[consult.reference])).status_code == 404


def test_another_physician_cannot_download_the_opinion(client: Client, physician: Any) -> None:
    consult = _delivered(gateway_case().referring_physician)

    assert client.get(reverse("consults:opinion_pdf", args=[consult.reference])).status_code == 403


def test_the_physician_records_the_outcome_from_the_case_page(client: Client, physician: Any) -> None:
    consult = _delivered(physician)

    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()
    response = client.post(
        reverse("consults:outcome_record", args=[consult.reference]),
        {"adoption": "fully", "patient_status": "完全缓解"},
    )

    consult.refresh_from_db()
    assert 'data-testid="outcome-form"' in page
    assert response.status_code == 302
    assert consult.state == State.CLOSED
    assert OutboundEvent.objects.filter(kind="outcome.recorded").exists()


def test_notifications_are_listed_and_marked_read(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)
    notify(users=[physician], request=consult, verb="opinion.delivered", text="The opinion has arrived.")

    page = client.get(reverse("consults:notifications")).content.decode()
    client.post(reverse("consults:notifications_read"))

    assert "The opinion has arrived." in page
    assert not Notification.objects.filter(user=physician, read_at=None).exists()


def test_a_user_cannot_mark_someone_elses_notifications_read(client: Client, physician: Any) -> None:
    other = gateway_case().referring_physician
    note = notify(users=[other], request=None, verb="x", text="Not yours")[0]

    client.post(reverse("consults:notifications_read"), {"id": note.pk})

    note.refresh_from_db()
    assert note.read_at is None


@pytest.mark.usefixtures("hub")
def test_an_assigned_specialist_posts_from_the_hub(client: Client) -> None:
    specialist = sign_in(client, role=Role.CONSULTING_SPECIALIST)
    consult = hub_case(State.IN_REVIEW)
    AssignmentFactory(request=consult, specialist=specialist)

    response = client.post(
        reverse("consults:message_post", args=[consult.reference]),
        {"body": "Was a PET-CT done after cycle 4?"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert OutboundEvent.objects.get(kind="message.posted").payload["body"] == "Was a PET-CT done after cycle 4?"


@pytest.mark.usefixtures("hub")
def test_a_specialist_cannot_record_an_outcome_at_the_hub(client: Client) -> None:
    specialist = sign_in(client, role=Role.CONSULTING_SPECIALIST)
    consult = hub_case(State.DELIVERED)
    AssignmentFactory(request=consult, specialist=specialist)

    response = client.post(reverse("consults:outcome_record", args=[consult.reference]), {"adoption": "fully"})

    assert response.status_code == 403


def test_a_text_file_posted_with_a_message_can_be_downloaded_again(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)
    upload = SimpleUploadedFile("labs.txt", b"LDH 412 U/L", content_type="text/plain")

    client.post(reverse("consults:message_post", args=[consult.reference]), {"body": "附化验单", "attachments": upload})
    attachment = Attachment.objects.get(request=consult, message__isnull=False)
    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()
    download = client.get(reverse("consults:message_attachment", args=[consult.reference, attachment.pk]))

    assert "labs.txt" in page
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"LDH 412 U/L"


def test_a_pdf_posted_at_the_gateway_is_refused_with_the_reason(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW, referring_physician=physician)
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.7 scan", content_type="application/pdf")

    response = client.post(
        reverse("consults:message_post", args=[consult.reference]),
        {"body": "See scan", "attachments": upload},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert "cannot be de-identified yet" in response.content.decode()
    assert not OutboundEvent.objects.exists()


def test_another_physician_cannot_download_a_thread_file(client: Client, physician: Any) -> None:
    consult = gateway_case(State.IN_REVIEW)
    message = threads.post_message(
        consult=consult,
        by=consult.referring_physician,
        body="labs",
        attachments=[threads.ThreadFile(filename="labs.txt", content=b"LDH 412")],
    )
    attachment = message.attachments.get()

    response = client.get(reverse("consults:message_attachment", args=[consult.reference, attachment.pk]))

    assert response.status_code == 403


@pytest.mark.usefixtures("hub")
def test_at_the_hub_the_opinion_pdf_is_refused_when_the_policy_engine_refuses_the_view(client: Client) -> None:
    specialist = sign_in(client, role=Role.CONSULTING_SPECIALIST)
    consult = hub_case(State.IN_REVIEW)
    consult.export_facts = {}
    consult.save(update_fields=["export_facts"])
    AssignmentFactory(request=consult, specialist=specialist)

    response = client.get(reverse("consults:opinion_pdf", args=[consult.reference]))

    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="policy.decision", outcome="denied").exists()
