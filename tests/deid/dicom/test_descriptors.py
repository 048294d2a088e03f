"""Clean Descriptors through the clinical text scrubber: deterministic, per-patient dates, VR lengths."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pydicom.data
import pytest
from pydicom.dataset import Dataset

from huizhen.deid.dicom.dataset import DeidContext, deidentify_dataset
from huizhen.deid.dicom.descriptors import MAX_LENGTH, DescriptorCleaner, fit_to_vr
from huizhen.deid.dicom.pipeline import deidentify_paths
from huizhen.deid.dicom.profile import Options
from huizhen.deid.dicom.vault import MemoryVault

KEY = b"descriptor-test-key-0123456789abcdef"


def test_the_cleaner_scrubs_names_and_numbers_and_keeps_clinical_words() -> None:
    cleaner = DescriptorCleaner()
    assert cleaner("胸部CT平扫 复查 患者张三 住院号ZY20230512") == "胸部CT平扫 复查 患者[姓名-1] 住院号[病案号-1]"
    assert cleaner("PET-CT after R-CHOP, Hodgkin lymphoma") == "PET-CT after R-CHOP, Hodgkin lymphoma"


def test_the_cleaner_is_a_pure_function_of_its_value() -> None:
    cleaner = DescriptorCleaner(date_shift_days=5)
    first = cleaner("Dr. Emily Carter 2023-03-05; Dr. John Smith")
    assert cleaner("Dr. John Smith only") == "Dr. [NAME-1] only"  # numbering restarts per value
    assert cleaner("Dr. Emily Carter 2023-03-05; Dr. John Smith") == first


def test_a_patients_cleaner_shifts_dates_or_tags_them() -> None:
    base = DescriptorCleaner()
    shifted = base.for_patient(date_shift_days=-3, shift_dates=True, keep_organizations=False)
    removed = base.for_patient(date_shift_days=0, shift_dates=False, keep_organizations=False)
    assert shifted("复查 2023-03-05") == "复查 2023-03-02"
    assert removed("复查 2023-03-05") == "复查 [日期-1]"


def test_hospitals_are_generalized_unless_institution_identity_is_retained() -> None:
    generalize = DescriptorCleaner().for_patient(date_shift_days=0, shift_dates=True, keep_organizations=False)
    keep = DescriptorCleaner().for_patient(date_shift_days=0, shift_dates=True, keep_organizations=True)
    assert generalize("外院 北京协和医院 CT") == "外院 [医院] CT"
    assert keep("外院 北京协和医院 CT") == "外院 北京协和医院 CT"


@pytest.mark.parametrize("vr", sorted(vr for vr, limit in MAX_LENGTH.items() if limit is not None))
def test_a_cleaned_value_fits_its_vr_in_utf8_bytes(vr: str) -> None:
    limit = MAX_LENGTH[vr]
    assert limit is not None
    value = "患者[姓名-1]复查" * (limit // 4)
    fitted = fit_to_vr(value, vr)
    assert len(fitted.encode("utf-8")) <= limit
    assert value.startswith(fitted)


def test_a_value_is_never_cut_inside_a_tag() -> None:
    assert fit_to_vr("CT chest [NAME-12]", "SH") == "CT chest"
    assert fit_to_vr("short", "SH") == "short"
    assert fit_to_vr("x" * 20_000, "UT") == "x" * 20_000


class FixedShiftVault(MemoryVault):
    """A vault whose every patient is shifted by ten days."""

    def date_shift_days(self, patient_key: str) -> int:
        return 10


def test_study_description_is_cleaned_with_the_patients_shift_not_removed() -> None:
    ds = Dataset()
    ds.PatientID = "P1"
    ds.PatientName = "ZHANG^SAN"
    ds.StudyDescription = "CT 复查 患者李四 2023-03-05"
    ds.SeriesDescription = "Axial 1.0mm"
    options = Options(text_cleaner=DescriptorCleaner())
    deidentify_dataset(ds, context=DeidContext(uid_key=KEY, vault=FixedShiftVault(), options=options))
    assert ds.StudyDescription == "CT 复查 患者[姓名-1] 2023-03-15"
    assert ds.SeriesDescription == "Axial 1.0mm"


def test_the_pipeline_cleans_descriptors_by_default(tmp_path: Path) -> None:
    source = tmp_path / "in.dcm"
    ds = pydicom.dcmread(Path(pydicom.data.__file__).parent / "test_files" / "CT_small.dcm")
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.StudyDescription = "CT chest 患者王五复查"
    ds.save_as(source)
    report = deidentify_paths([source], out_dir=tmp_path / "out", uid_key=KEY)
    assert report.count("deidentified") == 1
    written = pydicom.dcmread(next((tmp_path / "out").rglob("*.dcm")))
    assert written.StudyDescription == "CT chest 患者[姓名-1]复查"
