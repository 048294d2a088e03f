"""The synthetic corpus really plants what it claims, the same way every time."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pydicom
import pytest

from huizhen.deid.dicom.synthetic import (
    CHARSETS,
    PLANTED_VRS,
    PlantedPHI,
    encode_ir58,
    generate_ct_series,
    generate_phi_corpus,
)
from huizhen.deid.dicom.table import ROWS


def _digest(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_same_seed_gives_byte_identical_corpus(tmp_path: Path) -> None:
    generate_phi_corpus(tmp_path / "a", seed=11, n_patients=2)
    generate_phi_corpus(tmp_path / "b", seed=11, n_patients=2)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_different_seed_gives_different_patients(tmp_path: Path) -> None:
    first = generate_phi_corpus(tmp_path / "a", seed=11, n_patients=2)
    second = generate_phi_corpus(tmp_path / "b", seed=12, n_patients=2)
    assert set(first.identifiers()) != set(second.identifiers())


def test_every_planted_value_is_in_its_file_as_planted(phi_corpus: tuple[Path, PlantedPHI]) -> None:
    root, planted = phi_corpus
    contents = {name: (root / name).read_bytes() for name in planted.files}
    in_headers = [plant for plant in planted.plants if plant.attribute != "<path>"]
    assert len(in_headers) > 1000
    assert [plant for plant in in_headers if plant.encoded not in contents[plant.file]] == []


def test_path_plants_are_in_the_file_names(phi_corpus: tuple[Path, PlantedPHI]) -> None:
    _, planted = phi_corpus
    in_paths = [plant for plant in planted.plants if plant.attribute == "<path>"]
    assert in_paths
    assert all(plant.value in plant.file for plant in in_paths)


def test_leak_search_finds_every_identifier_in_the_untouched_corpus(phi_corpus: tuple[Path, PlantedPHI]) -> None:
    """A copy of the input leaks everything: the leak test of the engine cannot pass vacuously."""
    root, planted = phi_corpus
    leaked = {leak.value for leak in planted.leaks(root)}
    assert leaked == set(planted.identifiers())


def test_every_text_attribute_of_the_profile_table_is_planted(phi_corpus: tuple[Path, PlantedPHI]) -> None:
    root, planted = phi_corpus
    ds = pydicom.dcmread(root / planted.files[0])
    expected = {
        tag
        for tag in ROWS
        if tag >> 16 != 0x0002
        and tag != 0x00080005
        and pydicom.datadict.dictionary_has_tag(tag)
        and pydicom.datadict.dictionary_VR(tag) in PLANTED_VRS
    }
    assert len(expected) > 250
    assert sorted(tag for tag in expected if tag not in ds) == []


def test_identifiers_are_planted_at_top_level_and_two_sequences_deep(phi_corpus: tuple[Path, PlantedPHI]) -> None:
    _, planted = phi_corpus
    depths = {plant.path.count("[") for plant in planted.plants if plant.attribute != "<path>"}
    assert {0, 1, 2} <= depths


def test_private_blocks_carry_the_patient_name(phi_corpus: tuple[Path, PlantedPHI]) -> None:
    root, planted = phi_corpus
    ds = pydicom.dcmread(root / planted.files[0])
    creators = {elem.value for elem in ds if elem.tag.is_private_creator}
    assert {"GEMS_IDEN_01", "SIEMENS CSA HEADER", "NEUSOFT_PACS", "Philips MR Imaging DD 001"} <= creators
    name = str(ds.PatientName).split("=")[1].replace("^", "")
    assert name in ds.private_block(0x0017, "NEUSOFT_PACS")[0x10].value


def test_each_patient_uses_one_of_the_chinese_character_sets(phi_corpus: tuple[Path, PlantedPHI]) -> None:
    root, planted = phi_corpus
    seen = set()
    for name in planted.files:
        value = pydicom.dcmread(root / name, stop_before_pixels=True).SpecificCharacterSet
        seen.add(tuple(value) if isinstance(value, pydicom.multival.MultiValue) else (value,))
    assert seen == set(CHARSETS)


@pytest.mark.parametrize("charset", CHARSETS, ids=lambda charset: charset[-1])
def test_planted_chinese_name_decodes_with_pydicom(
    phi_corpus: tuple[Path, PlantedPHI], charset: tuple[str, ...]
) -> None:
    root, planted = phi_corpus
    plant = next(
        plant for plant in planted.plants if plant.attribute == "PatientName" and plant.charset == "\\".join(charset)
    )
    ds = pydicom.dcmread(root / plant.file, stop_before_pixels=True)
    ideographic = plant.value.split("=")[1]
    family, given = ideographic.split("^")
    decoded = str(ds.PatientName)
    # pydicom 3.0.2 keeps the ESC $ ) A designations of ISO 2022 IR 58 in the decoded text;
    # the characters themselves decode correctly.
    assert family in decoded
    assert given in decoded


def test_iso_2022_ir_58_repeats_the_designation_after_each_delimiter() -> None:
    assert encode_ir58("WANG^XIAODONG=王^小东") == b"WANG^XIAODONG=\x1b$)A\xcd\xf5^\x1b$)A\xd0\xa1\xb6\xab"


def test_compressed_objects_keep_their_transfer_syntax(phi_corpus: tuple[Path, PlantedPHI]) -> None:
    root, planted = phi_corpus
    syntaxes = {
        pydicom.dcmread(root / name, stop_before_pixels=True).file_meta.TransferSyntaxUID for name in planted.files
    }
    assert {pydicom.uid.RLELossless, pydicom.uid.JPEGBaseline8Bit} <= syntaxes


def test_modalities_include_the_burned_in_kinds(phi_corpus: tuple[Path, PlantedPHI]) -> None:
    root, planted = phi_corpus
    kinds = set()
    for name in planted.files:
        ds = pydicom.dcmread(root / name, stop_before_pixels=True)
        kinds.add((ds.Modality, ds.get("BurnedInAnnotation")))
    assert {("CT", "NO"), ("US", "NO"), ("SC", None), ("DX", "YES"), ("DX", None), ("DX", "NO")} <= kinds


def test_ct_series_has_the_requested_slices_and_size(ct_series_small: list[Path]) -> None:
    assert len(ct_series_small) == 8
    ds = pydicom.dcmread(ct_series_small[3])
    assert (ds.Rows, ds.Columns, ds.BitsAllocated, ds.PhotometricInterpretation) == (64, 64, 16, "MONOCHROME2")
    assert len(ds.PixelData) == 64 * 64 * 2
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert float(ds.SliceLocation) == float(ds.ImagePositionPatient[2])


def test_ct_slices_are_at_distinct_positions_in_one_frame_of_reference(ct_series_small: list[Path]) -> None:
    headers = [pydicom.dcmread(path, stop_before_pixels=True) for path in ct_series_small]
    assert len({ds.FrameOfReferenceUID for ds in headers}) == 1
    assert len({float(ds.SliceLocation) for ds in headers}) == 8
    assert len({ds.SOPInstanceUID for ds in headers}) == 8


def test_full_size_ct_slice_is_about_half_a_megabyte(tmp_path: Path) -> None:
    (path,) = generate_ct_series(tmp_path, slices=1)
    assert 524_288 < path.stat().st_size < 530_000


def test_same_seed_gives_byte_identical_ct_series(tmp_path: Path) -> None:
    generate_ct_series(tmp_path / "a", slices=3, rows=32, cols=32, seed=9)
    generate_ct_series(tmp_path / "b", slices=3, rows=32, cols=32, seed=9)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_ct_files_pass_dciodvfy_without_errors(ct_series_small: list[Path]) -> None:
    import shutil
    import subprocess

    if shutil.which("dciodvfy") is None:
        pytest.skip("dciodvfy (dicom3tools) is not installed")
    result = subprocess.run(["dciodvfy", str(ct_series_small[0])], capture_output=True, text=True, check=False)
    errors = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("Error")]
    assert errors == []
