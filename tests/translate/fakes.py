"""Fake translation engines for tests only: they exercise the plumbing, never a real model."""

from __future__ import annotations

import re

# A few words of the sentences the tests send, enough to see the engine's text come back.
PHRASEBOOK = {
    ("zh", "en"): {
        "患者诊断为": "The patient was diagnosed with ",
        "接受": "received ",
        "治疗": " treatment",
        "。": ". ",
    },
    ("en", "zh"): {"The patient has ": "患者患有", " and ": "和", ".": "。"},
}


class PhrasebookEngine:
    """Replaces known phrases and leaves everything else (placeholders included) as it is."""

    name = "fake-phrasebook"
    model = "phrasebook-1"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def translate(self, text: str, *, source: str, target: str) -> str:
        self.calls.append(text)
        for phrase, rendered in PHRASEBOOK.get((source, target), {}).items():
            text = text.replace(phrase, rendered)
        return text.strip()


class ReorderingEngine:
    """Reverses the order of the space-separated words, as a real engine may reorder a sentence,
    and widens the placeholders' brackets the way engines writing Chinese do."""

    name = "fake-reordering"
    model = None

    def translate(self, text: str, *, source: str, target: str) -> str:
        reordered = " ".join(reversed(text.split()))
        return re.sub(r"\[(T\d+)\]", r"［\1］", reordered)


class PlaceholderDroppingEngine:
    """Loses every placeholder on the first call, as a poor engine can; behaves on the plain text."""

    name = "fake-dropping"
    model = None

    def __init__(self) -> None:
        self.calls: list[str] = []

    def translate(self, text: str, *, source: str, target: str) -> str:
        self.calls.append(text)
        return re.sub(r"\[T\d+\]", "", text).upper()
