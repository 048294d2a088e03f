"""deidentify_dataset against DICOM PS3.15 Table E.1-1, row by row, and its marks and policies.

The conformance tests read the standard's table from the committed JSON (not from the
generated table.py), plant a value of the attribute's VR at the top level and two sequence
levels down, de-identify, write and re-read the object with pydicom, and check that what a
receiver sees matches the action.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

from huizhen.deid.dicom import DeidContext, MemoryVault, Options, deidentify_dataset, uid_for
from huizhen.deid.dicom.dataset import row_for

TABLE_JSON = Path(__file__).parents[3] / "src/huizhen/deid/dicom/data/confidentiality_profile_attributes.json"
KEY = b"test-node-secret-0123456789abcdef"
CONTAINER = 0x00400260  # Performed Protocol Code Sequence: not in Table E.1-1, so its items are walked
SURROGATE_TAGS = {0x00100020, 0x00100010, 0x00080050, 0x00101000}  # patient ID, name, accession, other IDs
PLANTED_TEXT = "Planted 王小明 MRN12345"

PLANT: dict[str, Any] = {
    "AE": "PLANTEDAE",
    "AS": "042Y",
    "CS": "PLANTED",
    "DA": "20200115",
    "DT": "20200115123000",
    "TM": "123000",
    "DS": "1.5",
    "IS": "7",
    "LO": PLANTED_TEXT,
    "SH": "PLANTED SH",
    "ST": PLANTED_TEXT,
    "LT": PLANTED_TEXT,
    "UT": PLANTED_TEXT,
    "UC": PLANTED_TEXT,
    "PN": "Wang^Xiaoming",
    "UI": "1.2.826.0.1.3680043.99.12345",
    "UR": "http://planted.example/x",
    "US": 7,
    "OB": b"PLNT",
    "UN": b"PLNT",
}

OPTION_COLUMNS = {
    "retain-safe-private": "rtnSafePrivOpt",
    "retain-uids": "rtnUIDsOpt",
    "retain-device-identity": "rtnDevIdOpt",
    "retain-institution-identity": "rtnInstIdOpt",
    "retain-patient-characteristics": "rtnPatCharsOpt",
    "retain-longitudinal-full-dates": "rtnLongFullDatesOpt",
    "retain-longitudinal-modified-dates": "rtnLongModifDatesOpt",
    "clean-descriptors": "cleanDescOpt",
    "clean-structured-content": "cleanStructContOpt",
    "clean-graphics": "cleanGraphOpt",
}


def table_rows() -> Iterator[tuple[int, dict[str, str]]]:
    """(tag, row) for every row of the table; masked rows get a concrete group."""
    for row in json.loads(TABLE_JSON.read_text()):
        text = row["tag"]
        if "G" in text or text.startswith(("(0000,", "(0002,")):
            continue  # private attributes, command and file meta groups: tested separately
        concrete = text.replace("XX,XXXX", "00,3000").replace("XX", "02")
        yield int(concrete[1:5] + concrete[6:10], 16), row


ROWS = list(table_rows())


def vr_of(tag: int) -> str:
    if tag == 0x50003000:
        return "OB"  # Curve Data: "OB or OW"
    return dictionary_VR(tag).split(" or ")[0]


def planted_dataset(tag: int) -> Dataset:
    vr = vr_of(tag)
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.Modality = "CT"
    if vr == "SQ":
        item = Dataset()
        item.PatientName = "Wang^Xiaoming"
        item.CodeValue = "PLANTED"
        ds.add_new(tag, "SQ", Sequence([item]))
    else:
        ds.add_new(tag, vr, PLANT[vr])
    # The same element two levels down, inside an attribute the table does not list.
    inner = Dataset()
    inner.add(copy.deepcopy(ds[tag]))
    middle = Dataset()
    middle.add_new(CONTAINER, "SQ", Sequence([inner]))
    ds.add_new(CONTAINER, "SQ", Sequence([middle]))
    return ds


def round_trip(ds: Dataset) -> Dataset:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=False, implicit_vr=False, little_endian=True)
    return pydicom.dcmread(io.BytesIO(buffer.getvalue()), force=True)


def resolve(row: dict[str, str], options: list[str]) -> str:
    """The action the standard asks for: the chosen options' columns, then the Basic Profile."""
    precedence = [
        "retain-uids",
        "retain-device-identity",
        "retain-institution-identity",
        "retain-patient-characteristics",
        "retain-longitudinal-full-dates",
        "retain-safe-private",
        "retain-longitudinal-modified-dates",
        "clean-descriptors",
        "clean-structured-content",
        "clean-graphics",
    ]
    for name in precedence:
        if name in options and OPTION_COLUMNS[name] in row:
            return row[OPTION_COLUMNS[name]]
    return row["basicProfile"]


def check(element: Any, *, tag: int, action: str, row: dict[str, str], options: list[str], shift: int) -> None:
    vr = vr_of(tag)
    planted = PLANT.get(vr)
    if action == "C":
        if vr in ("DA", "DT"):
            assert element is not None
            moved = dt.datetime.strptime(str(element.value)[:8], "%Y%m%d").date()
            assert moved - dt.date(2020, 1, 15) == dt.timedelta(days=shift)
            return
        if vr == "TM":
            assert element is not None
            assert element.value == planted
            return
        if vr == "SQ":
            assert element is not None
            assert all(str(item.get("PatientName", "")) == "" for item in element.value)
            return
        if vr in ("LO", "SH", "ST", "LT", "UT", "UC", "AE", "CS"):
            assert element is not None
            assert element.value == "[CLEANED]"
            return
        action = row["basicProfile"]  # nothing cleans it: the Basic Profile's action applies
    action = {"X/Z": "Z", "X/D": "D", "X/Z/D": "D", "Z/D": "D", "X/Z/U*": "U"}.get(action, action)
    if action == "X":
        assert element is None
        return
    assert element is not None
    value = element.value
    if action == "K":
        if vr == "SQ":
            assert len(value) == 1
        else:
            assert value == planted
    elif action == "Z":
        if vr == "SQ":
            assert len(value) == 0
        else:
            assert value in ("", None, b"")
    elif action in ("D", "U"):
        if vr == "SQ":
            assert all(str(item.get("PatientName", "")) == "" for item in value)
        elif vr == "UI":
            assert value == uid_for(planted, key=KEY)
        else:
            assert value not in ("", None, b"")
            assert value != planted


CASES = [
    pytest.param(tag, row, options, id=f"{row['tag']}-{'+'.join(options) or 'basic'}")
    for options in [
        ["retain-longitudinal-modified-dates", "retain-patient-characteristics", "clean-descriptors"],
        [],
        *[[name] for name in OPTION_COLUMNS if name != "retain-safe-private"],
    ]
    for tag, row in ROWS
    if not options or row["basicProfile"] != resolve(row, options) or options[0] == "retain-longitudinal-modified-dates"
]


@pytest.mark.parametrize(("tag", "row", "options"), CASES)
def test_every_table_attribute_gets_its_action_at_top_level_and_in_nested_items(
    tag: int, row: dict[str, str], options: list[str]
) -> None:
    chosen = Options.from_names(["basic", *options])
    chosen = Options(
        **{**{f: getattr(chosen, f) for f in chosen.__dataclass_fields__ if f != "text_cleaner"}},
        text_cleaner=lambda text: "[CLEANED]",
    )
    vault = MemoryVault()
    ds = planted_dataset(tag)
    deidentify_dataset(ds, context=DeidContext(uid_key=KEY, vault=vault, options=chosen))
    out = round_trip(ds)
    action = resolve(row, options)
    shift = vault.date_shift_days("name:^")  # the planted object has no patient ID, name or birth date
    if tag in SURROGATE_TAGS:
        value = str(out[tag].value) if tag in out else ""
        assert value.startswith("HZ") or value == ""
        assert "Xiaoming" not in value
    else:
        check(out.get(tag), tag=tag, action=action, row=row, options=options, shift=shift)
    nested = out[CONTAINER].value[0][CONTAINER].value[0]
    if tag in SURROGATE_TAGS or tag == 0x00080005:
        return
    check(nested.get(tag), tag=tag, action=action, row=row, options=options, shift=shift)


def test_the_conformance_table_covers_every_row_of_the_standard() -> None:
    assert len(ROWS) == 620 - 3  # less (0000,1000), (0000,1001), (0002,0003)
    assert all(row_for(tag) is not None for tag, _row in ROWS)


def context(**options: Any) -> DeidContext:
    return DeidContext(uid_key=KEY, vault=MemoryVault(), options=Options(**options))


def test_private_attributes_and_their_creators_are_removed_by_default() -> None:
    ds = pydicom.dcmread(get_testdata_file("nested_priv_SQ.dcm"))
    deidentify_dataset(ds, context=context())
    assert not any(element.tag.is_private for element in ds.iterall())


def test_allowlisted_safe_private_attributes_are_kept_with_their_creator() -> None:
    ds = Dataset()
    block = ds.private_block(0x0009, "ACME 1.1", create=True)
    block.add_new(0x10, "DS", "2.5")
    block.add_new(0x11, "LO", "Wang Xiaoming")
    options = {"retain_safe_private": True, "safe_private": frozenset({("ACME 1.1", 0x0009, 0x10)})}
    deidentify_dataset(ds, context=context(**options))
    assert ds[0x00091010].value == "2.5"
    assert 0x00091011 not in ds
    assert ds[0x00090010].value == "ACME 1.1"


def test_allowlist_has_no_effect_without_retain_safe_private() -> None:
    ds = Dataset()
    ds.private_block(0x0009, "ACME 1.1", create=True).add_new(0x10, "DS", "2.5")
    deidentify_dataset(ds, context=context(safe_private=frozenset({("ACME 1.1", 0x0009, 0x10)})))
    assert len(ds.group_dataset(0x0009)) == 0


def test_unlisted_person_names_are_emptied_anywhere() -> None:
    ds = Dataset()
    item = Dataset()
    item.add_new(0x00142006, "PN", "Zhang^San")  # Evaluator Name: not in Table E.1-1
    ds.add_new(0x00140104, "PN", "Li^Lei")  # Secondary Reviewer Name: not in Table E.1-1
    ds.add_new(CONTAINER, "SQ", Sequence([item]))
    deidentify_dataset(ds, context=context())
    assert ds[0x00140104].value == ""
    assert ds[CONTAINER].value[0][0x00142006].value == ""


def test_unlisted_uids_are_remapped_but_registry_uids_are_kept() -> None:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.add_new(0x00081150, "UI", "1.2.840.10008.5.1.4.1.1.4")  # Referenced SOP Class UID
    ds.add_new(0x0040A124, "UI", "1.2.3.4.99")  # UID (content item)
    deidentify_dataset(ds, context=context())
    assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
    assert ds[0x00081150].value == "1.2.840.10008.5.1.4.1.1.4"
    assert ds[0x0040A124].value == uid_for("1.2.3.4.99", key=KEY)


def test_file_meta_media_storage_sop_instance_uid_follows_the_new_sop_instance_uid() -> None:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    outcome = deidentify_dataset(ds, context=context())
    assert ds.file_meta.MediaStorageSOPInstanceUID == outcome.sop_instance_uid == ds.SOPInstanceUID
    assert outcome.sop_instance_uid.startswith("2.25.")


def test_separately_passed_file_meta_is_de_identified() -> None:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    meta = ds.file_meta
    del ds.file_meta
    meta.SourceApplicationEntityTitle = "HOSPITAL_PACS"
    outcome = deidentify_dataset(ds, context=context(), file_meta=meta)
    assert meta.MediaStorageSOPInstanceUID == outcome.sop_instance_uid
    assert "SourceApplicationEntityTitle" not in meta


def test_pixel_data_is_left_untouched() -> None:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    before = ds.PixelData
    deidentify_dataset(ds, context=context())
    assert ds.PixelData == before


def test_header_only_dataset_is_accepted() -> None:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"), stop_before_pixels=True)
    outcome = deidentify_dataset(ds, context=context())
    assert outcome.quarantine_reason is None
    assert "PixelData" not in ds


def test_object_is_marked_as_de_identified_with_the_option_codes() -> None:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    deidentify_dataset(ds, context=context())
    codes = [item.CodeValue for item in ds.DeidentificationMethodCodeSequence]
    assert ds.PatientIdentityRemoved == "YES"
    assert codes == ["113100", "113101", "113105", "113107", "113108"]
    assert all(item.CodingSchemeDesignator == "DCM" for item in ds.DeidentificationMethodCodeSequence)
    assert all(len(value) <= 64 for value in ds.DeidentificationMethod)
    assert ds.LongitudinalTemporalInformationModified == "MODIFIED"


def test_method_codes_follow_the_chosen_options() -> None:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    options = Options.from_names(["basic", "retain-device-identity", "retain-uids"])
    deidentify_dataset(ds, context=DeidContext(uid_key=KEY, vault=MemoryVault(), options=options))
    assert [item.CodeValue for item in ds.DeidentificationMethodCodeSequence] == ["113100", "113109", "113110"]
    assert ds.LongitudinalTemporalInformationModified == "REMOVED"


def test_patient_id_and_name_become_the_same_random_surrogate() -> None:
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    deidentify_dataset(ds, context=context())
    assert ds.PatientID.startswith("HZ")
    assert str(ds.PatientName) == ds.PatientID


def test_descriptions_are_removed_without_a_text_cleaner_and_cleaned_with_one() -> None:
    removed = Dataset()
    removed.StudyDescription = "CT head for Wang Xiaoming"
    deidentify_dataset(removed, context=context())
    cleaned = Dataset()
    cleaned.StudyDescription = "CT head for Wang Xiaoming"
    deidentify_dataset(cleaned, context=context(text_cleaner=lambda text: text.replace("Wang Xiaoming", "[NAME]")))
    assert "StudyDescription" not in removed
    assert cleaned.StudyDescription == "CT head for [NAME]"


@pytest.mark.parametrize(
    ("modality", "sop_class", "burned_in", "held"),
    [
        ("CT", "1.2.840.10008.5.1.4.1.1.2", "YES", True),
        ("CT", "1.2.840.10008.5.1.4.1.1.2", None, False),
        ("US", "1.2.840.10008.5.1.4.1.1.6.1", "NO", True),
        ("OT", "1.2.840.10008.5.1.4.1.1.7", None, True),
        ("DX", "1.2.840.10008.5.1.4.1.1.1.1", None, True),
        ("DX", "1.2.840.10008.5.1.4.1.1.1.1", "NO", False),
        ("OT", "1.2.840.10008.5.1.4.1.1.104.1", None, True),
    ],
)
def test_objects_likely_to_carry_burned_in_text_are_held(
    modality: str, sop_class: str, burned_in: str | None, held: bool
) -> None:
    ds = Dataset()
    ds.Modality = modality
    ds.SOPClassUID = sop_class
    if burned_in is not None:
        ds.BurnedInAnnotation = burned_in
    outcome = deidentify_dataset(ds, context=context())
    assert (outcome.quarantine_reason is not None) == held


def test_without_the_hold_only_encapsulated_documents_are_held() -> None:
    image = Dataset()
    image.Modality = "US"
    image.BurnedInAnnotation = "YES"
    pdf = Dataset()
    pdf.SOPClassUID = "1.2.840.10008.5.1.4.1.1.104.1"
    assert deidentify_dataset(image, context=context(clean_pixel_data_hold=False)).quarantine_reason is None
    assert deidentify_dataset(pdf, context=context(clean_pixel_data_hold=False)).quarantine_reason is not None


def study(patient_id: str, study_uid: str, study_date: str) -> Dataset:
    ds = Dataset()
    ds.PatientID = patient_id
    ds.PatientName = "Wang^Xiaoming"
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = study_uid + ".1"
    ds.SOPInstanceUID = study_uid + ".1.1"
    ds.StudyDate = study_date
    ds.Modality = "CT"
    return ds


def test_two_studies_of_one_patient_share_patient_surrogate_and_date_shift() -> None:
    ctx = context()
    first, second = study("MRN1", "1.2.3.1", "20200101"), study("MRN1", "1.2.3.2", "20200111")
    deidentify_dataset(first, context=ctx)
    deidentify_dataset(second, context=ctx)
    interval = dt.datetime.strptime(second.StudyDate, "%Y%m%d") - dt.datetime.strptime(first.StudyDate, "%Y%m%d")
    assert first.PatientID == second.PatientID
    assert interval == dt.timedelta(days=10)
    assert first.StudyDate != "20200101"


def test_different_patients_get_different_surrogates_and_independent_shifts() -> None:
    ctx = context()
    shifts = set()
    ids = set()
    for number in range(8):
        ds = study(f"MRN{number}", f"1.2.3.{number}", "20200101")
        deidentify_dataset(ds, context=ctx)
        ids.add(ds.PatientID)
        shifts.add(ds.StudyDate)
    assert len(ids) == 8
    assert len(shifts) > 1


def test_uids_are_consistent_across_studies_and_references() -> None:
    image = study("MRN1", "1.2.3.1", "20200101")
    report = study("MRN1", "1.2.3.9", "20200102")
    reference = Dataset()
    reference.ReferencedSOPInstanceUID = "1.2.3.1.1.1"
    report.ReferencedImageSequence = Sequence([reference])
    ctx = context()
    deidentify_dataset(image, context=ctx)
    deidentify_dataset(report, context=ctx)
    assert report.ReferencedImageSequence[0].ReferencedSOPInstanceUID == image.SOPInstanceUID


def test_command_and_file_meta_elements_in_the_body_are_removed() -> None:
    ds = Dataset()
    ds.add_new(0x00001001, "UI", "1.2.3.4")  # Requested SOP Instance UID: a DIMSE command field
    ds.add_new(0x00020003, "UI", "1.2.3.4")  # Media Storage SOP Instance UID belongs in the file meta
    deidentify_dataset(ds, context=context())
    assert 0x00001001 not in ds
    assert 0x00020003 not in ds


def deidentified_item(item: Dataset, *, options: Options | None = None) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.Modality = "CT"
    ds.add_new(CONTAINER, "SQ", Sequence([item]))
    context = DeidContext(uid_key=KEY, vault=MemoryVault(), options=options or Options())
    deidentify_dataset(ds, context=context)
    return round_trip(ds)[CONTAINER].value[0]


def local_code(designator: str) -> Dataset:
    code = Dataset()
    code.CodeValue = "HZ-CT01"
    code.CodingSchemeDesignator = designator
    code.CodeMeaning = "胸部CT 主任医师张伟"
    return code


@pytest.mark.parametrize("designator", ["99HZ", "L", "HZRIS"])
def test_code_meaning_of_a_local_coding_scheme_is_replaced_and_stays_present(designator: str) -> None:
    item = deidentified_item(local_code(designator))
    assert item.CodeMeaning == "ANONYMIZED"
    assert item.CodeValue == "HZ-CT01"


def test_code_meaning_of_a_local_coding_scheme_goes_through_the_text_cleaner() -> None:
    options = Options(text_cleaner=lambda text: text.replace("主任医师张伟", "[NAME]"))
    assert deidentified_item(local_code("99HZ"), options=options).CodeMeaning == "胸部CT [NAME]"


def test_code_meaning_of_a_standard_coding_scheme_is_kept() -> None:
    code = Dataset()
    code.CodeValue = "113100"
    code.CodingSchemeDesignator = "DCM"
    code.CodeMeaning = "Basic Application Confidentiality Profile"
    assert deidentified_item(code).CodeMeaning == "Basic Application Confidentiality Profile"


def test_sr_text_value_gets_a_dummy_instead_of_an_empty_value() -> None:
    item = Dataset()
    item.ValueType = "TEXT"
    item.TextValue = "患者李明伟，右肺结节"
    assert deidentified_item(item).TextValue == "ANONYMIZED"


def test_emptied_universal_entity_id_leaves_a_valid_hierarchic_designator() -> None:
    issuer = Dataset()
    issuer.LocalNamespaceEntityID = "北京协和医院放射科"
    issuer.UniversalEntityID = "2.16.840.1.113883.3.1234"
    issuer.UniversalEntityIDType = "ISO"
    item = deidentified_item(issuer)
    assert item.LocalNamespaceEntityID == "ANONYMIZED"
    assert "UniversalEntityID" not in item
    assert "UniversalEntityIDType" not in item


def test_ethics_committee_name_goes_with_its_removed_approval_number() -> None:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.Modality = "CT"
    ds.ClinicalTrialProtocolEthicsCommitteeName = "协和伦理委员会"
    ds.ClinicalTrialProtocolEthicsCommitteeApprovalNumber = "EC-2024-001"
    deidentify_dataset(ds, context=DeidContext(uid_key=KEY, vault=MemoryVault(), options=Options()))
    assert "ClinicalTrialProtocolEthicsCommitteeApprovalNumber" not in ds
    assert "ClinicalTrialProtocolEthicsCommitteeName" not in ds


def test_waveform_annotation_text_gets_a_dummy_instead_of_an_empty_value() -> None:
    item = Dataset()
    item.UnformattedTextValue = "ECG of 李明伟"
    assert deidentified_item(item).UnformattedTextValue == "ANONYMIZED"
