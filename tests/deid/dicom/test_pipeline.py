"""The pipeline: UID-named outputs, the per-file report, quarantine, duplicates, the process pool."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom
import pydicom.data
import pytest

from huizhen.deid.dicom.pipeline import DUPLICATE_REASON, deidentify_paths

KEY = b"pipeline-test-key-0123456789abcdef"
DATA = Path(pydicom.data.__file__).parent / "test_files"


def patient_folder(tmp_path: Path) -> Path:
    """A referral as hospitals send it: folders and files named after the patient."""
    root = tmp_path / "in"
    study = root / "ZHANG^SAN 张三 19700101" / "CT胸部"
    study.mkdir(parents=True)
    for number, name in enumerate(["CT_small.dcm", "MR_small.dcm", "rtdose.dcm"]):
        shutil.copy(DATA / name, study / f"ZHANG_SAN_{number}.dcm")
    return root


def test_output_paths_come_from_new_uids_only(tmp_path: Path) -> None:
    root = patient_folder(tmp_path)
    out = tmp_path / "out"
    report = deidentify_paths([root], out_dir=out, uid_key=KEY)
    assert report.count("deidentified") == 3
    for path in out.rglob("*"):
        relative = path.relative_to(out).as_posix()
        assert all(part.startswith("2.25.") for part in relative.split("/")), relative
        assert "ZHANG" not in relative
        assert "张三" not in relative
    for row in report.files:
        assert row.output is not None
        ds = pydicom.dcmread(out / row.output)
        assert row.output == f"{ds.StudyInstanceUID}/{ds.SeriesInstanceUID}/{ds.SOPInstanceUID}.dcm"


def test_report_lists_every_input_relative_to_its_root(tmp_path: Path) -> None:
    root = patient_folder(tmp_path)
    (root / "notes.txt").write_text("not dicom")
    report = deidentify_paths([root], out_dir=tmp_path / "out", uid_key=KEY)
    document = report.to_json()
    sources = [row["source"] for row in document["files"]]  # type: ignore[index]
    assert sources == sorted(sources)
    assert "notes.txt" in sources
    assert "ZHANG^SAN 张三 19700101/CT胸部/ZHANG_SAN_0.dcm" in sources
    for row in document["files"]:  # type: ignore[attr-defined]
        assert set(row) >= {"source", "status", "output", "reason"}
        assert row["status"] in {"deidentified", "quarantined", "rejected"}
        assert (row["reason"] is None) == (row["status"] == "deidentified")
    summary = document["summary"]
    assert summary["files"] == 4  # type: ignore[index]
    assert summary["deidentified"] == 3  # type: ignore[index]
    assert summary["rejected"] == 1  # type: ignore[index]
    assert summary["bytes_in"] > 0  # type: ignore[index]


def test_non_dicom_file_is_rejected_with_a_reason(tmp_path: Path) -> None:
    source = tmp_path / "in" / "readme.txt"
    source.parent.mkdir()
    source.write_text("hello")
    report = deidentify_paths([source.parent], out_dir=tmp_path / "out", uid_key=KEY)
    assert report.files[0].status == "rejected"
    assert report.files[0].reason == "not a DICOM file"


def test_ultrasound_and_burned_in_annotation_are_quarantined_not_exported(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    us = pydicom.dcmread(DATA / "CT_small.dcm")
    us.Modality = "US"
    us.save_as(root / "us.dcm")
    burned = pydicom.dcmread(DATA / "MR_small.dcm")
    burned.BurnedInAnnotation = "YES"
    burned.save_as(root / "burned.dcm")
    out = tmp_path / "out"
    report = deidentify_paths([root], out_dir=out, uid_key=KEY)
    assert [row.status for row in report.files] == ["quarantined", "quarantined"]
    assert all(row.output is None and row.reason for row in report.files)
    assert "BurnedInAnnotation" in (report.files[0].reason or "")
    assert not any(path.is_file() for path in out.rglob("*"))


def test_quarantine_folder_receives_held_objects_de_identified(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    ds = pydicom.dcmread(DATA / "CT_small.dcm")
    ds.BurnedInAnnotation = "YES"
    ds.PatientName = "WANG^WU"
    ds.save_as(root / "burned.dcm")
    quarantine = tmp_path / "held"
    report = deidentify_paths([root], out_dir=tmp_path / "out", uid_key=KEY, quarantine_dir=quarantine)
    row = report.files[0]
    assert row.status == "quarantined"
    assert row.quarantine is not None
    held = quarantine / row.quarantine
    assert b"WANG" not in held.read_bytes()
    assert pydicom.dcmread(held).PatientIdentityRemoved == "YES"


def test_duplicate_sop_instance_is_rejected_not_overwritten(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(DATA / "CT_small.dcm", root / "a.dcm")
    shutil.copy(DATA / "CT_small.dcm", root / "b.dcm")
    out = tmp_path / "out"
    report = deidentify_paths([root], out_dir=out, uid_key=KEY, workers=2)
    assert [row.status for row in report.files] == ["deidentified", "rejected"]
    assert report.files[1].reason == DUPLICATE_REASON
    assert len([p for p in out.rglob("*") if p.is_file()]) == 1


def test_no_part_files_are_left_behind(tmp_path: Path) -> None:
    root = patient_folder(tmp_path)
    shutil.copy(DATA / "CT_small.dcm", root / "dup.dcm")
    out = tmp_path / "out"
    deidentify_paths([root], out_dir=out, uid_key=KEY, workers=2)
    assert not list(out.rglob("*.part"))


def test_worker_pool_gives_the_same_files_as_one_process(tmp_path: Path) -> None:
    root = patient_folder(tmp_path)
    vault = tmp_path / "vault.sqlite3"
    one = deidentify_paths([root], out_dir=tmp_path / "one", uid_key=KEY, vault_path=vault, workers=1)
    two = deidentify_paths([root], out_dir=tmp_path / "two", uid_key=KEY, vault_path=vault, workers=2)
    assert [row.output for row in one.files] == [row.output for row in two.files]
    for row in one.files:
        assert row.output is not None
        assert (tmp_path / "one" / row.output).read_bytes() == (tmp_path / "two" / row.output).read_bytes()


def test_output_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    root = patient_folder(tmp_path)
    out = root / "deidentified"
    deidentify_paths([root], out_dir=out, uid_key=KEY)
    second = deidentify_paths([root], out_dir=out, uid_key=KEY)
    assert len(second.files) == 3


@pytest.mark.parametrize("workers", [1, 2])
def test_single_file_inputs_are_reported_by_name(tmp_path: Path, workers: int) -> None:
    report = deidentify_paths(
        [DATA / "CT_small.dcm", DATA / "MR_small.dcm"], out_dir=tmp_path / "o", uid_key=KEY, workers=workers
    )
    assert [row.source for row in report.files] == ["CT_small.dcm", "MR_small.dcm"]


def test_a_killed_worker_is_reported_not_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal

    from huizhen.deid.dicom import pipeline

    real = pipeline._rewrite_one

    def die_on_mr(item: pipeline._Input) -> pipeline._Written:
        if item.path.name == "MR_small.dcm":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(item)

    monkeypatch.setattr(pipeline, "_rewrite_one", die_on_mr)
    files = [DATA / "CT_small.dcm", DATA / "MR_small.dcm", DATA / "rtdose.dcm"]
    report = deidentify_paths(files, out_dir=tmp_path / "o", uid_key=KEY, workers=2)
    assert len(report.files) == 3
    assert "worker process died" in {row.reason for row in report.files}
    assert not list((tmp_path / "o").rglob("*.part"))
