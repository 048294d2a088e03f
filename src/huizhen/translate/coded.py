"""Labels of coded clinical fields in both languages, without machine translation.

A coded field (a diagnosis code, a morphology code, a regimen, a lab test, an IHC
marker) is rendered from the code's published names, never from an engine. Code
systems: ``ICD-10`` (WHO ICD-10 2019 with the Chinese names of GB/T 14396 / 国家临床版
for C81–C96 and D45–D47; ``data/icd10.yaml``), ``ICD-O-3`` (morphology codes of the
haematolymphoid neoplasms, ICD-O-3.2, as used by the WHO 5th edition; ``data/icdo3.yaml``),
and, from the glossary, ``REGIMEN`` (by regimen abbreviation), ``LOINC`` (by LOINC code;
``LAB`` looks a lab test up by name or abbreviation) and ``IHC`` (by marker name).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Final

import yaml

from huizhen.translate.engines import language_code
from huizhen.translate.glossary import GlossaryEntry, load_glossary, normalize
from huizhen.translate.translation import Provenance, Translation, iso_time

DATA_DIR: Final = Path(__file__).parent / "data"
SYSTEMS: Final = ("ICD-10", "ICD-O-3", "REGIMEN", "LOINC", "LAB", "IHC")
_SYSTEM_ALIASES: Final = {
    "ICD10": "ICD-10",
    "ICD-10": "ICD-10",
    "ICDO3": "ICD-O-3",
    "ICD-O-3": "ICD-O-3",
    "ICD-O": "ICD-O-3",
    "REGIMEN": "REGIMEN",
    "LOINC": "LOINC",
    "LAB": "LAB",
    "IHC": "IHC",
}
_GLOSSARY_CATEGORY: Final = {"REGIMEN": "regimen", "LAB": "lab", "IHC": "ihc"}
_ICDO_CODE: Final = re.compile(r"^M?(\d{4})/?(\d)$")


class CodeTableError(ValueError):
    """A shipped code table that cannot be used."""


def system_name(system: str) -> str | None:
    """The canonical system name for ``system`` ("icd10" → "ICD-10"), or None if unknown."""
    return _SYSTEM_ALIASES.get(re.sub(r"[\s_]", "", system).upper().replace("ICD-O3", "ICD-O-3"))


def normalize_code(system: str, code: str) -> str:
    """A code as the tables hold it: "c83.3" → "C83.3", "C833" → "C83.3", "M96803" → "9680/3"."""
    cleaned = normalize(code).upper().replace(" ", "")
    if system == "ICD-10":
        cleaned = cleaned.rstrip(".")
        if len(cleaned) > 3 and "." not in cleaned:
            cleaned = f"{cleaned[:3]}.{cleaned[3:]}"
        return cleaned
    if system == "ICD-O-3":
        match = _ICDO_CODE.match(cleaned)
        return f"{match.group(1)}/{match.group(2)}" if match else cleaned
    return cleaned


@lru_cache(maxsize=4)
def code_table(system: str) -> Mapping[str, Mapping[str, str]]:
    """The shipped table of ``system`` (ICD-10 or ICD-O-3): code → {"en": ..., "zh": ...}."""
    filename = {"ICD-10": "icd10.yaml", "ICD-O-3": "icdo3.yaml"}[system]
    path = DATA_DIR / filename
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    codes = data.get("codes") if isinstance(data, Mapping) else None
    if not isinstance(codes, Mapping):
        raise CodeTableError(f"{filename}: needs a 'codes' mapping")
    table: dict[str, Mapping[str, str]] = {}
    for code, names in codes.items():
        if not (isinstance(names, Mapping) and isinstance(names.get("en"), str) and isinstance(names.get("zh"), str)):
            raise CodeTableError(f"{filename}: {code} needs en and zh names")
        table[normalize_code(system, str(code))] = {"en": names["en"], "zh": names["zh"]}
    return table


def _glossary_entry(system: str, code: str) -> GlossaryEntry | None:
    glossary = load_glossary()
    if system == "LOINC":
        return glossary.by_code("LOINC", code)
    category = _GLOSSARY_CATEGORY[system]
    for lang in ("en", "zh"):
        entry = glossary.entry(code, lang=lang)
        if entry is not None and entry.category == category:
            return entry
    return None


def coded_label(system: str, code: str, *, lang: str) -> str | None:
    """The name of ``code`` in ``system`` in ``lang`` ("zh" or "en"), or None when not known.

    >>> coded_label("ICD-10", "C83.3", lang="zh")
    '弥漫大B细胞淋巴瘤'
    """
    canonical = system_name(system)
    if canonical is None:
        raise ValueError(f"unknown code system {system!r}: use one of {', '.join(SYSTEMS)}")
    target = language_code(lang)
    if canonical in ("ICD-10", "ICD-O-3"):
        table = code_table(canonical)
        key = normalize_code(canonical, code)
        names = table.get(key)
        if names is None and canonical == "ICD-10" and "." in key:
            # A subdivision we do not list (C83.38) falls back to its parent four-character code.
            names = table.get(key[:5])
        return None if names is None else names[target]
    entry = _glossary_entry(canonical, code)
    return None if entry is None else entry.term(target)


def coded_translation(system: str, code: str, *, target: str, at: datetime | None = None) -> Translation | None:
    """A coded field's label in ``target`` as a :class:`Translation` with method ``coded``."""
    label = coded_label(system, code, lang=target)
    if label is None:
        return None
    dst = language_code(target)
    source = "zh" if dst == "en" else "en"
    canonical = system_name(system)
    # The code itself is the "engine" of a coded label: it says where the words came from.
    source_code = f"{canonical} {normalize_code(str(canonical), code)}"
    provenance = Provenance("coded", source_code, None, None, None, iso_time(at))
    return Translation(label, source, dst, provenance, (label,))
