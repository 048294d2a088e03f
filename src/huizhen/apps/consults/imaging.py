"""Images of a received DICOM study at the hub: its series and instances, and PNG slices to look at.

Only de-identified DICOM ever reaches a hub, so this module reads what is there: the
files of an :class:`~huizhen.apps.consults.models.Attachment` of kind ``dicom`` (a
directory under the blob directory, a single file, or a JSON manifest of received
blobs by SHA-256). :func:`list_series` groups instances by Series Instance UID (PS3.3
C.7.3.1) ordered by Instance Number (C.7.6.1) or Slice Location. :func:`render_slice`
turns one instance into an 8-bit grey PNG: the stored values through the Modality LUT
(Rescale Slope/Intercept, PS3.3 C.11.1), then the VOI window from the header (Window
Center/Width, C.11.2, linear function of C.11.2.1.2) or, without one, the 0.5-99.5 %
percentiles of the image; MONOCHROME1 is inverted. PNGs are cached under the blob
directory (``previews/``), written to a temporary name and renamed, so a reader never
sees half a file and a second render of the same slice is a file read.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings

from huizhen.apps.consults.models import Attachment, AttachmentKind, ReceivedBlob

#: Largest side of a thumbnail, in pixels.
THUMBNAIL_SIZE = 256
#: Largest side of a slice in the viewer; larger images are scaled down.
SLICE_SIZE = 768


class ImagingError(Exception):
    """The study or slice cannot be shown (not DICOM, no pixels, unsupported encoding)."""


@dataclass(frozen=True)
class Instance:
    path: Path
    sop_instance_uid: str
    instance_number: int | None
    slice_location: float | None
    rows: int
    columns: int


@dataclass
class Series:
    uid: str
    number: int | None
    modality: str
    description: str
    instances: list[Instance] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.instances)


def _blob_root() -> Path:
    return Path(settings.HUIZHEN_BLOB_DIR).resolve()


def _inside_blob_dir(path: Path) -> Path:
    root = _blob_root()
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        raise ImagingError("the attachment's path leaves the blob directory")
    return resolved


def instance_paths(attachment: Attachment) -> list[Path]:
    """Every file of the study: a directory's files, one file, or the blobs a JSON manifest names."""
    if attachment.kind != AttachmentKind.DICOM:
        raise ImagingError("not a DICOM study")
    base = _inside_blob_dir(_blob_root() / attachment.blob)
    if base.is_dir():
        return sorted(p for p in base.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not base.is_file():
        raise ImagingError("the study's files are not here")
    head = base.read_bytes()[:1]
    if head in (b"[", b"{"):
        return _manifest_paths(base)
    return [base]


def _manifest_paths(manifest: Path) -> list[Path]:
    try:
        data = json.loads(manifest.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ImagingError("the study's manifest cannot be read") from exc
    entries = data.get("files", []) if isinstance(data, dict) else data
    hashes = [entry["sha256"] if isinstance(entry, dict) else str(entry[-1]) for entry in entries]
    blobs = {blob.sha256: blob.blob for blob in ReceivedBlob.objects.filter(sha256__in=hashes)}
    return [_inside_blob_dir(_blob_root() / blobs[digest]) for digest in hashes if digest in blobs]


def _number(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def list_series(attachment: Attachment) -> list[Series]:
    """The study's series (by Series Number) with their instances in order; unreadable files skipped."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    by_uid: dict[str, Series] = {}
    for path in instance_paths(attachment):
        try:
            header = pydicom.dcmread(path, stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError):
            continue
        if "Rows" not in header:
            continue  # no image (a structured report, a presentation state)
        uid = str(header.get("SeriesInstanceUID", "") or path.parent.name)
        series = by_uid.setdefault(
            uid,
            Series(
                uid=uid,
                number=_number(header.get("SeriesNumber")),
                modality=str(header.get("Modality", "") or ""),
                description=str(header.get("SeriesDescription", "") or ""),
            ),
        )
        series.instances.append(
            Instance(
                path=path,
                sop_instance_uid=str(header.get("SOPInstanceUID", "") or path.name),
                instance_number=_number(header.get("InstanceNumber")),
                slice_location=_float(header.get("SliceLocation")),
                rows=int(header.Rows),
                columns=int(header.get("Columns", 0) or 0),
            )
        )
    for series in by_uid.values():
        series.instances.sort(
            key=lambda i: (
                i.instance_number if i.instance_number is not None else 1 << 30,
                i.slice_location or 0.0,
                i.sop_instance_uid,
            )
        )
    return sorted(by_uid.values(), key=lambda s: (s.number if s.number is not None else 1 << 30, s.uid))


def find_series(attachment: Attachment, series_uid: str | None) -> Series:
    series = list_series(attachment)
    if not series:
        raise ImagingError("the study has no images")
    if not series_uid:
        return series[0]
    for candidate in series:
        if candidate.uid == series_uid:
            return candidate
    raise ImagingError("no such series in this study")


def _first(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        value = value[0] if len(value) else None
    return _float(value)


def window_to_png(dataset: Any, *, size: int) -> bytes:
    """One image of ``dataset`` as an 8-bit PNG no larger than ``size`` on its longer side."""
    import numpy as np
    from PIL import Image

    try:
        pixels = dataset.pixel_array
    except Exception as exc:  # pydicom raises many kinds for unsupported encodings
        raise ImagingError(f"the pixels cannot be decoded: {exc}") from exc
    if pixels.ndim == 3 and int(dataset.get("SamplesPerPixel", 1) or 1) == 1:
        pixels = pixels[pixels.shape[0] // 2]  # a multi-frame image: its middle frame
    if int(dataset.get("SamplesPerPixel", 1) or 1) == 3:
        image = Image.fromarray(np.asarray(pixels, dtype=np.uint8), mode="RGB")
    else:
        values = pixels.astype(np.float64)
        slope = _float(dataset.get("RescaleSlope")) or 1.0
        intercept = _float(dataset.get("RescaleIntercept")) or 0.0
        values = values * slope + intercept
        center, width = _first(dataset.get("WindowCenter")), _first(dataset.get("WindowWidth"))
        if center is None or width is None or width <= 1:
            low, high = (float(v) for v in np.percentile(values, [0.5, 99.5]))
        else:
            # PS3.3 C.11.2.1.2.1: the linear window maps [c - 0.5 - (w-1)/2, c - 0.5 + (w-1)/2].
            low = center - 0.5 - (width - 1) / 2
            high = center - 0.5 + (width - 1) / 2
        if high <= low:
            high = low + 1.0
        grey = np.clip((values - low) / (high - low), 0.0, 1.0) * 255.0
        if str(dataset.get("PhotometricInterpretation", "")) == "MONOCHROME1":
            grey = 255.0 - grey
        image = Image.fromarray(grey.astype(np.uint8), mode="L")
    image.thumbnail((size, size))
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _cache_path(attachment: Attachment, instance: Instance, size: int) -> Path:
    key = attachment.sha256 or f"attachment-{attachment.pk}"
    safe_uid = "".join(ch for ch in instance.sop_instance_uid if ch.isalnum() or ch in ".-")[:120]
    return _blob_root() / "previews" / key / f"{safe_uid}-{size}.png"


def _write_atomically(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    temporary.write_bytes(content)
    os.replace(temporary, target)


def render_instance(attachment: Attachment, instance: Instance, *, size: int = SLICE_SIZE) -> bytes:
    """The PNG of one instance (cached)."""
    import pydicom

    cached = _cache_path(attachment, instance, size)
    if cached.is_file():
        return cached.read_bytes()
    try:
        dataset = pydicom.dcmread(_inside_blob_dir(instance.path))
    except Exception as exc:  # an unreadable file is shown as unavailable
        raise ImagingError(f"the file cannot be read: {exc}") from exc
    png = window_to_png(dataset, size=size)
    _write_atomically(cached, png)
    return png


def render_slice(
    attachment: Attachment, *, series_uid: str | None = None, index: int = 0, size: int = SLICE_SIZE
) -> bytes:
    """The PNG of the ``index``-th instance (0-based, clamped) of a series (the first by default)."""
    series = find_series(attachment, series_uid)
    position = min(max(index, 0), series.count - 1)
    return render_instance(attachment, series.instances[position], size=size)


def thumbnail(attachment: Attachment, *, series_uid: str | None = None) -> bytes:
    """A small PNG of the middle slice of a series, for the workspace's image list."""
    series = find_series(attachment, series_uid)
    return render_instance(attachment, series.instances[series.count // 2], size=THUMBNAIL_SIZE)
