"""JSON API: thread (being written)."""

from ninja import Router

router = Router(tags=["consults"])
