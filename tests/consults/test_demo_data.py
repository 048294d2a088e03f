"""The shipped demo bundles: valid FHIR R4, coded with codes the translation tables know, in Chinese."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from huizhen.apps.consults import demo_data
from huizhen.translate import coded_label

BUNDLES = sorted(Path(demo_data.__file__).parent.glob("*.json"))
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICDO3 = "http://terminology.hl7.org/CodeSystem/icd-o-3"


def _resources(path: Path, kind: str) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [entry["resource"] for entry in data["entry"] if entry["resource"]["resourceType"] == kind]


def test_there_are_three_demo_cases() -> None:
    assert [path.stem for path in BUNDLES] == ["aml_flt3_itd", "dlbcl", "multiple_myeloma"]


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.stem)
def test_each_bundle_validates_as_fhir_r4(path: Path) -> None:
    Bundle.model_validate_json(path.read_bytes())


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.stem)
def test_each_diagnosis_has_icd10_and_icdo3_codes_with_labels_in_both_languages(path: Path) -> None:
    (condition,) = _resources(path, "Condition")
    codings = {coding["system"]: coding["code"] for coding in condition["code"]["coding"]}
    for system, table in ((ICD10, "ICD-10"), (ICDO3, "ICD-O-3")):
        assert coded_label(table, codings[system], lang="zh")
        assert coded_label(table, codings[system], lang="en")


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.stem)
def test_each_lab_is_coded_with_loinc_and_valued_in_ucum(path: Path) -> None:
    labs = [obs for obs in _resources(path, "Observation") if "valueQuantity" in obs]
    assert len(labs) >= 5
    for obs in labs:
        assert obs["code"]["coding"][0]["system"] == "http://loinc.org"
        assert obs["valueQuantity"]["system"] == "http://unitsofmeasure.org"
        assert obs["valueQuantity"]["code"]


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.stem)
def test_each_case_has_reports_regimens_and_a_chinese_text_document(path: Path) -> None:
    assert len(_resources(path, "DiagnosticReport")) >= 4
    assert _resources(path, "MedicationStatement")
    (document,) = _resources(path, "DocumentReference")
    text = base64.b64decode(document["content"][0]["attachment"]["data"]).decode("utf-8")
    assert "诊断" in text or "病历" in text


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.stem)
def test_the_narrative_repeats_the_patients_identifiers_so_deidentification_has_work(path: Path) -> None:
    (patient,) = _resources(path, "Patient")
    (document,) = _resources(path, "DocumentReference")
    text = base64.b64decode(document["content"][0]["attachment"]["data"]).decode("utf-8")
    assert patient["name"][0]["text"] in text
    assert patient["identifier"][0]["value"] in text


def test_the_three_cases_are_the_issues_diseases() -> None:
    codes = {path.stem: _resources(path, "Condition")[0]["code"]["coding"][0]["code"] for path in BUNDLES}
    assert codes == {"dlbcl": "C83.3", "aml_flt3_itd": "C92.0", "multiple_myeloma": "C90.0"}
