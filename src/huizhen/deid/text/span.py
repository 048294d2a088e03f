"""What the text scrubber finds: a :class:`Span` of protected health information and its kind.

The kinds follow the HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)) that occur in
clinical prose, grouped the way Chinese records write them: resident ID and passport numbers
are ``ID_NUMBER``; medical record, admission (住院号), case (病案号), outpatient (门诊号), bed
and insurance numbers are ``RECORD_NUMBER``; WeChat and QQ accounts are ``SOCIAL_ID``.
"""

from __future__ import annotations

from dataclasses import dataclass

PHI_KINDS: tuple[str, ...] = (
    "NAME",
    "ID_NUMBER",
    "PHONE",
    "RECORD_NUMBER",
    "EMAIL",
    "URL",
    "SOCIAL_ID",
    "ADDRESS",
    "DATE",
    "AGE",
    "ORGANIZATION",
)


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` is PHI of ``kind``; ``replacement`` is what a scrub writes in its place.

    :func:`huizhen.deid.text.detect` leaves ``replacement`` empty.
    """

    start: int
    end: int
    kind: str
    text: str
    replacement: str = ""


@dataclass(frozen=True)
class ScrubResult:
    """The scrubbed text, the spans of the *input* that were replaced, and the input's language.

    ``language`` is "zh", "en" or "mixed".
    """

    text: str
    spans: tuple[Span, ...]
    language: str
