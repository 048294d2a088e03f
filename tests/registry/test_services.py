"""The registry's services: pseudonyms, date shifts, consents and their scanned forms, gateway only."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.registry import blobs, services
from huizhen.apps.registry.models import Consent, ConsentKind, Patient
from tests.consults.factories import ConsentFactory, PatientFactory, ReferringPhysicianFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def gateway(settings: object) -> None:
    settings.HUIZHEN_ROLE = "gateway"  # type: ignore[attr-defined]


def _create(**overrides: object) -> Patient:
    fields: dict[str, object] = {
        "family_name": "王",
        "given_name": "秀英",
        "mrn": "ZY-1001",
        "birth_date": dt.date(1958, 7, 1),
        "sex": "female",
    }
    fields.update(overrides)
    return services.create_patient(by=ReferringPhysicianFactory(), **fields)


def _files_under_blob_dir() -> list[Path]:
    root = Path(settings.HUIZHEN_BLOB_DIR)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_new_patient_gets_a_random_pseudonym_of_eight_base32_characters(gateway: None) -> None:
    patient = _create()
    assert re.fullmatch(r"PT-[A-Z2-7]{8}", patient.pseudonym)


def test_two_patients_never_share_a_pseudonym(gateway: None) -> None:
    assert _create(mrn="A1").pseudonym != _create(mrn="A2").pseudonym


def test_date_shifts_are_between_30_and_180_days_either_way() -> None:
    shifts = {services.new_date_shift() for _ in range(400)}
    assert all(30 <= abs(shift) <= 180 for shift in shifts)
    assert min(shifts) < 0 < max(shifts)


def test_creating_a_patient_is_audited_under_the_pseudonym_not_the_name(gateway: None) -> None:
    patient = _create()
    entry = AuditEntry.objects.get(action="registry.patient_created")
    assert entry.target == patient.pseudonym
    assert "王" not in str(entry.detail)


def test_a_second_patient_with_the_same_record_number_is_refused(gateway: None) -> None:
    _create()
    with pytest.raises(services.RegistryError):
        _create(given_name="芳")


def test_a_hub_refuses_to_register_a_patient() -> None:
    with pytest.raises(services.NotAGateway):
        _create()
    assert not Patient.objects.exists()


def test_updating_a_patient_audits_which_fields_changed_but_not_their_values(gateway: None) -> None:
    patient = _create()
    services.update_patient(patient=patient, by=None, phone="13900001111")
    entry = AuditEntry.objects.get(action="registry.patient_updated")
    assert entry.detail["fields"] == ["phone"]
    assert "13900001111" not in str(entry.detail)


def test_a_scanned_consent_form_is_stored_with_its_hash(gateway: None) -> None:
    patient = PatientFactory()
    consent = services.record_consent(
        patient=patient,
        by=None,
        kind=ConsentKind.CROSS_BORDER,
        destination_country="us",
        signed_on=dt.date(2026, 9, 1),
        form=SimpleUploadedFile("signed.pdf", PDF),
    )
    assert consent.destination_country == "US"
    assert blobs.blob_path(consent.form_blob).read_bytes() == PDF
    import hashlib

    assert consent.form_sha256 == hashlib.sha256(PDF).hexdigest()


def test_cross_border_consent_without_a_destination_is_refused(gateway: None) -> None:
    with pytest.raises(services.RegistryError):
        services.record_consent(
            patient=PatientFactory(), by=None, kind=ConsentKind.CROSS_BORDER, signed_on=dt.date(2026, 9, 1)
        )


def test_a_form_that_is_not_pdf_jpeg_or_png_is_refused_and_nothing_is_kept(gateway: None) -> None:
    before = _files_under_blob_dir()
    with pytest.raises(blobs.UploadRefused):
        services.record_consent(
            patient=PatientFactory(),
            by=None,
            kind=ConsentKind.CONSULTATION,
            signed_on=dt.date(2026, 9, 1),
            form=SimpleUploadedFile("form.exe", b"MZ\x90\x00not a scan"),
        )
    assert not Consent.objects.exists()
    assert _files_under_blob_dir() == before


def test_an_oversized_form_leaves_no_partial_file(gateway: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "CONSENT_FORM_MAX_BYTES", 1024)
    before = _files_under_blob_dir()
    with pytest.raises(blobs.UploadRefused):
        services.record_consent(
            patient=PatientFactory(),
            by=None,
            kind=ConsentKind.CONSULTATION,
            signed_on=dt.date(2026, 9, 1),
            form=SimpleUploadedFile("big.pdf", PDF + b"0" * 4096),
        )
    assert _files_under_blob_dir() == before
    assert not list(Path(settings.HUIZHEN_BLOB_DIR).rglob("*.part"))


def test_withdrawing_a_consent_keeps_it_on_record_as_withdrawn(gateway: None) -> None:
    consent = ConsentFactory()
    services.withdraw_consent(consent=consent, by=None)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert AuditEntry.objects.filter(action="registry.consent_withdrawn").count() == 1


def test_withdrawing_twice_changes_nothing_the_second_time(gateway: None) -> None:
    consent = ConsentFactory()
    services.withdraw_consent(consent=consent, by=None)
    first = Consent.objects.get(pk=consent.pk).withdrawn_at
    services.withdraw_consent(consent=consent, by=None)
    assert Consent.objects.get(pk=consent.pk).withdrawn_at == first
    assert AuditEntry.objects.filter(action="registry.consent_withdrawn").count() == 1
