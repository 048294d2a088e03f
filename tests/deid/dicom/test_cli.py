"""``huizhen deid dicom``: arguments, key file, exit status, report file, summary line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pydicom.data
import pytest

from huizhen.deid.cli import main

DATA = Path(pydicom.data.__file__).parent / "test_files"


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "deid.key"
    path.write_bytes(bytes(range(32)))
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    root.mkdir()
    shutil.copy(DATA / "CT_small.dcm", root / "LI^SI.dcm")
    shutil.copy(DATA / "MR_small.dcm", root / "LI^SI_2.dcm")
    return root


def test_all_deidentified_exits_zero_and_writes_the_report(
    tmp_path: Path, key: Path, inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    status = main(
        ["dicom", str(inputs), "--out", str(tmp_path / "out"), "--report", str(report), "--key-file", str(key)]
    )
    assert status == 0
    document = json.loads(report.read_text())
    assert [row["status"] for row in document["files"]] == ["deidentified", "deidentified"]
    line = capsys.readouterr().out.strip()
    assert line.startswith("huizhen deid dicom: 2 files: 2 de-identified, 0 quarantined, 0 rejected")


def test_any_rejection_exits_one_and_still_writes_the_report(tmp_path: Path, key: Path, inputs: Path) -> None:
    (inputs / "broken.dcm").write_bytes(b"\x00" * 50)
    report = tmp_path / "report.json"
    status = main(
        ["dicom", str(inputs), "--out", str(tmp_path / "out"), "--report", str(report), "--key-file", str(key)]
    )
    assert status == 1
    rows = json.loads(report.read_text())["files"]
    assert {row["status"] for row in rows} == {"deidentified", "rejected"}


def test_missing_key_file_is_a_usage_error_with_advice(
    tmp_path: Path, inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["dicom", str(inputs), "--out", str(tmp_path / "o"), "--report", str(tmp_path / "r.json")]
    status = main([*args, "--key-file", str(tmp_path / "absent.key")])
    assert status == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "key file not found" in error
    assert "/dev/urandom" in error
    assert not (tmp_path / "r.json").exists()


def test_short_key_file_is_refused(tmp_path: Path, inputs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    short = tmp_path / "short.key"
    short.write_bytes(b"1234")
    args = ["dicom", str(inputs), "--out", str(tmp_path / "o"), "--report", str(tmp_path / "r.json")]
    assert main([*args, "--key-file", str(short)]) == 2
    assert "need at least 16" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(
    tmp_path: Path, key: Path, inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["dicom", str(inputs), "--out", str(tmp_path / "o"), "--report", str(tmp_path / "r.json")]
    assert main([*args, "--key-file", str(key), "--options", "retain-everything"]) == 2
    assert "unknown de-identification option" in capsys.readouterr().err


def test_missing_input_is_a_usage_error(tmp_path: Path, key: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["dicom", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--report", str(tmp_path / "r.json")]
    assert main([*args, "--key-file", str(key)]) == 2
    assert "input not found" in capsys.readouterr().err


def test_missing_out_is_a_usage_error(tmp_path: Path, key: Path, inputs: Path) -> None:
    assert main(["dicom", str(inputs), "--report", str(tmp_path / "r.json"), "--key-file", str(key)]) == 2


def test_list_options_names_every_cid_7050_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dicom", "--list-options"]) == 0
    listing = capsys.readouterr().out
    for code in ("113101", "113105", "113107", "113108", "113109", "113112"):
        assert code in listing
    assert "retain-device-identity" in listing


def test_options_change_the_method_recorded_in_the_report(tmp_path: Path, key: Path, inputs: Path) -> None:
    report = tmp_path / "r.json"
    args = ["dicom", str(inputs), "--out", str(tmp_path / "o"), "--report", str(report), "--key-file", str(key)]
    assert main([*args, "--options", "retain-device-identity"]) == 0
    codes = [entry["code"] for entry in json.loads(report.read_text())["summary"]["deidentification_method"]]
    assert "113109" in codes


def test_command_runs_as_a_real_process_through_the_huizhen_entry_point(
    tmp_path: Path, key: Path, inputs: Path
) -> None:
    report = tmp_path / "r.json"
    vault = tmp_path / "vault.sqlite3"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "huizhen.cli", "deid", "dicom", str(inputs), "--out", str(tmp_path / "o")),
            *("--report", str(report), "--key-file", str(key), "--vault", str(vault), "--workers", "2"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "2 de-identified" in result.stdout
    assert vault.is_file()
    assert len(json.loads(report.read_text())["files"]) == 2
