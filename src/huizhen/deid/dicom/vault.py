"""The gateway's pseudonym vault: random surrogates and per-patient date shifts, persisted.

HIPAA 45 CFR 164.514(c) allows a re-identification code only if it is "not derived from or
related to information about the individual", so patient-level identifiers (patient ID, other
patient IDs, accession numbers) get *random* surrogates from :mod:`secrets`, recorded here and
reused on every later run, never a hash of the original.  The same holds for the per-patient
date shift used by the Retain Longitudinal Temporal Information with Modified Dates option
(DICOM PS3.15 Annex E, Section E.3.6): random, drawn once, reused.  :class:`SqliteVault` is the
``--vault FILE`` implementation; it is safe across the processes of a pool because a value is
claimed with ``INSERT OR IGNORE`` and then read back, so the first writer wins and every process
sees the same value.  The vault file links surrogates to identities: it is created mode 0600.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import string
import threading
import time
from pathlib import Path
from typing import Protocol

SURROGATE_ALPHABET = string.ascii_uppercase + string.digits
SURROGATE_PREFIX = "HZ"
SURROGATE_LENGTH = 12  # 36**12 ≈ 4.7e18 surrogates; "HZ" + 12 fits SH (16 chars) for Accession Number
# Dates move back between one and ten years: far enough that a shifted date cannot be
# matched to a visit by a neighbour's guess, never zero, whole days so weekdays may change
# but intervals between a patient's events stay exact.
SHIFT_MIN_DAYS = -3650
SHIFT_MAX_DAYS = -365
_SET_UP_ATTEMPTS = 200  # about 100 s of waiting in all, far beyond any real contention


def new_surrogate() -> str:
    """A fresh random surrogate, e.g. ``HZ7Q2M0XK4B9TA``."""
    return SURROGATE_PREFIX + "".join(secrets.choice(SURROGATE_ALPHABET) for _ in range(SURROGATE_LENGTH))


def new_date_shift() -> int:
    """A fresh random shift in days, in [SHIFT_MIN_DAYS, SHIFT_MAX_DAYS]."""
    return SHIFT_MIN_DAYS + secrets.randbelow(SHIFT_MAX_DAYS - SHIFT_MIN_DAYS + 1)


class PseudonymVault(Protocol):
    """What :func:`huizhen.deid.dicom.dataset.deidentify_dataset` needs from a vault."""

    def surrogate(self, kind: str, original: str) -> str:
        """Random surrogate for ``original`` of ``kind`` (e.g. "PatientID"), reused once drawn."""
        ...

    def date_shift_days(self, patient_key: str) -> int:
        """Random date shift in days for a patient, reused once drawn."""
        ...


class MemoryVault:
    """A vault that lives as long as the object: for tests and one-off runs."""

    def __init__(self) -> None:
        self._surrogates: dict[tuple[str, str], str] = {}
        self._shifts: dict[str, int] = {}
        self._lock = threading.Lock()

    def surrogate(self, kind: str, original: str) -> str:
        with self._lock:
            return self._surrogates.setdefault((kind, original), new_surrogate())

    def date_shift_days(self, patient_key: str) -> int:
        with self._lock:
            return self._shifts.setdefault(patient_key, new_date_shift())


_SCHEMA = """
CREATE TABLE IF NOT EXISTS surrogate (
    kind TEXT NOT NULL,
    original TEXT NOT NULL,
    surrogate TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (kind, original)
);
CREATE TABLE IF NOT EXISTS date_shift (
    patient_key TEXT PRIMARY KEY,
    days INTEGER NOT NULL,
    created TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
"""


def _set_up(connection: sqlite3.Connection) -> None:
    """WAL mode and the schema, retried while another process of the pool does the same.

    Switching a new file to WAL takes an exclusive lock for which SQLite does not call the busy
    handler, so workers opening a fresh vault together can get "database is locked" at once.
    """
    for attempt in range(_SET_UP_ATTEMPTS):
        try:
            connection.execute("PRAGMA busy_timeout=60000")
            connection.execute("PRAGMA journal_mode=WAL")
            connection.executescript(_SCHEMA)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == _SET_UP_ATTEMPTS - 1:
                raise
            time.sleep(0.005 * (attempt + 1))


class SqliteVault:
    """A vault in an SQLite file (WAL mode), shared by the worker processes of a run.

    The connection is opened lazily and dropped when pickled, so an instance can be handed
    to a process pool; each process opens its own connection to the same file.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = None
        self._cache: dict[tuple[str, str], str] = {}
        self._shift_cache: dict[str, int] = {}

    def __getstate__(self) -> dict[str, object]:
        return {"path": self.path}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(Path(str(state["path"])))  # type: ignore[misc]

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            # Create the file 0600 before SQLite does (SQLite would honour the umask);
            # the -wal and -shm files take the database file's mode.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            connection = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            try:
                _set_up(connection)
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        return self._connection

    def surrogate(self, kind: str, original: str) -> str:
        cached = self._cache.get((kind, original))
        if cached is not None:
            return cached
        db = self._db()
        while True:
            db.execute(
                "INSERT OR IGNORE INTO surrogate (kind, original, surrogate) VALUES (?, ?, ?)",
                (kind, original, new_surrogate()),
            )
            row = db.execute(
                "SELECT surrogate FROM surrogate WHERE kind = ? AND original = ?", (kind, original)
            ).fetchone()
            # No row only if the random surrogate collided with another one (UNIQUE): draw again.
            if row is not None:
                value = str(row[0])
                self._cache[(kind, original)] = value
                return value

    def date_shift_days(self, patient_key: str) -> int:
        cached = self._shift_cache.get(patient_key)
        if cached is not None:
            return cached
        db = self._db()
        db.execute(
            "INSERT OR IGNORE INTO date_shift (patient_key, days) VALUES (?, ?)", (patient_key, new_date_shift())
        )
        row = db.execute("SELECT days FROM date_shift WHERE patient_key = ?", (patient_key,)).fetchone()
        days = int(row[0])
        self._shift_cache[patient_key] = days
        return days

    def pin_date_shift(self, patient_key: str, days: int) -> int:
        """Give ``patient_key`` the shift ``days`` unless it already has one; return the shift in force.

        A caller that already shifts the patient's other records (the case's text and
        structured dates) pins that shift here, so images and text keep one timeline. A
        patient exported before keeps the shift their earlier studies were written with.
        """
        db = self._db()
        db.execute("INSERT OR IGNORE INTO date_shift (patient_key, days) VALUES (?, ?)", (patient_key, days))
        row = db.execute("SELECT days FROM date_shift WHERE patient_key = ?", (patient_key,)).fetchone()
        pinned = int(row[0])
        self._shift_cache[patient_key] = pinned
        return pinned

    def close(self) -> None:
        """Close the connection (it reopens on next use)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
