"""The known-identifier sweep: the patient's own identifiers are masked wherever kept text repeats them."""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from huizhen.deid.dicom import DeidContext, MemoryVault, Options, deidentify_dataset
from huizhen.deid.dicom.identifiers import collect, date_forms, name_forms

KEY = b"identifier-test-key-0123456789abc"
PROCEDURE_CODE_SEQUENCE = 0x00081032


def patient() -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.SOPInstanceUID = "1.2.3.4.5"
    ds.StudyInstanceUID = "1.2.3.4"
    ds.SeriesInstanceUID = "1.2.3.4.1"
    ds.Modality = "CT"
    ds.PatientName = "Li^Mingwei=李^明伟"
    ds.PatientID = "ZY13538101"
    ds.PatientBirthDate = "19860319"
    ds.AccessionNumber = "A2024031901"
    ds.PatientTelephoneNumbers = "+86-10-6512 3456"
    return ds


def test_a_chinese_given_name_alone_is_a_known_identifier() -> None:
    assert {"李明伟", "明伟", "Mingwei", "Li Mingwei", "Mingwei Li"} <= name_forms("Li^Mingwei=李^明伟")


def test_a_birth_date_is_known_in_its_written_forms() -> None:
    assert {"19860319", "1986-03-19", "1986年3月19日", "1986年03月19日", "19/03/1986"} <= date_forms("19860319")


def test_kept_text_mentioning_the_patient_is_masked_character_for_character() -> None:
    known = collect(patient())
    assert known.mask("胸部CT 李明伟 住院号ZY13538101") == "胸部CT *** 住院号**********"


def test_ascii_names_are_masked_as_whole_words_only() -> None:
    known = collect(patient())
    assert known.mask("Mingwei reviewed; Mingweiss unrelated") == "******* reviewed; Mingweiss unrelated"


def test_short_components_are_not_swept() -> None:
    known = collect(patient())
    assert "Li" not in known.needles
    assert known.mask("Clinical history") == "Clinical history"


def test_birth_date_and_phone_digits_are_masked_in_free_text() -> None:
    known = collect(patient())
    assert known.mask("生于1986年3月19日 电话 861065123456") == "生于********** 电话 ************"


def test_de_identified_dataset_keeps_no_identifier_inside_an_unlisted_kept_attribute() -> None:
    ds = patient()
    code = Dataset()
    code.CodeValue = "CT01"
    code.CodingSchemeDesignator = "DCM"  # a standard scheme: its meaning is kept, then swept
    code.CodeMeaning = "CT chest for 李明伟 ZY13538101"
    ds.add_new(PROCEDURE_CODE_SEQUENCE, "SQ", Sequence([code]))
    context = DeidContext(uid_key=KEY, vault=MemoryVault(), options=Options())
    deidentify_dataset(ds, context=context)
    assert ds.ProcedureCodeSequence[0].CodeMeaning == "CT chest for *** **********"
