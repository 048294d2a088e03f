"""Clean Descriptors (DICOM PS3.15 Annex E, option 113105): free text through the clinical text scrubber.

Descriptions, comments and local code meanings (Study Description, Image Comments, Code
Meaning of a local scheme …) are scrubbed by :mod:`huizhen.deid.text` instead of being
removed, so that "胸部CT平扫 复查 张三" keeps its clinical words. The cleaner is a pure function
of the value and the patient: each value gets a fresh :class:`ScrubContext` (tags numbered
from 1 within the value) with the patient's date shift from the pseudonym vault, so the header
memo of :mod:`.headermemo` may reuse its results across a series. Dates in the text are
shifted when the profile shifts dates, kept under Retain Longitudinal Full Dates, and tagged
when the profile removes dates; hospital names are generalized unless Retain Institution
Identity is chosen. A cleaned value is cut to the maximum length of its VR (PS3.5 Table
6.2-1, counted in UTF-8 bytes) by :func:`fit_to_vr`, never inside a tag.
"""

from __future__ import annotations

from dataclasses import dataclass

from huizhen.deid.text import ScrubContext, scrub

# PS3.5 Table 6.2-1 maximum lengths of the text VRs the cleaner writes (None: unlimited).
MAX_LENGTH: dict[str, int | None] = {"SH": 16, "LO": 64, "ST": 1024, "LT": 10240, "UC": None, "UT": None}


@dataclass(frozen=True)
class DescriptorCleaner:
    """``Options.text_cleaner`` backed by the text scrubber; ``for_patient`` binds one patient's dates."""

    date_shift_days: int = 0
    shift_dates: bool = True
    keep_organizations: bool = False

    def __call__(self, text: str) -> str:
        context = ScrubContext(
            date_shift_days=self.date_shift_days,
            keep_organizations=self.keep_organizations,
            shift_dates=self.shift_dates,
        )
        return scrub(text, context=context).text

    def for_patient(self, *, date_shift_days: int, shift_dates: bool, keep_organizations: bool) -> DescriptorCleaner:
        """This cleaner for one patient: the vault's shift, and what the profile does with dates and institutions."""
        return DescriptorCleaner(
            date_shift_days=date_shift_days, shift_dates=shift_dates, keep_organizations=keep_organizations
        )


def fit_to_vr(text: str, vr: str) -> str:
    """``text`` cut to the maximum length of ``vr`` in UTF-8 bytes, never inside a ``[tag]``."""
    limit = MAX_LENGTH.get(vr)
    if limit is None or len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
    opened = cut.rfind("[")
    if opened > cut.rfind("]"):
        cut = cut[:opened]  # half a tag says nothing and looks like damage
    return cut.rstrip()
