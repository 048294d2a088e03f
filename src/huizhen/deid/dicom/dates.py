"""Date shifting for Retain Longitudinal Temporal Information with Modified Dates.

DICOM PS3.15 Annex E, Section E.3.6: dates and times may be "modified ... in a manner that
preserves temporal relationships" instead of being removed.  Huizhen shifts every DA value and
the date part of every DT value by a whole number of days drawn once per patient and kept in
the vault, so all studies of a patient move together and intervals between them stay exact;
times of day (TM, the time part of DT) are kept because a whole-day shift does not change them.
Values follow PS3.5 Section 6.2 (DA ``YYYYMMDD``; DT ``YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&ZZXX]``);
the ACR-NEMA form ``YYYY.MM.DD`` and ranges ``A-B`` are accepted.  A value that is not a date is
not shifted but dropped (None): it may be free text typed into a date field.
"""

from __future__ import annotations

import datetime as dt
import re

_DT = re.compile(r"^(\d{4})(\d{2})?(\d{2})?([0-9.]*)([+-]\d{4})?$")


def shift_date(value: str, days: int) -> str | None:
    """Shift a DA value (or range) by ``days``; None if it is not a date."""
    text = value.strip()
    if not text:
        return ""
    if "-" in text:
        parts = [shift_date(part, days) if part else "" for part in text.split("-")]
        if len(parts) != 2 or any(part is None for part in parts):
            return None
        return "-".join(part or "" for part in parts)
    text = text.replace(".", "") if len(text) == 10 else text
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        moved = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8])) + dt.timedelta(days=days)
        # Not strftime: glibc writes years before 1000 without zero padding, which is not a DA.
        return f"{moved.year:04d}{moved.month:02d}{moved.day:02d}"
    except (ValueError, OverflowError):
        return None


def shift_datetime(value: str, days: int) -> str | None:
    """Shift the date part of a DT value by ``days``, keeping its precision, time and offset."""
    text = value.strip()
    if not text:
        return ""
    match = _DT.match(text)
    if match is None:
        return None
    year, month, day, rest, offset = match.groups()
    try:
        moved = dt.date(int(year), int(month or 1), int(day or 1)) + dt.timedelta(days=days)
    except (ValueError, OverflowError):
        return None
    # Keep the original precision: a year-only value stays year-only.
    out = f"{moved.year:04d}"
    if month:
        out += f"{moved.month:02d}"
    if day:
        out += f"{moved.day:02d}"
    return out + rest + (offset or "")


def patient_key(*, patient_id: str, issuer: str, name: str, birth_date: str) -> str:
    """The key of a patient in the vault, from the ORIGINAL identifiers.

    Patient ID within its issuer identifies the patient across studies; when a hospital
    sends no ID, name and birth date are the best remaining key.
    """
    patient_id, issuer = patient_id.strip(), issuer.strip()
    if patient_id:
        return f"id:{patient_id}^{issuer}"
    return f"name:{name.strip()}^{birth_date.strip()}"
