"""JSON API: hub (being written)."""

from ninja import Router

router = Router(tags=["consults"])
