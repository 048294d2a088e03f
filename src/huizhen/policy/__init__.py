"""Compliance as code: a jurisdiction-aware policy engine for who may see, send and say what.

Pure Python, no Django. Rules are data — YAML packs per jurisdiction (``packs/cn.yaml``,
``packs/us.yaml``) plus a layer per program agreement (``packs/programs/``) — written
from ``cross_border_rules.md`` with their citations. :func:`parse_request` turns JSON
facts into a :class:`PolicyRequest`; :func:`evaluate` returns a :class:`Decision`
(allow, allow with obligations, or deny) with rule ids and bilingual reasons. The node's
case pipeline, messaging and views call this; none of them re-implements a rule. Design
and the rule catalogue: ``docs/engines/policy.md``.
"""

from __future__ import annotations

from huizhen.policy.conditions import ConditionError
from huizhen.policy.decision import ALLOW, ALLOW_WITH_OBLIGATIONS, DENY, Decision, Obligation, Reason
from huizhen.policy.evaluation import evaluate, fired_rules
from huizhen.policy.packs import PackError, Rule, RulePack, load_pack, load_packs
from huizhen.policy.request import PolicyRequest, RequestError, parse_request

__all__ = [
    "ALLOW",
    "ALLOW_WITH_OBLIGATIONS",
    "DENY",
    "ConditionError",
    "Decision",
    "Obligation",
    "PackError",
    "PolicyRequest",
    "Reason",
    "RequestError",
    "Rule",
    "RulePack",
    "evaluate",
    "fired_rules",
    "load_pack",
    "load_packs",
    "parse_request",
]
