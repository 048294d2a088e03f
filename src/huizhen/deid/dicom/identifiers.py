"""The known-identifier sweep: mask the patient's own identifiers wherever kept text repeats them.

DICOM PS3.15 Annex E, Table E.1-1 acts attribute by attribute: it removes Patient's Name and
Patient ID, but keeps attributes it does not list, such as the Code Meaning (0008,0104) of a
local procedure code, into which some RIS write "胸部CT 李明伟 住院号ZY13538101".  PS3.15
Section E.3.5 (Clean Descriptors) asks to remove identifying information from text, and a
receiver's text cleaner may not know this patient's names.  So before the table's actions,
:func:`collect` gathers the identifiers the header itself states: every Person Name (PN) at
any depth, with each component group (alphabetic, ideographic, phonetic), family + given in
both orders and each component; Patient ID, Other Patient IDs, Accession Number and the other
identifier attributes of :data:`IDENTIFIER_TAGS` at any depth; the birth date in DICOM form
and in common written forms (1986-03-19, 1986/03/19, 1986年3月19日, 19/03/1986, …); the
patient's address and its components; telephone numbers and their digits.  After the actions,
:meth:`KnownIdentifiers.mask_dataset` replaces every occurrence of them inside every text value
that is still present (SH, LO, ST, LT, UT, UC, PN, at any depth, including allowlisted private
attributes) by asterisks, character for character, so no value outgrows its VR's length.
Short needles match too much by chance and are skipped: a needle needs at least 2 characters
if it contains non-ASCII text (a Chinese given name), 3 letters if it is an ASCII word (then
matched as a whole word, case-insensitively), 4 characters if it is an ASCII code with digits.
Coded strings (CS) are not swept: they are enumerated values, not free text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.valuerep import VR, PersonName

from huizhen.deid.dicom import charset

PATIENT_BIRTH_DATE = 0x00100030
PATIENT_ADDRESS = 0x00101040
PATIENT_TELEPHONE_NUMBERS = 0x00102154
# Attributes whose value identifies the patient or the visit (PS3.3 C.7.1.1, C.4.x).
IDENTIFIER_TAGS = frozenset(
    {
        0x00100020,  # Patient ID
        0x00101000,  # Other Patient IDs
        0x00080050,  # Accession Number
        0x00101090,  # Medical Record Locator
        0x00101050,  # Insurance Plan Identification
        0x00200010,  # Study ID
        0x00380010,  # Admission ID
        0x00380060,  # Service Episode ID
        0x00400009,  # Scheduled Procedure Step ID
        0x00400253,  # Performed Procedure Step ID
        0x00401001,  # Requested Procedure ID
        0x00402016,  # Placer Order Number / Imaging Service Request
        0x00402017,  # Filler Order Number / Imaging Service Request
        0x00101005,  # Patient's Birth Name (PN; also collected as a name)
    }
)
_COLLECTED_TAGS = IDENTIFIER_TAGS | {PATIENT_BIRTH_DATE, PATIENT_ADDRESS, PATIENT_TELEPHONE_NUMBERS}
SWEPT_VRS = frozenset({VR.SH, VR.LO, VR.ST, VR.LT, VR.UT, VR.UC, VR.PN})
_MIN_NON_ASCII = 2
_MIN_ASCII_WORD = 3
_MIN_ASCII_CODE = 4
_MIN_PHONE_DIGITS = 7


@dataclass(frozen=True)
class KnownIdentifiers:
    """The identifiers found in one header, compiled into one pattern (None: nothing to sweep)."""

    needles: frozenset[str]
    pattern: re.Pattern[str] | None

    def mask(self, text: str) -> str:
        """``text`` with every known identifier replaced by as many asterisks."""
        if self.pattern is None or not text:
            return text
        return self.pattern.sub(lambda match: "*" * len(match.group(0)), text)

    def mask_dataset(self, ds: Dataset) -> None:
        """Mask known identifiers in every text value of ``ds`` and its items, at any depth."""
        if self.pattern is None:
            return
        for tag in list(ds.keys()):
            if tag in charset.PIXEL_TAGS:
                continue
            vr = charset.raw_vr(ds, tag)
            if vr != VR.SQ and vr not in SWEPT_VRS:
                continue
            element = ds[tag]
            if element.value is None:
                continue
            if element.VR == VR.SQ:
                for item in element.value:
                    self.mask_dataset(item)
            elif element.VR in SWEPT_VRS:
                self._mask_element_value(element)

    def _mask_element_value(self, element: DataElement) -> None:
        value = element.value
        values = list(value) if isinstance(value, MultiValue | list) else [value]
        texts = [str(v) for v in values]
        masked = [self.mask(text) for text in texts]
        if masked == texts:
            return
        if element.VR == VR.PN:
            new: list[object] = [PersonName(text) for text in masked]
        else:
            new = list(masked)
        element.value = new if len(new) > 1 else new[0]


def collect(ds: Dataset) -> KnownIdentifiers:
    """The patient's identifiers as stated anywhere in ``ds`` (call before de-identifying it)."""
    needles: set[str] = set()
    for tag, vr, value in _text_elements(ds):
        if vr == VR.PN:
            needles.update(name_forms(value))
        elif tag in IDENTIFIER_TAGS:
            needles.add(value.strip())
        elif tag == PATIENT_BIRTH_DATE:
            needles.update(date_forms(value))
        elif tag == PATIENT_ADDRESS:
            needles.add(value.strip())
            needles.update(part.strip() for part in re.split(r"[\^,，;；\n]", value))
        elif tag == PATIENT_TELEPHONE_NUMBERS:
            needles.add(value.strip())
            digits = re.sub(r"\D", "", value)
            if len(digits) >= _MIN_PHONE_DIGITS:
                needles.add(digits)
    kept = frozenset(needle for needle in needles if _long_enough(needle))
    return KnownIdentifiers(needles=kept, pattern=_compile(kept))


def name_forms(value: str) -> set[str]:
    """A Person Name (PS3.5 6.2.1) as it may be written in free text.

    For each component group: the group as stored, components joined by a space in stored and
    reversed order, joined with no separator (Chinese names: 李 + 明伟 -> 李明伟), and each
    component alone (a given name is as telling as the full name).
    """
    forms: set[str] = set()
    for group in value.split("="):
        components = [part.strip() for part in group.split("^") if part.strip()]
        if not components:
            continue
        forms.add(group.strip())
        forms.add(" ".join(components))
        forms.add(" ".join(reversed(components)))
        forms.add("".join(components))
        forms.update(components)
        for component in components:
            forms.update(word for word in component.split() if word)
    return forms


def date_forms(value: str) -> set[str]:
    """A DA value YYYYMMDD and its common written forms (ISO, slashes, dots, Chinese, day first, US)."""
    text = value.strip()
    if not re.fullmatch(r"\d{8}", text):
        return {text} if text else set()
    year, month, day = text[:4], text[4:6], text[6:]
    short_month, short_day = str(int(month)), str(int(day))
    return {
        text,
        f"{year}-{month}-{day}",
        f"{year}/{month}/{day}",
        f"{year}.{month}.{day}",
        f"{year}年{month}月{day}日",
        f"{year}年{short_month}月{short_day}日",
        f"{year}-{short_month}-{short_day}",
        f"{year}/{short_month}/{short_day}",
        f"{day}/{month}/{year}",
        f"{month}/{day}/{year}",
        f"{day}.{month}.{year}",
    }


def _text_elements(ds: Dataset) -> Iterator[tuple[int, str, str]]:
    """(tag, VR, value) of every single value that :func:`collect` reads, at any depth."""
    for tag in list(ds.keys()):
        if tag in charset.PIXEL_TAGS:
            continue
        vr = charset.raw_vr(ds, tag)
        if vr != VR.SQ and vr != VR.PN and tag not in _COLLECTED_TAGS:
            continue  # not converted: reading it would cost time and tell nothing
        element = ds[tag]
        if element.value is None:
            continue
        if element.VR == VR.SQ:
            for item in element.value:
                yield from _text_elements(item)
            continue
        for single in _values(element.value):
            if single:
                yield int(tag), str(element.VR), single


def _values(value: object) -> Iterable[str]:
    if isinstance(value, MultiValue | list):
        return [str(v) for v in value]
    if isinstance(value, bytes):
        return []
    return [str(value)]


def _long_enough(needle: str) -> bool:
    if not needle.isascii():
        return len(needle) >= _MIN_NON_ASCII
    if any(ch.isdigit() for ch in needle):
        return len(needle) >= _MIN_ASCII_CODE
    return sum(ch.isalpha() for ch in needle) >= _MIN_ASCII_WORD


def _compile(needles: frozenset[str]) -> re.Pattern[str] | None:
    if not needles:
        return None
    # Longest first, so "李明伟" is masked whole before "明伟" could match part of it.
    parts = []
    for needle in sorted(needles, key=lambda n: (-len(n), n)):
        escaped = re.escape(needle)
        if needle.isascii() and needle[0].isalnum() and needle[-1].isalnum():
            # ASCII words and codes match whole: "LIN" must not mask "CLINICAL".
            # Codes with digits may be glued to a label ("MRN12345678"), words may not.
            if any(ch.isdigit() for ch in needle):
                escaped = rf"(?<![0-9]){escaped}(?![0-9])"
            else:
                escaped = rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])"
        parts.append(escaped)
    return re.compile("|".join(parts), re.IGNORECASE)
