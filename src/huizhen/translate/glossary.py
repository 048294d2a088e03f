"""The bilingual (zh↔en) haematology/oncology glossary: entries, lookup and term scanning.

Entries are data, one YAML file per category under ``data/glossary/`` (diagnoses after
the WHO Classification of Haematolymphoid Tumours, 5th edition; drugs; regimens; lab
tests with units and LOINC codes; IHC markers; report section headings; staging and
response terms). Each entry has an English and a Chinese preferred term, optional
synonyms and abbreviations per language, and optional codes (``ICD-10``,
``ICD-O-3``, ``LOINC``). :meth:`Glossary.lookup` maps a term in one language to the
preferred term in the other, insensitive to case and to full-/half-width forms;
:meth:`Glossary.terms_in` scans free text for the longest glossary terms, so that
machine translation can leave them alone and the preferred term is used every time.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import yaml

GLOSSARY_DIR: Final = Path(__file__).parent / "data" / "glossary"
LANGUAGES: Final = ("en", "zh")
CATEGORIES: Final = ("diagnosis", "drug", "regimen", "lab", "ihc", "section", "staging", "response")
CODE_SYSTEMS: Final = ("ICD-10", "ICD-O-3", "LOINC")
# Dashes and minus signs that writers use interchangeably ("ALK−", "PML∷RARA", "Ki‑67").
_DASHES: Final = dict.fromkeys(map(ord, "‐‑‒–—―−﹣－"), "-")
# A short all-capitals abbreviation ("CR", "PD", "Hb") matches free text only with its own
# capitalisation, so that ordinary words ("pd", "cr") are not taken for response terms.
_SHORT: Final = 3


class GlossaryError(ValueError):
    """A glossary file that cannot be used: names the file and the first mistake."""


@dataclass(frozen=True)
class GlossaryEntry:
    """One concept with its preferred term in each language and everything that names it."""

    en: str
    zh: str
    category: str
    en_synonyms: tuple[str, ...] = ()
    zh_synonyms: tuple[str, ...] = ()
    codes: tuple[tuple[str, str], ...] = ()
    unit: str | None = None
    note: str | None = None

    def term(self, lang: str) -> str:
        """The preferred term in ``lang`` ("en" or "zh")."""
        return self.zh if _lang(lang) == "zh" else self.en

    def names(self, lang: str) -> tuple[str, ...]:
        """Every surface form in ``lang``: the preferred term first, then synonyms."""
        if _lang(lang) == "zh":
            return (self.zh, *self.zh_synonyms)
        return (self.en, *self.en_synonyms)

    def code(self, system: str) -> str | None:
        return dict(self.codes).get(system)


@dataclass(frozen=True)
class GlossaryHit:
    """A glossary term found in text: ``text[start:end]`` as written, and its entry."""

    start: int
    end: int
    text: str
    entry: GlossaryEntry
    lang: str

    def target(self, lang: str) -> str:
        """The preferred term for this concept in ``lang``."""
        return self.entry.term(lang)


def normalize(term: str) -> str:
    """Fold case, width and dash variants so that "ＣＤ２０", "cd20" and "CD20" compare equal."""
    return "".join(_fold(char) for char in term).strip()


def _fold(char: str) -> str:
    return unicodedata.normalize("NFKC", char).translate(_DASHES).casefold()


def _width_only(char: str) -> str:
    return unicodedata.normalize("NFKC", char).translate(_DASHES)


def _lang(lang: str) -> str:
    lowered = lang.lower()
    if lowered.startswith("zh"):
        return "zh"
    if lowered.startswith("en"):
        return "en"
    raise ValueError(f"unsupported language {lang!r}: use 'zh' or 'en'")


def _is_word_char(char: str) -> bool:
    # Latin letters and digits join into words; CJK characters do not need boundaries.
    return char.isascii() and char.isalnum()


@dataclass
class _Index:
    exact: dict[str, GlossaryEntry] = field(default_factory=dict)
    # Terms by their normalised first character: (length, normalised term, case-exact form or None).
    by_first: dict[str, list[tuple[int, str, str | None]]] = field(default_factory=dict)


class Glossary:
    """A set of entries with a case/width-insensitive index per language."""

    def __init__(self, entries: Iterable[GlossaryEntry]) -> None:
        self.entries: tuple[GlossaryEntry, ...] = tuple(entries)
        self._index: dict[str, _Index] = {lang: _Index() for lang in LANGUAGES}
        for entry in self.entries:
            for lang in LANGUAGES:
                for name in entry.names(lang):
                    self._add(lang, name, entry)
        for index in self._index.values():
            for candidates in index.by_first.values():
                candidates.sort(key=lambda item: -item[0])

    def _add(self, lang: str, name: str, entry: GlossaryEntry) -> None:
        key = normalize(name)
        if not key:
            return
        index = self._index[lang]
        # The first entry to claim a surface form keeps it: files are ordered so that the
        # more specific category (a diagnosis) wins over a generic one.
        if key in index.exact:
            return
        index.exact[key] = entry
        exact = "".join(_width_only(char) for char in name).strip() if len(key) <= _SHORT and key.isascii() else None
        index.by_first.setdefault(key[0], []).append((len(key), key, exact))

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, term: str, *, lang: str) -> GlossaryEntry | None:
        """The entry that ``term`` names in ``lang``, if any."""
        return self._index[_lang(lang)].exact.get(normalize(term))

    def lookup(self, term: str, *, source: str, target: str) -> str | None:
        """The preferred ``target``-language term for ``term`` written in ``source``, or None."""
        found = self.entry(term, lang=source)
        return None if found is None else found.term(target)

    def by_category(self, category: str) -> tuple[GlossaryEntry, ...]:
        return tuple(entry for entry in self.entries if entry.category == category)

    def by_code(self, system: str, code: str) -> GlossaryEntry | None:
        wanted = normalize(code)
        for entry in self.entries:
            value = entry.code(system)
            if value is not None and normalize(value) == wanted:
                return entry
        return None

    def terms_in(self, text: str, *, lang: str) -> list[GlossaryHit]:
        """Glossary terms in ``text`` written in ``lang``, left to right, longest match first, no overlaps.

        Chinese clinical text is full of English abbreviations ("CD20", "R-CHOP"), so
        the other language's terms are found too; at one position the longest wins and,
        at equal length, the term of ``lang``. Latin-script terms must stand as whole
        words ("CD3" is not found in "CD30"); Chinese terms need no boundaries.
        """
        language = _lang(lang)
        order = (language, *(other for other in LANGUAGES if other != language))
        # Normalise character by character so that positions map back to the original text.
        folded = [_fold(char) for char in text]
        flat = "".join(folded)
        starts: list[int] = []
        owner: list[int] = []
        for position, piece in enumerate(folded):
            starts.append(len(owner))
            owner.extend([position] * len(piece))
        starts.append(len(owner))
        hits: list[GlossaryHit] = []
        position = 0
        while position < len(text):
            best: tuple[int, GlossaryEntry, str] | None = None
            for candidate_lang in order:
                match = self._match_at(self._index[candidate_lang], text, flat, owner, starts, position)
                if match is not None and (best is None or match[0] > best[0]):
                    best = (match[0], match[1], candidate_lang)
            if best is None:
                position += 1
                continue
            end, entry, found_lang = best
            hits.append(GlossaryHit(position, end, text[position:end], entry, found_lang))
            position = end
        return hits

    def _match_at(
        self, index: _Index, text: str, flat: str, owner: list[int], starts: list[int], position: int
    ) -> tuple[int, GlossaryEntry] | None:
        offset = starts[position]
        if offset >= len(flat):
            return None
        if position > 0 and _is_word_char(text[position - 1]) and _is_word_char(text[position]):
            return None
        for length, key, exact in index.by_first.get(flat[offset], ()):
            if flat[offset : offset + length] != key:
                continue
            end_offset = offset + length
            # The match must end on an original character boundary.
            end = owner[end_offset - 1] + 1
            if starts[end] != end_offset:
                continue
            if _is_word_char(text[end - 1]) and end < len(text) and _is_word_char(text[end]):
                continue
            if exact is not None and "".join(_width_only(char) for char in text[position:end]).strip() != exact:
                continue
            return end, index.exact[key]
        return None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise GlossaryError(f"{where}: expected a string or a list of strings")


def _entry(raw: Any, category: str, where: str) -> GlossaryEntry:
    if not isinstance(raw, Mapping):
        raise GlossaryError(f"{where}: an entry must be a mapping with en and zh")
    unknown = set(raw) - {"en", "zh", "en_also", "zh_also", "codes", "unit", "note"}
    if unknown:
        raise GlossaryError(f"{where}: unknown keys {sorted(unknown)}")
    en, zh = raw.get("en"), raw.get("zh")
    if not isinstance(en, str) or not en.strip() or not isinstance(zh, str) or not zh.strip():
        raise GlossaryError(f"{where}: en and zh are required strings")
    codes_raw = raw.get("codes") or {}
    if not isinstance(codes_raw, Mapping) or not all(isinstance(v, str) for v in codes_raw.values()):
        raise GlossaryError(f"{where} ({en}): codes must map a system to a string code")
    bad_systems = set(codes_raw) - set(CODE_SYSTEMS)
    if bad_systems:
        raise GlossaryError(f"{where} ({en}): unknown code systems {sorted(bad_systems)}")
    unit, note = raw.get("unit"), raw.get("note")
    if unit is not None and not isinstance(unit, str):
        raise GlossaryError(f"{where} ({en}): unit must be a string")
    if note is not None and not isinstance(note, str):
        raise GlossaryError(f"{where} ({en}): note must be a string")
    return GlossaryEntry(
        en=en.strip(),
        zh=zh.strip(),
        category=category,
        en_synonyms=_strings(raw.get("en_also"), f"{where} ({en}) en_also"),
        zh_synonyms=_strings(raw.get("zh_also"), f"{where} ({en}) zh_also"),
        codes=tuple(sorted((str(k), v) for k, v in codes_raw.items())),
        unit=unit,
        note=note,
    )


def load_file(path: Path) -> list[GlossaryEntry]:
    """Entries of one glossary file (``category:`` and ``entries:``), checked."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise GlossaryError(f"{path.name}: not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping) or data.get("category") not in CATEGORIES:
        raise GlossaryError(f"{path.name}: needs 'category' (one of {', '.join(CATEGORIES)}) and 'entries'")
    category = str(data["category"])
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise GlossaryError(f"{path.name}: 'entries' must be a non-empty list")
    return [_entry(raw, category, f"{path.name} entry {number}") for number, raw in enumerate(raw_entries, 1)]


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    """The shipped glossary, categories in the order of :data:`CATEGORIES` (loaded once)."""
    entries: list[GlossaryEntry] = []
    for category in CATEGORIES:
        path = GLOSSARY_DIR / f"{category}.yaml"
        if path.exists():
            entries.extend(load_file(path))
    return Glossary(entries)
