"""The leak test: a patient's identifiers planted everywhere at the gateway never reach the hub's disk.

Distinctive identifiers (a rare name, MRN, national ID, passport, phone, e-mail, address,
birth date) are planted in the gateway's registry patient and in every place a case
carries text: the question, the summary's free text, a text report, a PDF, and the
headers (and file names) of a DICOM series. The case is created and submitted across
two real nodes; then every file under the hub's data directory (the SQLite database and
its WAL, the received blobs, the study folders, the logs) is searched for every
identifier in UTF-8 and GB18030 and in the forms DICOM writes them (``OUYANG^ZHENHUA``,
``19650718``). Zero hits.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pydicom
import pytest

from huizhen.deid.dicom.synthetic import generate_ct_series
from tests.consults.nodes import TwoNodes, create_case, two_nodes, wait_for_state

__all__ = ["two_nodes"]

pytestmark = pytest.mark.slow

FAMILY, GIVEN = "欧阳", "震华"
NAME = FAMILY + GIVEN
LATIN = "Zhenhua OUYANG"
MRN = "ZH7731946Q"
NATIONAL_ID = "44030419650718253X"
PASSPORT = "E98765432"
PHONE = "13987654321"
EMAIL = "ouyang.zhenhua.leaktest@example.cn"
ADDRESS = "广东省深圳市福田区莲花北路8848号"
BIRTH = dt.date(1965, 7, 18)

PATIENT = {
    "family_name": FAMILY,
    "given_name": GIVEN,
    "name_latin": LATIN,
    "mrn": MRN,
    "national_id": NATIONAL_ID,
    "passport": PASSPORT,
    "phone": PHONE,
    "email": EMAIL,
    "address": ADDRESS,
    "birth_date": BIRTH,
}

EVERYTHING = (
    f"患者{NAME}（{LATIN}），男，出生日期1965年7月18日（1965-07-18），病案号{MRN}，身份证号{NATIONAL_ID}，"
    f"护照{PASSPORT}，电话{PHONE}，邮箱{EMAIL}，住址{ADDRESS}。"
)

# Every written form searched for, as text (encoded below in UTF-8 and GB18030).
FORMS = (
    NAME,
    f"{FAMILY} {GIVEN}",
    "OUYANG^ZHENHUA",
    "ZHENHUA^OUYANG",
    "Zhenhua OUYANG",
    "OUYANG Zhenhua",
    "ouyang zhenhua",
    MRN,
    NATIONAL_ID,
    PASSPORT,
    PHONE,
    "139-8765-4321",
    EMAIL,
    ADDRESS,
    "莲花北路8848号",
    "19650718",
    "1965-07-18",
    "1965/07/18",
    "1965年7月18日",
)


def _dicom_series(folder: Path) -> Path:
    source = generate_ct_series(folder / "generated", slices=2, rows=16, cols=16)
    study = folder / f"{NAME}_CT"
    study.mkdir()
    for index, path in enumerate(source):
        dataset = pydicom.dcmread(path)
        dataset.SpecificCharacterSet = "GB18030"
        dataset.PatientName = f"OUYANG^ZHENHUA={FAMILY}^{GIVEN}"
        dataset.PatientID = MRN
        dataset.OtherPatientIDs = NATIONAL_ID
        dataset.PatientBirthDate = "19650718"
        dataset.PatientAddress = ADDRESS
        dataset.PatientTelephoneNumbers = PHONE
        dataset.StudyDescription = f"CT chest {NAME}"
        dataset.ImageComments = EVERYTHING
        dataset.save_as(study / f"{NAME}_{index}.dcm")
    return study


def _hits(root: Path) -> list[tuple[str, str]]:
    needles: list[tuple[str, bytes]] = []
    for form in FORMS:
        for encoding in ("utf-8", "gb18030"):
            needles.append((form, form.encode(encoding)))
        if form.isascii():
            needles.append((form, form.lower().encode()))
    found: list[tuple[str, str]] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        folded = data.lower()
        for form, needle in needles:
            if needle in data or (needle.isascii() and needle.lower() in folded):
                found.append((str(path.relative_to(root)), form))
    return sorted(set(found))


@pytest.fixture(scope="module")
def submitted(two_nodes: TwoNodes, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("leak-case")
    report = folder / f"{NAME}_病理报告.txt"
    report.write_text(f"病理报告\n{EVERYTHING}\n诊断：弥漫大B细胞淋巴瘤，非生发中心型。", encoding="utf-8")
    pdf = folder / f"{NAME}.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + EVERYTHING.encode("utf-8"))
    reference = create_case(
        two_nodes.gateway,
        reference="HZ-LEAK0001",
        patient=PATIENT,
        question=f"{NAME}（{MRN}）R-CHOP 6周期后部分缓解。{EVERYTHING}请问下一步？",
        summary={
            "diagnoses": [
                {"text": f"{NAME}：弥漫大B细胞淋巴瘤", "icd10": "C83.3", "icdo3": "9680/3", "date": "2026-03-02"}
            ],
            "stage": "Ann Arbor IIIB",
            "performance_status": {"scale": "ECOG", "value": 1},
            "treatment_lines": [
                {
                    "line": 1,
                    "regimen": "R-CHOP",
                    "start": "2026-03-10",
                    "end": "2026-07-01",
                    "cycles": 6,
                    "response": "PR",
                }
            ],
            "labs": [{"name": "LDH", "loinc": "2532-0", "value": "412", "unit": "U/L", "date": "2026-08-01"}],
            "pathology": f"{NAME}左颈部淋巴结活检：弥漫大B细胞淋巴瘤。",
            "ihc": "CD20+, CD10-, BCL6+, MUM1+, Ki-67 80%",
            "cytogenetics": f"送检者{LATIN}，FISH：MYC重排阴性。",
            "molecular": "MYD88 L265P 阳性。",
            "history": EVERYTHING,
        },
        attachments=[
            {"path": report, "kind": "text", "filename": report.name, "title": f"{NAME}的病理报告"},
            {"path": pdf, "kind": "pdf", "filename": pdf.name, "title": "出院小结"},
            {"path": _dicom_series(folder), "kind": "dicom", "filename": f"{NAME}_CT", "title": "CT"},
        ],
        submit=True,
    )
    state, error = wait_for_state(two_nodes.gateway, reference, {"submitted", "submission_failed"})
    assert state == "submitted", error
    return {"reference": reference}


HUB_ATTACHMENTS = """
import json
from huizhen.apps.consults.models import ConsultRequest
c = ConsultRequest.objects.get(reference={reference!r})
print(json.dumps(sorted(a.kind for a in c.attachments.all())))
"""


def test_the_case_arrived_with_its_de_identifiable_attachments(two_nodes: TwoNodes, submitted: dict[str, Any]) -> None:
    kinds = two_nodes.hub.json(HUB_ATTACHMENTS.format(reference=submitted["reference"]))

    assert kinds == ["dicom", "text"]


def test_the_identifiers_are_on_the_gateway(two_nodes: TwoNodes, submitted: dict[str, Any]) -> None:
    # The search works and the plants are there: the gateway holds the identified originals.
    forms = {form for _path, form in _hits(two_nodes.gateway.data_dir)}

    assert {NAME, MRN, NATIONAL_ID, PHONE, EMAIL, "OUYANG^ZHENHUA", "19650718"} <= forms


def test_no_identifier_is_anywhere_in_the_hubs_data_directory(two_nodes: TwoNodes, submitted: dict[str, Any]) -> None:
    assert _hits(two_nodes.hub.data_dir) == []
