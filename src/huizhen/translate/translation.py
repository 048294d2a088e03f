"""Glossary-protected translation with provenance: what produced every translated text.

:func:`translate` finds the glossary terms in the source (:meth:`Glossary.terms_in`) and
the de-identification tags of :mod:`huizhen.deid.text` (``[姓名-1]``, ``[HOSPITAL]``),
replaces each with a numbered placeholder (``[T1]``), sends the rest to the engine and
puts the glossary's preferred target term (or the tag's target-language form) back, so a
diagnosis, drug or marker is rendered the same way in every document whatever the engine
makes of the sentence around it. A text made only of glossary terms, numbers and
punctuation needs no engine (method ``glossary``); with no engine configured the result
is None and the caller queues the text for a human translator. Every
:class:`Translation` carries a :class:`Provenance`: ``coded`` (a code's label, see
:mod:`huizhen.translate.coded`), ``glossary``, ``machine`` (engine and model) or
``human`` (translator), plus who verified it and when.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from huizhen.deid.text.context import DEPARTMENT, HOSPITAL, TAG_LABELS
from huizhen.translate.engines import TranslationEngine, language_code
from huizhen.translate.glossary import Glossary, load_glossary

METHODS: Final = ("coded", "glossary", "machine", "human")
PLACEHOLDER: Final = "[T{number}]"
# Engines may widen brackets (［T1］), swap them for 【】 or add spaces; all are read back.
PLACEHOLDER_PATTERN: Final = re.compile(r"[\[［【]\s*[Tt]\s*(\d+)\s*[\]］】]")
# Chinese punctuation in an English text made only of glossary terms ("CD20（+），CD3（-）").
_ZH_TO_EN_PUNCTUATION: Final = {"、": ", ", "，": ", ", "。": ". ", "；": "; ", "：": ": ", "（": " (", "）": ")"}
_SENTENCE_START: Final = re.compile(r"(^|[.!?:\n]\s*)$")
# De-identification tags ([姓名-1], [NAME-1], [医院]) are protected like glossary terms and come
# out in the target language's form, so "[姓名-1]" is "[NAME-1]" in English and no engine
# turns a tag into a name-like word.
_TAG_FORMS: Final = {label: kind for kind, (zh, en) in TAG_LABELS.items() for label in (zh, en)}
_TAG_TARGET: Final = {kind: {"zh": zh, "en": en} for kind, (zh, en) in TAG_LABELS.items()}
_ORGANIZATION_TAGS: Final = {form: pair for pair in (HOSPITAL, DEPARTMENT) for form in pair}
_PHI_TAG: Final = re.compile(
    r"\[("
    + "|".join(re.escape(label) for label in sorted(_TAG_FORMS, key=len, reverse=True))
    + r")-(\d+)\]"
    + "|"
    + "|".join(re.escape(tag) for tag in _ORGANIZATION_TAGS)
)


@dataclass(frozen=True)
class Provenance:
    """Where a translated text came from, and who has checked it."""

    method: str
    engine: str | None
    model: str | None
    translator: str | None
    verified_by: str | None
    at: str
    verified_at: str | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"provenance method {self.method!r} is not one of {', '.join(METHODS)}")
        if self.method == "machine" and not self.engine:
            raise ValueError("a machine translation names its engine")
        if self.method == "human" and not self.translator:
            raise ValueError("a human translation names its translator")

    @property
    def is_verified(self) -> bool:
        return self.verified_by is not None

    def verified(self, *, by: str, at: datetime | None = None) -> Provenance:
        """The same provenance with a verifier and the time of verification."""
        return replace(self, verified_by=by, verified_at=iso_time(at))

    def describe(self, lang: str = "en") -> str:
        """One line for a report or the command line, in English or Chinese."""
        zh = language_code(lang) == "zh"
        if self.method == "machine":
            model = f", {self.model}" if self.model else ""
            text = f"机器翻译（{self.engine}{model}）" if zh else f"Machine translation ({self.engine}{model})"
        elif self.method == "human":
            text = f"人工翻译：{self.translator}" if zh else f"Human translation by {self.translator}"
        elif self.method == "glossary":
            text = "术语表译名" if zh else "Glossary terms"
        else:
            text = "编码标准名称" if zh else "Coded label"
        if self.verified_by:
            return f"{text}；核对：{self.verified_by}" if zh else f"{text}; verified by {self.verified_by}"
        if self.method in ("machine", "human"):
            return f"{text}；未核对" if zh else f"{text}; not verified"
        return text

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Provenance:
        return cls(
            method=str(data["method"]),
            engine=data.get("engine"),
            model=data.get("model"),
            translator=data.get("translator"),
            verified_by=data.get("verified_by"),
            at=str(data["at"]),
            verified_at=data.get("verified_at"),
        )


@dataclass(frozen=True)
class Translation:
    """A translated text, its languages, its provenance and the glossary terms it was held to.

    ``glossary_terms`` are the preferred target-language terms put in from the glossary,
    in order of first use.
    """

    text: str
    source_lang: str
    target_lang: str
    provenance: Provenance
    glossary_terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "source_lang": self.source_lang,
            "target_lang": self.target_lang,
            "provenance": self.provenance.to_dict(),
            "glossary_terms": list(self.glossary_terms),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Translation:
        return cls(
            text=str(data["text"]),
            source_lang=str(data["source_lang"]),
            target_lang=str(data["target_lang"]),
            provenance=Provenance.from_dict(data["provenance"]),
            glossary_terms=tuple(data.get("glossary_terms", ())),
        )


def iso_time(moment: datetime | None = None) -> str:
    """``moment`` (default: now) as ISO 8601 to the second, as provenance records it."""
    return (moment or datetime.now(UTC)).isoformat(timespec="seconds")


def human_translation(
    text: str, *, source: str, target: str, translator: str, at: datetime | None = None
) -> Translation:
    """A translator's text, recorded as human work (verification comes later)."""
    provenance = Provenance("human", None, None, translator, None, iso_time(at))
    return Translation(text, language_code(source), language_code(target), provenance)


def translate(
    text: str,
    *,
    source: str,
    target: str,
    engine: TranslationEngine | None,
    glossary: Glossary | None = None,
    at: datetime | None = None,
) -> Translation | None:
    """Translate ``text`` holding glossary terms fixed; None when an engine is needed and there is none.

    Raises :class:`~huizhen.translate.engines.EngineError` when the engine fails; the
    caller then queues the text for a human translator too.
    """
    src, dst = language_code(source), language_code(target)
    terms = glossary if glossary is not None else load_glossary()
    if src == dst:
        raise ValueError(f"source and target are both {src!r}")
    spans = _protected_spans(text, terms, src, dst)
    protected, used = _protect(text, spans)
    targets = {number: rendering for number, (_, _, rendering, _) in enumerate(spans, 1)}
    glossary_terms = tuple(dict.fromkeys(rendering for _, _, rendering, is_term in spans if is_term))
    if not any(_is_letter(char) for char in PLACEHOLDER_PATTERN.sub("", protected)):
        rendered = _restore(protected, targets, dst)
        if src == "zh" and dst == "en":
            rendered = _english_punctuation(rendered)
        provenance = Provenance("glossary", None, None, None, None, iso_time(at))
        return Translation(rendered, src, dst, provenance, glossary_terms)
    if engine is None:
        return None
    machine = engine.translate(protected, source=src, target=dst)
    if spans and sorted({int(n) for n in PLACEHOLDER_PATTERN.findall(machine)}) != sorted(set(used)):
        # The engine lost or invented a placeholder: a term would vanish from the text.
        # Translate the plain text instead, without glossary guarantees.
        machine, glossary_terms = engine.translate(text, source=src, target=dst), ()
    else:
        machine = _restore(machine, targets, dst)
    provenance = Provenance("machine", engine.name, engine.model, None, None, iso_time(at))
    return Translation(machine, src, dst, provenance, glossary_terms)


def _is_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L")


def _tag_in(tag: re.Match[str], lang: str) -> str:
    if tag.group(1) is None:
        zh, en = _ORGANIZATION_TAGS[tag.group(0)]
        return zh if lang == "zh" else en
    return f"[{_TAG_TARGET[_TAG_FORMS[tag.group(1)]][lang]}-{tag.group(2)}]"


# A span to protect: start, end, its rendering in the target language, whether it is a glossary term.
_Span = tuple[int, int, str, bool]


def _protected_spans(text: str, glossary: Glossary, src: str, dst: str) -> list[_Span]:
    tags: list[_Span] = [(tag.start(), tag.end(), _tag_in(tag, dst), False) for tag in _PHI_TAG.finditer(text)]
    spans = list(tags)
    cursor = 0
    # Glossary terms are looked for only between tags, so a tag's letters are never a term.
    for start, end in [*((tag[0], tag[1]) for tag in tags), (len(text), len(text))]:
        for hit in glossary.terms_in(text[cursor:start], lang=src):
            spans.append((cursor + hit.start, cursor + hit.end, hit.target(dst), True))
        cursor = end
    return sorted(spans)


def _protect(text: str, spans: list[_Span]) -> tuple[str, list[int]]:
    pieces: list[str] = []
    used: list[int] = []
    cursor = 0
    for number, (start, end, _, _) in enumerate(spans, 1):
        pieces.append(text[cursor:start])
        pieces.append(PLACEHOLDER.format(number=number))
        used.append(number)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces), used


def _restore(text: str, targets: Mapping[int, str], target_lang: str) -> str:
    def put_back(match: re.Match[str]) -> str:
        number = int(match.group(1))
        term = targets.get(number)
        if term is None:
            return match.group(0)
        if target_lang == "en" and _SENTENCE_START.search(match.string[: match.start()]) and term[:1].islower():
            term = term[0].upper() + term[1:]
        return term

    return PLACEHOLDER_PATTERN.sub(put_back, text)


def _english_punctuation(text: str) -> str:
    for zh, en in _ZH_TO_EN_PUNCTUATION.items():
        text = text.replace(zh, en)
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[ \t]{2,}", " ", re.sub(r" +([,.;:)])", r"\1", text)).strip()
