"""Transfer manifests: what a transfer carries, file by file and chunk by chunk, signed.

A :class:`Manifest` lists each file's relative POSIX path, size and SHA-256 (FIPS 180-4),
and the file cut into fixed-size chunks, each named by the SHA-256 of its bytes (content
addressing: equal chunks have equal names, which is what deduplication and resume rest
on). The manifest travels as canonical JSON (sorted keys, no spaces, UTF-8) and is
signed with HMAC-SHA256 (RFC 2104) under a key both ends hold; the CLI's key is the
SHA-256 of the shared token (:func:`key_from_token`). Paths are checked on the way in
and out: never absolute, never ``..``, never into the receiver's own state directory.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from huizhen.transfer.errors import ManifestError, SignatureError

FORMAT_VERSION = 1
DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024
MIN_CHUNK_SIZE = 4 * 1024
MAX_CHUNK_SIZE = 64 * 1024 * 1024
STATE_DIR_NAME = ".huizhen-transfer"
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class ChunkRef:
    """One chunk of a file: the SHA-256 of its bytes (lower-case hex) and its length."""

    sha256: str
    size: int


@dataclass(frozen=True)
class FileEntry:
    """One file: its path relative to the transfer's root (POSIX form), size, SHA-256 and chunks."""

    path: str
    size: int
    sha256: str
    chunks: list[ChunkRef] = field(default_factory=list)


@dataclass(frozen=True)
class Manifest:
    """Everything a receiver needs to know what to expect and to verify what it got."""

    chunk_size: int
    files: list[FileEntry]
    version: int = FORMAT_VERSION

    @property
    def total_bytes(self) -> int:
        return sum(entry.size for entry in self.files)

    def unique_chunks(self) -> dict[str, int]:
        """Each distinct chunk (by SHA-256) with its size, in first-seen order."""
        chunks: dict[str, int] = {}
        for entry in self.files:
            for chunk in entry.chunks:
                chunks.setdefault(chunk.sha256, chunk.size)
        return chunks

    def to_json(self) -> str:
        """Canonical JSON: the exact bytes the signature covers."""
        data = {
            "version": self.version,
            "chunk_size": self.chunk_size,
            "files": [
                {
                    "path": entry.path,
                    "size": entry.size,
                    "sha256": entry.sha256,
                    "chunks": [[chunk.sha256, chunk.size] for chunk in entry.chunks],
                }
                for entry in self.files
            ],
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> Manifest:
        """Parse and check a manifest; any defect is a :class:`ManifestError` naming it."""
        try:
            data = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ManifestError(f"manifest is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ManifestError("manifest must be a JSON object")
        if data.get("version") != FORMAT_VERSION:
            raise ManifestError(f"unsupported manifest version {data.get('version')!r} (expected {FORMAT_VERSION})")
        chunk_size = _int(data.get("chunk_size"), "chunk_size")
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise ManifestError(f"chunk_size {chunk_size} outside {MIN_CHUNK_SIZE}..{MAX_CHUNK_SIZE}")
        raw_files = data.get("files")
        if not isinstance(raw_files, list):
            raise ManifestError("manifest 'files' must be a list")
        files = [_file_entry(raw, chunk_size) for raw in raw_files]
        seen: set[str] = set()
        for entry in files:
            if entry.path in seen:
                raise ManifestError(f"path listed twice: {entry.path}")
            seen.add(entry.path)
        return cls(chunk_size=chunk_size, files=files)


def check_relative_path(path: object) -> str:
    """Return ``path`` if it is a safe relative POSIX path, else raise :class:`ManifestError`."""
    if not isinstance(path, str) or not path:
        raise ManifestError("empty file path")
    if "\\" in path or "\x00" in path:
        raise ManifestError(f"path with a backslash or NUL refused: {path!r}")
    posix = PurePosixPath(path)
    if posix.is_absolute() or PureWindowsPath(path).drive:
        raise ManifestError(f"absolute path refused: {path}")
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise ManifestError(f"path with '..', '.' or an empty part refused: {path}")
    if parts[0] == STATE_DIR_NAME:
        raise ManifestError(f"path into the receiver's state directory refused: {path}")
    return path


def build_manifest(paths: Iterable[str | os.PathLike[str]], *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Manifest:
    """Hash ``paths`` into a manifest; a directory contributes every file under it.

    A file is named by its base name, a directory's files by their path from the
    directory's parent (``send study/`` gives ``study/series1/img1.dcm``), so the
    receiver recreates the tree under its own directory. Symbolic links are followed
    for the paths given, not inside directories.
    """
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise ManifestError(f"chunk size {chunk_size} outside {MIN_CHUNK_SIZE}..{MAX_CHUNK_SIZE}")
    files: list[FileEntry] = []
    seen: set[str] = set()
    for given in paths:
        for source, relative in _walk(Path(given)):
            check_relative_path(relative)
            if relative in seen:
                raise ManifestError(f"two sources give the same path: {relative}")
            seen.add(relative)
            files.append(_hash_file(source, relative, chunk_size))
    return Manifest(chunk_size=chunk_size, files=files)


def local_sources(paths: Iterable[str | os.PathLike[str]]) -> dict[str, Path]:
    """The local file behind each manifest path, as :func:`build_manifest` names them."""
    return {relative: source for given in paths for source, relative in _walk(Path(given))}


def sign_manifest(manifest: Manifest, key: bytes) -> str:
    """HMAC-SHA256 of the canonical JSON, lower-case hex."""
    return hmac.new(key, manifest.to_json().encode("utf-8"), hashlib.sha256).hexdigest()


def verify_manifest(manifest_json: str | bytes, signature: str, key: bytes) -> Manifest:
    """Parse ``manifest_json`` and check ``signature`` over its canonical form."""
    manifest = Manifest.from_json(manifest_json)
    if not isinstance(signature, str) or not hmac.compare_digest(sign_manifest(manifest, key), signature.lower()):
        raise SignatureError("manifest signature does not match")
    return manifest


def key_from_token(token: str) -> bytes:
    """The manifest-signing key the CLI derives from the shared bearer token."""
    return hashlib.sha256(token.encode("utf-8")).digest()


def is_sha256_hex(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def _walk(root: Path) -> Iterator[tuple[Path, str]]:
    if not root.exists():
        raise ManifestError(f"no such file or directory: {root}")
    if root.is_file():
        yield root, root.name
        return
    base = root.resolve().parent
    for directory, dirnames, filenames in os.walk(root.resolve()):
        dirnames.sort()
        for name in sorted(filenames):
            source = Path(directory) / name
            if source.is_file() and not source.is_symlink():
                yield source, source.relative_to(base).as_posix()


def _hash_file(source: Path, relative: str, chunk_size: int) -> FileEntry:
    whole = hashlib.sha256()
    chunks: list[ChunkRef] = []
    size = 0
    with source.open("rb") as handle:
        while block := handle.read(chunk_size):
            whole.update(block)
            chunks.append(ChunkRef(hashlib.sha256(block).hexdigest(), len(block)))
            size += len(block)
    return FileEntry(path=relative, size=size, sha256=whole.hexdigest(), chunks=chunks)


def _int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ManifestError(f"manifest {name} must be a non-negative integer")
    return value


def _file_entry(raw: Any, chunk_size: int) -> FileEntry:
    if not isinstance(raw, dict):
        raise ManifestError("each file must be a JSON object")
    path = check_relative_path(raw.get("path"))
    size = _int(raw.get("size"), "size")
    sha256 = raw.get("sha256")
    if not is_sha256_hex(sha256):
        raise ManifestError(f"file {path}: sha256 must be 64 lower-case hex digits")
    raw_chunks = raw.get("chunks")
    if not isinstance(raw_chunks, list):
        raise ManifestError(f"file {path}: chunks must be a list")
    chunks: list[ChunkRef] = []
    for item in raw_chunks:
        if not (isinstance(item, list) and len(item) == 2 and is_sha256_hex(item[0])):
            raise ManifestError(f"file {path}: each chunk must be [sha256, size]")
        chunk_bytes = _int(item[1], "chunk size")
        if not 0 < chunk_bytes <= chunk_size:
            raise ManifestError(f"file {path}: chunk size {chunk_bytes} outside 1..{chunk_size}")
        chunks.append(ChunkRef(item[0], chunk_bytes))
    if sum(chunk.size for chunk in chunks) != size:
        raise ManifestError(f"file {path}: chunk sizes do not add up to the file size")
    assert isinstance(sha256, str)
    return FileEntry(path=path, size=size, sha256=sha256, chunks=chunks)
