"""A node's Ed25519 key pair (RFC 8032): generation, PEM files, base64 and fingerprints.

The private key is stored as unencrypted PKCS#8 PEM, readable by its owner only
(mode 0600); a file that group or others may read is refused, because whoever
reads it can speak for the node. Files are written under a temporary name and then
linked into place, so a crash or a second process starting at the same moment never
leaves a half-written or a second, different key.

The public key travels as standard base64 of its raw 32 bytes (RFC 8032 section
5.1.5). Its fingerprint is ``SHA256:`` followed by the 64 lower-case hex digits of
the SHA-256 of those 32 bytes; administrators compare it out of band before
trusting a peer. :func:`normalize_fingerprint` accepts it in any case, with or
without the prefix and with colons, spaces or dashes between digit groups.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
import tempfile
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FINGERPRINT_PREFIX = "SHA256:"
_SEPARATORS = re.compile(r"[\s:\-_.]")
_HEX64 = re.compile(r"[0-9a-f]{64}")


class KeyFormatError(ValueError):
    """A public key or fingerprint given as text is not what it should be."""


class KeyFileError(Exception):
    """The node's key file cannot be used; the message names the file and the fix."""


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_to_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(raw_public_key(key)).decode("ascii")


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    """Parse a raw 32-byte Ed25519 public key given as (standard or URL-safe) base64."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFormatError("the public key is not valid base64") from exc
    if len(raw) != 32:
        raise KeyFormatError(f"an Ed25519 public key is 32 bytes, this one is {len(raw)}")
    return Ed25519PublicKey.from_public_bytes(raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    return FINGERPRINT_PREFIX + hashlib.sha256(raw_public_key(key)).hexdigest()


def normalize_fingerprint(text: str) -> str:
    """Return the canonical ``SHA256:<64 hex>`` form, or raise KeyFormatError."""
    value = text.strip().lower()
    if value.startswith(FINGERPRINT_PREFIX.lower()):
        value = value[len(FINGERPRINT_PREFIX) :]
    value = _SEPARATORS.sub("", value)
    if not _HEX64.fullmatch(value):
        raise KeyFormatError("a fingerprint is SHA256: followed by 64 hexadecimal digits")
    return FINGERPRINT_PREFIX + value


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_temporary(path: Path, key: Ed25519PrivateKey) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_pem(key))
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def save_private_key(path: Path, key: Ed25519PrivateKey) -> None:
    """Write (or replace) the key file atomically with mode 0600."""
    tmp = _write_temporary(path, key)
    os.replace(tmp, path)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise KeyFileError(f"node key file {path} does not exist") from exc
    except OSError as exc:
        raise KeyFileError(f"node key file {path} cannot be read: {exc.strerror}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"node key file {path} is accessible to group or others (mode {stat.S_IMODE(mode):04o}); "
            f"run: chmod 600 {path}"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(
            f"node key file {path} is not an unencrypted PEM private key; "
            "restore it from backup, or move it away to generate a new identity (peers must then re-register this node)"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"node key file {path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    """Load the key file, creating it first if absent; safe when processes race to create it."""
    if not path.exists():
        key = generate_private_key()
        tmp = _write_temporary(path, key)
        try:
            # link() fails if another process created the file first; then we use theirs.
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError as exc:
            raise KeyFileError(f"cannot create node key file {path}: {exc.strerror}") from exc
        finally:
            tmp.unlink(missing_ok=True)
    return load_private_key(path)
