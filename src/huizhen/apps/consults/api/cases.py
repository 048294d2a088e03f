"""JSON API: cases (being written)."""

from ninja import Router

router = Router(tags=["consults"])
