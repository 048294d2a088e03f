"""Consistent UID pseudonyms under the 2.25 root, keyed by the node's secret.

DICOM PS3.15 Annex E, Table E.1-1 action U replaces a UID "with a non-zero length UID that is
internally consistent within a set of Instances".  PS3.5 Section B.2 allows a UID made of
``2.25.`` followed by the decimal form of a 128-bit integer (ISO/IEC 9834-8).  Using the first
128 bits of HMAC-SHA256 under the node's key makes the mapping the same for a UID across
files, runs and studies (so every reference stays consistent) while it cannot be reversed or
recomputed by anyone without the key.  UIDs are identifiers of objects, not of the patient,
so a keyed hash is allowed here, unlike for patient identifiers (see :mod:`.vault`).
"""

from __future__ import annotations

import hmac
from hashlib import sha256

# Every UID in the DICOM registry (SOP classes, transfer syntaxes, coding schemes,
# well-known frames of reference) starts with this root; such UIDs name no patient or
# object and must be kept, or the file would no longer say what it is.
DICOM_ROOT = "1.2.840.10008."


def uid_for(original: str, *, key: bytes) -> str:
    """Return ``2.25.<decimal of the first 128 bits of HMAC-SHA256(key, original)>``."""
    digest = hmac.new(key, original.strip("\x00 ").encode("ascii", "surrogateescape"), sha256).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


def is_well_known(uid: str) -> bool:
    """True for UIDs of the DICOM registry, which are kept as they are."""
    return uid.strip("\x00 ").startswith(DICOM_ROOT)


def remap_uid(original: str, *, key: bytes) -> str:
    """Return the pseudonym of an instance UID, or the UID itself if it is a registry UID."""
    if not original or is_well_known(original):
        return original
    return uid_for(original, key=key)
