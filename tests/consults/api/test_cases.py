"""The gateway's consultation API at /api/cases/: the same services and refusals as the pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from huizhen.apps.accounts.models import Role
from huizhen.apps.consults.models import Attachment, ConsultRequest, State
from huizhen.apps.registry.models import Consent, Patient
from tests.accounts.factories import sign_in
from tests.consults.factories import ConsultRequestFactory, HubPeerFactory, PatientFactory, complete_summary

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).parents[3] / "src/huizhen/apps/consults/demo_data/dlbcl.json"


@pytest.fixture
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"


@pytest.fixture
def physician(client: Client, gateway: None) -> Any:
    return sign_in(client, role=Role.REFERRING_PHYSICIAN)


def _json(client: Client, method: str, path: str, body: Any) -> Any:
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


def test_without_a_verified_session_the_api_answers_401(client: Client, gateway: None) -> None:
    assert client.get("/api/cases/").status_code == 401


def test_a_physician_lists_her_cases(client: Client, physician: Any) -> None:
    mine = ConsultRequestFactory(referring_physician=physician)
    ConsultRequestFactory()
    answer = client.get("/api/cases/").json()
    assert [case["reference"] for case in answer] == [mine.reference]


def test_a_draft_is_created_with_a_summary(client: Client, physician: Any) -> None:
    patient = PatientFactory()
    hub = HubPeerFactory()
    body = {"patient_id": patient.pk, "hub": hub.name, "subspecialty": "lymphoma", "summary": complete_summary()}
    response = _json(client, "post", "/api/cases/", body)
    assert response.status_code == 201
    case = response.json()
    assert case["state"] == "draft"
    assert case["summary"]["diagnoses"][0]["icd10"] == "C83.3"
    assert ConsultRequest.objects.get(reference=case["reference"]).referring_physician == physician


def test_an_invalid_summary_is_refused_with_its_problems(client: Client, physician: Any) -> None:
    body = {"patient_id": PatientFactory().pk, "summary": {"diagnoses": [{"icd10": "DLBCL"}]}}
    response = _json(client, "post", "/api/cases/", body)
    assert response.status_code == 400
    assert "ICD-10" in response.json()["problems"][0]
    assert not ConsultRequest.objects.exists()


def test_get_shows_the_case_with_what_is_missing(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician, question="")
    answer = client.get(f"/api/cases/{consult.reference}").json()
    assert answer["missing"] == ["The clinical question is empty."]


def test_patch_updates_the_question(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician, question="")
    response = _json(client, "patch", f"/api/cases/{consult.reference}", {"question": "CAR-T?"})
    assert response.status_code == 200
    assert response.json()["missing"] == []


def test_another_physician_cannot_read_or_change_the_case(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory()
    assert client.get(f"/api/cases/{consult.reference}").status_code == 403
    assert _json(client, "patch", f"/api/cases/{consult.reference}", {"question": "x"}).status_code == 403
    assert client.post(f"/api/cases/{consult.reference}/submit").status_code == 403


def test_an_incomplete_case_is_not_submitted_and_the_answer_lists_what_is_missing(
    client: Client, physician: Any
) -> None:
    consult = ConsultRequestFactory(referring_physician=physician, consents=False)
    response = client.post(f"/api/cases/{consult.reference}/submit")
    assert response.status_code == 400
    assert any("consent" in item for item in response.json()["missing"])
    consult.refresh_from_db()
    assert consult.state == State.DRAFT


def test_a_complete_case_is_submitted_and_submitting_again_changes_nothing(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    first = client.post(f"/api/cases/{consult.reference}/submit")
    second = client.post(f"/api/cases/{consult.reference}/submit")
    assert first.status_code == second.status_code == 200
    assert first.json()["state"] == second.json()["state"] == "submitting"


def test_an_attachment_is_uploaded(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    upload = SimpleUploadedFile("note.txt", "出院小结".encode(), content_type="text/plain")
    response = client.post(f"/api/cases/{consult.reference}/attachments", {"file": upload, "title": "出院小结"})
    assert response.status_code == 201
    assert response.json()["kind"] == "text"
    assert Attachment.objects.get(request=consult).title == "出院小结"


def test_an_attachment_to_a_submitted_case_is_refused(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician, state=State.SUBMITTED)
    upload = SimpleUploadedFile("note.txt", b"text", content_type="text/plain")
    response = client.post(f"/api/cases/{consult.reference}/attachments", {"file": upload})
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_a_bundle_is_imported(client: Client, physician: Any) -> None:
    upload = SimpleUploadedFile("b.json", DEMO.read_bytes(), content_type="application/json")
    response = client.post("/api/cases/import", {"bundle": upload})
    assert response.status_code == 201
    assert ConsultRequest.objects.get(reference=response.json()["reference"]).patient.mrn == "ZY2026004817"


def test_an_invalid_bundle_is_refused_with_its_problems(client: Client, physician: Any) -> None:
    upload = SimpleUploadedFile("b.json", b"not json", content_type="application/json")
    response = client.post("/api/cases/import", {"bundle": upload})
    assert response.status_code == 400
    assert response.json()["problems"]


def test_a_patient_is_registered_and_a_consent_recorded(client: Client, physician: Any) -> None:
    body = {"family_name": "赵", "given_name": "敏", "mrn": "API-1", "birth_date": "1970-01-02", "sex": "female"}
    response = _json(client, "post", "/api/cases/patients/", body)
    assert response.status_code == 201
    patient_id = response.json()["id"]
    form = SimpleUploadedFile("consent.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    consent = client.post(
        f"/api/cases/patients/{patient_id}/consents",
        {"kind": "cross_border", "destination_country": "US", "signed_on": "2026-09-01", "form": form},
    )
    assert consent.status_code == 201
    assert consent.json()["has_form"] is True
    withdrawn = client.post(f"/api/cases/patients/{patient_id}/consents/{consent.json()['id']}/withdraw")
    assert withdrawn.json()["withdrawn_at"] is not None


def test_the_patient_search_finds_by_record_number(client: Client, physician: Any) -> None:
    PatientFactory(mrn="FIND-ME-1")
    PatientFactory(mrn="OTHER-2")
    answer = client.get("/api/cases/patients/", {"q": "FIND"}).json()
    assert [p["mrn"] for p in answer] == ["FIND-ME-1"]


def test_a_hub_refuses_the_patient_api(client: Client) -> None:
    sign_in(client, role=Role.CASE_COORDINATOR)
    body = {"family_name": "赵", "mrn": "H-1", "birth_date": "1970-01-02"}
    assert _json(client, "post", "/api/cases/patients/", body).status_code == 403
    assert client.get("/api/cases/patients/").status_code == 403
    assert not Patient.objects.exists()
    assert not Consent.objects.exists()
