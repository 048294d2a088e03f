"""DICOM at the hub: series and instances listed, slices rendered as windowed PNGs and cached."""

from __future__ import annotations

import hashlib
import json
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import Image

from huizhen.apps.consults import imaging
from huizhen.apps.consults.models import Attachment, AttachmentKind, ReceivedBlob
from huizhen.deid.dicom.synthetic import generate_ct_series
from tests.consults.hub_factories import hub_case

pytestmark = pytest.mark.django_db


def _study(name: str, *, slices: int = 3) -> tuple[str, list[Path]]:
    relative = f"studies/{name}"
    paths = generate_ct_series(Path(settings.HUIZHEN_BLOB_DIR) / relative, slices=slices, rows=64, cols=48)
    return relative, paths


def _attachment(blob: str, *, kind: str = AttachmentKind.DICOM, **fields: Any) -> Attachment:
    return Attachment.objects.create(
        request=hub_case(), kind=kind, filename="study-1", blob=blob, sha256=hashlib.sha256(blob.encode()).hexdigest()
    )


def _png(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(BytesIO(data))


def test_a_study_lists_its_series_with_instances_in_order() -> None:
    blob, _paths = _study("ordered", slices=4)
    (series,) = imaging.list_series(_attachment(blob))
    assert (series.modality, series.description, series.count) == ("CT", "Axial 1.0mm", 4)
    assert [i.instance_number for i in series.instances] == [1, 2, 3, 4]


def test_a_slice_renders_as_a_png_of_the_image_size() -> None:
    blob, _paths = _study("size")
    image = _png(imaging.render_slice(_attachment(blob), index=1))
    assert (image.mode, image.size) == ("L", (48, 64))


def test_the_header_window_shows_air_black_and_soft_tissue_grey() -> None:
    blob, _paths = _study("window")
    image = _png(imaging.render_slice(_attachment(blob)))
    corner, centre = image.getpixel((0, 0)), image.getpixel((24, 32))
    assert corner == 0  # air, -1000 HU, below the soft-tissue window (40/400)
    assert 100 < centre < 220  # soft tissue, about +60 HU


def test_a_rendered_slice_is_cached_under_the_blob_directory() -> None:
    blob, _paths = _study("cache")
    attachment = _attachment(blob)
    first = imaging.render_slice(attachment, index=2)
    cached = list((Path(settings.HUIZHEN_BLOB_DIR) / "previews" / attachment.sha256).glob("*.png"))
    assert len(cached) == 1
    assert not list(cached[0].parent.glob(".*.part"))
    assert imaging.render_slice(attachment, index=2) == first


def test_an_index_past_the_end_shows_the_last_slice() -> None:
    blob, _paths = _study("clamp")
    attachment = _attachment(blob)
    assert imaging.render_slice(attachment, index=99) == imaging.render_slice(attachment, index=2)


def test_a_thumbnail_is_small() -> None:
    blob, _paths = _study("thumb")
    image = _png(imaging.thumbnail(_attachment(blob)))
    assert max(image.size) <= imaging.THUMBNAIL_SIZE


def test_a_study_received_as_blobs_is_read_through_its_manifest() -> None:
    _blob, paths = _study("received")
    files = []
    for path in paths:
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        relative = path.relative_to(settings.HUIZHEN_BLOB_DIR).as_posix()
        hub = hub_case()
        ReceivedBlob.objects.create(sha256=digest, peer=hub.peer, size=len(content), blob=relative)
        files.append({"sha256": digest, "path": path.name, "size": len(content)})
    manifest = Path(settings.HUIZHEN_BLOB_DIR) / "manifests" / "received.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({"files": files}))
    (series,) = imaging.list_series(_attachment("manifests/received.json"))
    assert series.count == 3


def test_a_pdf_attachment_is_not_a_study() -> None:
    with pytest.raises(imaging.ImagingError):
        imaging.list_series(_attachment("whatever.pdf", kind=AttachmentKind.PDF))


def test_a_path_outside_the_blob_directory_is_refused() -> None:
    with pytest.raises(imaging.ImagingError):
        imaging.list_series(_attachment("../../etc"))
