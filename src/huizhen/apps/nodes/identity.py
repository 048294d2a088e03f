"""This node's identity: its Ed25519 key in ``HUIZHEN_DATA_DIR/node_key.pem`` and what it tells peers.

The key is created the first time the app registry loads (any ``huizhen`` command,
``serve`` and ``migrate`` included) and reused ever after; a key file that is
unreadable, malformed or readable by group or others stops start-up with
:class:`huizhen.httpsig.KeyFileError`, whose message names the file and the fix.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

from huizhen.httpsig import keys

KEY_FILE_NAME = "node_key.pem"


@dataclass(frozen=True)
class NodeIdentity:
    name: str
    role: str
    public_url: str
    public_key: str
    fingerprint: str


def node_key_path() -> Path:
    return Path(settings.HUIZHEN_DATA_DIR) / KEY_FILE_NAME


@functools.cache
def _key_at(path: Path) -> Ed25519PrivateKey:
    return keys.load_or_create_private_key(path)


def node_private_key() -> Ed25519PrivateKey:
    """The node's signing key, loaded (or created) once per process."""
    return _key_at(node_key_path())


def node_identity() -> NodeIdentity:
    public = node_private_key().public_key()
    return NodeIdentity(
        name=settings.HUIZHEN_NODE_NAME,
        role=settings.HUIZHEN_ROLE,
        public_url=settings.HUIZHEN_PUBLIC_URL,
        public_key=keys.public_key_to_b64(public),
        fingerprint=keys.fingerprint(public),
    )
