"""Node-to-node API endpoints (signed) and this node's public identity."""

from ninja import Router

router = Router(tags=["nodes"])
