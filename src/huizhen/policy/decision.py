"""A policy decision: allow, deny, or allow with obligations, with the rules and reasons behind it.

The decision carries everything an auditor needs to understand it without the packs at
hand: the ids of the rules that fired, each reason in English and Chinese with its
citation, source status (V/S/R/I) and confidence (H/M/L) copied from the rules file,
and the obligations the caller must meet before it acts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

ALLOW: Final = "allow"
ALLOW_WITH_OBLIGATIONS: Final = "allow_with_obligations"
DENY: Final = "deny"
OUTCOMES: Final = (ALLOW, ALLOW_WITH_OBLIGATIONS, DENY)


@dataclass(frozen=True)
class Obligation:
    """Something the caller must do (or have done) for the action to be lawful, e.g. ``record_in_export_register``."""

    id: str
    text_en: str
    text_zh: str
    rule: str


@dataclass(frozen=True)
class Reason:
    """Why a rule fired, with the citation that travels with the rule."""

    rule: str
    en: str
    zh: str
    citation: str
    source_status: str
    confidence: str


@dataclass(frozen=True)
class Decision:
    decision: str
    obligations: tuple[Obligation, ...] = ()
    rules: tuple[str, ...] = ()
    reasons: tuple[Reason, ...] = ()
    warnings: tuple[Reason, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.decision != DENY

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as printed by ``huizhen policy evaluate``."""
        return {
            "decision": self.decision,
            "obligations": [asdict(obligation) for obligation in self.obligations],
            "rules": list(self.rules),
            "reasons": [asdict(reason) for reason in self.reasons],
            "warnings": [asdict(warning) for warning in self.warnings],
        }
