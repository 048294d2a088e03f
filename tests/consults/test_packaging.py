"""Packaging a gateway case: de-identified text, shifted dates, DICOM through the engine, the rest left out."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path
from typing import Any

import pydicom
import pytest
from django.conf import settings as django_settings

from huizhen.apps.consults import packaging
from huizhen.apps.consults.models import AttachmentKind, ConsultRequest, DeidStatus
from huizhen.deid.dicom.synthetic import generate_ct_series
from tests.consults.factories import AttachmentFactory, ConsultRequestFactory, PatientFactory

pytestmark = pytest.mark.django_db

NAME = "欧阳震华"


@pytest.fixture(autouse=True)
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    settings.HUIZHEN_COUNTRY = "CN"


def _case(**kwargs: Any) -> ConsultRequest:
    patient = PatientFactory(
        family_name="欧阳",
        given_name="震华",
        name_latin="Zhenhua OUYANG",
        mrn="ZX-88231977",
        national_id="420102196503127719",
        phone="139-7654-3210",
        email="ouyang.zhenhua@example.cn",
        birth_date=dt.date(1965, 3, 12),
        date_shift_days=47,
    )
    return ConsultRequestFactory(patient=patient, **kwargs)


def test_free_text_names_the_patient_by_tag_not_by_name() -> None:
    consult = _case(question=f"{NAME}（病案号ZX-88231977）R-CHOP后部分缓解，下一步？")

    payload = packaging.build_package(consult=consult).payload

    assert NAME not in payload["question"]
    assert "ZX-88231977" not in payload["question"]
    assert "[姓名-1]" in payload["question"]
    assert "R-CHOP" in payload["question"]


def test_the_same_person_has_the_same_tag_across_fields() -> None:
    consult = _case(question=f"{NAME}的诊断是否准确？")
    consult.summary["history"] = f"{NAME}于2026年2月发现颈部肿块。"
    consult.save()

    payload = packaging.build_package(consult=consult).payload

    assert "[姓名-1]" in payload["question"]
    assert "[姓名-1]" in payload["summary"]["history"]


def test_structured_dates_move_by_the_patients_shift_and_codes_stay() -> None:
    consult = _case()

    summary = packaging.build_package(consult=consult).payload["summary"]

    assert summary["diagnoses"][0]["date"] == "2026-04-18"  # 2026-03-02 + 47 days
    assert summary["diagnoses"][0]["icd10"] == "C83.3"
    assert summary["diagnoses"][0]["icdo3"] == "9680/3"
    assert summary["treatment_lines"][0]["start"] == "2026-04-26"
    assert summary["labs"][0]["loinc"] == "2532-0"


def test_the_pseudonym_stands_for_the_patient_and_the_physician_is_kept() -> None:
    consult = _case()

    payload = packaging.build_package(consult=consult).payload

    assert payload["pseudonym"] == consult.patient.pseudonym
    assert payload["referring_physician_name"] == consult.referring_physician_name
    assert payload["referring_institution"] == "Wuhan Union Hospital"
    assert "patient" not in payload


def test_a_text_report_is_scrubbed_and_included() -> None:
    consult = _case()
    attachment = AttachmentFactory(
        request=consult, content=f"病理报告\n姓名：{NAME}  电话：13976543210\n诊断：弥漫大B细胞淋巴瘤".encode()
    )

    package = packaging.build_package(consult=consult)

    attachment.refresh_from_db()
    assert attachment.deid_status == DeidStatus.INCLUDED
    sent = package.blobs[attachment.deid_sha256].read_text()
    assert NAME not in sent
    assert "13976543210" not in sent
    assert "弥漫大B细胞淋巴瘤" in sent
    assert package.payload["attachments"][0]["filename"] == "report-1.txt"


@pytest.mark.parametrize("kind", [AttachmentKind.PDF, AttachmentKind.IMAGE, AttachmentKind.OTHER])
def test_a_file_with_no_safe_de_identifier_is_left_out_with_the_reason(kind: str) -> None:
    consult = _case()
    attachment = AttachmentFactory(request=consult, kind=kind, filename=f"{NAME}.pdf", content=b"%PDF-1.4 ...")

    package = packaging.build_package(consult=consult)

    attachment.refresh_from_db()
    assert attachment.deid_status == DeidStatus.EXCLUDED
    assert "cannot be de-identified yet" in attachment.deid_note
    assert package.payload["attachments"] == []
    assert package.blobs == {}


def _dicom_study(tmp_path: Path, consult: ConsultRequest) -> Path:
    files = generate_ct_series(tmp_path / "src", slices=2, rows=16, cols=16)
    study = Path(django_settings.HUIZHEN_BLOB_DIR) / "attachments" / f"study-{consult.reference}"
    study.mkdir(parents=True)
    for index, path in enumerate(files):
        dataset = pydicom.dcmread(path)
        dataset.PatientName = "OUYANG^ZHENHUA"
        dataset.PatientID = "ZX-88231977"
        dataset.PatientBirthDate = "19650312"
        dataset.OtherPatientIDs = "420102196503127719"
        dataset.save_as(study / f"{index}.dcm")
    return study


def test_dicom_goes_through_the_de_identification_engine(tmp_path: Path) -> None:
    consult = _case()
    study = _dicom_study(tmp_path, consult)
    attachment = AttachmentFactory(request=consult, kind=AttachmentKind.DICOM, filename="CT")
    attachment.blob = study.relative_to(django_settings.HUIZHEN_BLOB_DIR).as_posix()
    attachment.save()

    package = packaging.build_package(consult=consult)

    entry = package.payload["attachments"][0]
    assert len(entry["files"]) == 2
    for item in entry["files"]:
        header = pydicom.dcmread(package.blobs[item["sha256"]], stop_before_pixels=True)
        assert "OUYANG" not in str(header.PatientName)
        assert header.PatientID != "ZX-88231977"
        assert "19650312" not in str(header.get("PatientBirthDate", ""))


def test_the_dicom_uid_key_is_private_to_the_gateway_and_stable() -> None:
    first = packaging.dicom_uid_key()

    path = Path(django_settings.HUIZHEN_DATA_DIR) / "deid" / "dicom-uid.key"
    assert packaging.dicom_uid_key() == first
    assert len(first) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_the_package_carries_the_policy_facts_but_no_identifier() -> None:
    consult = _case()

    payload = packaging.build_package(consult=consult).payload

    facts = repr(payload["export_facts"])
    assert payload["export_facts"]["subject"]["country"] == "CN"
    assert "1965" not in facts
    assert NAME not in facts


def test_identifier_forms_cover_the_dicom_and_written_forms_of_the_birth_date() -> None:
    patient = PatientFactory(birth_date=dt.date(1965, 3, 12), name_latin="Zhenhua OUYANG")

    forms = packaging.identifier_forms(patient)

    for written in ("1965-03-12", "19650312", "1965年3月12日", "12/03/1965", "March 12, 1965"):
        assert "birth date" in packaging.identifiers_in(f"born {written}", forms), written
    assert "name" in packaging.identifiers_in("OUYANG^ZHENHUA", forms)


def test_measurements_and_regimens_survive_scrubbing() -> None:
    consult = _case()

    summary = packaging.build_package(consult=consult).payload["summary"]

    assert summary["labs"][0] == {"name": "LDH", "loinc": "2532-0", "value": "412", "unit": "U/L", "date": "2026-09-17"}
    assert summary["treatment_lines"][0]["regimen"] == "R-CHOP"
    assert summary["treatment_lines"][0]["response"] == "PR"
    assert summary["stage"] == "Ann Arbor IIIB"
    assert summary["ihc"] == "CD20+, CD10-, BCL6+, MUM1+, Ki-67 80%"


def test_a_name_typed_into_a_lab_value_is_scrubbed() -> None:
    consult = _case()
    consult.summary["labs"][0]["value"] = f"412（{NAME}复查）"
    consult.save()

    summary = packaging.build_package(consult=consult).payload["summary"]

    assert NAME not in summary["labs"][0]["value"]


def test_dicom_dates_move_by_the_same_shift_as_the_cases_text(tmp_path: Path) -> None:
    consult = _case()
    study = _dicom_study(tmp_path, consult)
    original = pydicom.dcmread(next(study.iterdir()), stop_before_pixels=True).StudyDate
    attachment = AttachmentFactory(request=consult, kind=AttachmentKind.DICOM, filename="CT")
    attachment.blob = study.relative_to(django_settings.HUIZHEN_BLOB_DIR).as_posix()
    attachment.save()

    package = packaging.build_package(consult=consult)

    item = package.payload["attachments"][0]["files"][0]
    shifted = pydicom.dcmread(package.blobs[item["sha256"]], stop_before_pixels=True).StudyDate
    moved = dt.datetime.strptime(shifted, "%Y%m%d") - dt.datetime.strptime(original, "%Y%m%d")
    assert moved.days == consult.patient.date_shift_days
