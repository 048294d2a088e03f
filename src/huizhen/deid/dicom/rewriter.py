"""Streaming rewriter: de-identify one DICOM file and copy its pixel payload as raw bytes.

A DICOM file (PS3.10 Section 7.1) is a 128-byte preamble, ``DICM``, the File Meta
Information (group 0002, always Explicit VR Little Endian) and a data set encoded as
the Transfer Syntax says (PS3.5 Section 7 and Annex A). Everything that identifies a
patient lives in the header attributes, which are small; the bulk of the file is Pixel
Data (7FE0,0010), which the Basic Profile of PS3.15 Annex E leaves alone unless Clean
Pixel Data is applied (and Huizhen *holds* such objects instead of cleaning them). So
the fast path parses only the header with pydicom, hands it to
:func:`huizhen.deid.dicom.dataset.deidentify_dataset`, writes a fresh preamble and file
meta plus the de-identified header in the file's own encoding, and then copies the pixel
element verbatim with ``os.sendfile`` — no decoding, no decompression, so native and
encapsulated (JPEG, JPEG 2000, RLE) pixel data come out byte-identical. Untouched header
elements are also written from their original bytes, which keeps every non-identifying
attribute byte-identical and avoids pydicom's slow value conversion. Elements after the
pixel data (Digital Signatures Sequence, Data Set Trailing Padding, private groups) are
parsed and de-identified like the header. Before all that, the lean header path
(:func:`_prepare_lean`, with :mod:`.rawheader` and :mod:`.headermemo`) tries the file without
building a data set: raw elements copied or remapped by an action map, the rest memoised per
series; it declines to the pydicom path on anything unusual and is tested byte-identical to
it. One rule selects the slower full-pydicom path:
the Deflated Explicit VR Little Endian transfer syntax (PS3.5 Section A.5), whose data set
is one zlib stream and so has no pixel bytes to copy. Anything else that cannot be read
exactly — truncation, a non-DICOM file, compressed pixels without a transfer syntax — is
refused with a :class:`RejectedFile` whose reason never quotes a value from the file.
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import warnings
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

from pydicom import config
from pydicom.charset import convert_encodings
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import DataElement, RawDataElement, convert_raw_data_element
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import dcmread, read_dataset
from pydicom.filewriter import write_data_element
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag
from pydicom.uid import (
    UID,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from huizhen.deid.dicom import headermemo
from huizhen.deid.dicom.dataset import DatasetOutcome, DeidContext, deidentify_dataset
from huizhen.deid.dicom.headermemo import HeaderMemo, SeriesContext
from huizhen.deid.dicom.rawheader import LONG_VRS, RawElement, RawHeader, read_raw_header
from huizhen.deid.dicom.uids import remap_uid

# Identifies files written by Huizhen in (0002,0012)/(0002,0013), PS3.7 Annex D.3.3.2.
# A fixed UUID-derived UID under the 2.25 root (PS3.5 Annex B.2): no organisation root needed.
IMPLEMENTATION_CLASS_UID: Final = UID("2.25.236284499751322015704604015436972468607")
IMPLEMENTATION_VERSION_NAME: Final = "HUIZHEN_DEID_1"

# Float Pixel Data, Double Float Pixel Data, Pixel Data: the payload copied as raw bytes.
PIXEL_TAGS: Final = frozenset({0x7FE00008, 0x7FE00009, 0x7FE00010})

# Quarantine reason of an image object that has no Pixel Data.
HEADER_ONLY_IMAGE: Final = "image without Pixel Data: header only or cut short, held for review"

# Image Pixel module: Samples per Pixel, Photometric Interpretation, Rows, Columns, Bits
# Allocated, Bits Stored, High Bit, Pixel Representation (PS3.3 Table C.7-11a).
_IMAGE_PIXEL_TYPE1: Final = (
    0x00280002,
    0x00280004,
    0x00280010,
    0x00280011,
    0x00280100,
    0x00280101,
    0x00280102,
    0x00280103,
)

_ITEM: Final = 0xFFFEE000
_SEQUENCE_DELIMITER: Final = 0xFFFEE0DD
_UNDEFINED: Final = 0xFFFFFFFF
# Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 Table 7.1-1).
_LONG_VRS: Final = frozenset({"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT", "SV", "UV"})
# VRs whose bytes depend on Specific Character Set (PS3.5 Section 6.1.2.3).
_TEXT_VRS: Final = frozenset({"SH", "LO", "ST", "PN", "LT", "UC", "UT"})
# String VRs whose values pydicom keeps as str (PS3.5 Table 6.2-1); PN, DS and IS are not
# among them because pydicom keeps objects for those that remember their original form.
_STRING_VRS: Final = frozenset({"AE", "AS", "CS", "DA", "DT", "LO", "LT", "SH", "ST", "TM", "UC", "UI", "UR", "UT"})
_NATIVE_SYNTAXES: Final = {
    (True, True): ImplicitVRLittleEndian,
    (False, True): ExplicitVRLittleEndian,
    (False, False): ExplicitVRBigEndian,
}

Deidentifier = Callable[[Dataset, FileMetaDataset], DatasetOutcome]


class RejectedFile(Exception):
    """The file cannot be de-identified exactly; ``reason`` is safe to put in a report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PreparedFile:
    """A de-identified file ready to be written: new head, raw byte span of the source, new tail."""

    source: Path
    outcome: DatasetOutcome
    head: bytes
    pixel_start: int
    pixel_end: int
    tail: bytes
    fast_path: bool
    lean: bool = False  # produced by the lean header path (no full data set built)

    @property
    def size(self) -> int:
        return len(self.head) + (self.pixel_end - self.pixel_start) + len(self.tail)

    def write_to(self, sink: BinaryIO) -> int:
        """Write the whole output file to ``sink`` and return the number of bytes written."""
        sink.write(self.head)
        if self.pixel_end > self.pixel_start:
            sink.flush()
            with self.source.open("rb") as source:
                _copy_span(source, sink, self.pixel_start, self.pixel_end)
        sink.write(self.tail)
        return self.size


class ContextDeidentifier:
    """The production de-identifier: the PS3.15 profile of :mod:`huizhen.deid.dicom.dataset`.

    It also carries the memo of the lean header path, which only this de-identifier allows:
    the memo is valid because the context (key, vault, options) is fixed for its lifetime.
    """

    def __init__(self, context: DeidContext) -> None:
        self.context = context
        self.memo = HeaderMemo(context.options)

    def __call__(self, ds: Dataset, file_meta: FileMetaDataset) -> DatasetOutcome:
        return deidentify_dataset(ds, context=self.context, file_meta=file_meta)


def context_deidentifier(context: DeidContext) -> ContextDeidentifier:
    """The production de-identifier for ``context`` (see :class:`ContextDeidentifier`)."""
    return ContextDeidentifier(context)


def prepare_file(source: Path, *, deidentify: Deidentifier, lean: bool = True) -> PreparedFile:
    """Parse and de-identify ``source``; raise :class:`RejectedFile` if it cannot be done exactly.

    With ``lean`` (the default) and a :class:`ContextDeidentifier`, the lean header path is
    tried first; a file it declines takes the full path.  Both give byte-identical results
    (tests/deid/dicom/test_headermemo.py); ``lean=False`` is the reference for that test.
    """
    with warnings.catch_warnings(), _validation_unless_strict() as strict:
        # pydicom warns about oddities with the offending values in the message; the
        # report carries our own reasons instead, and a warning must never leak PHI to logs.
        warnings.simplefilter("ignore")
        if lean and strict is not True and isinstance(deidentify, ContextDeidentifier) and deidentify.memo.enabled:
            try:
                prepared = _prepare_lean(source, deidentify)
            except Exception:  # any doubt: the full path decides, and rejects with its own reason
                prepared = None
            if prepared is not None:
                return prepared
        try:
            return _prepare(source, deidentify)
        except RejectedFile:
            raise
        except InvalidDicomError as exc:
            raise RejectedFile("not a DICOM file") from exc
        except MemoryError as exc:
            raise RejectedFile("element too large to read") from exc
        except Exception as exc:
            # The exception text may quote attribute values, so only its type is reported.
            raise RejectedFile(f"unreadable DICOM ({type(exc).__name__})") from exc


def _validation_unless_strict() -> AbstractContextManager[object]:
    """pydicom's value validation, off unless the caller asked for RAISE.

    Under WARN (the default) validation only emits warnings, which :func:`prepare_file`
    discards, so skipping it changes no output (pydicom offers the switch for speed).
    Under RAISE an invalid value must still reject the file, so validation stays on.
    """
    settings = config.settings
    if config.RAISE in (settings.reading_validation_mode, settings.writing_validation_mode):
        return nullcontext(True)  # True: the lean header path, which does not validate, stays off
    return config.disable_value_validation()


def rewrite_file(source: Path, target: Path, *, deidentify: Deidentifier) -> PreparedFile:
    """De-identify ``source`` into ``target`` atomically (``.part`` then rename); for one-off use.

    The pipeline uses :func:`prepare_file` and :func:`write_atomically` separately because
    the target name comes from the new UIDs, known only after de-identification.
    """
    prepared = prepare_file(source, deidentify=deidentify)
    write_atomically(prepared, target)
    return prepared


def write_atomically(prepared: PreparedFile, target: Path) -> None:
    """Write to a unique ``.part`` name beside ``target``, then ``os.replace``: never a partial file."""
    part = write_part(prepared, target)
    os.replace(part, target)


def write_part(prepared: PreparedFile, target: Path) -> Path:
    """Write the complete output beside ``target`` under a temporary name and return that name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # pid + id(): two workers writing the same (duplicate) target never share a temp name.
    part = target.with_name(f"{target.name}.{os.getpid()}-{id(prepared):x}.part")
    try:
        with part.open("wb") as sink:
            prepared.write_to(sink)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return part


def _copy_span(source: BinaryIO, sink: BinaryIO, start: int, end: int) -> None:
    """Copy source bytes [start, end) to sink in the kernel where possible."""
    remaining = end - start
    offset = start
    try:
        out_fd = sink.fileno()
        in_fd = source.fileno()
    except (AttributeError, io.UnsupportedOperation):
        out_fd = in_fd = -1
    if out_fd >= 0 and hasattr(os, "sendfile"):
        while remaining > 0:
            sent = os.sendfile(out_fd, in_fd, offset, remaining)
            if sent == 0:
                raise RejectedFile("source changed while it was copied")
            offset += sent
            remaining -= sent
        return
    source.seek(start)
    while remaining > 0:
        chunk = source.read(min(remaining, 1 << 20))
        if not chunk:
            raise RejectedFile("source changed while it was copied")
        sink.write(chunk)
        remaining -= len(chunk)


# --- reading -------------------------------------------------------------------------------


def _prepare(source: Path, deidentify: Deidentifier) -> PreparedFile:
    file_size = source.stat().st_size
    if file_size == 0:
        raise RejectedFile("empty file")
    with source.open("rb", buffering=1 << 16) as fp:
        has_preamble = fp.read(132)[128:132] == b"DICM"
        fp.seek(0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds = dcmread(fp, stop_before_pixels=True, force=True)
        # pydicom turns an EOFError inside the data set into a warning and an EMPTY data set.
        if any("end of file" in str(warning.message).lower() for warning in caught):
            raise RejectedFile("truncated file")
        header_end = fp.tell()
        meta_ts = _meta_transfer_syntax(ds)
        if meta_ts == DeflatedExplicitVRLittleEndian:
            return _prepare_deflated(source, deidentify)
        implicit, little = _actual_encoding(ds)
        if not has_preamble and not _looks_like_dicom(ds):
            raise RejectedFile("not a DICOM file")
        if has_preamble and not ds.keys():
            raise RejectedFile("no data set after the file meta (truncated?)")
        _check_complete(ds)
        pixel_start = header_end
        pixel_end = _pixel_elements_end(fp, pixel_start, file_size, implicit, little)
        encapsulated = _is_encapsulated(fp, pixel_start, pixel_end, implicit, little)
        if pixel_end < file_size:
            fp.seek(pixel_end)
            trailer = read_dataset(fp, implicit, little, parent_encoding=ds._character_set)
            _check_complete(trailer)
            if fp.tell() != file_size:
                raise RejectedFile("unreadable data after Pixel Data")
            for tag in list(trailer.keys()):  # iterating a Dataset itself would convert every value
                ds[tag] = trailer.get_item(tag)
    transfer_syntax = _output_transfer_syntax(meta_ts, implicit, little, encapsulated)
    if pixel_end == pixel_start and _is_image(ds) and not _image_pixel_module_complete(ds):
        # Without pixels and without the Image Pixel module, the file was cut short.
        raise RejectedFile("image without Pixel Data (truncated?)")
    source_encodings = _encodings(ds)
    meta = ds.file_meta if ds.file_meta is not None else FileMetaDataset()
    outcome = _deidentify_checked(ds, meta, deidentify, source)
    if pixel_end == pixel_start and _is_image(ds) and outcome.quarantine_reason is None:
        # A header-only image (test objects, charset samples), or a file cut short exactly at an
        # element boundary: de-identified like any other header, but held for a person to decide.
        outcome.quarantine_reason = HEADER_ONLY_IMAGE
    head = _file_head(ds, meta, outcome, transfer_syntax)
    body, tail = _encode_split(ds, implicit, little, source_encodings)
    return PreparedFile(
        source=source,
        outcome=outcome,
        head=head + body,
        pixel_start=pixel_start,
        pixel_end=pixel_end,
        tail=tail,
        fast_path=True,
    )


# --- the lean header path ----------------------------------------------------------------


def _prepare_lean(source: Path, deidentifier: ContextDeidentifier) -> PreparedFile | None:
    """De-identify ``source`` from its raw header elements; ``None`` declines (the full path runs).

    Kept elements are copied as bytes, instance UIDs remapped directly, and the rest taken
    from the memo of this series' context (:mod:`.headermemo`) or, when missing, computed by
    the profile on a small data set of the context elements and the missing ones.
    """
    file_size = source.stat().st_size
    with source.open("rb") as fp:
        header = read_raw_header(fp, file_size)
        if header is None:
            return None
        pixel_start = header.pixel_start
        pixel_end = _pixel_elements_end(fp, pixel_start, file_size, header.implicit, True)
        if pixel_end != file_size:
            return None  # elements after the pixel data: the full path reads them
        encapsulated = _is_encapsulated(fp, pixel_start, pixel_end, header.implicit, True)
    syntax = _output_transfer_syntax(header.transfer_syntax, header.implicit, True, encapsulated)
    memo = deidentifier.memo
    classify = memo.actions.classify
    data = header.data
    pieces: list[tuple[int, bytes]] = []
    context_elements: list[RawElement] = []
    computed: list[RawElement] = []
    sop: RawElement | None = None
    sop_uid = ""
    uid_key = deidentifier.context.uid_key
    for element in header.elements:
        kind = classify(element.tag, element.vr)
        if kind == headermemo.DROP:
            continue
        if kind == headermemo.KEEP:
            pieces.append((element.tag, _kept_bytes(data, element)))
        elif kind == headermemo.UID:
            encoded, text = _remapped_uid(data, element, uid_key)
            pieces.append((element.tag, encoded))
            if element.tag == headermemo.SOP_INSTANCE_UID:
                sop_uid = text
        elif kind == headermemo.CONTEXT:
            context_elements.append(element)
        else:
            computed.append(element)
        if element.tag == headermemo.SOP_INSTANCE_UID:
            sop = element
    present = {element.tag for element in context_elements}
    if sop is None or not (sop_uid or sop in computed) or headermemo.SOP_CLASS_UID not in present:
        return None  # the full path derives missing UIDs from the file's content
    for tag in (headermemo.STUDY_INSTANCE_UID, headermemo.SERIES_INSTANCE_UID):
        if tag not in present or not _has_text(data, next(e for e in context_elements if e.tag == tag)):
            return None
    if not _has_text(data, sop):
        return None
    key = (str(syntax), header.implicit, b"".join(data[e.start : e.end] for e in context_elements))
    series = memo.context(key)
    missing = [
        element
        for element in computed
        if series is None or element is sop or (element.tag, data[element.start : element.end]) not in series.elements
    ]
    if series is None or missing:
        result = _profile_elements(header, context_elements, missing, sop, deidentifier)
        if result is None:
            memo.forget(key)
            return None
        fresh, outputs, sop_text = result
        if series is None:
            series = fresh
            memo.remember(key, series)
        elif (fresh.quarantine_reason, fresh.study_uid, fresh.series_uid, fresh.sop_class, fresh.additions) != (
            series.quarantine_reason,
            series.study_uid,
            series.series_uid,
            series.sop_class,
            series.additions,
        ) or fresh.context_out != series.context_out:
            memo.forget(key)  # the context did not determine the result after all: never guess
            return None
        for element in missing:
            series.remember(element.tag, data[element.start : element.end], outputs.get(element.tag, b""))
        if sop in missing:
            sop_uid = sop_text
    for element in computed:
        pieces.append((element.tag, series.elements[(element.tag, data[element.start : element.end])]))
    pieces.extend(series.context_out.items())
    pieces.extend(series.additions.items())
    pieces.sort(key=lambda piece: piece[0])
    outcome = DatasetOutcome(
        quarantine_reason=series.quarantine_reason,
        study_uid=series.study_uid,
        series_uid=series.series_uid,
        sop_instance_uid=sop_uid,
    )
    head = b"\x00" * 128 + b"DICM" + file_meta_bytes(series.sop_class, sop_uid, str(syntax))
    return PreparedFile(
        source=source,
        outcome=outcome,
        head=head + b"".join(piece for _, piece in pieces),
        pixel_start=pixel_start,
        pixel_end=pixel_end,
        tail=b"",
        fast_path=True,
        lean=True,
    )


def _kept_bytes(data: bytes, element: RawElement) -> bytes:
    """The element as the writer writes a raw element: its bytes, reserved field zeroed."""
    raw = data[element.start : element.end]
    if element.explicit_vr and element.vr in LONG_VRS and raw[6:8] != b"\x00\x00":
        return raw[:6] + b"\x00\x00" + raw[8:]
    return raw


def _has_text(data: bytes, element: RawElement) -> bool:
    return bool(data[element.value_start : element.end].strip(b"\x00 "))


def _remapped_uid(data: bytes, element: RawElement, key: bytes) -> tuple[bytes, str]:
    """An instance UID element with its keyed pseudonym(s), as the profile and writer give it.

    pydicom reads a UI value as text without trailing NULs and spaces, split at backslashes
    (``pydicom.values.convert_UI``); the profile maps each value (:func:`.uids.remap_uid`);
    the writer joins them and pads to even length with a NUL (PS3.5 Section 6.2).
    """
    raw = data[element.value_start : element.end]
    if not raw.isascii():
        raise ValueError("non-ASCII UID: the full path rejects it")
    text = "\\".join(remap_uid(part, key=key) for part in raw.decode("ascii").rstrip("\x00 ").split("\\"))
    value = text.encode("ascii")
    if len(value) % 2:
        value += b"\x00"
    group, number = element.tag >> 16, element.tag & 0xFFFF
    if element.explicit_vr:
        if len(value) > 0xFFFF:
            raise ValueError("UID list too long for its length field")
        return struct.pack("<HH2sH", group, number, b"UI", len(value)) + value, text
    return struct.pack("<HHL", group, number, len(value)) + value, text


def _profile_elements(
    header: RawHeader,
    context_elements: list[RawElement],
    missing: list[RawElement],
    sop: RawElement,
    deidentifier: ContextDeidentifier,
) -> tuple[SeriesContext, dict[int, bytes], str] | None:
    """Run the profile on a data set of the context elements, the missing ones and the SOP UID.

    The small data set is read by pydicom from the file's own bytes (preamble, file meta, the
    chosen elements in order), de-identified and written element by element exactly as the
    full path does; an element's output is then remembered under its input bytes.
    """
    data = header.data
    chosen = sorted({id(e): e for e in [*context_elements, *missing, sop]}.values(), key=lambda e: e.tag)
    body = b"".join(data[e.start : e.end] for e in chosen)
    if header.implicit and 0x40 < body[4] < 0x5B and 0x40 < body[5] < 0x5B:
        return None  # pydicom would take this first element for explicit VR
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = dcmread(io.BytesIO(data[: header.meta_end] + body), stop_before_pixels=True, force=True)
    if any("end of file" in str(warning.message).lower() for warning in caught):
        return None
    _check_complete(ds)
    if _actual_encoding(ds) != (header.implicit, True):
        return None
    meta = ds.file_meta if ds.file_meta is not None else FileMetaDataset()
    source_encodings = _encodings(ds)
    outcome = deidentifier(ds, meta)
    sop_class = ds.get("SOPClassUID") or meta.get("MediaStorageSOPClassUID")
    if not sop_class:
        return None
    writer = _DatasetWriter(header.implicit, True, source_encodings, _encodings(ds))
    outputs: dict[int, bytes] = {}
    for tag in sorted(ds.keys()):
        buffer = DicomBytesIO()
        buffer.is_implicit_VR = header.implicit
        buffer.is_little_endian = True
        writer.element(buffer, ds, tag)
        if tag >= 0x7FE00008:
            return None
        outputs[int(tag)] = buffer.getvalue()
    inputs = {e.tag for e in chosen}
    additions = {tag: value for tag, value in outputs.items() if tag not in inputs and value}
    if not additions.keys() <= headermemo.ADDED_TAGS:
        return None
    series = SeriesContext(
        context_out={e.tag: outputs.get(e.tag, b"") for e in context_elements},
        additions=additions,
        quarantine_reason=outcome.quarantine_reason,
        study_uid=outcome.study_uid,
        series_uid=outcome.series_uid,
        sop_class=str(sop_class),
    )
    return series, outputs, outcome.sop_instance_uid


def _meta_transfer_syntax(ds: Dataset) -> str | None:
    value = ds.file_meta.get("TransferSyntaxUID") if ds.file_meta is not None else None
    return str(value).strip("\x00 ") if value else None


def _actual_encoding(ds: Dataset) -> tuple[bool, bool]:
    """The encoding pydicom really used for the data set (it corrects a lying transfer syntax)."""
    for tag in list(ds.keys()):
        elem = ds.get_item(tag)
        if isinstance(elem, RawDataElement):
            return bool(elem.is_implicit_VR), bool(elem.is_little_endian)
    implicit = ds.is_implicit_VR if ds.is_implicit_VR is not None else True
    little = ds.is_little_endian if ds.is_little_endian is not None else True
    return bool(implicit), bool(little)


def _looks_like_dicom(ds: Dataset) -> bool:
    """Without a preamble pydicom parses anything; a real object names its SOP instance."""
    return "SOPInstanceUID" in ds and "SOPClassUID" in ds


def _is_image(ds: Dataset) -> bool:
    """Image attributes or an image storage SOP class (PS3.4 Annex B) promise Pixel Data."""
    if "Rows" in ds or "PixelData" in ds:
        return True
    sop_class = ds.get("SOPClassUID")
    return sop_class is not None and "Image Storage" in UID(str(sop_class)).name


def _image_pixel_module_complete(ds: Dataset) -> bool:
    """The Type 1 attributes of the Image Pixel module (PS3.3 C.7.6.3) except Pixel Data are present.

    A file cut at an element boundary is indistinguishable from a header-only object; one that
    stops before the end of group 0028 is taken as cut (and rejected), one that has the whole
    module is taken as a header-only object (and held for review, never exported).
    """
    return all(tag in ds for tag in _IMAGE_PIXEL_TYPE1)


def _check_complete(ds: Dataset) -> None:
    """pydicom returns short values at end of file; a short value means the file was cut."""
    for tag in list(ds.keys()):
        elem = ds.get_item(tag)
        if (
            isinstance(elem, RawDataElement)
            and elem.length != _UNDEFINED
            and elem.value is not None
            and len(elem.value) != elem.length
        ):
            raise RejectedFile("truncated file")


def _pixel_elements_end(fp: BinaryIO, start: int, file_size: int, implicit: bool, little: bool) -> int:
    """Offset just past the pixel element(s) starting at ``start`` (PS3.5 Sections 7.1 and A.4)."""
    endian = "<" if little else ">"
    position = start
    while position < file_size:
        fp.seek(position)
        header = fp.read(8)
        if len(header) < 8:
            raise RejectedFile("truncated file")
        group, element = struct.unpack(f"{endian}HH", header[:4])
        if (group << 16 | element) not in PIXEL_TAGS:
            break
        if implicit:
            (length,) = struct.unpack(f"{endian}L", header[4:])
            value_start = position + 8
        else:
            vr = header[4:6]
            if vr.decode("latin-1") not in _LONG_VRS:
                raise RejectedFile("malformed Pixel Data header")
            extra = fp.read(4)
            if len(extra) < 4:
                raise RejectedFile("truncated Pixel Data")
            (length,) = struct.unpack(f"{endian}L", extra)
            value_start = position + 12
        if length == _UNDEFINED:
            position = _fragments_end(fp, value_start, file_size, endian)
        else:
            position = value_start + length
            if position > file_size:
                raise RejectedFile("truncated Pixel Data")
    return min(position, file_size)


def _fragments_end(fp: BinaryIO, position: int, file_size: int, endian: str) -> int:
    """Walk encapsulated items to the Sequence Delimitation Item (PS3.5 Section A.4)."""
    while True:
        fp.seek(position)
        header = fp.read(8)
        if len(header) < 8:
            raise RejectedFile("truncated Pixel Data")
        group, element, length = struct.unpack(f"{endian}HHL", header)
        tag = group << 16 | element
        if tag == _SEQUENCE_DELIMITER:
            return position + 8
        if tag != _ITEM or length == _UNDEFINED:
            raise RejectedFile("malformed encapsulated Pixel Data")
        position += 8 + length
        if position > file_size:
            raise RejectedFile("truncated Pixel Data")


def _is_encapsulated(fp: BinaryIO, start: int, end: int, implicit: bool, little: bool) -> bool:
    if end <= start:
        return False
    fp.seek(start + (4 if implicit else 8))
    (length,) = struct.unpack("<L" if little else ">L", fp.read(4))
    return bool(length == _UNDEFINED)


def _output_transfer_syntax(meta_ts: str | None, implicit: bool, little: bool, encapsulated: bool) -> UID:
    """Keep the file's transfer syntax; infer a native one only where the file had none or lied."""
    if meta_ts:
        syntax = UID(meta_ts)
        known = syntax.is_transfer_syntax
        if known and (syntax.is_implicit_VR, syntax.is_little_endian) == (implicit, little):
            return syntax
        if not known and not implicit and little:
            # A private or future syntax: its data set is Explicit VR LE (PS3.5 Section 10);
            # the pixel bytes are copied untouched, so the syntax can be kept as it was.
            return syntax
        if encapsulated:
            raise RejectedFile("compressed Pixel Data whose encoding contradicts its transfer syntax")
    elif encapsulated:
        raise RejectedFile("compressed Pixel Data without a transfer syntax")
    if (implicit, little) not in _NATIVE_SYNTAXES:
        raise RejectedFile("unsupported encoding (implicit VR big endian)")
    return _NATIVE_SYNTAXES[(implicit, little)]


def _encodings(ds: Dataset) -> list[str]:
    value = ds.get_item(0x00080005)
    if value is None:
        return convert_encodings(None)
    if isinstance(value, RawDataElement):
        text = (value.value or b"").decode("latin-1").strip("\x00 ")
        return convert_encodings([part.strip() for part in text.split("\\")] if text else None)
    return convert_encodings(value.value or None)


def _deidentify_checked(ds: Dataset, meta: FileMetaDataset, deidentify: Deidentifier, source: Path) -> DatasetOutcome:
    _complete_uids(ds, meta, source)
    return deidentify(ds, meta)


def _complete_uids(ds: Dataset, meta: FileMetaDataset, source: Path) -> None:
    """Give an object without SOP Instance, Study or Series Instance UID one derived from its bytes.

    Output names come from these UIDs only.  A missing SOP Instance UID is taken from the file
    meta if there; otherwise each missing UID is ``2.25.`` + a SHA-256 of the file's content
    and the UID's name.  The profile then remaps it with the node's keyed hash like any other
    UID, so the output name is a keyed hash of the content: stable across runs, never derived
    from the input's name.  Each such object is its own study and series.
    """
    missing = [k for k in ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID") if not _uid_text(ds, k)]
    if not missing:
        return
    if "SOPInstanceUID" in missing and _uid_text(meta, "MediaStorageSOPInstanceUID"):
        ds.SOPInstanceUID = _uid_text(meta, "MediaStorageSOPInstanceUID")
        missing.remove("SOPInstanceUID")
    if not missing:
        return
    content = hashlib.sha256()
    with source.open("rb") as fp:
        for chunk in iter(lambda: fp.read(1 << 20), b""):
            content.update(chunk)
    for keyword in missing:
        digest = hashlib.sha256(content.digest() + keyword.encode("ascii")).digest()
        setattr(ds, keyword, f"2.25.{int.from_bytes(digest[:16], 'big')}")


def _uid_text(ds: Dataset, keyword: str) -> str:
    return str(ds.get(keyword, "") or "").strip("\x00 ")


def _file_head(ds: Dataset, meta: FileMetaDataset, outcome: DatasetOutcome, syntax: UID) -> bytes:
    """Preamble of zeros (a TIFF or other preamble could carry identifiers) and a fresh file meta."""
    sop_class = ds.get("SOPClassUID") or meta.get("MediaStorageSOPClassUID")
    if not sop_class:
        raise RejectedFile("missing SOPClassUID")
    return b"\x00" * 128 + b"DICM" + file_meta_bytes(str(sop_class), outcome.sop_instance_uid, str(syntax))


def file_meta_bytes(sop_class: str, sop_instance: str, syntax: str) -> bytes:
    """File Meta Information (PS3.10 Section 7.1), Explicit VR Little Endian, group length first.

    Written directly: building a FileMetaDataset for pydicom's writer cost a third of the
    per-file header time; the bytes are tested equal to ``pydicom.filewriter.write_file_meta_info``.
    """
    body = b"".join(
        (
            struct.pack("<HH2sHL", 0x0002, 0x0001, b"OB", 0, 2) + b"\x00\x01",
            _meta_text(0x0002, "UI", sop_class),
            _meta_text(0x0003, "UI", sop_instance),
            _meta_text(0x0010, "UI", syntax),
            _meta_text(0x0012, "UI", IMPLEMENTATION_CLASS_UID),
            _meta_text(0x0013, "SH", IMPLEMENTATION_VERSION_NAME),
        )
    )
    return struct.pack("<HH2sHL", 0x0002, 0x0000, b"UL", 4, len(body)) + body


def _meta_text(element: int, vr: str, value: str) -> bytes:
    data = value.encode("ascii")
    if len(data) % 2:
        data += b"\x00" if vr == "UI" else b" "
    return struct.pack("<HH2sH", 0x0002, element, vr.encode(), len(data)) + data


# --- writing -------------------------------------------------------------------------------


def _encode_split(ds: Dataset, implicit: bool, little: bool, source_encodings: list[str]) -> tuple[bytes, bytes]:
    """Encode the de-identified data set as (elements before Pixel Data, elements after it)."""
    target_encodings = _encodings(ds)
    before = DicomBytesIO()
    after = DicomBytesIO()
    for buffer in (before, after):
        buffer.is_implicit_VR = implicit
        buffer.is_little_endian = little
    writer = _DatasetWriter(implicit, little, source_encodings, target_encodings)
    for tag in sorted(ds.keys()):
        if tag >= 0x7FE00008:
            writer.element(after, ds, tag)
        else:
            writer.element(before, ds, tag)
    return before.getvalue(), after.getvalue()


class _DatasetWriter:
    """Writes untouched elements from their original bytes and the rest through pydicom.

    pydicom's ``write_dataset`` converts every element as soon as Specific Character Set
    changes (here always: output is ISO_IR 192), which costs more than the whole rest of
    the file; a raw value only needs re-encoding if its bytes are not plain ASCII.
    """

    def __init__(self, implicit: bool, little: bool, source: list[str], target: list[str]) -> None:
        self.implicit = implicit
        self.endian = "<" if little else ">"
        self.little = little
        self.source = source
        self.target = target
        self.transcoding = source != target
        self.utf8 = target == ["utf_8"]

    def element(self, fp: DicomBytesIO, ds: Dataset, tag: BaseTag) -> None:
        # Group lengths are retired (PS3.5 Section 7.2) and would be wrong after removals;
        # command (0000) and file meta (0002) groups do not belong in a stored data set.
        if tag.group <= 0x0002 or (tag.element == 0 and tag.group > 6):
            return
        elem = ds.get_item(tag)
        if isinstance(elem, RawDataElement):
            if self._raw_is_writable(elem):
                self._write_raw(fp, elem)
                return
            elem = convert_raw_data_element(elem, encoding=self._source_for(ds), ds=ds)
        if elem.VR == "SQ":
            self._write_sequence(fp, elem)
            return
        value = self.text_value(elem)
        if value is None:
            write_data_element(fp, elem, self.target)
        else:
            self._write_value(fp, elem.tag, str(elem.VR), value)

    def text_value(self, elem: DataElement) -> bytes | None:
        """The encoded value of a plain-string element, or None to let pydicom encode it.

        The profile converts some sixty elements per CT header, and pydicom's per-element
        writer costs more than the rest of the header work together; a string in a
        string VR encodes to its characters plus one pad byte (PS3.5 Section 6.2).
        """
        vr = elem.VR
        if vr not in _STRING_VRS:
            return None
        value = elem.value
        if value is None or value == "":
            return b""
        if isinstance(value, str):
            text = value
        elif isinstance(value, MultiValue) and all(isinstance(item, str) for item in value):
            text = "\\".join(value)
        else:
            return None
        if self.utf8:
            data = text.encode("utf-8")
        elif text.isascii():
            data = text.encode("ascii")
        else:
            return None
        if len(data) % 2:
            data += b"\x00" if vr == "UI" else b" "
        if not self.implicit and vr not in _LONG_VRS and len(data) > 0xFFFF:
            return None  # pydicom writes it as UN (PS3.5 Section 6.2.2)
        return data

    def _write_value(self, fp: DicomBytesIO, tag: BaseTag, vr: str, data: bytes) -> None:
        if self.implicit:
            fp.write(struct.pack(f"{self.endian}HHL", tag.group, tag.element, len(data)))
        elif vr in _LONG_VRS:
            fp.write(struct.pack(f"{self.endian}HH2sHL", tag.group, tag.element, vr.encode(), 0, len(data)))
        else:
            fp.write(struct.pack(f"{self.endian}HH2sH", tag.group, tag.element, vr.encode(), len(data)))
        fp.write(data)

    def _source_for(self, ds: Dataset) -> list[str]:
        return self.source

    def _raw_is_writable(self, elem: RawDataElement) -> bool:
        if bool(elem.is_implicit_VR) != self.implicit or bool(elem.is_little_endian) != self.little:
            return False
        if not self.implicit and not elem.VR:
            return False
        if not self.transcoding:
            return True
        value = elem.value or b""
        if value.isascii() and b"\x1b" not in value:
            return True
        vr = elem.VR or _dictionary_vr(elem.tag)
        # Unknown VR (private tag in implicit VR): bytes are opaque, keep them as they are.
        return vr is None or (vr not in _TEXT_VRS and vr != "SQ")

    def _write_raw(self, fp: DicomBytesIO, elem: RawDataElement) -> None:
        value = elem.value or b""
        length = elem.length
        undefined = length == _UNDEFINED
        size = _UNDEFINED if undefined else len(value)
        if self.implicit:
            fp.write(struct.pack(f"{self.endian}HHL", elem.tag.group, elem.tag.element, size))
        else:
            vr = str(elem.VR)
            if vr in _LONG_VRS:
                fp.write(struct.pack(f"{self.endian}HH2sHL", elem.tag.group, elem.tag.element, vr.encode(), 0, size))
            else:
                fp.write(struct.pack(f"{self.endian}HH2sH", elem.tag.group, elem.tag.element, vr.encode(), size))
        fp.write(value)
        if undefined:
            fp.write(struct.pack(f"{self.endian}HHL", 0xFFFE, 0xE0DD, 0))

    def _write_sequence(self, fp: DicomBytesIO, elem: DataElement) -> None:
        items = DicomBytesIO()
        items.is_implicit_VR = self.implicit
        items.is_little_endian = self.little
        sequence: Sequence = elem.value or Sequence()
        for item in sequence:
            content = DicomBytesIO()
            content.is_implicit_VR = self.implicit
            content.is_little_endian = self.little
            for tag in sorted(item.keys()):
                self.element(content, item, tag)
            payload = content.getvalue()
            if getattr(item, "is_undefined_length_sequence_item", False):
                items.write(struct.pack(f"{self.endian}HHL", 0xFFFE, 0xE000, _UNDEFINED))
                items.write(payload)
                items.write(struct.pack(f"{self.endian}HHL", 0xFFFE, 0xE00D, 0))
            else:
                items.write(struct.pack(f"{self.endian}HHL", 0xFFFE, 0xE000, len(payload)))
                items.write(payload)
        body = items.getvalue()
        undefined = elem.is_undefined_length
        size = _UNDEFINED if undefined else len(body)
        tag = elem.tag
        if self.implicit:
            fp.write(struct.pack(f"{self.endian}HHL", tag.group, tag.element, size))
        else:
            fp.write(struct.pack(f"{self.endian}HH2sHL", tag.group, tag.element, b"SQ", 0, size))
        fp.write(body)
        if undefined:
            fp.write(struct.pack(f"{self.endian}HHL", 0xFFFE, 0xE0DD, 0))


def _dictionary_vr(tag: BaseTag) -> str | None:
    try:
        return str(dictionary_VR(tag))
    except KeyError:
        return None


# --- the rule-chosen slow path -------------------------------------------------------------


def _prepare_deflated(source: Path, deidentify: Deidentifier) -> PreparedFile:
    """Deflated data sets are one zlib stream (PS3.5 Section A.5): inflate all, re-deflate all."""
    ds = dcmread(source, force=True)
    _check_complete(ds)
    meta = ds.file_meta
    source_encodings = _encodings(ds)
    outcome = _deidentify_checked(ds, meta, deidentify, source)
    head = _file_head(ds, meta, outcome, DeflatedExplicitVRLittleEndian)
    body, tail = _encode_split(ds, False, True, source_encodings)
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = compressor.compress(body + tail) + compressor.flush()
    if len(deflated) % 2:
        deflated += b"\x00"  # PS3.5 A.5: the deflated stream is padded to even length
    return PreparedFile(
        source=source,
        outcome=outcome,
        head=head + deflated,
        pixel_start=0,
        pixel_end=0,
        tail=b"",
        fast_path=False,
    )
