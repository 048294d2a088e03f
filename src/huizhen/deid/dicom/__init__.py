"""DICOM de-identification: DICOM PS3.15 Annex E Basic Application Level Confidentiality Profile.

Pure Python on pydicom, no Django.  The public API: :class:`Options` (the profile options),
:func:`deidentify_dataset` with its :class:`DeidContext` and :class:`DatasetOutcome`, the
pseudonym vaults (:class:`SqliteVault`, :class:`MemoryVault`) and :func:`uid_for`.
"""

from huizhen.deid.dicom.dataset import DatasetOutcome, DeidContext, deidentify_dataset, hold_reason
from huizhen.deid.dicom.profile import Options
from huizhen.deid.dicom.uids import uid_for
from huizhen.deid.dicom.vault import MemoryVault, PseudonymVault, SqliteVault

__all__ = [
    "DatasetOutcome",
    "DeidContext",
    "MemoryVault",
    "Options",
    "PseudonymVault",
    "SqliteVault",
    "deidentify_dataset",
    "hold_reason",
    "uid_for",
]
