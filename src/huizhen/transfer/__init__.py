"""Node-to-node case delivery: resumable, parallel, verified transfers over lossy long links.

Pure Python, no Django. :func:`build_manifest` cuts files into content-addressed chunks
(SHA-256) and :func:`sign_manifest` signs the list (HMAC-SHA256); :func:`send` pushes the
chunks a receiver is missing over several persistent HTTP/1.1 streams (BBR per socket
where offered, optional pacing, adaptive stream count, retries with backoff, zstd only
where it pays); :class:`ReceiverCore` checks every chunk and every file and commits files
atomically, its state on disk so that either end can be killed and the transfer resumed;
:func:`serve` is its stdlib HTTP server. The node's case delivery and ``huizhen
transfer`` call this. Design and measurements: ``docs/engines/transfer.md``.
"""

from __future__ import annotations

from huizhen.transfer.errors import (
    EncodingError,
    IncompleteError,
    LimitError,
    ManifestError,
    SessionError,
    SignatureError,
    StorageError,
    TransferError,
)
from huizhen.transfer.manifest import (
    DEFAULT_CHUNK_SIZE,
    ChunkRef,
    FileEntry,
    Manifest,
    build_manifest,
    key_from_token,
    sign_manifest,
    verify_manifest,
)
from huizhen.transfer.receiver import ReceiverCore, ReceiverServer, SessionStatus, serve
from huizhen.transfer.sender import Progress, Summary, compression_saving, send

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "ChunkRef",
    "EncodingError",
    "FileEntry",
    "IncompleteError",
    "LimitError",
    "Manifest",
    "ManifestError",
    "Progress",
    "ReceiverCore",
    "ReceiverServer",
    "SessionError",
    "SessionStatus",
    "SignatureError",
    "StorageError",
    "Summary",
    "TransferError",
    "build_manifest",
    "compression_saving",
    "key_from_token",
    "send",
    "serve",
    "sign_manifest",
    "verify_manifest",
]
