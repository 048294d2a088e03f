"""De-identify one DICOM dataset in place: DICOM PS3.15 Annex E, Table E.1-1 with options.

:func:`deidentify_dataset` applies the action of every attribute of the Basic Application
Level Confidentiality Profile under the chosen options (:mod:`.profile`), at the top level and
inside sequence items at any depth, and in the file meta information (Media Storage SOP
Instance UID).  Beyond the table, a conservative policy covers what the table does not list:

* private attributes (odd groups) are removed unless Retain Safe Private is on and
  (creator, group, element offset) is allowlisted; a private creator goes with its block;
* any other Person Name (PN) value is emptied: names have no business outside the table's rows;
* other unlisted free text (ST, LT, UT, UC) is cleaned with the text cleaner, or emptied;
* other unlisted UIDs are remapped unless they are registry UIDs (:func:`.uids.remap_uid`);
* unlisted public attributes of VR UN (unknown to the dictionary) are removed;
* the Code Meaning of a code of a private or local coding scheme ("99..." and "L", PS3.3
  Section 8.2, or any designator not in :data:`STANDARD_CODING_SCHEMES`) is a descriptor:
  cleaned with the text cleaner under Clean Descriptors, else replaced by a dummy (it is
  Type 1); its Code Value is kept as the code's key;
* everything else (codes, numbers, measurements, equipment make and model) is kept as is,
  then swept: every kept text value at any depth has the patient's own identifiers, as the
  header stated them before any action (names, IDs, accession numbers, birth date in written
  forms, address, phone), masked (:mod:`.identifiers`).  Kept short text that mentions
  *another* identity, or this one in a form the sweep does not know, is a residual risk.

Emptying must not break the object: :data:`NEVER_EMPTY` lists Type 1/1C attributes that get
a dummy instead of an empty value, and :data:`REQUIRES_PARTNER` conditional attributes that
go when the profile removes the attribute their condition names (each with its reason).

Compound actions keep the attribute present, which never turns a valid object invalid:
X/Z -> Z; X/D, X/Z/D and Z/D -> D; X/Z/U* -> U for UIDs and recursion for sequences.
D on a sequence, and C from Clean Structured Content or Clean Graphics, keep the sequence and
de-identify its items.  Patient ID, Other Patient IDs and Accession Number get random vault
surrogates (the patient's name becomes its patient ID surrogate).  Pixel data is never read or
touched; the caller may pass a header-only dataset.  The object is then marked as PS3.15
requires (Patient Identity Removed, De-identification Method and its Code Sequence,
Longitudinal Temporal Information Modified) and all text is declared UTF-8 (:mod:`.charset`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.valuerep import VR

from huizhen.deid.dicom import charset, identifiers
from huizhen.deid.dicom.dates import patient_key, shift_date, shift_datetime
from huizhen.deid.dicom.descriptors import DescriptorCleaner, fit_to_vr
from huizhen.deid.dicom.profile import Options, action_for
from huizhen.deid.dicom.table import MASKED_ROWS, ROWS, ProfileRow
from huizhen.deid.dicom.uids import remap_uid
from huizhen.deid.dicom.vault import PseudonymVault

PATIENT_ID = 0x00100020
PATIENT_NAME = 0x00100010
ISSUER_OF_PATIENT_ID = 0x00100021
OTHER_PATIENT_IDS = 0x00101000
ACCESSION_NUMBER = 0x00080050
MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003

_SURROGATE_TAGS = frozenset({PATIENT_ID, OTHER_PATIENT_IDS, ACCESSION_NUMBER})
# VRs of unlisted public attributes that the policy keeps untouched.
_KEPT_VRS = frozenset(
    {VR.AE, VR.AS, VR.AT, VR.CS, VR.DA, VR.DS, VR.DT, VR.FL, VR.FD, VR.IS, VR.LO, VR.SH, VR.SL, VR.SS, VR.SV}
    | {VR.TM, VR.UL, VR.US, VR.UV, VR.UR, VR.OB, VR.OW, VR.OD, VR.OF, VR.OL, VR.OV}
)

CODING_SCHEME_DESIGNATOR = 0x00080102
CODE_MEANING = 0x00080104
LOCAL_NAMESPACE_ENTITY_ID = 0x00400031
UNIVERSAL_ENTITY_ID = 0x00400032
UNIVERSAL_ENTITY_ID_TYPE = 0x00400033

# Coding schemes of PS3.16 Table 8-1 whose Code Meanings are the standard's or a terminology's
# own text.  PS3.3 Section 8.2 reserves designators beginning with "99" and "L" for private
# and local schemes; any designator not listed here is treated as local as well, since a
# hospital's own code list is where a RIS writes names and record numbers into meanings.
STANDARD_CODING_SCHEMES = frozenset(
    {
        "DCM", "SCT", "SRT", "SNM3", "LN", "UCUM", "RADLEX", "FMA", "NCIT", "NCIt", "MSH", "UMLS",
        "I10", "I9C", "I10P", "I9", "ICD10", "ICD10PCS", "C4", "C5", "CD2", "HPC", "ACR", "NEU",
        "MDC", "NDC", "RXNORM", "NICIP", "UBERON", "BI", "NCDR", "ISO3166_1", "ISO639_1",
        "ISO639_2", "ISO_OID", "IBSI", "RFC5646", "SCPECG", "PUBCHEM_CID", "ITIS_TSN", "MGI",
        "NYUMCCG", "UPC", "ATC", "CAS", "DC", "LNC", "NBD", "NBQ", "HGNC", "MA", "ENSEMBL",
    }
)  # fmt: skip

# Exceptions to "empty it" for Type 1 and 1C attributes that must keep a value when present
# (PS3.5 Section 7.4): an empty value would make the de-identified object invalid where the
# input was valid.  Each gets the cleaned text, or a dummy when nothing can clean it.
NEVER_EMPTY: dict[int, str] = {
    0x0040A160: "Text Value: Type 1C in SR Document Content items of Value Type TEXT (PS3.3 C.17.3)",
    LOCAL_NAMESPACE_ENTITY_ID: "Local Namespace Entity ID: Type 1C, HL7v2 Hierarchic Designator Macro (PS3.3 10.14)",
    0x00700006: "Unformatted Text Value: Type 1C in Waveform Annotation and Text Object items (PS3.3 C.10.5)",
    CODE_MEANING: "Code Meaning of a local code: Type 1 in the Basic Code Sequence Macro (PS3.3 8.8)",
}
# Type 1C attributes whose condition is the presence of another attribute: when the profile
# removes the partner, the dependent goes too (dependent -> partner).
REQUIRES_PARTNER: dict[int, int] = {
    # Clinical Trial Protocol Ethics Committee Name is required if, and only allowed with, the
    # Approval Number (PS3.3 C.7.1.3), which Table E.1-1 removes (X) while giving the name D.
    0x00120081: 0x00120082,
}

# File meta attributes that name the sending system or carry private payload.
_META_REMOVED = (0x00020016, 0x00020017, 0x00020018, 0x00020100, 0x00020102)

_TEXT_VRS = frozenset({VR.LO, VR.SH, VR.ST, VR.LT, VR.UT, VR.UC, VR.AE, VR.CS, VR.PN, VR.UR})
_FREE_TEXT_VRS = frozenset({VR.ST, VR.LT, VR.UT, VR.UC})
_BINARY_VRS = frozenset({VR.OB, VR.OW, VR.OD, VR.OF, VR.OL, VR.OV, VR.UN})

# Dummy values for action D (non-zero length, valid for the VR, PS3.5 Table 6.2-1).
_DUMMY: dict[str, object] = {
    VR.AE: "ANONYMIZED",
    VR.AS: "000Y",
    VR.CS: "ANONYMIZED",
    VR.DA: "19000101",
    VR.DS: "0",
    VR.DT: "19000101000000",
    VR.IS: "0",
    VR.LO: "ANONYMIZED",
    VR.LT: "ANONYMIZED",
    VR.PN: "ANONYMIZED",
    VR.SH: "ANONYMIZED",
    VR.ST: "ANONYMIZED",
    VR.TM: "000000",
    VR.UC: "ANONYMIZED",
    VR.UR: "http://example.invalid",
    VR.UT: "ANONYMIZED",
    VR.AT: 0,
    VR.FL: 0.0,
    VR.FD: 0.0,
    VR.SL: 0,
    VR.SS: 0,
    VR.SV: 0,
    VR.UL: 0,
    VR.US: 0,
    VR.UV: 0,
}

# Clean Pixel Data as a hold (issue 5, item 3): kinds of object that often carry burned-in text.
_US_CLASSES = frozenset(
    {
        "1.2.840.10008.5.1.4.1.1.6",  # Ultrasound Image (retired)
        "1.2.840.10008.5.1.4.1.1.6.1",  # Ultrasound Image
        "1.2.840.10008.5.1.4.1.1.6.2",  # Enhanced US Volume
        "1.2.840.10008.5.1.4.1.1.6.3",  # Photoacoustic
        "1.2.840.10008.5.1.4.1.1.3",  # Ultrasound Multi-frame (retired)
        "1.2.840.10008.5.1.4.1.1.3.1",  # Ultrasound Multi-frame
    }
)
_SC_CLASSES = frozenset(
    {
        "1.2.840.10008.5.1.4.1.1.7",  # Secondary Capture
        "1.2.840.10008.5.1.4.1.1.7.1",  # Multi-frame Single Bit SC
        "1.2.840.10008.5.1.4.1.1.7.2",  # Multi-frame Grayscale Byte SC
        "1.2.840.10008.5.1.4.1.1.7.3",  # Multi-frame Grayscale Word SC
        "1.2.840.10008.5.1.4.1.1.7.4",  # Multi-frame True Color SC
    }
)
_DX_CLASSES = frozenset(
    {
        "1.2.840.10008.5.1.4.1.1.1.1",  # Digital X-Ray For Presentation
        "1.2.840.10008.5.1.4.1.1.1.1.1",  # Digital X-Ray For Processing
    }
)
_ENCAPSULATED_DOCUMENT_ROOT = "1.2.840.10008.5.1.4.1.1.104."
# Visible-light photographs: faces, wristbands and labels are in the picture itself.
_PHOTO_MODALITIES = frozenset({"XC", "GM"})


@dataclass(frozen=True)
class DeidContext:
    """What de-identification needs besides the dataset."""

    uid_key: bytes  # node secret for the keyed UID hash (2.25 root)
    vault: PseudonymVault
    options: Options


@dataclass
class DatasetOutcome:
    """Result of :func:`deidentify_dataset`: the hold decision and the NEW UIDs for naming."""

    quarantine_reason: str | None
    study_uid: str
    series_uid: str
    sop_instance_uid: str


def deidentify_dataset(
    ds: Dataset, *, context: DeidContext, file_meta: FileMetaDataset | None = None
) -> DatasetOutcome:
    """De-identify ``ds`` (and ``file_meta``, or ``ds.file_meta`` if present) in place."""
    options = context.options
    charset.decode_all(ds)
    known = identifiers.collect(ds)  # before any action changes what the header says
    reason = hold_reason(ds, options)
    key = patient_key(
        patient_id=_text(ds, PATIENT_ID),
        issuer=_text(ds, ISSUER_OF_PATIENT_ID),
        name=_text(ds, PATIENT_NAME),
        birth_date=_text(ds, 0x00100030),
    )
    shift = context.vault.date_shift_days(key) if options.retain_longitudinal_modified_dates else 0
    walker = _Walker(context=context, shift_days=shift)
    # Patient-level surrogates first, from the original values; the table walk then skips them.
    patient_surrogate = context.vault.surrogate("PatientID", key)
    if PATIENT_ID in ds:
        ds[PATIENT_ID].value = patient_surrogate
    if PATIENT_NAME in ds:
        ds[PATIENT_NAME].value = patient_surrogate
    walker.walk(ds, top_level=True)
    known.mask_dataset(ds)
    meta = file_meta if file_meta is not None else getattr(ds, "file_meta", None)
    if meta is not None:
        _deidentify_meta(meta, context)
    _mark(ds, options)
    charset.declare_utf8(ds)
    return DatasetOutcome(
        quarantine_reason=reason,
        study_uid=_text(ds, 0x0020000D),
        series_uid=_text(ds, 0x0020000E),
        sop_instance_uid=_text(ds, 0x00080018),
    )


def hold_reason(ds: Dataset, options: Options) -> str | None:
    """Why ``ds`` must be held for review instead of exported, or None.

    Encapsulated documents (PDF, CDA, STL...) are always held: their payload is free text or
    a file that this engine does not open.  With Clean Pixel Data as a hold: Burned In
    Annotation YES; ultrasound and secondary capture (often annotated on the image whatever
    the header says); DX unless Burned In Annotation is explicitly NO; visible-light photographs.
    """
    sop_class = _text(ds, 0x00080016)
    if sop_class.startswith(_ENCAPSULATED_DOCUMENT_ROOT):
        return "encapsulated document: its payload is not de-identified"
    if not options.clean_pixel_data_hold:
        return None
    burned_in = _text(ds, 0x00280301).upper()
    modality = _text(ds, 0x00080060).upper()
    if burned_in == "YES":
        return "BurnedInAnnotation=YES"
    if modality == "US" or sop_class in _US_CLASSES:
        return "modality US often carries burned-in text"
    if sop_class in _SC_CLASSES:
        return "secondary capture often carries burned-in text"
    if (modality == "DX" or sop_class in _DX_CLASSES) and burned_in != "NO":
        return "modality DX without BurnedInAnnotation=NO often carries burned-in text"
    if modality in _PHOTO_MODALITIES:
        return f"modality {modality} is a photograph that may show the patient or a label"
    return None


def row_for(tag: int) -> ProfileRow | None:
    """The Table E.1-1 row of a public tag, including the xx-masked curve and overlay rows."""
    row = ROWS.get(tag)
    if row is not None:
        return row
    for mask, value, masked in MASKED_ROWS:
        if tag & mask == value:
            return masked
    return None


def _text(ds: Dataset, tag: int) -> str:
    element = ds.get(tag)
    if element is None or element.value is None:
        return ""
    value = element.value
    if isinstance(value, MultiValue | list):
        return "\\".join(str(v) for v in value)
    return str(value)


class _Walker:
    def __init__(self, *, context: DeidContext, shift_days: int) -> None:
        self.context = context
        self.options = context.options
        self.shift_days = shift_days
        self.cleaner = self.options.text_cleaner
        if isinstance(self.cleaner, DescriptorCleaner):
            # The text scrubber moves dates in free text with the patient's shift, or tags them.
            self.cleaner = self.cleaner.for_patient(
                date_shift_days=shift_days,
                shift_dates=self.options.retain_longitudinal_modified_dates
                or self.options.retain_longitudinal_full_dates,
                keep_organizations=self.options.retain_institution_identity,
            )

    def walk(self, ds: Dataset, *, top_level: bool = False) -> None:
        private_kept: set[tuple[int, int]] = set()
        local_code = is_local_code(ds)
        partners = [tag for tag in REQUIRES_PARTNER.values() if tag in ds]
        for tag in list(ds.keys()):
            if tag in charset.PIXEL_TAGS or tag == charset.SPECIFIC_CHARACTER_SET:
                continue
            group, elem = tag >> 16, tag & 0xFFFF
            if elem == 0x0000 or group in (0x0000, 0x0002):
                # Group lengths would be wrong after editing (they are optional); command (0000)
                # and file meta (0002) elements have no place in a stored dataset's body.
                del ds[tag]
                continue
            if group & 1:
                if 0x0010 <= elem <= 0x00FF:
                    continue  # private creators: decided once the block is known
                if self._private_is_safe(ds, tag):
                    private_kept.add((group, elem >> 8))
                    self._recurse_if_sequence(ds[tag])
                else:
                    del ds[tag]
                continue
            if top_level and tag in (PATIENT_ID, PATIENT_NAME):
                continue  # already replaced by the patient surrogate
            if local_code and tag == CODE_MEANING:
                self._descriptor(ds[tag])
                continue
            if tag not in _SURROGATE_TAGS and row_for(tag) is None and charset.raw_vr(ds, tag) in _KEPT_VRS:
                continue  # kept as is: not converted, so written back byte-identical (and fast)
            self._apply(ds, tag)
        for tag in list(ds.keys()):
            group, elem = tag >> 16, tag & 0xFFFF
            if group & 1 and 0x0010 <= elem <= 0x00FF and (group, elem) not in private_kept:
                del ds[tag]
        _keep_conditions(ds, partners_before=partners)

    def _descriptor(self, element: DataElement) -> None:
        """Clean a descriptor (Clean Descriptors option), or replace it by a dummy."""
        cleaner = self.cleaner
        if self.options.clean_descriptors and cleaner is not None and element.value:
            element.value = _map_text(element.value, cleaner, element.VR)
            if _text_of(element).strip():
                return
        _dummy(element)

    def _private_is_safe(self, ds: Dataset, tag: int) -> bool:
        if not (self.options.retain_safe_private and self.options.safe_private):
            return False
        group, elem = tag >> 16, tag & 0xFFFF
        if elem < 0x1000:
            return False
        creator = ds.get((group << 16) | (elem >> 8))
        if creator is None or not isinstance(creator.value, str):
            return False
        return (creator.value.strip(), group, elem & 0xFF) in self.options.safe_private

    def _recurse_if_sequence(self, element: DataElement) -> None:
        if element.VR == VR.SQ and element.value is not None:
            for item in element.value:
                self.walk(item)

    def _apply(self, ds: Dataset, tag: int) -> None:
        element = ds[tag]
        if tag == ACCESSION_NUMBER:
            element.value = self._surrogates("AccessionNumber", element.value)
            return
        if tag == OTHER_PATIENT_IDS:
            element.value = self._surrogates("OtherPatientIDs", element.value)
            return
        if tag == PATIENT_ID:  # inside items, e.g. Other Patient IDs Sequence
            issuer = _text(ds, ISSUER_OF_PATIENT_ID)
            value = _text(ds, PATIENT_ID)
            element.value = self.context.vault.surrogate("PatientID", f"id:{value}^{issuer}") if value else ""
            return
        row = row_for(tag)
        if row is None:
            self._apply_unlisted(ds, element)
            return
        action = action_for(row, self.options)
        if action == "C":
            self._clean(ds, element, row)
        else:
            self._act(ds, element, action)

    def _surrogates(self, kind: str, value: object) -> object:
        vault = self.context.vault
        if isinstance(value, MultiValue | list):
            return [vault.surrogate(kind, str(v)) if str(v) else "" for v in value]
        return vault.surrogate(kind, str(value)) if value else ""

    def _act(self, ds: Dataset, element: DataElement, action: str) -> None:
        if action == "X/Z":
            action = "Z"
        elif action in ("X/D", "X/Z/D", "Z/D"):
            action = "D"
        elif action == "X/Z/U*":
            action = "U" if element.VR in (VR.UI, VR.SQ) else "Z"
        if action == "K":
            if element.VR == VR.SQ:
                self._recurse_if_sequence(element)
        elif action == "X":
            del ds[element.tag]
        elif action == "Z":
            _empty(element)
        elif action == "D" or action == "U":
            if element.VR == VR.SQ:
                self._recurse_if_sequence(element)
            elif element.VR == VR.UI:
                self._remap(element)
            else:
                _dummy(element)
        else:
            raise ValueError(f"unknown PS3.15 action {action!r} for {element.tag}")

    def _clean(self, ds: Dataset, element: DataElement, row: ProfileRow) -> None:
        vr = element.VR
        if vr in (VR.DA, VR.DT, VR.TM):
            # Only the Modified Dates option gives C to dates and times.
            self._shift(ds, element)
        elif vr == VR.SQ:
            self._recurse_if_sequence(element)
        elif vr in _TEXT_VRS and vr != VR.PN and self.cleaner is not None:
            element.value = _map_text(element.value, self.cleaner, vr)
        else:
            # Nothing can clean it (no text cleaner yet, overlay bitmaps, PN): fall back to the Basic Profile.
            self._act(ds, element, row.basic)

    def _shift(self, ds: Dataset, element: DataElement) -> None:
        if element.VR == VR.TM or element.value is None:
            return
        shift = shift_date if element.VR == VR.DA else shift_datetime
        values = list(element.value) if isinstance(element.value, MultiValue | list) else [element.value]
        shifted = [shift(str(value), self.shift_days) for value in values]
        if any(value is None for value in shifted):
            _empty(element)  # not a date: may be free text typed into a date field
            return
        element.value = shifted if len(shifted) > 1 else shifted[0]

    def _remap(self, element: DataElement) -> None:
        if element.value is None:
            return
        key = self.context.uid_key
        if isinstance(element.value, MultiValue | list):
            element.value = [remap_uid(str(v), key=key) for v in element.value]
        else:
            element.value = remap_uid(str(element.value), key=key)

    def _apply_unlisted(self, ds: Dataset, element: DataElement) -> None:
        vr = element.VR
        if vr == VR.SQ:
            self._recurse_if_sequence(element)
        elif vr == VR.UI:
            if not self.options.retain_uids:
                self._remap(element)
        elif vr == VR.PN:
            _empty(element)
        elif vr in _FREE_TEXT_VRS:
            if self.cleaner is not None:
                element.value = _map_text(element.value, self.cleaner, vr)
            else:
                _empty(element)
            if element.tag in NEVER_EMPTY and not _text_of(element).strip():
                _dummy(element)
        elif vr == VR.UN:
            del ds[element.tag]


def is_local_code(item: Dataset) -> bool:
    """Whether ``item`` is a code (PS3.3 8.8) of a private or local coding scheme."""
    if CODING_SCHEME_DESIGNATOR not in item:
        return False
    designator = _text(item, CODING_SCHEME_DESIGNATOR).strip()
    return designator.startswith("99") or designator == "L" or designator not in STANDARD_CODING_SCHEMES


def _keep_conditions(item: Dataset, *, partners_before: list[int]) -> None:
    """Restore the conditions of Type 1C attributes that the actions broke (see NEVER_EMPTY)."""
    for dependent, partner in REQUIRES_PARTNER.items():
        if dependent in item and partner in partners_before and partner not in item:
            del item[dependent]
    universal = item.get(UNIVERSAL_ENTITY_ID)
    if universal is not None and not _text_of(universal).strip():
        # HL7v2 Hierarchic Designator Macro: Universal Entity ID and its Type are required only
        # without a Local Namespace Entity ID; an emptied one goes, with its Type, and a dummy
        # local namespace keeps the macro (and its issuer sequence) valid.
        del item[UNIVERSAL_ENTITY_ID]
        if UNIVERSAL_ENTITY_ID_TYPE in item:
            del item[UNIVERSAL_ENTITY_ID_TYPE]
        if LOCAL_NAMESPACE_ENTITY_ID not in item:
            item.add_new(LOCAL_NAMESPACE_ENTITY_ID, VR.UT, _DUMMY[VR.UT])
    local = item.get(LOCAL_NAMESPACE_ENTITY_ID)
    if local is not None and not _text_of(local).strip():
        _dummy(local)


def _text_of(element: DataElement) -> str:
    value = element.value
    if value is None:
        return ""
    if isinstance(value, MultiValue | list):
        return "\\".join(str(v) for v in value)
    return str(value)


def _map_text(value: object, cleaner: Callable[[str], str], vr: str) -> object:
    """Each value through the cleaner, cut to the VR's maximum length (tags may lengthen it)."""
    if value is None:
        return value
    if isinstance(value, MultiValue | list):
        return [fit_to_vr(cleaner(str(v)), vr) for v in value]
    return fit_to_vr(cleaner(str(value)), vr)


def _empty(element: DataElement) -> None:
    if element.VR == VR.SQ:
        element.value = Sequence()
    elif element.VR in _TEXT_VRS or element.VR in (VR.DA, VR.DT, VR.TM, VR.AS, VR.DS, VR.IS, VR.UI):
        element.value = ""
    elif element.VR in _BINARY_VRS:
        element.value = b""
    else:
        element.value = None


def _dummy(element: DataElement) -> None:
    if element.VR in _BINARY_VRS:
        element.value = b"\x00\x00"  # even length, non-zero
    else:
        element.value = _DUMMY.get(element.VR, "ANONYMIZED")


def _deidentify_meta(meta: Dataset, context: DeidContext) -> None:
    if MEDIA_STORAGE_SOP_INSTANCE_UID in meta and not context.options.retain_uids:
        element = meta[MEDIA_STORAGE_SOP_INSTANCE_UID]
        element.value = remap_uid(str(element.value or ""), key=context.uid_key)
    for tag in _META_REMOVED:
        if tag in meta:
            del meta[tag]


def _mark(ds: Dataset, options: Options) -> None:
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = ["Huizhen PS3.15 Table E.1-1 Basic Profile", *_method_words(options)]
    items = []
    for code, meaning in options.method_codes():
        item = Dataset()
        item.CodeValue = code
        item.CodingSchemeDesignator = "DCM"
        item.CodeMeaning = meaning
        items.append(item)
    ds.DeidentificationMethodCodeSequence = Sequence(items)
    if options.retain_longitudinal_full_dates:
        ds.LongitudinalTemporalInformationModified = "UNMODIFIED"
    elif options.retain_longitudinal_modified_dates:
        ds.LongitudinalTemporalInformationModified = "MODIFIED"
    else:
        ds.LongitudinalTemporalInformationModified = "REMOVED"


def _method_words(options: Options) -> list[str]:
    # LO holds at most 64 characters per value: one value per option.
    return [name.replace("_", " ").capitalize() for name in options.chosen()]
