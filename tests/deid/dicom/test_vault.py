"""Pseudonym vaults: random surrogates and shifts, reused, persisted, shared by processes."""

from __future__ import annotations

import pickle
import re
import stat
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from huizhen.deid.dicom.vault import SHIFT_MAX_DAYS, SHIFT_MIN_DAYS, MemoryVault, SqliteVault


def test_surrogates_are_random_codes_that_fit_short_string_values() -> None:
    value = MemoryVault().surrogate("AccessionNumber", "A123")
    assert re.fullmatch(r"HZ[A-Z0-9]{12}", value)


def test_a_surrogate_is_reused_within_a_vault() -> None:
    vault = MemoryVault()
    assert vault.surrogate("PatientID", "MRN1") == vault.surrogate("PatientID", "MRN1")


def test_surrogates_are_not_derived_from_the_original() -> None:
    assert MemoryVault().surrogate("PatientID", "MRN1") != MemoryVault().surrogate("PatientID", "MRN1")


def test_kinds_have_separate_surrogates() -> None:
    vault = MemoryVault()
    assert vault.surrogate("PatientID", "123") != vault.surrogate("AccessionNumber", "123")


def test_date_shifts_are_in_the_documented_range_and_never_zero() -> None:
    vault = MemoryVault()
    shifts = {vault.date_shift_days(f"patient {n}") for n in range(200)}
    assert all(SHIFT_MIN_DAYS <= shift <= SHIFT_MAX_DAYS < 0 for shift in shifts)
    assert len(shifts) > 100


def test_sqlite_vault_reuses_surrogates_and_shifts_after_reopening(tmp_path: Path) -> None:
    first = SqliteVault(tmp_path / "vault.sqlite")
    surrogate, shift = first.surrogate("PatientID", "MRN1"), first.date_shift_days("id:MRN1^")
    first.close()
    second = SqliteVault(tmp_path / "vault.sqlite")
    assert second.surrogate("PatientID", "MRN1") == surrogate
    assert second.date_shift_days("id:MRN1^") == shift


def test_two_vault_files_give_different_surrogates(tmp_path: Path) -> None:
    one = SqliteVault(tmp_path / "one.sqlite").surrogate("PatientID", "MRN1")
    two = SqliteVault(tmp_path / "two.sqlite").surrogate("PatientID", "MRN1")
    assert one != two


def test_sqlite_vault_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    vault = SqliteVault(tmp_path / "vault.sqlite")
    vault.surrogate("PatientID", "MRN1")
    assert stat.S_IMODE((tmp_path / "vault.sqlite").stat().st_mode) == 0o600


def _claim(path: str) -> tuple[str, int]:
    vault = SqliteVault(Path(path))
    return vault.surrogate("PatientID", "MRN-shared"), vault.date_shift_days("id:MRN-shared^")


def test_processes_racing_for_a_new_patient_all_get_the_same_surrogate(tmp_path: Path) -> None:
    path = str(tmp_path / "vault.sqlite")
    with ProcessPoolExecutor(max_workers=4) as pool:
        results = set(pool.map(_claim, [path] * 16))
    assert len(results) == 1


def test_a_sqlite_vault_can_be_sent_to_a_worker_process(tmp_path: Path) -> None:
    vault = SqliteVault(tmp_path / "vault.sqlite")
    surrogate = vault.surrogate("PatientID", "MRN1")
    copy = pickle.loads(pickle.dumps(vault))  # noqa: S301 - our own bytes
    assert copy.surrogate("PatientID", "MRN1") == surrogate


def test_processes_opening_fresh_vault_files_together_never_find_them_locked(tmp_path: Path) -> None:
    # Switching a new file to WAL mode raced: about one fresh vault in ten failed with
    # "database is locked" when four workers opened it at once; 150 files fail reliably without the fix.
    paths = [str(tmp_path / f"vault{index}.sqlite3") for index in range(150)]
    with ProcessPoolExecutor(4) as pool:
        for path in paths:
            results = list(pool.map(_claim, [path] * 4))
            assert len(set(results)) == 1
