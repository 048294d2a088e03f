"""The lean header path gives byte-identical results to the full pydicom path, or declines.

Correctness gate of the lean path (rawheader + headermemo + rewriter._prepare_lean): every
pydicom and deid-data sample, the PHI-planted corpus under several seeds and options, and a
CT series go through both paths; outputs, outcomes and rejections must be the same.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Iterable
from pathlib import Path

import pydicom
import pytest

from huizhen.deid.dicom import pipeline
from huizhen.deid.dicom.dataset import DeidContext
from huizhen.deid.dicom.profile import Options
from huizhen.deid.dicom.rewriter import ContextDeidentifier, PreparedFile, RejectedFile, prepare_file
from huizhen.deid.dicom.synthetic import generate_ct_series, generate_phi_corpus
from huizhen.deid.dicom.vault import MemoryVault

KEY = b"lean-path-equivalence-key"
PYDICOM_DATA = Path(pydicom.data.__file__).parent


def deid_data_root() -> Path | None:
    spec = importlib.util.find_spec("deid_data")  # bench group: uv run --group bench pytest
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "data"


def files_under(*roots: Path) -> list[Path]:
    return sorted(path for root in roots if root.is_dir() for path in root.rglob("*") if path.is_file())


def outcome_of(path: Path, deidentifier: ContextDeidentifier, *, lean: bool) -> tuple[tuple[object, ...], bool]:
    """(what the path produced, whether the lean path produced it)."""
    try:
        prepared = prepare_file(path, deidentify=deidentifier, lean=lean)
    except RejectedFile as exc:
        return ("rejected", exc.reason), False
    return ("prepared", *comparable(prepared)), prepared.lean


def comparable(prepared: PreparedFile) -> tuple[object, ...]:
    outcome = prepared.outcome
    return (
        prepared.head,
        prepared.pixel_start,
        prepared.pixel_end,
        prepared.tail,
        outcome.quarantine_reason,
        outcome.study_uid,
        outcome.series_uid,
        outcome.sop_instance_uid,
    )


def divergences(paths: Iterable[Path], options: Options) -> tuple[list[str], int]:
    """Files whose lean result differs from the full path's, and how many the lean path served."""
    vault = MemoryVault()  # shared: surrogates and shifts are random but fixed once drawn
    full = ContextDeidentifier(DeidContext(uid_key=KEY, vault=vault, options=options))
    lean = ContextDeidentifier(DeidContext(uid_key=KEY, vault=vault, options=options))
    diverging: list[str] = []
    served = 0
    for path in paths:
        expected, _ = outcome_of(path, full, lean=False)
        actual, by_lean_path = outcome_of(path, lean, lean=True)
        if actual != expected:
            diverging.append(str(path))
        served += by_lean_path
    return diverging, served


def test_lean_path_equals_full_path_on_every_pydicom_sample() -> None:
    paths = files_under(PYDICOM_DATA / "test_files")
    diverging, served = divergences(paths, Options())
    assert diverging == []
    assert served > 10


def test_lean_path_equals_full_path_on_every_deid_data_sample() -> None:
    root = deid_data_root()
    paths = files_under(root) if root is not None else []
    if not paths:
        pytest.skip("deid-data is not installed (uv sync --group bench)")
    diverging, served = divergences(paths, Options())
    assert diverging == []
    assert served > 0


@pytest.mark.parametrize("seed", [5, 11, 23])
def test_lean_path_equals_full_path_on_the_phi_corpus(tmp_path: Path, seed: int) -> None:
    generate_phi_corpus(tmp_path, seed=seed, n_patients=4)
    diverging, served = divergences(files_under(tmp_path), Options())
    assert diverging == []
    assert served > 0


@pytest.mark.parametrize(
    "options",
    [
        Options(retain_uids=True),
        Options(retain_longitudinal_full_dates=True, retain_device_identity=True, retain_institution_identity=True),
        Options(clean_descriptors=False, clean_pixel_data_hold=False, retain_patient_characteristics=False),
        Options(text_cleaner=str.upper),
        Options(retain_safe_private=True, safe_private=frozenset({("SIEMENS CSA HEADER", 0x0029, 0x10)})),
    ],
    ids=["retain-uids", "retain-dates-device-institution", "basic-only", "text-cleaner", "safe-private"],
)
def test_lean_path_equals_full_path_under_other_options(phi_corpus: tuple[Path, object], options: Options) -> None:
    root, _ = phi_corpus
    paths = files_under(root) + files_under(PYDICOM_DATA / "test_files")
    diverging, _ = divergences(paths, options)
    assert diverging == []


def test_lean_path_serves_every_slice_of_a_ct_series_identically(tmp_path: Path) -> None:
    paths = generate_ct_series(tmp_path, slices=70, rows=16, cols=16)
    diverging, served = divergences(paths, Options())
    assert diverging == []
    assert served == len(paths)


def test_pipeline_report_and_outputs_are_the_same_with_and_without_the_lean_path(
    tmp_path: Path, phi_corpus: tuple[Path, object], ct_series_small: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, _ = phi_corpus
    inputs = [root, ct_series_small[0].parent]
    lean = pipeline.deidentify_paths(inputs, out_dir=tmp_path / "lean", uid_key=KEY, vault_path=tmp_path / "v.db")
    monkeypatch.setattr(pipeline, "prepare_file", functools.partial(prepare_file, lean=False))
    full = pipeline.deidentify_paths(inputs, out_dir=tmp_path / "full", uid_key=KEY, vault_path=tmp_path / "v.db")
    assert [row.to_json() for row in lean.files] == [row.to_json() for row in full.files]
    lean_files = {p.relative_to(tmp_path / "lean"): p.read_bytes() for p in files_under(tmp_path / "lean")}
    full_files = {p.relative_to(tmp_path / "full"): p.read_bytes() for p in files_under(tmp_path / "full")}
    assert lean_files == full_files
