"""The streaming rewriter: raw pixel copy, byte-identical kept attributes, fresh file meta."""

from __future__ import annotations

import struct
from pathlib import Path

import pydicom
import pydicom.data
import pytest
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import DeflatedExplicitVRLittleEndian

from huizhen.deid.dicom import DatasetOutcome, DeidContext, MemoryVault, Options
from huizhen.deid.dicom.rewriter import (
    HEADER_ONLY_IMAGE,
    IMPLEMENTATION_CLASS_UID,
    RejectedFile,
    context_deidentifier,
    prepare_file,
    rewrite_file,
)

KEY = b"rewriter-test-key-0123456789abcdef"

# Native, big endian, implicit VR and compressed (JPEG baseline, JPEG 2000, RLE, JPEG-LS) samples.
PIXEL_SAMPLES = [
    "CT_small.dcm",
    "MR_small.dcm",
    "MR_small_implicit.dcm",
    "MR_small_bigendian.dcm",
    "JPEG-lossy.dcm",
    "JPEG2000.dcm",
    "MR_small_RLE.dcm",
    "MR_small_jpeg_ls_lossless.dcm",
    "SC_rgb_jpeg_dcmtk.dcm",
    "liver_1frame.dcm",
    "rtdose_rle.dcm",
    "SC_rgb_rle_2frame.dcm",
]


DATA = Path(pydicom.data.__file__).parent


def sample(name: str) -> Path:
    """A sample file shipped inside pydicom (never one it would download)."""
    for folder in ("test_files", "charset_files"):
        if (DATA / folder / name).is_file():
            return DATA / folder / name
    pytest.skip(f"pydicom sample {name} not shipped")


def deidentifier() -> object:
    return context_deidentifier(DeidContext(uid_key=KEY, vault=MemoryVault(), options=Options()))


def keep_everything(ds: Dataset, meta: FileMetaDataset) -> DatasetOutcome:
    """A de-identifier that changes nothing: isolates the rewriter's own encoding."""
    return DatasetOutcome(None, str(ds.StudyInstanceUID), str(ds.SeriesInstanceUID), str(ds.SOPInstanceUID))


def pixel_element_bytes(path: Path) -> bytes:
    """The encoded Pixel Data value exactly as stored in the file (no decoding)."""
    ds = pydicom.dcmread(path, force=True)
    return bytes(ds.PixelData)


@pytest.mark.parametrize("name", PIXEL_SAMPLES)
def test_pixel_data_is_byte_identical_and_not_decompressed(name: str, tmp_path: Path) -> None:
    source = sample(name)
    target = tmp_path / "out.dcm"
    rewrite_file(source, target, deidentify=deidentifier())  # type: ignore[arg-type]
    before = pydicom.dcmread(source, force=True)
    after = pydicom.dcmread(target)
    if "TransferSyntaxUID" in before.file_meta:
        assert after.file_meta.TransferSyntaxUID == before.file_meta.TransferSyntaxUID
    assert pixel_element_bytes(target) == pixel_element_bytes(source)
    # The very bytes of the source's pixel value appear verbatim in the output file.
    assert bytes(before.PixelData)[:4096] in target.read_bytes()


def test_fast_path_copies_pixels_without_building_them_in_python(tmp_path: Path) -> None:
    prepared = prepare_file(sample("CT_small.dcm"), deidentify=deidentifier())  # type: ignore[arg-type]
    assert prepared.fast_path
    assert prepared.pixel_end - prepared.pixel_start >= 128 * 128 * 2
    assert len(prepared.head) < 8000


@pytest.mark.parametrize(
    "name",
    [
        "CT_small.dcm",
        "MR_small.dcm",
        "MR_small_implicit.dcm",
        "MR_small_bigendian.dcm",
        "ExplVR_BigEndNoMeta.dcm",
        "ExplVR_LitEndNoMeta.dcm",
        "JPEG2000.dcm",
        "rtplan.dcm",
        "rtstruct.dcm",
        "test-SR.dcm",
        "waveform_ecg.dcm",
        "examples_overlay.dcm",
        "image_dfl.dcm",
        "nested_priv_SQ.dcm",
        "reportsi.dcm",
        "chrX1.dcm",
        "chrH31.dcm",
        "chrRuss.dcm",
        "chrSQEncoding.dcm",
    ],
)
def test_rewriter_encoding_reads_back_like_pydicom_reads_the_source(name: str, tmp_path: Path) -> None:
    """With a no-op de-identifier, pydicom reads the same elements and values back."""
    source = sample(name)
    before = pydicom.dcmread(source, force=True)
    if "SOPInstanceUID" not in before or "StudyInstanceUID" not in before or "SeriesInstanceUID" not in before:
        for keyword in ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"):
            if keyword not in before:
                setattr(before, keyword, "1.2.3.4")
        if "SOPClassUID" not in before or "PixelData" not in before:
            before.SOPClassUID = "1.2.840.10008.5.1.4.1.1.88.11"  # Basic Text SR: no pixels expected
        source = tmp_path / "completed.dcm"
        before.save_as(source)
        before = pydicom.dcmread(source, force=True)
    target = tmp_path / "out.dcm"
    rewrite_file(source, target, deidentify=keep_everything)
    after = pydicom.dcmread(target)
    expected = {tag for tag in list(before.keys()) if tag.group > 2 and not (tag.element == 0 and tag.group > 6)}
    assert set(after.keys()) == expected
    for tag in sorted(expected):
        if tag == 0x00080005:
            continue
        assert after[tag].value == before[tag].value, f"{tag} differs"


def test_attributes_the_profile_keeps_are_byte_identical(tmp_path: Path) -> None:
    source = sample("CT_small.dcm")
    target = tmp_path / "out.dcm"
    rewrite_file(source, target, deidentify=deidentifier())  # type: ignore[arg-type]
    before = pydicom.dcmread(source, stop_before_pixels=True)
    after = pydicom.dcmread(target, stop_before_pixels=True)
    kept = 0
    for tag in list(after.keys()):
        raw_after = after.get_item(tag)
        raw_before = before.get_item(tag) if tag in before else None
        if not isinstance(raw_after, RawDataElement) or not isinstance(raw_before, RawDataElement):
            continue
        if tag == 0x00080005 or after[tag].value != before[tag].value:
            continue
        kept += 1
        assert raw_after.value == raw_before.value, f"{tag} re-encoded"
    assert kept > 30  # Rows, Columns, Image Position, Window, Rescale, KVP, ...


def test_file_meta_is_rebuilt_with_the_new_instance_uid_and_huizhen_as_implementation(tmp_path: Path) -> None:
    source = sample("CT_small.dcm")
    target = tmp_path / "out.dcm"
    rewrite_file(source, target, deidentify=deidentifier())  # type: ignore[arg-type]
    data = target.read_bytes()
    assert data[:128] == b"\x00" * 128
    assert data[128:132] == b"DICM"
    out = pydicom.dcmread(target)
    original = pydicom.dcmread(source)
    assert out.file_meta.MediaStorageSOPInstanceUID == out.SOPInstanceUID != original.SOPInstanceUID
    assert out.file_meta.ImplementationClassUID == IMPLEMENTATION_CLASS_UID
    assert out.file_meta.TransferSyntaxUID == original.file_meta.TransferSyntaxUID
    assert "SourceApplicationEntityTitle" not in out.file_meta


def test_file_without_meta_gets_a_preamble_and_a_matching_transfer_syntax(tmp_path: Path) -> None:
    target = tmp_path / "out.dcm"
    rewrite_file(sample("ExplVR_BigEndNoMeta.dcm"), target, deidentify=deidentifier())  # type: ignore[arg-type]
    out = pydicom.dcmread(target)
    assert out.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.2"
    assert out.PatientIdentityRemoved == "YES"


def test_deflated_syntax_takes_the_full_pydicom_path_and_stays_deflated(tmp_path: Path) -> None:
    source = sample("image_dfl.dcm")
    target = tmp_path / "out.dcm"
    prepared = rewrite_file(source, target, deidentify=deidentifier())  # type: ignore[arg-type]
    assert not prepared.fast_path
    out = pydicom.dcmread(target)
    assert out.file_meta.TransferSyntaxUID == DeflatedExplicitVRLittleEndian
    assert bytes(out.PixelData) == pixel_element_bytes(source)
    assert out.PatientIdentityRemoved == "YES"


def _with_trailer(source: Path, target: Path) -> bytes:
    """Append a Digital Signatures Sequence and Data Set Trailing Padding after Pixel Data."""
    signature_item = struct.pack("<HH2sH", 0x0400, 0x0015, b"CS", 4) + b"MD5 "
    item = struct.pack("<HHL", 0xFFFE, 0xE000, len(signature_item)) + signature_item
    signatures = struct.pack("<HH2sHL", 0xFFFA, 0xFFFA, b"SQ", 0, len(item)) + item
    padding_value = b"ZHANG^SAN PADDING "
    padding = struct.pack("<HH2sHL", 0xFFFC, 0xFFFC, b"OB", 0, len(padding_value)) + padding_value
    data = source.read_bytes() + signatures + padding
    target.write_bytes(data)
    return padding_value


def test_elements_after_pixel_data_are_parsed_and_removed(tmp_path: Path) -> None:
    source = tmp_path / "trailer.dcm"
    padding = _with_trailer(sample("CT_small.dcm"), source)
    target = tmp_path / "out.dcm"
    rewrite_file(source, target, deidentify=deidentifier())  # type: ignore[arg-type]
    out = pydicom.dcmread(target)
    assert 0xFFFAFFFA not in out
    assert 0xFFFCFFFC not in out
    assert padding not in target.read_bytes()
    assert bytes(out.PixelData) == pixel_element_bytes(sample("CT_small.dcm"))


def test_truncated_pixel_data_is_rejected_with_a_reason(tmp_path: Path) -> None:
    source = tmp_path / "cut.dcm"
    source.write_bytes(sample("CT_small.dcm").read_bytes()[:-100])
    with pytest.raises(RejectedFile, match="truncated"):
        prepare_file(source, deidentify=deidentifier())  # type: ignore[arg-type]


def test_compressed_pixels_without_a_transfer_syntax_are_rejected(tmp_path: Path) -> None:
    ds = pydicom.dcmread(sample("JPEG2000.dcm"))
    del ds.file_meta.TransferSyntaxUID
    source = tmp_path / "nots.dcm"
    ds.save_as(source, enforce_file_format=False, implicit_vr=False, little_endian=True)
    with pytest.raises(RejectedFile, match="transfer syntax"):
        prepare_file(source, deidentify=deidentifier())  # type: ignore[arg-type]


def test_rejection_reasons_never_quote_values_from_the_file(tmp_path: Path) -> None:
    ds = pydicom.dcmread(sample("CT_small.dcm"))
    ds.PatientName = "WANG^XIAOMING"
    del ds.SOPClassUID
    del ds.file_meta.MediaStorageSOPClassUID
    source = tmp_path / "noclass.dcm"
    ds.save_as(source, enforce_file_format=False)
    with pytest.raises(RejectedFile) as caught:
        prepare_file(source, deidentify=deidentifier())  # type: ignore[arg-type]
    assert "WANG" not in caught.value.reason
    assert caught.value.reason == "missing SOPClassUID"


def declare_utf8_only(ds: Dataset, meta: FileMetaDataset) -> DatasetOutcome:
    """Like the profile's last step, without converting any element first."""
    ds.SpecificCharacterSet = "ISO_IR 192"
    return keep_everything(ds, meta)


def test_untouched_non_ascii_text_is_transcoded_to_utf8(tmp_path: Path) -> None:
    ds = pydicom.dcmread(sample("CT_small.dcm"))
    ds.SpecificCharacterSet = "GB18030"
    ds.ContrastBolusAgent = "碘海醇"
    ds.BodyPartExamined = "CHEST"
    source = tmp_path / "gb.dcm"
    ds.save_as(source)
    assert "碘海醇".encode("gb18030") in source.read_bytes()
    target = tmp_path / "out.dcm"
    rewrite_file(source, target, deidentify=declare_utf8_only)
    out = pydicom.dcmread(target)
    assert out.SpecificCharacterSet == "ISO_IR 192"
    assert out.ContrastBolusAgent == "碘海醇"
    assert out.BodyPartExamined == "CHEST"
    assert "碘海醇".encode("gb18030") not in target.read_bytes()


@pytest.mark.parametrize("implicit", [False, True])
def test_lean_string_encoder_matches_pydicom_on_every_sample_element(implicit: bool) -> None:
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_data_element

    from huizhen.deid.dicom.rewriter import _DatasetWriter

    checked = 0
    for folder in ("test_files", "charset_files"):
        for path in sorted((DATA / folder).glob("*.dcm")):
            try:
                ds = pydicom.dcmread(path, force=True, stop_before_pixels=True)
                elements = list(ds.iterall())
            except Exception:  # noqa: S112  (unreadable samples are pydicom's own negative tests)
                continue
            for target in (["utf_8"], ["iso8859"]):
                writer = _DatasetWriter(implicit, True, target, target)
                for elem in elements:
                    ours = writer.text_value(elem)
                    if ours is None:
                        continue
                    theirs = DicomBytesIO()
                    theirs.is_implicit_VR = implicit
                    theirs.is_little_endian = True
                    write_data_element(theirs, elem, target)
                    mine = DicomBytesIO()
                    mine.is_implicit_VR = implicit
                    mine.is_little_endian = True
                    writer._write_value(mine, elem.tag, str(elem.VR), ours)
                    assert mine.getvalue() == theirs.getvalue(), f"{path.name} {elem.tag}"
                    checked += 1
    assert checked > 2000


def test_file_meta_bytes_equal_what_pydicom_writes() -> None:
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_file_meta_info

    from huizhen.deid.dicom.rewriter import IMPLEMENTATION_VERSION_NAME, file_meta_bytes

    for syntax in ("1.2.840.10008.1.2", "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.1.99"):
        meta = FileMetaDataset()
        meta.FileMetaInformationVersion = b"\x00\x01"
        meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
        meta.MediaStorageSOPInstanceUID = "2.25.12345"
        meta.TransferSyntaxUID = syntax
        meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
        meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
        expected = DicomBytesIO()
        expected.is_little_endian = True
        expected.is_implicit_VR = False
        write_file_meta_info(expected, meta, enforce_standard=True)
        assert file_meta_bytes("1.2.840.10008.5.1.4.1.1.2", "2.25.12345", syntax) == expected.getvalue()


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small_bigendian.dcm", "chrH32.dcm", "chrX1.dcm"])
def test_skipping_pydicom_value_validation_changes_no_output_byte(name: str) -> None:
    deidentify = deidentifier()  # one vault for both runs, so surrogates agree
    fast = prepare_file(sample(name), deidentify=deidentify)  # type: ignore[arg-type]
    with pydicom.config.strict_reading():  # RAISE keeps validation on
        validated = prepare_file(sample(name), deidentify=deidentify)  # type: ignore[arg-type]
    assert (fast.head, fast.tail) == (validated.head, validated.tail)


def test_pydicom_validation_settings_are_restored_after_each_file() -> None:
    settings = pydicom.config.settings
    before = (settings.reading_validation_mode, settings.writing_validation_mode)
    prepare_file(sample("CT_small.dcm"), deidentify=deidentifier())  # type: ignore[arg-type]
    assert (settings.reading_validation_mode, settings.writing_validation_mode) == before


def test_object_without_series_uid_gets_one_from_a_hash_of_its_content(tmp_path: Path) -> None:
    ds = pydicom.dcmread(sample("CT_small.dcm"))
    del ds.SeriesInstanceUID
    source = tmp_path / "WANG_XIAOMING_noseries.dcm"
    ds.save_as(source)
    first = prepare_file(source, deidentify=deidentifier())  # type: ignore[arg-type]
    again = prepare_file(source, deidentify=deidentifier())  # type: ignore[arg-type]
    assert first.outcome.series_uid.startswith("2.25.")
    assert first.outcome.series_uid == again.outcome.series_uid
    target = tmp_path / "out.dcm"
    rewrite_file(source, target, deidentify=deidentifier())  # type: ignore[arg-type]
    assert pydicom.dcmread(target).SeriesInstanceUID == first.outcome.series_uid


@pytest.mark.parametrize("name", ["priv_SQ.dcm", "chrSQEncoding.dcm", "UN_sequence.dcm"])
def test_sample_without_instance_uids_is_de_identified_not_rejected(name: str) -> None:
    prepared = prepare_file(sample(name), deidentify=deidentifier())  # type: ignore[arg-type]
    uids = (prepared.outcome.study_uid, prepared.outcome.series_uid, prepared.outcome.sop_instance_uid)
    assert all(uid.startswith("2.25.") for uid in uids)
    assert len(set(uids)) == 3


@pytest.mark.parametrize("name", ["chrJapMulti.dcm", "chrKoreanMulti.dcm"])
def test_header_only_image_is_de_identified_and_held_for_review(name: str) -> None:
    prepared = prepare_file(sample(name), deidentify=deidentifier())  # type: ignore[arg-type]
    assert prepared.outcome.quarantine_reason == HEADER_ONLY_IMAGE


def test_image_cut_before_its_image_pixel_module_is_still_rejected(tmp_path: Path) -> None:
    ds = pydicom.dcmread(sample("CT_small.dcm"))
    for keyword in ("PixelData", "Rows", "Columns"):
        delattr(ds, keyword)
    source = tmp_path / "cut.dcm"
    ds.save_as(source)
    with pytest.raises(RejectedFile, match="truncated"):
        prepare_file(source, deidentify=deidentifier())  # type: ignore[arg-type]
