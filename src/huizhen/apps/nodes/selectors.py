"""Reading peers: by key id for inbound checks, by name or URL for the command line."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db.models import Q, QuerySet

from huizhen.apps.nodes.models import Peer
from huizhen.httpsig import keys


def peer_list() -> QuerySet[Peer]:
    return Peer.objects.order_by("name")


def peer_by_fingerprint(fingerprint: str) -> Peer | None:
    try:
        canonical = keys.normalize_fingerprint(fingerprint)
    except keys.KeyFormatError:
        return None
    return Peer.objects.filter(fingerprint=canonical).first()


def peer_by_name_or_url(text: str) -> Peer | None:
    return Peer.objects.filter(Q(name=text) | Q(base_url=text.rstrip("/"))).first()


def public_key_for(keyid: str) -> Ed25519PublicKey | None:
    peer = peer_by_fingerprint(keyid)
    return None if peer is None else keys.public_key_from_b64(peer.public_key)
