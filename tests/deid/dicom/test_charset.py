"""Chinese character sets are decoded before cleaning, and everything is written as UTF-8.

Uses pydicom's bundled charset files (chrX1: ISO_IR 192, chrX2: GB18030, chrSQEncoding:
a character set declared inside a sequence item) and files written here in GBK and in
ISO 2022 IR 58, the two Chinese character sets pydicom ships no sample of.
"""

from __future__ import annotations

import io

import pydicom
import pytest
from pydicom.data import get_charset_files
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from huizhen.deid.dicom import DeidContext, MemoryVault, Options, deidentify_dataset
from huizhen.deid.dicom.charset import decode_all

DESCRIPTION = "胸部CT平扫 王小明 北京协和医院"


def write(ds: Dataset) -> bytes:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    buffer = io.BytesIO()
    ds.save_as(buffer, enforce_file_format=False, implicit_vr=False, little_endian=True)
    return buffer.getvalue()


def deidentify_seeing_text(raw: bytes) -> tuple[Dataset, list[str], bytes]:
    seen: list[str] = []

    def cleaner(text: str) -> str:
        seen.append(text)
        return text

    ds = pydicom.dcmread(io.BytesIO(raw), force=True)
    options = Options(text_cleaner=cleaner)
    deidentify_dataset(ds, context=DeidContext(uid_key=b"k", vault=MemoryVault(), options=options))
    out = write(ds)
    return pydicom.dcmread(io.BytesIO(out), force=True), seen, out


@pytest.mark.parametrize(
    ("declared", "codec"),
    [
        ("ISO_IR 192", "utf-8"),
        ("GB18030", "gb18030"),
        ("GBK", "gbk"),
        (["", "ISO 2022 IR 58"], "gb2312"),
    ],
)
def test_chinese_text_is_decoded_for_cleaning_and_written_as_utf8(declared: str | list[str], codec: str) -> None:
    ds = Dataset()
    ds.SpecificCharacterSet = declared
    if isinstance(declared, str):
        ds.StudyDescription = DESCRIPTION
        raw = write(ds)
        assert DESCRIPTION.encode(codec) in raw  # the input really is in that character set
    else:
        # As PS3.5 Annex K writes it: ESC $ ) A designates GB 2312 into G1, then the bytes.
        value = b"\x1b$)A" + DESCRIPTION.encode("gb2312")
        value += b" " * (len(value) % 2)
        ds.StudyDescription = "X" * len(value)
        raw = write(ds).replace(b"X" * len(value), value)
    out, seen, out_bytes = deidentify_seeing_text(raw)
    assert seen == [DESCRIPTION]
    assert out.SpecificCharacterSet == "ISO_IR 192"
    assert out.StudyDescription == DESCRIPTION
    assert DESCRIPTION.encode("utf-8") in out_bytes


@pytest.mark.parametrize(
    ("name", "expected"),
    [("chrX1.dcm", "Wang^XiaoDong=王^小東"), ("chrX2.dcm", "Wang^XiaoDong=王^小东")],
)
def test_pydicom_chinese_samples_decode_to_the_expected_names(name: str, expected: str) -> None:
    ds = pydicom.dcmread(get_charset_files(name)[0])
    decode_all(ds)
    assert str(ds.PatientName) == expected


@pytest.mark.parametrize("name", ["chrX1.dcm", "chrX2.dcm"])
def test_pydicom_chinese_samples_leave_no_trace_of_the_name_in_any_encoding(name: str) -> None:
    raw = get_charset_files(name)[0]
    with open(raw, "rb") as handle:
        out, _seen, out_bytes = deidentify_seeing_text(handle.read())
    assert out.SpecificCharacterSet == "ISO_IR 192"
    for codec in ("utf-8", "gb18030"):
        assert "小".encode(codec) not in out_bytes
    assert b"XiaoDong" not in out_bytes


def test_character_sets_declared_in_sequence_items_are_decoded_and_dropped() -> None:
    ds = pydicom.dcmread(get_charset_files("chrSQEncoding.dcm")[0])
    deidentify_dataset(ds, context=DeidContext(uid_key=b"k", vault=MemoryVault(), options=Options()))
    out = pydicom.dcmread(io.BytesIO(write(ds)), force=True)
    assert out.SpecificCharacterSet == "ISO_IR 192"
    for element in out.iterall():
        if element.VR == "SQ":
            for item in element.value:
                assert "SpecificCharacterSet" not in item
