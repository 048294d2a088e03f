"""Detect and replace PHI in one text: every finder runs, overlaps resolve, replacements are written.

Finders (identifiers, dates, ages, names, addresses, organizations, table columns) propose candidate spans
with a priority; a candidate of a name, address or organization that overlaps a protected
clinical term (:mod:`huizhen.deid.text.clinical_terms`) is dropped; then, strongest first
(priority, then length), a candidate is kept unless it overlaps one already kept. Scrubbing
writes typed tags numbered by the case's :class:`ScrubContext`, dates shifted by its number
of days, ages over 89 as "90岁以上" / "90 or older", and organizations as they are or
generalized as the context says. Tags are written in the language of the text around them.
"""

from __future__ import annotations

from bisect import bisect_left, insort

from huizhen.deid.text.addresses import find_addresses
from huizhen.deid.text.ages import find_ages
from huizhen.deid.text.clinical_terms import protected_spans
from huizhen.deid.text.context import AGE_OVER_89, HOSPITAL, ScrubContext
from huizhen.deid.text.dates import find_dates, shift_date
from huizhen.deid.text.identifiers import find_identifiers
from huizhen.deid.text.language import language_around, language_of
from huizhen.deid.text.names import find_names
from huizhen.deid.text.organizations import find_organizations
from huizhen.deid.text.span import ScrubResult, Span
from huizhen.deid.text.tables import find_table_cells

Finding = tuple[int, int, str, int]
LANGUAGES = ("auto", "zh", "en")
# Kinds whose detectors read ordinary words, and so must yield to protected clinical terms.
_WORDLIKE = frozenset({"NAME", "ADDRESS", "ORGANIZATION"})
_DATE_PRIORITY = 58


def detect(text: str, *, lang: str = "auto") -> list[Span]:
    """The PHI spans of ``text`` in order, without replacements."""
    _check_lang(lang)
    return [Span(start, end, kind, text[start:end]) for start, end, kind in _resolve(text)]


def scrub(text: str, *, lang: str = "auto", context: ScrubContext | None = None) -> ScrubResult:
    """``text`` with its PHI replaced; the spans give what was replaced (offsets into ``text``)."""
    _check_lang(lang)
    context = context if context is not None else ScrubContext()
    pieces: list[str] = []
    spans: list[Span] = []
    position = 0
    for start, end, kind in _resolve(text):
        surface = text[start:end]
        if kind == "ORGANIZATION" and context.keep_organizations:
            continue
        tag_lang = lang if lang != "auto" else language_around(text, start, end)
        replacement = _replacement(kind, surface, tag_lang, context)
        pieces.append(text[position:start])
        pieces.append(replacement)
        position = end
        spans.append(Span(start, end, kind, surface, replacement))
    pieces.append(text[position:])
    return ScrubResult("".join(pieces), tuple(spans), language_of(text))


def _replacement(kind: str, surface: str, lang: str, context: ScrubContext) -> str:
    index = 0 if lang == "zh" else 1
    if kind == "DATE" and context.shift_dates:
        return shift_date(surface, context.date_shift_days)
    if kind == "AGE":
        return AGE_OVER_89[index]
    if kind == "ORGANIZATION":
        return HOSPITAL[index]
    return context.tag(kind, surface, lang=lang)


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")


def _candidates(text: str) -> list[Finding]:
    found: list[Finding] = []
    found.extend(find_identifiers(text))
    found.extend((start, end, "DATE", _DATE_PRIORITY) for start, end in find_dates(text))
    found.extend(find_ages(text))
    found.extend(find_names(text))
    found.extend(find_addresses(text))
    found.extend(find_organizations(text))
    found.extend(find_table_cells(text))
    return [f for f in found if f[1] > f[0]]


def _resolve(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping spans, strongest first, returned in text order."""
    candidates = _candidates(text)
    if not candidates:
        return []
    protected = sorted(protected_spans(text))
    kept_starts: list[int] = []
    kept: dict[int, tuple[int, str]] = {}
    for start, end, kind, _priority in sorted(candidates, key=lambda f: (-f[3], f[0] - f[1], f[0])):
        # Word-like kinds yield to any overlapping clinical term (an address only to one that
        # holds it whole: "Ann Arbor, MI 48116" is still an address); numbers only when they
        # are part of one (IDH1 is a gene, not a record number "H1").
        inside_only = kind not in _WORDLIKE or kind == "ADDRESS"
        if _overlaps(protected, start, end, inside_only=inside_only):
            continue
        i = bisect_left(kept_starts, start)
        if i < len(kept_starts) and kept_starts[i] < end:
            continue  # a kept span starts inside this one
        if i > 0 and kept[kept_starts[i - 1]][0] > start:
            continue  # this one starts inside a kept span
        insort(kept_starts, start)
        kept[start] = (end, kind)
    return [(start, kept[start][0], kept[start][1]) for start in kept_starts]


def _overlaps(intervals: list[tuple[int, int]], start: int, end: int, *, inside_only: bool = False) -> bool:
    """Whether [start, end) overlaps one of the sorted ``intervals`` (or lies inside one)."""
    i = bisect_left(intervals, (start, start))
    neighbours = intervals[max(0, i - 1) : i + 1]
    if inside_only:
        # An address may hold a protected name (Ann Arbor, MI 48116) and still be an address.
        return any(s <= start and end <= e for s, e in neighbours)
    if i < len(intervals) and intervals[i][0] < end:
        return True
    return i > 0 and intervals[i - 1][1] > start
