"""Profile options and the action each attribute gets under them.

DICOM PS3.15 Annex E, Table E.1-1 gives each attribute a Basic Application Level
Confidentiality Profile action and, per option column, an override; PS3.16 CID 7050
("De-identification Method") names the profile and options with codes 113100-113112.
:class:`Options` holds the chosen options (defaults: the second-opinion profile: Retain
Longitudinal Temporal Information with Modified Dates, Retain Patient Characteristics, Clean
Descriptors, and Clean Pixel Data applied as a *hold* that quarantines objects likely to carry
burned-in text).  :func:`action_for` resolves a table row to one concrete action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace

from huizhen.deid.dicom.table import ProfileRow

# PS3.16 CID 7050 code value and meaning for the profile and each option.
BASIC_PROFILE_CODE = ("113100", "Basic Application Confidentiality Profile")
OPTION_CODES: dict[str, tuple[str, str]] = {
    "clean_pixel_data_hold": ("113101", "Clean Pixel Data Option"),
    "clean_graphics": ("113103", "Clean Graphics Option"),
    "clean_structured_content": ("113104", "Clean Structured Content Option"),
    "clean_descriptors": ("113105", "Clean Descriptors Option"),
    "retain_longitudinal_full_dates": ("113106", "Retain Longitudinal Temporal Information Full Dates Option"),
    "retain_longitudinal_modified_dates": ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
    "retain_patient_characteristics": ("113108", "Retain Patient Characteristics Option"),
    "retain_device_identity": ("113109", "Retain Device Identity Option"),
    "retain_uids": ("113110", "Retain UIDs Option"),
    "retain_safe_private": ("113111", "Retain Safe Private Option"),
    "retain_institution_identity": ("113112", "Retain Institution Identity Option"),
}

# Option field -> column of the innolitics JSON (and of table.py).
OPTION_COLUMNS: dict[str, str] = {
    "retain_safe_private": "rtnSafePrivOpt",
    "retain_uids": "rtnUIDsOpt",
    "retain_device_identity": "rtnDevIdOpt",
    "retain_institution_identity": "rtnInstIdOpt",
    "retain_patient_characteristics": "rtnPatCharsOpt",
    "retain_longitudinal_full_dates": "rtnLongFullDatesOpt",
    "retain_longitudinal_modified_dates": "rtnLongModifDatesOpt",
    "clean_descriptors": "cleanDescOpt",
    "clean_structured_content": "cleanStructContOpt",
    "clean_graphics": "cleanGraphOpt",
}

# When several chosen options name the same attribute, the first in this order wins: an
# explicit "retain" (K) is what the user asked to keep; Full Dates (K) beats Modified Dates
# (C) because it is the stronger request; a clean (C) beats the Basic Profile action.
_PRECEDENCE: tuple[str, ...] = (
    "retain_uids",
    "retain_device_identity",
    "retain_institution_identity",
    "retain_patient_characteristics",
    "retain_longitudinal_full_dates",
    "retain_safe_private",
    "retain_longitudinal_modified_dates",
    "clean_descriptors",
    "clean_structured_content",
    "clean_graphics",
)

# Names accepted by Options.from_names besides the field names in kebab case.
_ALIASES: dict[str, str] = {
    "modified-dates": "retain-longitudinal-modified-dates",
    "full-dates": "retain-longitudinal-full-dates",
    "patient-characteristics": "retain-patient-characteristics",
    "clean-pixel-data": "clean-pixel-data-hold",
    "device-identity": "retain-device-identity",
    "institution-identity": "retain-institution-identity",
    "safe-private": "retain-safe-private",
}


@dataclass(frozen=True)
class Options:
    """The chosen PS3.15 options; defaults are the second-opinion profile (issue 5, item 3)."""

    retain_longitudinal_modified_dates: bool = True  # 113107
    retain_patient_characteristics: bool = True  # 113108
    clean_descriptors: bool = True  # 113105
    clean_pixel_data_hold: bool = True  # 113101 as a hold: quarantine, never export
    retain_longitudinal_full_dates: bool = False  # 113106
    retain_device_identity: bool = False  # 113109
    retain_institution_identity: bool = False  # 113112
    retain_uids: bool = False  # 113110
    retain_safe_private: bool = False  # 113111
    clean_structured_content: bool = False  # 113104
    clean_graphics: bool = False  # 113103
    # (private creator, group, element offset byte) of private attributes known to be safe.
    safe_private: frozenset[tuple[str, int, int]] = field(default_factory=frozenset)
    # Clean Descriptors: the text scrubber of issue 6; None = the value is removed instead.
    text_cleaner: Callable[[str], str] | None = field(default=None, compare=False)

    @classmethod
    def from_names(cls, names: Iterable[str]) -> Options:
        """Options from CLI names, applied in order over the defaults.

        Each name is an option field in kebab case (``retain-device-identity``), optionally
        prefixed with ``no-`` to turn it off, a CID 7050 code (``113109``), or ``basic`` to
        turn every option off (Basic Profile only).  Empty names are ignored, so a comma
        separated string split on "," can be passed as is.  Unknown names raise ValueError.
        """
        by_code = {code: name for name, (code, _meaning) in OPTION_CODES.items()}
        flags = {f.name for f in fields(cls) if f.type in ("bool", bool)}
        options = cls()
        for raw in names:
            name = raw.strip().lower().replace("_", "-")
            if not name:
                continue
            if name in ("basic", "basic-profile", "113100"):
                options = replace(options, **dict.fromkeys(flags, False))  # type: ignore[arg-type]
                continue
            value = True
            if name.startswith("no-"):
                value, name = False, name[3:]
            name = _ALIASES.get(name, name)
            attribute = by_code.get(name, name.replace("-", "_"))
            if attribute not in flags:
                known = ", ".join(sorted(f.replace("_", "-") for f in flags))
                raise ValueError(f"unknown de-identification option {raw!r}; known: basic, {known}")
            options = replace(options, **{attribute: value})  # type: ignore[arg-type]
        if options.retain_longitudinal_full_dates and options.retain_longitudinal_modified_dates:
            # Full dates keep every date as it is; shifting some would contradict it.
            options = replace(options, retain_longitudinal_modified_dates=False)
        return options

    def chosen(self) -> list[str]:
        """Names of the options turned on, in CID 7050 code order."""
        return [name for name in sorted(OPTION_CODES, key=lambda n: OPTION_CODES[n][0]) if getattr(self, name)]

    def method_codes(self) -> list[tuple[str, str]]:
        """(code value, code meaning) for De-identification Method Code Sequence, CID 7050.

        113101 (Clean Pixel Data) is listed when the hold is on: no exported object carries
        pixel data that is known or likely to hold burned-in text, since those are quarantined.
        """
        return [BASIC_PROFILE_CODE, *(OPTION_CODES[name] for name in self.chosen())]


def action_for(row: ProfileRow, options: Options) -> str:
    """The action of ``row`` under ``options``: the first chosen option's column, else the Basic Profile's."""
    columns = dict(row.options)
    for name in _PRECEDENCE:
        if getattr(options, name):
            action = columns.get(OPTION_COLUMNS[name])
            if action is not None:
                return action
    return row.basic
