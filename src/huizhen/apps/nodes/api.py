"""Node-to-node API endpoints (signed) and this node's public identity.

``GET /api/node/identity`` is public: it is what an administrator's ``peer add``
fetches before checking the fingerprint. Everything else requires a request signed
by a registered peer (:mod:`huizhen.apps.nodes.peer_auth`) and is answered signed.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.decorators import decorate_view

from huizhen.apps.nodes.identity import node_identity
from huizhen.apps.nodes.peer_auth import peer_signed

router = Router(tags=["nodes"])


class IdentityOut(Schema):
    name: str
    role: str
    public_url: str
    public_key: str
    fingerprint: str


class PingOut(Schema):
    name: str
    role: str
    fingerprint: str
    time: datetime
    peer: str


@router.get("identity", response=IdentityOut, auth=None)
def identity(request: HttpRequest) -> IdentityOut:
    me = node_identity()
    return IdentityOut(
        name=me.name, role=me.role, public_url=me.public_url, public_key=me.public_key, fingerprint=me.fingerprint
    )


@router.post("ping", response=PingOut)
@decorate_view(peer_signed)
def ping(request: HttpRequest) -> PingOut:
    """Answer a signed ping: who we are, our clock, and which peer we recognised."""
    me = node_identity()
    return PingOut(
        name=me.name,
        role=me.role,
        fingerprint=me.fingerprint,
        time=timezone.now(),
        peer=request.peer.name,  # type: ignore[attr-defined]
    )
