"""Translation between Chinese and English with provenance: glossary, coded labels, engines.

Pure Python, no Django. :func:`load_glossary` gives the shipped bilingual haematology/
oncology glossary; :func:`coded_label` renders ICD-10, ICD-O-3, regimen, LOINC and IHC
codes in either language without machine translation; :func:`configured_engine` picks
the machine-translation engine named by the settings (an institution's HTTP service in
LibreTranslate's shape, or an offline Argos model), None meaning "human translator";
:func:`translate` holds glossary terms fixed around the engine and returns a
:class:`Translation` with its :class:`Provenance`. The node's translation workflow and
the PDF report call this. Design, coverage and protocol: ``docs/engines/translate.md``.
"""

from __future__ import annotations

from huizhen.translate.coded import SYSTEMS, coded_label, coded_translation
from huizhen.translate.engines import (
    ArgosEngine,
    EngineConfigError,
    EngineError,
    HttpEngine,
    TranslationEngine,
    TranslationError,
    configured_engine,
)
from huizhen.translate.glossary import Glossary, GlossaryEntry, GlossaryError, GlossaryHit, load_glossary
from huizhen.translate.translation import METHODS, Provenance, Translation, human_translation, iso_time, translate

__all__ = [
    "METHODS",
    "SYSTEMS",
    "ArgosEngine",
    "EngineConfigError",
    "EngineError",
    "Glossary",
    "GlossaryEntry",
    "GlossaryError",
    "GlossaryHit",
    "HttpEngine",
    "Provenance",
    "Translation",
    "TranslationEngine",
    "TranslationError",
    "coded_label",
    "coded_translation",
    "configured_engine",
    "human_translation",
    "iso_time",
    "load_glossary",
    "translate",
]
