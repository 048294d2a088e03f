"""Raw header: walk a DICOM file's header elements as byte spans, without building a data set.

DICOM PS3.10 Section 7.1 (preamble, ``DICM``, File Meta Information in Explicit VR Little
Endian) and PS3.5 Section 7.1 (data element encoding: tag, VR for explicit VR, length, value;
Table 7.1-1 for the VRs with a 4-byte length) and Section 7.5 (sequences and items of defined
or undefined length).  The lean header path of the rewriter (:mod:`.rewriter`) reads each
top-level element of the header once with :func:`read_raw_header`, copies the ones the profile
keeps as raw bytes and only hands the rest to pydicom.  The walker accepts only what it can
read exactly as pydicom would: a preamble, a file meta group, Implicit or Explicit VR Little
Endian data sets whose first element agrees with the transfer syntax (pydicom switches
encodings otherwise), ascending tags with known VRs, and undefined lengths only on sequences.
Anything else returns ``None`` and the file goes the full pydicom way.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO, Final

from pydicom.datadict import dictionary_VR
from pydicom.valuerep import VR

# Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 Table 7.1-1).
LONG_VRS: Final = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"})
KNOWN_VRS: Final = frozenset(str(vr) for vr in VR)
PIXEL_TAGS: Final = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010})
EXPLICIT_VR_LITTLE_ENDIAN: Final = "1.2.840.10008.1.2.1"
IMPLICIT_VR_LITTLE_ENDIAN: Final = "1.2.840.10008.1.2"
# Transfer syntaxes whose data set is not Explicit VR Little Endian: big endian and deflated.
_OTHER_ENCODINGS: Final = frozenset({"1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.1.98"})

_ITEM: Final = 0xFFFEE000
_ITEM_DELIMITER: Final = 0xFFFEE00D
_SEQUENCE_DELIMITER: Final = 0xFFFEE0DD
_UNDEFINED: Final = 0xFFFFFFFF
_FIRST_READ: Final = 1 << 16
_LARGEST_HEADER: Final = 1 << 24
_TAG_LENGTH = struct.Struct("<HHL")
_TAG_VR_LENGTH = struct.Struct("<HH2sH")
_LENGTH32 = struct.Struct("<L")


class _Decline(Exception):
    """The header is outside what the walker reads exactly."""


class _NeedMore(Exception):
    """The header runs past the bytes read so far."""


@dataclass(frozen=True, slots=True)
class RawElement:
    """One top-level element: its tag, VR (explicit, else from the dictionary) and byte span."""

    tag: int
    vr: str
    explicit_vr: bool
    start: int
    value_start: int
    end: int  # past the value, and past the sequence delimiter of an undefined length
    undefined_length: bool


@dataclass(frozen=True, slots=True)
class RawHeader:
    """The bytes up to the pixel payload, the file meta fields the rewriter needs, the elements."""

    data: bytes
    meta_end: int
    transfer_syntax: str
    implicit: bool
    elements: tuple[RawElement, ...]
    pixel_start: int


def read_raw_header(fp: BinaryIO, file_size: int) -> RawHeader | None:
    """Walk the header of the file open as ``fp`` up to its pixel data; ``None`` if not plainly readable."""
    size = _FIRST_READ
    while True:
        fp.seek(0)
        data = fp.read(min(size, file_size))
        try:
            return _walk(data, complete=len(data) >= file_size)
        except _Decline:
            return None
        except _NeedMore:
            if len(data) >= file_size or size >= _LARGEST_HEADER:
                return None
            size *= 4


def dictionary_vr(tag: int) -> str:
    """The VR pydicom gives an implicit VR element in the checks of the profile (``charset.raw_vr``)."""
    try:
        return str(dictionary_VR(tag)).split(" or ")[0]
    except KeyError:
        return "UN"


def _walk(data: bytes, *, complete: bool) -> RawHeader:
    if len(data) < 132:
        raise _NeedMore if not complete else _Decline
    if data[128:132] != b"DICM":
        raise _Decline
    position, syntax = _walk_meta(data, complete)
    if syntax in _OTHER_ENCODINGS:
        raise _Decline
    implicit = syntax == IMPLICIT_VR_LITTLE_ENDIAN
    if position + 6 > len(data):
        raise _NeedMore if not complete else _Decline
    looks_explicit = 0x40 < data[position + 4] < 0x5B and 0x40 < data[position + 5] < 0x5B
    if looks_explicit == implicit:
        raise _Decline  # pydicom would switch the encoding: leave that to pydicom
    elements: list[RawElement] = []
    previous = -1
    while True:
        if position == len(data):
            if complete:
                raise _Decline  # no pixel data: header-only objects take the full path
            raise _NeedMore
        if position + 8 > len(data):
            raise _NeedMore if not complete else _Decline
        group, number = struct.unpack_from("<HH", data, position)
        tag = group << 16 | number
        if tag in PIXEL_TAGS:
            break
        if tag <= previous:
            raise _Decline  # out of order or repeated: pydicom's dict would reorder or drop
        previous = tag
        element = _element(data, position, tag, implicit, complete)
        elements.append(element)
        position = element.end
    if not elements:
        raise _Decline
    return RawHeader(
        data=data[:position],
        meta_end=_meta_end(data),
        transfer_syntax=syntax,
        implicit=implicit,
        elements=tuple(elements),
        pixel_start=position,
    )


def _meta_end(data: bytes) -> int:
    position, _ = _walk_meta(data, True)
    return position


def _walk_meta(data: bytes, complete: bool) -> tuple[int, str]:
    """Walk group 0002 (always Explicit VR Little Endian); return its end and the transfer syntax."""
    position = 132
    syntax = ""
    while True:
        if position + 8 > len(data):
            raise _NeedMore if not complete else _Decline
        group, number, vr_bytes, length = _TAG_VR_LENGTH.unpack_from(data, position)
        if group != 0x0002:
            break
        vr = vr_bytes.decode("latin-1")
        if vr not in KNOWN_VRS:
            raise _Decline
        value_start = position + 8
        if vr in LONG_VRS:
            if value_start + 4 > len(data):
                raise _NeedMore if not complete else _Decline
            (length,) = _LENGTH32.unpack_from(data, value_start)
            value_start += 4
        if length == _UNDEFINED:
            raise _Decline
        end = value_start + length
        if end > len(data):
            raise _NeedMore if not complete else _Decline
        if number == 0x0010:
            syntax = data[value_start:end].decode("latin-1").strip("\x00 ")
        position = end
    if not syntax:
        raise _Decline
    return position, syntax


def _element(data: bytes, position: int, tag: int, implicit: bool, complete: bool) -> RawElement:
    if implicit:
        _, _, length = _TAG_LENGTH.unpack_from(data, position)
        value_start = position + 8
        vr = dictionary_vr(tag)
        explicit = False
    else:
        _, _, vr_bytes, length = _TAG_VR_LENGTH.unpack_from(data, position)
        vr = vr_bytes.decode("latin-1")
        if vr not in KNOWN_VRS:
            raise _Decline
        value_start = position + 8
        explicit = True
        if vr in LONG_VRS:
            if value_start + 4 > len(data):
                raise _NeedMore if not complete else _Decline
            (length,) = _LENGTH32.unpack_from(data, value_start)
            value_start += 4
    if length == _UNDEFINED:
        if vr != "SQ":
            raise _Decline  # undefined-length UN or private data: pydicom's own rules apply
        end = _sequence_end(data, value_start, implicit, complete)
        return RawElement(tag, vr, explicit, position, value_start, end, True)
    end = value_start + length
    if end > len(data):
        raise _NeedMore if not complete else _Decline
    return RawElement(tag, vr, explicit, position, value_start, end, False)


def _sequence_end(data: bytes, position: int, implicit: bool, complete: bool) -> int:
    """Offset past the Sequence Delimitation Item of an undefined-length sequence (PS3.5 7.5.2)."""
    while True:
        tag, length = _item_header(data, position, complete)
        if tag == _SEQUENCE_DELIMITER:
            return position + 8
        if tag != _ITEM:
            raise _Decline
        position += 8
        if length != _UNDEFINED:
            position += length
            continue
        while True:
            tag, _ = _item_header(data, position, complete)
            if tag == _ITEM_DELIMITER:
                position += 8
                break
            element = _element(data, position, tag, implicit, complete)
            position = element.end


def _item_header(data: bytes, position: int, complete: bool) -> tuple[int, int]:
    if position + 8 > len(data):
        raise _NeedMore if not complete else _Decline
    group, number, length = _TAG_LENGTH.unpack_from(data, position)
    return group << 16 | number, length
