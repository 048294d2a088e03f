"""How the engine's packs, rules and decisions are shown on the /policy/ page, in the reader's language.

The engine keeps every text in English and Chinese side by side; this module picks
one for the page and turns engine objects into plain values a template can read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from huizhen.apps.policy.models import Outcome
from huizhen.policy import Decision, RequestError, Rule, RulePack

#: What the "try a request" form starts with: a pseudonymised imaging export from a
#: Chinese hospital to a US center, with every legal basis in place.
EXAMPLE_REQUEST = json.dumps(
    {
        "action": "export",
        "purpose": "treatment",
        "actor": {"role": "referring_physician", "country": "CN", "licensed_in": ["CN"]},
        "recipient": {"role": "consulting_specialist", "country": "US"},
        "subject": {"country": "CN", "us_person": False},
        "data": {"classes": ["clinical_summary", "imaging"], "identified": False, "deid_standard": "ps3.15-basic"},
        "consent": {"cross_border": True, "telemedicine": True},
        "legal_basis": {"standard_contract": True, "impact_assessment": True, "security_assessment": False},
        "destination_country": "US",
    },
    indent=2,
)


#: A rule's effect as the page names it (the packs' own words are ``deny``, ``obligation``...).
EFFECT_LABELS = {
    "deny": _("Deny"),
    "obligation": _("Obligation"),
    "warn": _("Warning"),
    "allow": _("Allow"),
}


@dataclass(frozen=True)
class RuleView:
    id: str
    title: str
    effect: str
    citation: str
    source_status: str
    confidence: str


@dataclass(frozen=True)
class PackView:
    id: str
    title: str
    jurisdiction: str
    version: str
    rules: tuple[RuleView, ...]


def pack_views(packs: Iterable[RulePack], *, language: str) -> list[PackView]:
    chinese = language.lower().startswith("zh")
    return [
        PackView(
            id=pack.id,
            title=(pack.title_zh if chinese else "") or pack.title_en,
            jurisdiction=pack.jurisdiction,
            version=str(pack.version),
            rules=tuple(_rule_view(rule, language=language) for rule in pack.rules),
        )
        for pack in packs
    ]


def _rule_view(rule: Rule, *, language: str) -> RuleView:
    chinese = language.lower().startswith("zh")
    return RuleView(
        id=rule.id,
        title=(rule.title_zh if chinese else "") or rule.title_en,
        effect=str(EFFECT_LABELS.get(rule.effect, rule.effect)),
        citation=rule.citation,
        source_status=rule.source_status,
        confidence=rule.confidence,
    )


def decision_view(decision: Decision) -> dict[str, Any]:
    """The decision as JSON values plus its label in the reader's language."""
    return {**decision.to_dict(), "label": Outcome(decision.decision).label}


def request_problems(exc: RequestError) -> list[str]:
    return [str(problem) for problem in exc.problems] or [str(exc)]
