"""JSON API: node (being written)."""

from ninja import Router

router = Router(tags=["consults"])
