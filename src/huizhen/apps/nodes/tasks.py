"""Background checks of peers (django-tasks); safe to run any number of times."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from huizhen.apps.nodes.models import Peer
from huizhen.apps.nodes.services import ping_peer


@task()
def check_peer(peer_id: int) -> dict[str, Any]:
    """Ping one peer and record connected/unreachable on it; a removed peer is skipped."""
    peer = Peer.objects.filter(pk=peer_id).first()
    if peer is None:
        return {"peer_id": peer_id, "ok": False, "error": "peer no longer registered"}
    result = ping_peer(peer=peer)
    return {"peer_id": peer_id, "ok": result.ok, "elapsed_ms": result.elapsed_ms, "error": result.error}
