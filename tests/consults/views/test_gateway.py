"""The gateway's /cases/ pages: list, new draft, edit with the structured summary, attachments, submit, case page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults.models import Attachment, ConsultRequest, State
from tests.accounts.factories import MembershipFactory, sign_in
from tests.consults.factories import (
    AttachmentFactory,
    ConsultRequestFactory,
    HubPeerFactory,
    PatientFactory,
    ReferringHospitalFactory,
)

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).parents[3] / "src/huizhen/apps/consults/demo_data/dlbcl.json"


@pytest.fixture
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"


@pytest.fixture
def physician(client: Client, gateway: None) -> Any:
    user = sign_in(client, role=Role.REFERRING_PHYSICIAN)
    MembershipFactory(user=user, institution=ReferringHospitalFactory(), role=Role.REFERRING_PHYSICIAN)
    return user


def _edit_data(consult: ConsultRequest, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "hub": consult.peer_id or "",
        "program": "second_opinion",
        "urgency": "routine",
        "subspecialty": "lymphoma",
        "language": "zh",
        "question": "诊断是否准确？",
        "stage": "Ann Arbor IIIB",
        "ps_scale": "ECOG",
        "ps_value": "1",
        "history": "颈部肿块2月。",
    }
    for prefix in ("dx", "tl", "lab"):
        data[f"{prefix}-TOTAL_FORMS"] = "2"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    data.update({"dx-0-text": "弥漫大B细胞淋巴瘤", "dx-0-icd10": "C83.3", "dx-0-icdo3": "9680/3"})
    data.update({"tl-0-line": "1", "tl-0-regimen": "R-CHOP", "tl-0-cycles": "6", "tl-0-response": "PR"})
    data.update({"lab-0-name": "LDH", "lab-0-loinc": "2532-0", "lab-0-value": "412", "lab-0-unit": "U/L"})
    data.update(overrides)
    return data


def test_a_physician_sees_her_cases_with_their_state(client: Client, physician: Any) -> None:
    mine = ConsultRequestFactory(referring_physician=physician)
    someone_elses = ConsultRequestFactory()
    page = client.get(reverse("consults:list")).content.decode()
    assert mine.reference in page
    assert someone_elses.reference not in page


def test_a_coordinator_sees_every_case_of_the_gateway(client: Client, gateway: None) -> None:
    sign_in(client, role=Role.CASE_COORDINATOR)
    case = ConsultRequestFactory()
    assert case.reference in client.get(reverse("consults:list")).content.decode()


def test_an_overdue_case_stands_out_in_the_list(client: Client, physician: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    ConsultRequestFactory(
        referring_physician=physician, state=State.ACCEPTED, due_at=timezone.now() - dt.timedelta(days=1)
    )
    assert 'data-testid="overdue"' in client.get(reverse("consults:list")).content.decode()


def test_a_physician_creates_a_draft_for_a_patient(client: Client, physician: Any) -> None:
    patient = PatientFactory()
    hub = HubPeerFactory()
    response = client.post(reverse("consults:new"), {"patient": patient.pk, "hub": hub.pk, "program": "second_opinion"})
    consult = ConsultRequest.objects.get(patient=patient)
    assert response.status_code == 302
    assert response["Location"] == reverse("consults:edit", args=[consult.reference])
    assert consult.state == State.DRAFT
    assert consult.referring_physician == physician
    assert consult.referring_institution == "Wuhan Union Hospital"


def test_the_edit_form_saves_the_structured_summary(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician, summary={}, question="")
    response = client.post(reverse("consults:edit", args=[consult.reference]), _edit_data(consult))
    assert response.status_code == 302
    consult.refresh_from_db()
    assert consult.summary["diagnoses"] == [{"text": "弥漫大B细胞淋巴瘤", "icd10": "C83.3", "icdo3": "9680/3"}]
    assert consult.summary["treatment_lines"][0]["regimen"] == "R-CHOP"
    assert consult.summary["performance_status"] == {"scale": "ECOG", "value": 1}
    assert consult.question == "诊断是否准确？"


def test_the_edit_form_offers_blank_rows_to_add_more(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    page = client.get(reverse("consults:edit", args=[consult.reference])).content.decode()
    assert 'name="dx-1-icd10"' in page  # one stored diagnosis + blank rows
    assert 'name="dx-2-icd10"' in page


def test_a_wrong_icd10_code_is_shown_and_nothing_is_saved(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    before = consult.summary
    response = client.post(
        reverse("consults:edit", args=[consult.reference]), _edit_data(consult, **{"dx-0-icd10": "lymphoma"})
    )
    assert response.status_code == 400
    assert "ICD-10" in response.content.decode()
    consult.refresh_from_db()
    assert consult.summary == before


def test_another_physician_cannot_edit_the_draft(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory()
    response = client.post(reverse("consults:edit", args=[consult.reference]), _edit_data(consult))
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="permission.denied", target=consult.reference).exists()


def test_an_incomplete_request_is_not_submitted_and_the_page_lists_what_is_missing(
    client: Client, physician: Any
) -> None:
    consult = ConsultRequestFactory(referring_physician=physician, question="", consents=False)
    response = client.post(reverse("consults:submit", args=[consult.reference]))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="missing-items"' in page
    assert "clinical question" in page
    assert "cross-border" in page
    consult.refresh_from_db()
    assert consult.state == State.DRAFT


def test_a_complete_request_is_submitted_and_the_case_page_shows_it(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    response = client.post(reverse("consults:submit", args=[consult.reference]))
    assert response.status_code == 302
    consult.refresh_from_db()
    assert consult.state != State.DRAFT
    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()
    assert consult.get_state_display() in page


def test_submitting_twice_sends_once(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    client.post(reverse("consults:submit", args=[consult.reference]))
    client.post(reverse("consults:submit", args=[consult.reference]))
    moves = AuditEntry.objects.filter(action="consult.transition", target=consult.reference, detail__to="submitting")
    assert moves.count() == 1


def test_the_case_page_shows_coded_fields_in_both_languages(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()
    assert "Diffuse large B-cell lymphoma" in page
    assert "弥漫大B细胞淋巴瘤" in page
    assert "lactate dehydrogenase" in page
    assert "乳酸脱氢酶" in page


def test_the_case_page_shows_attachments_with_their_deidentification_status(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    AttachmentFactory(request=consult, title="病理报告", deid_status="excluded", deid_note="names found")
    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()
    assert "病理报告" in page
    assert 'data-deid="excluded"' in page


def test_the_case_page_shows_the_state_history(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    client.post(reverse("consults:submit", args=[consult.reference]))
    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()
    assert "Submitting" in page.split('data-testid="state-history"')[1]


def test_opening_a_case_is_audited(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    client.get(reverse("consults:case", args=[consult.reference]))
    assert AuditEntry.objects.filter(action="consults.case_viewed", target=consult.reference).exists()


def test_another_physician_cannot_open_the_case(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory()
    assert client.get(reverse("consults:case", args=[consult.reference])).status_code == 403


def test_a_pdf_is_attached_to_the_draft(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = client.post(
        reverse("consults:attachment_add", args=[consult.reference]), {"file": upload, "title": "CT"}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(request=consult)
    assert (attachment.kind, attachment.title) == ("pdf", "CT")


def test_an_unsupported_file_is_refused_with_a_message_and_leaves_no_file(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    upload = SimpleUploadedFile("virus.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff", content_type="x/y")
    response = client.post(reverse("consults:attachment_add", args=[consult.reference]), {"file": upload})
    assert response.status_code == 400
    assert "Attachments may be" in response.content.decode()
    folder = Path(settings.HUIZHEN_BLOB_DIR) / "attachments" / consult.reference
    assert not folder.exists() or not any(folder.iterdir())


def test_a_bundle_uploaded_through_the_form_becomes_a_draft(client: Client, physician: Any) -> None:
    upload = SimpleUploadedFile("bundle.json", DEMO.read_bytes(), content_type="application/json")
    response = client.post(reverse("consults:import"), {"bundle": upload})
    assert response.status_code == 302
    consult = ConsultRequest.objects.get()
    assert consult.patient.full_name == "陈志明"


def test_after_an_import_the_page_says_what_was_skipped(client: Client, physician: Any) -> None:
    bundle = Path(__file__).parents[2] / "registry/data/dlbcl_referenced_documents.json"
    upload = SimpleUploadedFile("bundle.json", bundle.read_bytes(), content_type="application/json")
    page = client.post(reverse("consults:import"), {"bundle": upload}, follow=True).content.decode()
    assert "not fetched" in page
    assert "Claim" in page


def test_an_invalid_bundle_upload_lists_its_problems(client: Client, physician: Any) -> None:
    upload = SimpleUploadedFile("bundle.json", b'{"resourceType": "Patient"}', content_type="application/json")
    response = client.post(reverse("consults:import"), {"bundle": upload})
    assert response.status_code == 400
    assert 'data-testid="bundle-problems"' in response.content.decode()
    assert not ConsultRequest.objects.exists()


def test_a_hub_user_cannot_create_a_request(client: Client) -> None:
    sign_in(client, role=Role.REFERRING_PHYSICIAN)
    assert client.get(reverse("consults:new")).status_code == 403
    assert client.get(reverse("consults:import")).status_code == 403


def test_a_consulting_specialist_at_the_gateway_cannot_create_a_request(client: Client, gateway: None) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    assert client.get(reverse("consults:new")).status_code == 403


def test_at_a_hub_the_case_list_hands_over_to_the_intake_queue(client: Client) -> None:
    sign_in(client, role=Role.CASE_COORDINATOR)
    response = client.get(reverse("consults:list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("consults:intake")


def test_at_a_hub_the_case_page_hands_over_to_the_review_workspace(client: Client) -> None:
    from tests.consults.factories import HubConsultRequestFactory

    sign_in(client, role=Role.CASE_COORDINATOR)
    consult = HubConsultRequestFactory()
    response = client.get(reverse("consults:case", args=[consult.reference]))
    assert response["Location"] == reverse("consults:workspace", args=[consult.reference])
