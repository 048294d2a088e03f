"""Malformed and unusual files: each is de-identified correctly or rejected with a reason.

Never an exception out of the pipeline, never a partial or ``.part`` file left behind.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pydicom
import pydicom.data
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from huizhen.deid.dicom.pipeline import Report, deidentify_paths
from huizhen.deid.dicom.rewriter import HEADER_ONLY_IMAGE

KEY = b"robustness-test-key-0123456789abc"
DATA = Path(pydicom.data.__file__).parent / "test_files"


def assert_sound(report: Report, out: Path) -> None:
    """Every row has a status and, unless de-identified, a reason; every output is complete."""
    for row in report.files:
        assert row.status in {"deidentified", "quarantined", "rejected"}
        if row.status != "deidentified":
            assert row.reason, row
        if row.output is not None:
            ds = pydicom.dcmread(out / row.output)
            assert ds.PatientIdentityRemoved == "YES"
    assert not [path for path in out.rglob("*") if path.name.endswith(".part")]


def run(files: dict[str, bytes], tmp_path: Path) -> tuple[Report, Path]:
    root = tmp_path / "in"
    root.mkdir(exist_ok=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    out = tmp_path / "out"
    report = deidentify_paths([root], out_dir=out, uid_key=KEY, quarantine_dir=tmp_path / "held")
    assert_sound(report, out)
    return report, out


def statuses(report: Report) -> dict[str, str]:
    return {row.source: row.status for row in report.files}


def test_file_truncated_at_many_offsets_is_never_half_written(tmp_path: Path) -> None:
    data = (DATA / "CT_small.dcm").read_bytes()
    offsets = sorted({0, 1, 127, 128, 131, 132, 133, 200, 331, len(data) - 1, len(data) - 2, *range(0, len(data), 613)})
    report, out = run({f"cut{offset:06d}.dcm": data[:offset] for offset in offsets}, tmp_path)
    # A cut that lands exactly on an element boundary after the Image Pixel module leaves a
    # complete header-only object: it is held for review (header de-identified), never exported.
    not_rejected = [row for row in report.files if row.status != "rejected"]
    assert all(row.status == "quarantined" and row.reason == HEADER_ONLY_IMAGE for row in not_rejected), not_rejected
    assert len(not_rejected) <= 2
    assert not any(path.is_file() for path in out.rglob("*"))


def test_truncated_compressed_pixel_data_is_rejected(tmp_path: Path) -> None:
    data = (DATA / "JPEG-lossy.dcm").read_bytes()
    report, _ = run({"cut.dcm": data[: len(data) - 300]}, tmp_path)
    assert report.files[0].status == "rejected"
    assert "truncated" in (report.files[0].reason or "")


def test_empty_file_and_random_bytes_are_rejected_as_not_dicom(tmp_path: Path) -> None:
    noise = random.Random(5).randbytes(5000)
    report, _ = run({"empty.dcm": b"", "noise.dcm": noise, "text.dcm": b"PATIENT: ZHANG SAN\n" * 20}, tmp_path)
    reasons = {row.source: row.reason for row in report.files}
    assert reasons["empty.dcm"] == "empty file"
    assert statuses(report) == {"empty.dcm": "rejected", "noise.dcm": "rejected", "text.dcm": "rejected"}


@pytest.mark.parametrize(
    ("name", "syntax"),
    [
        ("MR_small_implicit.dcm", "1.2.840.10008.1.2"),
        ("MR_small_bigendian.dcm", "1.2.840.10008.1.2.2"),
        ("ExplVR_LitEndNoMeta.dcm", "1.2.840.10008.1.2.1"),
        ("ExplVR_BigEndNoMeta.dcm", "1.2.840.10008.1.2.2"),
    ],
)
def test_implicit_vr_big_endian_and_no_preamble_files_are_deidentified(name: str, syntax: str, tmp_path: Path) -> None:
    report, out = run({name: (DATA / name).read_bytes()}, tmp_path)
    row = report.files[0]
    assert row.status == "deidentified", row.reason
    assert pydicom.dcmread(out / str(row.output)).file_meta.TransferSyntaxUID == syntax


def test_deflated_file_is_deidentified(tmp_path: Path) -> None:
    report, _ = run({"dfl.dcm": (DATA / "image_dfl.dcm").read_bytes()}, tmp_path)
    assert report.files[0].status in {"deidentified", "quarantined"}


def test_undefined_length_sequences_and_items_are_deidentified_at_depth(tmp_path: Path) -> None:
    ds = pydicom.dcmread(DATA / "CT_small.dcm")
    inner = Dataset()
    inner.PatientName = "ZHAO^LIU"
    inner.ReferencedSOPInstanceUID = ds.SOPInstanceUID
    inner.is_undefined_length_sequence_item = True  # type: ignore[attr-defined]
    outer = Dataset()
    outer.ReferencedSOPClassUID = ds.SOPClassUID
    outer.ReferencedImageSequence = Sequence([inner])
    outer.ReferencedImageSequence.is_undefined_length = True  # type: ignore[attr-defined]
    outer.is_undefined_length_sequence_item = True  # type: ignore[attr-defined]
    ds.SourceImageSequence = Sequence([outer])
    ds["SourceImageSequence"].is_undefined_length = True
    source = tmp_path / "undefined.dcm"
    ds.save_as(source)
    report, out = run({"undefined.dcm": source.read_bytes()}, tmp_path)
    row = report.files[0]
    assert row.status == "deidentified"
    written = (out / str(row.output)).read_bytes()
    assert b"ZHAO" not in written
    back = pydicom.dcmread(out / str(row.output))
    assert back.SourceImageSequence[0].ReferencedImageSequence[0].ReferencedSOPInstanceUID == back.SOPInstanceUID


def test_huge_private_block_is_removed_and_pixels_survive(tmp_path: Path) -> None:
    ds = pydicom.dcmread(DATA / "CT_small.dcm")
    block = ds.private_block(0x0029, "ACME PHI STORE", create=True)
    block.add_new(0x10, "OB", b"WANG^ER " * (1 << 20))  # 8 MiB of private payload
    for offset in range(0x11, 0x90):
        block.add_new(offset, "LO", f"WANG ER {offset}")
    source = tmp_path / "private.dcm"
    ds.save_as(source)
    report, out = run({"private.dcm": source.read_bytes()}, tmp_path)
    row = report.files[0]
    assert row.status == "deidentified"
    written = out / str(row.output)
    assert written.stat().st_size < 100_000
    assert b"WANG" not in written.read_bytes()
    assert pydicom.dcmread(written).PixelData == ds.PixelData


def test_unreadable_input_is_rejected_not_raised(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    locked = root / "locked.dcm"
    shutil.copy(DATA / "CT_small.dcm", locked)
    locked.chmod(0)
    try:
        report = deidentify_paths([root], out_dir=tmp_path / "out", uid_key=KEY)
    finally:
        locked.chmod(0o600)
    if os.geteuid() == 0:
        assert report.files[0].status == "deidentified"  # root reads anything
    else:
        assert report.files[0].status == "rejected"


def test_every_shipped_pydicom_sample_is_handled_without_an_exception(tmp_path: Path) -> None:
    root = Path(pydicom.data.__file__).parent
    out = tmp_path / "out"
    report = deidentify_paths(
        [root / "test_files", root / "charset_files"], out_dir=out, uid_key=KEY, quarantine_dir=tmp_path / "held"
    )
    assert_sound(report, out)
    assert report.count("deidentified") > 40
