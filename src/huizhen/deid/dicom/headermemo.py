"""Header memo: the per-options element action map and the per-series memo of de-identified bytes.

The lean header path of :mod:`.rewriter` decides each top-level element of a header from its
tag and VR alone where DICOM PS3.15 Annex E, Table E.1-1 and the engine's policy allow it
(:mod:`.dataset`): private and group-length elements go (:data:`DROP`), unlisted non-text
attributes stay byte-identical (:data:`KEEP`), instance UIDs are remapped with the keyed hash
(:data:`UID`).  Everything else is computed by the profile itself, through pydicom, and
memoised: within one *context* — the exact bytes of every element that can influence another
element's result (character set, names, identifiers and sequences the known-identifier sweep
reads, the patient key of the date shift and surrogates, the hold attributes, Study and Series
Instance UID, the attributes the profile adds or conditions on) — an element's output is a
function of its own bytes, since UIDs map deterministically under the key and surrogates and
date shifts are fixed per patient.  Slices of a series share their context, so the second to
last slice reuse the first one's results.  The memo assumes a deterministic text cleaner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from huizhen.deid.dicom import identifiers
from huizhen.deid.dicom.charset import CHARSET_VRS, SPECIFIC_CHARACTER_SET
from huizhen.deid.dicom.dataset import (
    _KEPT_VRS,
    _SURROGATE_TAGS,
    CODE_MEANING,
    CODING_SCHEME_DESIGNATOR,
    ISSUER_OF_PATIENT_ID,
    LOCAL_NAMESPACE_ENTITY_ID,
    PATIENT_ID,
    PATIENT_NAME,
    REQUIRES_PARTNER,
    UNIVERSAL_ENTITY_ID,
    UNIVERSAL_ENTITY_ID_TYPE,
    row_for,
)
from huizhen.deid.dicom.profile import Options, action_for

DROP: Final = 0
KEEP: Final = 1
UID: Final = 2
CONTEXT: Final = 3
COMPUTE: Final = 4

SOP_INSTANCE_UID: Final = 0x00080018
STUDY_INSTANCE_UID: Final = 0x0020000D
SERIES_INSTANCE_UID: Final = 0x0020000E
SOP_CLASS_UID: Final = 0x00080016
# Attributes the profile adds to every object (PS3.15 E.1.1 marks and the UTF-8 declaration),
# or adds when the HL7v2 Hierarchic Designator Macro needs a Local Namespace Entity ID.
ADDED_TAGS: Final = frozenset(
    {SPECIFIC_CHARACTER_SET, 0x00120062, 0x00120063, 0x00120064, 0x00280303, LOCAL_NAMESPACE_ENTITY_ID}
)
# Elements whose bytes can change another element's result, or the outcome (see the module text).
CONTEXT_TAGS: Final = (
    frozenset(
        {
            SOP_CLASS_UID,
            0x00080060,  # Modality: hold reason
            0x00280301,  # Burned In Annotation: hold reason
            PATIENT_ID,
            PATIENT_NAME,
            ISSUER_OF_PATIENT_ID,
            identifiers.PATIENT_BIRTH_DATE,
            CODING_SCHEME_DESIGNATOR,
            UNIVERSAL_ENTITY_ID,
            UNIVERSAL_ENTITY_ID_TYPE,
            STUDY_INSTANCE_UID,
            SERIES_INSTANCE_UID,
        }
    )
    | identifiers.IDENTIFIER_TAGS
    | {identifiers.PATIENT_ADDRESS, identifiers.PATIENT_TELEPHONE_NUMBERS}
    | frozenset(REQUIRES_PARTNER) | frozenset(REQUIRES_PARTNER.values())
    | ADDED_TAGS
)  # fmt: skip
# VRs whose bytes the writer re-encodes when the character set changes (rewriter._TEXT_VRS).
_TEXT_VRS: Final = frozenset({"SH", "LO", "ST", "PN", "LT", "UC", "UT"})
_COMPOUND: Final = {"X/Z": "Z", "X/D": "D", "X/Z/D": "D", "Z/D": "D", "X/Z/U*": "U"}
_MAX_CONTEXTS: Final = 32
_MAX_ELEMENTS: Final = 16384


class ActionMap:
    """Element class by (tag, VR) under one set of options, computed once per pair."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self._classes: dict[tuple[int, str], int] = {}

    def classify(self, tag: int, vr: str) -> int:
        key = (tag, vr)
        known = self._classes.get(key)
        if known is None:
            known = self._classes[key] = self._classify(tag, vr)
        return known

    def _classify(self, tag: int, vr: str) -> int:
        group, number = tag >> 16, tag & 0xFFFF
        if vr in ("PN", "SQ") or tag in CONTEXT_TAGS:
            return CONTEXT  # names and sequences feed the known-identifier sweep of the whole header
        if group & 1 or number == 0 or group in (0x0000, 0x0002):
            return DROP  # private (no safe-private allowlist here), group lengths, command and meta
        if tag == CODE_MEANING:
            return COMPUTE  # a descriptor when the code is local: decided by the profile
        if self._keeps_raw(tag, vr):
            return KEEP
        if self._remaps_uid(tag, vr):
            return UID
        return COMPUTE

    def _keeps_raw(self, tag: int, vr: str) -> bool:
        """Unlisted non-text attributes: the profile never converts them, the writer copies them."""
        if tag in _SURROGATE_TAGS or row_for(tag) is not None or vr not in _KEPT_VRS:
            return False
        return vr not in _TEXT_VRS and vr not in CHARSET_VRS and vr not in identifiers.SWEPT_VRS

    def _remaps_uid(self, tag: int, vr: str) -> bool:
        """UIDs the profile replaces by their keyed pseudonym (action U or D, or unlisted)."""
        if vr != "UI" or self.options.retain_uids or tag in _SURROGATE_TAGS:
            return False
        row = row_for(tag)
        if row is None:
            return True
        action = action_for(row, self.options)
        action = _COMPOUND.get(action, action)
        if action == "C":
            action = _COMPOUND.get(row.basic, row.basic)
        return action in ("U", "D")


@dataclass
class SeriesContext:
    """What the profile produced for one context: outputs by element bytes, additions, outcome."""

    context_out: dict[int, bytes]
    additions: dict[int, bytes]
    quarantine_reason: str | None
    study_uid: str
    series_uid: str
    sop_class: str
    elements: dict[tuple[int, bytes], bytes] = field(default_factory=dict)

    def remember(self, tag: int, raw: bytes, output: bytes) -> None:
        if len(self.elements) >= _MAX_ELEMENTS:
            self.elements.clear()  # bounded: a long run of varied values starts afresh
        self.elements[(tag, raw)] = output


class HeaderMemo:
    """Per-process memo of the lean header path, for one de-identification context."""

    def __init__(self, options: Options) -> None:
        self.actions = ActionMap(options)
        # An allowlist makes a private element's fate depend on its block's creator.
        self.enabled = not (options.retain_safe_private and options.safe_private)
        self._contexts: dict[tuple[str, bool, bytes], SeriesContext] = {}

    def context(self, key: tuple[str, bool, bytes]) -> SeriesContext | None:
        return self._contexts.get(key)

    def remember(self, key: tuple[str, bool, bytes], context: SeriesContext) -> None:
        if len(self._contexts) >= _MAX_CONTEXTS:
            del self._contexts[next(iter(self._contexts))]  # the oldest series first
        self._contexts[key] = context

    def forget(self, key: tuple[str, bool, bytes]) -> None:
        self._contexts.pop(key, None)
