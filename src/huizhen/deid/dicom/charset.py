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

from pydicom.dataset import Dataset
from pydicom.valuerep import VR

UTF8 = "ISO_IR 192"
SPECIFIC_CHARACTER_SET = 0x00080005
# Pixel data is never decoded or touched (issue 5, item 9).
PIXEL_TAGS = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010})


def decode_all(ds: Dataset) -> None:
    """Convert every element of ``ds`` and its items (any depth) from raw bytes to values."""
    for tag in list(ds.keys()):
        if tag in PIXEL_TAGS:
            continue
        element = ds[tag]  # conversion decodes text with this dataset's character set
        if element.VR == VR.SQ and element.value is not None:
            for item in element.value:
                decode_all(item)


def declare_utf8(ds: Dataset) -> None:
    """Declare ISO_IR 192 for ``ds`` and remove item-level Specific Character Set at any depth."""
    ds.SpecificCharacterSet = UTF8
    for tag in list(ds.keys()):
        if tag in PIXEL_TAGS:
            continue
        element = ds[tag]
        if element.VR == VR.SQ and element.value is not None:
            for item in element.value:
                _drop_item_charset(item)


def _drop_item_charset(item: Dataset) -> None:
    if SPECIFIC_CHARACTER_SET in item:
        del item[SPECIFIC_CHARACTER_SET]
    for tag in list(item.keys()):
        element = item[tag]
        if element.VR == VR.SQ and element.value is not None:
            for child in element.value:
                _drop_item_charset(child)
