"""The /patients/ pages: search, register, edit, consents with scanned forms; a gateway's clinicians only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.registry.models import Consent, Patient
from tests.accounts.factories import sign_in
from tests.consults.factories import ConsentFactory, PatientFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"


@pytest.fixture
def physician(client: Client, gateway: None) -> Any:
    return sign_in(client, role=Role.REFERRING_PHYSICIAN)


def _patient_data(**overrides: str) -> dict[str, str]:
    data = {
        "family_name": "孙",
        "given_name": "丽华",
        "name_latin": "Sun Lihua",
        "mrn": "ZY-7788",
        "birth_date": "1962-02-14",
        "sex": "female",
        "country": "CN",
    }
    data.update(overrides)
    return data


def test_the_list_finds_a_patient_by_record_number(client: Client, physician: Any) -> None:
    PatientFactory(mrn="ZY-1234", family_name="钱", given_name="多多")
    PatientFactory(mrn="ZY-9999", family_name="吴", given_name="静")
    page = client.get(reverse("registry:list"), {"q": "ZY-12"}).content.decode()
    assert "钱多多" in page
    assert "吴静" not in page


def test_the_list_finds_a_patient_by_the_whole_chinese_name(client: Client, physician: Any) -> None:
    PatientFactory(family_name="钱", given_name="多多")
    assert "钱多多" in client.get(reverse("registry:list"), {"q": "钱多多"}).content.decode()


def test_a_physician_registers_a_patient(client: Client, physician: Any) -> None:
    response = client.post(reverse("registry:new"), _patient_data())
    patient = Patient.objects.get(mrn="ZY-7788")
    assert response.status_code == 302
    assert patient.full_name == "孙丽华"
    assert patient.created_by == physician


def test_a_duplicate_record_number_is_shown_on_the_form(client: Client, physician: Any) -> None:
    PatientFactory(mrn="ZY-7788")
    response = client.post(reverse("registry:new"), _patient_data())
    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    assert Patient.objects.count() == 1


def test_a_physician_edits_a_patient(client: Client, physician: Any) -> None:
    patient = PatientFactory()
    data = _patient_data(mrn=patient.mrn, phone="13600001111")
    assert client.post(reverse("registry:edit", args=[patient.pk]), data).status_code == 302
    patient.refresh_from_db()
    assert patient.phone == "13600001111"
    assert patient.pseudonym  # unchanged by the form


def test_opening_a_patient_is_audited(client: Client, physician: Any) -> None:
    patient = PatientFactory()
    client.get(reverse("registry:patient", args=[patient.pk]))
    assert AuditEntry.objects.filter(action="registry.patient_viewed", target=patient.pseudonym).exists()


def test_a_consent_with_a_scanned_form_is_recorded_and_the_form_can_be_opened(client: Client, physician: Any) -> None:
    patient = PatientFactory()
    form = SimpleUploadedFile("consent.pdf", PDF, content_type="application/pdf")
    data = {"kind": "cross_border", "destination_country": "US", "signed_on": "2026-09-01", "form": form}
    assert client.post(reverse("registry:consent_add", args=[patient.pk]), data).status_code == 302
    consent = Consent.objects.get(patient=patient)
    download = client.get(reverse("registry:consent_form", args=[patient.pk, consent.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert AuditEntry.objects.filter(action="registry.consent_form_viewed").exists()


def test_a_cross_border_consent_without_a_destination_is_not_recorded(client: Client, physician: Any) -> None:
    patient = PatientFactory()
    data = {"kind": "cross_border", "signed_on": "2026-09-01"}
    response = client.post(reverse("registry:consent_add", args=[patient.pk]), data)
    assert response.status_code == 400
    assert not Consent.objects.exists()


def test_a_form_of_the_wrong_type_is_refused_on_the_page(client: Client, physician: Any) -> None:
    patient = PatientFactory()
    form = SimpleUploadedFile("consent.docx", b"PK\x03\x04word", content_type="application/msword")
    data = {"kind": "consultation", "signed_on": "2026-09-01", "form": form}
    response = client.post(reverse("registry:consent_add", args=[patient.pk]), data)
    assert response.status_code == 400
    assert "PDF, JPEG or PNG" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_consent_is_withdrawn_and_shown_as_withdrawn(client: Client, physician: Any) -> None:
    consent = ConsentFactory()
    url = reverse("registry:consent_withdraw", args=[consent.patient.pk, consent.pk])
    assert client.post(url).status_code == 302
    page = client.get(reverse("registry:patient", args=[consent.patient.pk])).content.decode()
    assert 'data-active="false"' in page


def test_a_consulting_specialist_at_the_gateway_is_refused(client: Client, gateway: None) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    patient = PatientFactory()
    assert client.get(reverse("registry:list")).status_code == 403
    assert client.get(reverse("registry:patient", args=[patient.pk])).status_code == 403
    assert AuditEntry.objects.filter(action="permission.denied").count() == 2


def test_a_hub_refuses_the_registry_pages(client: Client) -> None:
    sign_in(client, role=Role.CASE_COORDINATOR)
    assert client.get(reverse("registry:list")).status_code == 403
    assert client.post(reverse("registry:new"), _patient_data()).status_code == 403
    assert not Patient.objects.exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client: Client, gateway: None) -> None:
    response = client.get(reverse("registry:list"))
    assert response.status_code == 302
