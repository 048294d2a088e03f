"""The transfer engine's errors: one base class so callers catch a failed transfer in one place.

Each error carries an HTTP status the receiver answers with, so that the same refusal
reads the same on both sides of the wire (a manifest path outside the target directory
is 400 in :class:`ManifestError`, a quota is 413 in :class:`LimitError`, a full disk is
507 in :class:`StorageError`).
"""

from __future__ import annotations


class TransferError(Exception):
    """A transfer cannot go on; the message says why in one line."""

    status = 500


class ManifestError(TransferError):
    """A manifest is malformed, names a path outside the target directory, or fails its signature."""

    status = 400


class SignatureError(ManifestError):
    """The manifest's HMAC does not match: not from a holder of the shared key, or altered."""

    status = 403


class LimitError(TransferError):
    """The receiver's quota or size limit refuses the transfer (before any byte is sent)."""

    status = 413


class StorageError(TransferError):
    """The receiver's disk is full or over quota; nothing was committed."""

    status = 507


class SessionError(TransferError):
    """An unknown session, a chunk that is not part of it, or a commit with chunks still missing."""

    status = 404


class IncompleteError(SessionError):
    """A commit asked for while chunks are still missing: send them first."""

    status = 409


class EncodingError(TransferError):
    """A chunk arrived in a Content-Encoding the receiver does not speak (only zstd or none)."""

    status = 415
