"""Character sets: decode every text value, then write everything as UTF-8 (ISO_IR 192).

DICOM PS3.3 C.12.1.1.2 (Specific Character Set) and PS3.5 Section 6.1: Chinese hospitals send
ISO_IR 192 (UTF-8), GB18030, GBK, ISO 2022 IR 58 (GB 2312 via code extensions) and ISO_IR 100
or the default repertoire.  pydicom's :mod:`pydicom.charset` decodes all of them (it maps
"GBK", "GB18030", "ISO 2022 IR 58" and "ISO 2022 GBK" to Python codecs), including a Specific
Character Set given inside a sequence item.  :func:`decode_all` makes pydicom convert every
raw element while the original character sets are still in place, so that cleaning sees the
real text; :func:`declare_utf8` then declares ISO_IR 192 once at the top and drops the
item-level declarations, so that pydicom's writer encodes every text value as UTF-8.
"""

from __future__ import annotations

import re

from pydicom.datadict import dictionary_VR
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.valuerep import VR, PersonName

UTF8 = "ISO_IR 192"
SPECIFIC_CHARACTER_SET = 0x00080005
# Pixel data is never decoded or touched (issue 5, item 9).
PIXEL_TAGS = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010})
# Text VRs whose values are in the Specific Character Set (PS3.5 Section 6.1.2.3).
CHARSET_VRS = frozenset({VR.SH, VR.LO, VR.ST, VR.LT, VR.UC, VR.UT, VR.PN})
# An ISO 2022 escape sequence: ESC, intermediate bytes, a final byte (ISO/IEC 2022 Section 13).
_DECODED_VRS = CHARSET_VRS | {VR.SQ}
_ESCAPE = re.compile("\x1b[\x20-\x2f]+[\x30-\x7e]")


def raw_vr(ds: Dataset, tag: int) -> str:
    """The VR of an element without converting it (implicit VR files: from the dictionary)."""
    element = ds.get_item(tag)
    vr = element.VR if element is not None else None
    if vr:
        return str(vr)
    try:
        return str(dictionary_VR(tag)).split(" or ")[0]
    except KeyError:
        return VR.UN


def decode_all(ds: Dataset) -> None:
    """Convert the text elements of ``ds`` and its items (any depth) from raw bytes to values.

    Other VRs are left raw: their bytes do not depend on the character set, and a raw element
    the profile keeps can be written back byte-identical.
    """
    for tag in list(ds.keys()):
        if tag in PIXEL_TAGS or raw_vr(ds, tag) not in _DECODED_VRS:
            continue
        element = ds[tag]  # conversion decodes text with this dataset's character set
        if element.VR == VR.SQ and element.value is not None:
            for item in element.value:
                decode_all(item)
        elif element.VR in CHARSET_VRS and element.value is not None:
            _strip_escapes(element)


def _strip_escapes(element: DataElement) -> None:
    """Remove ISO 2022 escape sequences that pydicom leaves in decoded text.

    pydicom 3.0 decodes "ISO 2022 IR 58" with Python's GB 2312 codec, which, unlike the
    ISO 2022 Japanese codecs, does not consume the designation ``ESC $ ) A``: the escape would
    reach the text cleaner and the UTF-8 output.  Escapes are control codes, never text.
    """
    value = element.value
    values = list(value) if isinstance(value, MultiValue | list) else [value]
    texts = [str(v) for v in values]
    if not any("\x1b" in text for text in texts):
        return
    cleaned = [_ESCAPE.sub("", text).replace("\x1b", "") for text in texts]
    if element.VR == VR.PN:
        element.value = [PersonName(text) for text in cleaned] if len(cleaned) > 1 else PersonName(cleaned[0])
    else:
        element.value = cleaned if len(cleaned) > 1 else cleaned[0]


def declare_utf8(ds: Dataset) -> None:
    """Declare ISO_IR 192 for ``ds`` and remove item-level Specific Character Set at any depth."""
    ds.SpecificCharacterSet = UTF8
    for tag in list(ds.keys()):
        if tag in PIXEL_TAGS or raw_vr(ds, tag) != VR.SQ:
            continue
        element = ds[tag]
        if element.VR == VR.SQ and element.value is not None:
            for item in element.value:
                _drop_item_charset(item)


def _drop_item_charset(item: Dataset) -> None:
    if SPECIFIC_CHARACTER_SET in item:
        del item[SPECIFIC_CHARACTER_SET]
    for tag in list(item.keys()):
        if raw_vr(item, tag) != VR.SQ:
            continue
        element = item[tag]
        if element.VR == VR.SQ and element.value is not None:
            for child in element.value:
                _drop_item_charset(child)
