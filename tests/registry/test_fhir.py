"""Import of FHIR R4 bundles: patient, summary, attachments; refusals list every problem and create nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults.models import Attachment, ConsultRequest
from huizhen.apps.registry.fhir import BundleRejected, import_bundle
from huizhen.apps.registry.models import Patient
from tests.consults.factories import HubPeerFactory, PatientFactory, ReferringPhysicianFactory

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
DLBCL = DATA / "dlbcl_referenced_documents.json"
MDS = DATA / "mds_inline_documents.json"


@pytest.fixture
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"


def _import(path: Path = DLBCL, **kwargs: Any) -> ConsultRequest:
    return import_bundle(data=path.read_bytes(), by=ReferringPhysicianFactory(), **kwargs)


def _bundle(*resources: dict[str, Any]) -> bytes:
    return json.dumps(
        {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]}
    ).encode()


def _blob_files() -> set[Path]:
    root = Path(settings.HUIZHEN_BLOB_DIR)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_the_patient_is_registered_with_the_chinese_name_and_identifiers(gateway: None) -> None:
    patient = _import().patient
    assert (patient.family_name, patient.given_name, patient.name_latin) == ("黄", "国平", "Guoping Huang")
    assert (patient.mrn, patient.national_id) == ("WH20260931", "420106196804175138")
    assert str(patient.birth_date) == "1968-04-17"
    assert (patient.sex, patient.phone, patient.email) == ("male", "13907150231", "huang.gp@example.cn")
    assert patient.address == "湖北省武汉市江汉区中山大道1277号"


def test_a_name_given_only_as_text_and_a_record_number_by_system_are_understood(gateway: None) -> None:
    patient = _import(MDS).patient
    assert (patient.family_name, patient.given_name) == ("欧", "阳春燕")
    assert patient.mrn == "TJ-2026-118"
    assert patient.passport == "E12345678"


def test_the_diagnosis_keeps_icd10_and_the_icdo3_morphology_from_an_extension(gateway: None) -> None:
    (diagnosis,) = _import().summary["diagnoses"]
    assert (diagnosis["icd10"], diagnosis["icdo3"], diagnosis["date"]) == ("C83.38", "9680/3", "2026-05-12")
    assert diagnosis["text"] == "弥漫大B细胞淋巴瘤（生发中心型）"


def test_icdo3_given_as_a_coding_is_read(gateway: None) -> None:
    assert _import(MDS).summary["diagnoses"][0]["icdo3"] == "9983/3"


def test_labs_keep_loinc_value_and_unit(gateway: None) -> None:
    labs = _import().summary["labs"]
    assert {"name": "乳酸脱氢酶", "loinc": "2532-0", "value": "538", "unit": "U/L", "date": "2026-05-13"} in labs
    assert any(lab["loinc"] == "718-7" and lab["value"] == "98" for lab in labs)


def test_ecog_and_karnofsky_become_the_performance_status(gateway: None) -> None:
    assert _import().summary["performance_status"] == {"scale": "ECOG", "value": 2}
    assert _import(MDS).summary["performance_status"] == {"scale": "KPS", "value": 70}


def test_the_stage_comes_from_the_condition_and_the_stage_observation(gateway: None) -> None:
    assert _import().summary["stage"] == "Ann Arbor IVA；IVA"


def test_reports_are_filed_by_category_and_code(gateway: None) -> None:
    summary = _import().summary
    assert "GCB型" in summary["pathology"]
    assert "Ki-67 90%" in summary["ihc"]
    assert "κ限制性" in summary["flow_cytometry"]
    assert "腹膜后" in summary["history"]  # a radiology report is history


def test_a_report_without_a_conclusion_uses_its_presented_text(gateway: None) -> None:
    summary = _import(MDS).summary
    assert "del(5)" in summary["cytogenetics"]
    assert "TP53" in summary["molecular"]


def test_medications_are_grouped_into_treatment_lines_by_regimen(gateway: None) -> None:
    lines = _import().summary["treatment_lines"]
    assert [(line["line"], line["regimen"]) for line in lines] == [(1, "R-CHOP"), (2, "R-GemOx")]
    assert (lines[0]["start"], lines[0]["end"], lines[0]["cycles"], lines[0]["response"]) == (
        "2026-05-20",
        "2026-07-25",
        4,
        "SD",
    )


def test_procedures_and_imaging_studies_are_recorded_in_the_history(gateway: None) -> None:
    consult = _import()
    assert "右腹股沟淋巴结切除活检术" in consult.summary["history"]
    assert "CT" in consult.summary["history"]
    assert "412" in consult.summary["history"]


def test_documents_inline_or_in_a_bundled_binary_become_attachments(gateway: None) -> None:
    consult = _import()
    attachments = {a.title: a for a in Attachment.objects.filter(request=consult)}
    assert attachments["出院记录"].kind == "text"
    assert attachments["淋巴结活检病理报告"].kind == "pdf"
    assert len(attachments) == 2


def test_an_image_document_is_attached_as_an_image(gateway: None) -> None:
    consult = _import(MDS)
    assert Attachment.objects.get(request=consult, title="骨髓涂片图像").kind == "image"


def test_an_external_document_link_is_refused_and_never_fetched(gateway: None) -> None:
    notes = _import().import_notes
    assert any("https://pacs.example.org/reports/8841.pdf" in note and "not fetched" in note for note in notes)


def test_unknown_resource_types_are_skipped_and_listed(gateway: None) -> None:
    notes = " ".join(_import().import_notes)
    for kind in ("Claim", "Coverage", "Encounter"):
        assert kind in notes


def test_the_draft_is_addressed_to_the_chosen_hub_and_written_by_the_physician(gateway: None) -> None:
    hub = HubPeerFactory()
    physician = ReferringPhysicianFactory()
    consult = import_bundle(data=DLBCL.read_bytes(), by=physician, peer=hub)
    assert (consult.peer, consult.referring_physician, consult.state) == (hub, physician, "draft")


def test_importing_a_bundle_for_a_registered_record_number_reuses_the_patient(gateway: None) -> None:
    existing = PatientFactory(mrn="WH20260931")
    consult = _import()
    assert consult.patient == existing
    assert Patient.objects.count() == 1


def test_importing_the_same_bundle_again_returns_the_same_draft(gateway: None) -> None:
    first = _import()
    second = _import()
    assert second.pk == first.pk
    assert ConsultRequest.objects.count() == 1
    assert Attachment.objects.count() == 2


def test_text_that_is_not_json_is_refused(gateway: None) -> None:
    with pytest.raises(BundleRejected) as rejected:
        import_bundle(data=b"<Bundle/>", by=None)
    assert "not JSON" in rejected.value.problems[0]


def test_json_that_is_not_a_bundle_is_refused(gateway: None) -> None:
    with pytest.raises(BundleRejected) as rejected:
        import_bundle(data={"resourceType": "Patient"}, by=None)
    assert "Bundle" in rejected.value.problems[0]


def test_every_validation_problem_is_listed_and_nothing_is_created(gateway: None) -> None:
    bad = _bundle(
        {"resourceType": "Patient", "birthDate": "17/04/1968", "gender": "robot"},
        {"resourceType": "Observation", "code": {"text": "LDH"}},
    )
    files_before = _blob_files()
    with pytest.raises(BundleRejected) as rejected:
        import_bundle(data=bad, by=ReferringPhysicianFactory())
    problems = " ".join(rejected.value.problems)
    assert "birthDate" in problems
    assert "Observation" in problems
    assert "status" in problems
    assert not Patient.objects.exists()
    assert not ConsultRequest.objects.exists()
    assert _blob_files() == files_before


def test_a_patient_without_a_record_number_is_refused(gateway: None) -> None:
    with pytest.raises(BundleRejected) as rejected:
        import_bundle(
            data=_bundle({"resourceType": "Patient", "name": [{"text": "王芳"}], "birthDate": "1970-01-01"}), by=None
        )
    assert any("medical record number" in problem for problem in rejected.value.problems)


def test_a_failure_after_files_were_written_removes_them(gateway: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from huizhen.apps.registry import fhir

    files_before = _blob_files()

    def explode(**kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(fhir, "record_event", explode)
    with pytest.raises(RuntimeError):
        _import()
    assert not ConsultRequest.objects.exists()
    assert _blob_files() == files_before


def test_a_hub_refuses_to_import() -> None:
    from huizhen.apps.registry.services import NotAGateway

    with pytest.raises(NotAGateway):
        _import()
    assert not Patient.objects.exists()


def test_the_import_is_audited_with_the_bundle_hash_and_the_pseudonym(gateway: None) -> None:
    consult = _import()
    entry = AuditEntry.objects.get(action="consult.imported")
    assert entry.target == consult.reference
    assert entry.detail["patient"] == consult.patient.pseudonym
    assert len(entry.detail["bundle_sha256"]) == 64
