"""Files uploaded at the gateway (scanned consent forms, case attachments) in the node's blob directory.

A file is streamed to a temporary name inside the blob directory while its size is
counted and its SHA-256 computed; only a complete file within the limit is renamed to
its final name (``os.replace`` is atomic on one file system), so an interrupted or
oversized upload never leaves a file that a row could point to. A directory (an
unpacked DICOM study) is built under a temporary name and renamed the same way. The
type of a file is judged by its first bytes (magic numbers), not by the name or the
``Content-Type`` the browser sent.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

CHUNK = 1 << 20


class UploadRefused(ValueError):
    """An upload that is not stored: too large, empty or of a type not accepted here."""


@dataclass(frozen=True)
class StoredBlob:
    relative: str  # path under the blob directory, as stored on the row
    sha256: str
    size: int

    @property
    def path(self) -> Path:
        return blob_path(self.relative)


def blob_root() -> Path:
    return Path(settings.HUIZHEN_BLOB_DIR)


def blob_path(relative: str) -> Path:
    """The absolute path of ``relative``; refuses anything that would leave the blob directory."""
    root = blob_root().resolve()
    path = (root / relative).resolve()
    if root not in path.parents and path != root:
        raise ValueError(f"{relative!r} is outside the blob directory")
    return path


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes, for the types uploads accept."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "application/dicom"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    return None


def store_chunks(chunks: Iterable[bytes], *, folder: str, suffix: str = "", max_size: int) -> StoredBlob:
    """Write ``chunks`` to ``folder/<random name><suffix>`` atomically; :class:`UploadRefused` over ``max_size``."""
    directory = blob_path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{uuid.uuid4().hex}{suffix}"
    temporary = directory / f".{final.name}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with temporary.open("wb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > max_size:
                    raise UploadRefused(
                        _("The file is larger than the limit of %(limit)s MB.") % {"limit": max_size // (1 << 20)}
                    )
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise UploadRefused(_("The file is empty."))
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return StoredBlob(relative=str(final.relative_to(blob_root().resolve())), sha256=digest.hexdigest(), size=size)


def store_bytes(content: bytes, *, folder: str, suffix: str = "", max_size: int) -> StoredBlob:
    return store_chunks([content], folder=folder, suffix=suffix, max_size=max_size)


def commit_directory(temporary: Path, *, folder: str) -> str:
    """Rename a finished directory built under the blob directory to its final random name."""
    directory = blob_path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / uuid.uuid4().hex
    os.replace(temporary, final)
    return str(final.relative_to(blob_root().resolve()))


def temporary_directory(*, folder: str) -> Path:
    """A fresh hidden directory under ``folder`` for building a multi-file blob."""
    directory = blob_path(folder)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f".{uuid.uuid4().hex}.part"
    path.mkdir()
    return path


def remove(relative: str) -> None:
    """Delete a stored file or directory (after its row is gone); missing is fine."""
    if not relative:
        return
    path = blob_path(relative)
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
