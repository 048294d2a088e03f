"""De-identification never makes an object less conformant, as judged by dciodvfy (dicom3tools).

For each input, the kinds of error dciodvfy reports on the output (messages with values,
UIDs, numbers and tags stripped, element and module names kept) must be a subset of those it reports on the input: the
profile may remove and replace values, but not break the IOD in a new way.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pydicom.data
import pytest

from huizhen.deid.dicom.pipeline import deidentify_paths
from huizhen.deid.dicom.synthetic import PlantedPHI

DCIODVFY = shutil.which("dciodvfy")
pytestmark = pytest.mark.skipif(
    DCIODVFY is None, reason="dciodvfy (dicom3tools) is not installed: apt-get install dicom3tools"
)
KEY = b"dciodvfy-test-key-0123456789abcdef"
DATA = Path(pydicom.data.__file__).parent / "test_files"
SAMPLES = [
    *("CT_small.dcm", "MR_small.dcm", "rtplan.dcm", "rtstruct.dcm", "test-SR.dcm", "rtdose.dcm"),
    *("waveform_ecg.dcm", "reportsi.dcm", "JPEG2000.dcm"),
]


def error_kinds(path: Path) -> set[str]:
    assert DCIODVFY is not None
    result = subprocess.run([DCIODVFY, str(path)], capture_output=True, timeout=60, check=False)
    kinds = set()
    for line in (result.stdout + result.stderr).decode("utf-8", errors="replace").splitlines():
        if "Error" not in line:
            continue
        # Values ("[1] = <...>", quoted) go; element and module names stay: they are the kind.
        kind = re.sub(r'= <[^>]*>|"[^"]*"', "<>", line)
        kind = re.sub(r"\(0x[0-9a-fA-F]{4},0x[0-9a-fA-F]{4}\)", "(tag)", kind)
        kind = re.sub(r"\d+(\.\d+)*", "N", kind)  # numbers and UIDs (UIDs are remapped)
        kinds.add(" ".join(kind.split()))
    return kinds


def compare(root: Path, tmp_path: Path) -> dict[str, set[str]]:
    out = tmp_path / "out"
    report = deidentify_paths([root], out_dir=out, uid_key=KEY, quarantine_dir=tmp_path / "held")
    new_errors: dict[str, set[str]] = {}
    checked = 0
    for row in report.files:
        written = (row.output and out / row.output) or (row.quarantine and tmp_path / "held" / row.quarantine)
        if not written:
            continue
        checked += 1
        extra = error_kinds(Path(written)) - error_kinds(root / row.source)
        if extra:
            new_errors[row.source] = extra
    assert checked > 0
    return new_errors


def test_pydicom_samples_gain_no_new_kind_of_dciodvfy_error(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for name in SAMPLES:
        shutil.copy(DATA / name, root / name)
    assert compare(root, tmp_path) == {}


def test_planted_corpus_gains_no_new_kind_of_dciodvfy_error(
    phi_corpus: tuple[Path, PlantedPHI], tmp_path: Path
) -> None:
    root, _ = phi_corpus
    assert compare(root, tmp_path) == {}
