"""Test helper: what the detector finds in a text, as (kind, surface) pairs."""

from __future__ import annotations

from huizhen.deid.text import detect


def found(text: str) -> list[tuple[str, str]]:
    return [(span.kind, span.text) for span in detect(text)]


def found_kind(text: str, kind: str) -> list[str]:
    return [span.text for span in detect(text) if span.kind == kind]
