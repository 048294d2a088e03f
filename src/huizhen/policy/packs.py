"""Rule packs: YAML files of rules per jurisdiction (CN, US) and per program agreement, loaded and checked.

A pack file has a header (``pack: {id, jurisdiction, version, title: {en, zh}}``; a
program pack adds ``default`` and ``agreement: {active}``) and a list of ``rules``. Each
rule carries a stable ``id``, the rules-file ``source`` id it encodes, a bilingual
``title`` and ``reason``, a ``when`` clause in the condition language
(:mod:`huizhen.policy.conditions`), an ``effect`` (``deny``, ``obligation`` with an
``obligation: {id, en, zh}``, ``warn`` or ``allow``), and the ``citation``,
``source_status`` (V/S/R/I) and ``confidence`` (H/M/L) copied from
``cross_border_rules.md``, so the citation travels with the rule. Loading rejects any
pack that does not follow this shape, so a broken pack never reaches evaluation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

import yaml

from huizhen.policy import vocabulary
from huizhen.policy.conditions import Condition, ConditionError, compile_condition
from huizhen.policy.request import fact_paths

PACK_DIR: Final = Path(__file__).parent / "packs"
DEFAULT_PACK_PATHS: Final = (
    PACK_DIR / "cn.yaml",
    PACK_DIR / "us.yaml",
    PACK_DIR / "programs" / "default-second-opinion.yaml",
)
EFFECTS: Final = ("deny", "obligation", "warn", "allow")
JURISDICTIONS: Final = ("CN", "US", "program")
RULE_ID: Final = re.compile(r"^[A-Z]+(-[A-Z0-9]+)+[a-z]?$")
# Source status and confidence as the rules file writes them: "V", "S/V", "H", "M-H", "H/M".
SOURCE_STATUS: Final = re.compile(r"^[VSRI]([/,][VSRI])*$")
CONFIDENCE: Final = re.compile(r"^[HML]([-/][HML])*$")
VOCABULARY_OF_PATH: Final[Mapping[str, Mapping[str, str]]] = {
    "action": vocabulary.ACTIONS,
    "purpose": vocabulary.PURPOSES,
    "actor.role": vocabulary.ROLES,
    "recipient.role": vocabulary.ROLES,
    "data.classes": vocabulary.DATA_CLASSES,
    "data.deid_standard": vocabulary.DEID_STANDARDS,
    "node": vocabulary.NODES,
    "record.kind": vocabulary.RECORD_KINDS,
}


class PackError(ValueError):
    """A rule pack that cannot be used: names the file and the first mistake."""


@dataclass(frozen=True)
class RuleObligation:
    id: str
    en: str
    zh: str


@dataclass(frozen=True)
class Rule:
    id: str
    source: str
    title_en: str
    title_zh: str
    when: Condition
    effect: str
    reason_en: str
    reason_zh: str
    citation: str
    source_status: str
    confidence: str
    obligation: RuleObligation | None = None

    def applies(self, facts: Mapping[str, Any]) -> bool:
        return self.when.holds(facts)


@dataclass(frozen=True)
class RulePack:
    id: str
    jurisdiction: str
    version: str
    rules: tuple[Rule, ...]
    source_path: Path
    title_en: str = ""
    title_zh: str = ""
    default: bool = False
    agreement_active: bool = False

    @property
    def is_program(self) -> bool:
        return self.jurisdiction == "program"


def load_packs(paths: Sequence[Path] | None = None) -> list[RulePack]:
    """Load and check rule packs; the shipped CN, US and default program packs when ``paths`` is None."""
    if paths is None:
        return list(_default_packs())
    packs = [load_pack(Path(path)) for path in paths]
    _check_unique_ids(packs)
    return packs


@lru_cache(maxsize=1)
def _default_packs() -> tuple[RulePack, ...]:
    packs = tuple(load_pack(path) for path in DEFAULT_PACK_PATHS)
    _check_unique_ids(list(packs))
    return packs


def _check_unique_ids(packs: Sequence[RulePack]) -> None:
    seen: dict[str, Path] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in seen:
                raise PackError(f"{pack.source_path}: rule id {rule.id} already used in {seen[rule.id]}")
            seen[rule.id] = pack.source_path


def load_pack(path: Path) -> RulePack:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PackError(f"{path}: cannot read rule pack: {exc}") from exc
    try:
        return _pack(document, path)
    except (ConditionError, KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, PackError):
            raise
        raise PackError(f"{path}: {exc}") from exc


def _pack(document: Any, path: Path) -> RulePack:
    if not isinstance(document, Mapping) or not isinstance(document.get("pack"), Mapping):
        raise PackError(f"{path}: a rule pack starts with a 'pack:' header")
    header = document["pack"]
    # ``definitions`` holds YAML anchors that rules reuse; it is not evaluated itself.
    extra = set(document) - {"pack", "definitions", "rules"}
    if extra:
        raise PackError(f"{path}: unknown top-level key(s) {', '.join(sorted(extra))}")
    jurisdiction = _text(header, "jurisdiction", "pack")
    if jurisdiction not in JURISDICTIONS:
        raise PackError(f"{path}: pack.jurisdiction must be one of {', '.join(JURISDICTIONS)}")
    title = header.get("title") or {}
    rules_data = document.get("rules")
    if not isinstance(rules_data, list):
        raise PackError(f"{path}: 'rules:' must be a list")
    known = fact_paths()
    rules = tuple(_rule(item, index, known, path) for index, item in enumerate(rules_data))
    agreement = header.get("agreement") or {}
    return RulePack(
        id=_text(header, "id", "pack"),
        jurisdiction=jurisdiction,
        version=str(header.get("version", "")),
        rules=rules,
        source_path=path,
        title_en=str(title.get("en", "")),
        title_zh=str(title.get("zh", "")),
        default=bool(header.get("default", False)),
        agreement_active=agreement.get("active") is True,
    )


def _rule(item: Any, index: int, known: frozenset[str], path: Path) -> Rule:
    if not isinstance(item, Mapping):
        raise PackError(f"{path}: rules[{index}] must be a mapping")
    rule_id = _text(item, "id", f"rules[{index}]")
    where = f"{path}: rule {rule_id}"
    if not RULE_ID.fullmatch(rule_id):
        raise PackError(f"{where}: id must look like CN-XB-01 or CN-XB-01a")
    effect = _text(item, "effect", where)
    if effect not in EFFECTS:
        raise PackError(f"{where}: effect must be one of {', '.join(EFFECTS)}")
    obligation = None
    if effect == "obligation":
        spec = item.get("obligation")
        if not isinstance(spec, Mapping):
            raise PackError(f"{where}: an obligation rule needs 'obligation: {{id, en, zh}}'")
        obligation = RuleObligation(
            id=_text(spec, "id", where), en=_text(spec, "en", where), zh=_text(spec, "zh", where)
        )
    elif "obligation" in item:
        raise PackError(f"{where}: only effect 'obligation' takes an obligation")
    status = _text(item, "source_status", where)
    if not SOURCE_STATUS.fullmatch(status):
        raise PackError(f"{where}: source_status must be V, S, R or I (or a combination like S/V)")
    confidence = _text(item, "confidence", where)
    if not CONFIDENCE.fullmatch(confidence):
        raise PackError(f"{where}: confidence must be H, M or L (or a range like M-H)")
    title = _bilingual(item, "title", where)
    reason = _bilingual(item, "reason", where)
    unknown = set(item) - {
        "id", "source", "title", "when", "effect", "obligation", "reason", "citation", "source_status", "confidence",
    }  # fmt: skip
    if unknown:
        raise PackError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if "when" not in item:
        raise PackError(f"{where}: a rule needs a 'when' condition")
    when = compile_condition(item["when"], known_paths=known, vocabularies=VOCABULARY_OF_PATH, where=f"{where}: when")
    return Rule(
        id=rule_id,
        source=str(item.get("source", rule_id)),
        title_en=title[0],
        title_zh=title[1],
        when=when,
        effect=effect,
        reason_en=reason[0],
        reason_zh=reason[1],
        citation=_text(item, "citation", where),
        source_status=status,
        confidence=confidence,
        obligation=obligation,
    )


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PackError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _bilingual(data: Mapping[str, Any], key: str, where: str) -> tuple[str, str]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise PackError(f"{where}: '{key}' must be {{en: ..., zh: ...}}")
    return _text(value, "en", f"{where}.{key}"), _text(value, "zh", f"{where}.{key}")
