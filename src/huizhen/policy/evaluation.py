"""Evaluating a request against rule packs and combining what fired into one decision.

Combination (docs/engines/policy.md, "Combination"): any ``deny`` rule that fires denies,
and the reasons list every deny; otherwise the action needs at least one ``allow`` rule
(nothing is allowed by default — missing facts count against the request, never for
it), and any ``obligation`` rule that fired turns the allow into
``allow_with_obligations``. ``warn`` rules never change the outcome; they travel as
warnings (e.g. a volume threshold that is close). Jurisdiction packs always apply; a
program pack applies when the request names it in ``program``, or, when the request
names none, when it is the node's ``default`` program. Whether an applicable program
pack records an active cooperation agreement is the fact ``derived.agreement_active``.
"""

from __future__ import annotations

from collections.abc import Sequence

from huizhen.policy.decision import ALLOW, ALLOW_WITH_OBLIGATIONS, DENY, Decision, Obligation, Reason
from huizhen.policy.packs import Rule, RulePack, load_packs
from huizhen.policy.request import PolicyRequest

DEFAULT_DENY = Reason(
    rule="DEFAULT-DENY",
    en="No rule allows this action for these facts; unknown facts count against the request.",
    zh="没有任何规则允许在这些事实下执行此操作；未知事实按不利于请求处理。",
    citation="Engine design: default deny (issue 8: missing facts count against the request) [I]",
    source_status="I",
    confidence="H",
)


UNKNOWN_PROGRAM = Reason(
    rule="UNKNOWN-PROGRAM",
    en="The request names a program that no loaded program pack defines, so its agreement cannot be checked.",
    zh="请求指定的项目没有对应的已加载项目规则包，无法核查其合作协议。",
    citation=(
        "Engine design: a program's rules apply only through its pack; unknown facts count against the request [I]"
    ),
    source_status="I",
    confidence="H",
)


def applicable_packs(request: PolicyRequest, packs: Sequence[RulePack]) -> list[RulePack]:
    """The jurisdiction packs plus the program pack(s) this request runs under."""
    chosen: list[RulePack] = []
    for pack in packs:
        if not pack.is_program or (request.program is None and pack.default) or pack.id == request.program:
            chosen.append(pack)
    return chosen


def fired_rules(request: PolicyRequest, packs: Sequence[RulePack] | None = None) -> list[Rule]:
    """Every rule whose condition holds for the request, in pack order."""
    chosen = applicable_packs(request, load_packs() if packs is None else packs)
    agreement = any(pack.agreement_active for pack in chosen if pack.is_program)
    facts = request.facts(agreement_active=agreement)
    return [rule for pack in chosen for rule in pack.rules if rule.applies(facts)]


def evaluate(request: PolicyRequest, *, packs: Sequence[RulePack] | None = None) -> Decision:
    """Decide a request; ``packs`` defaults to the shipped CN, US and default program packs."""
    packs = load_packs() if packs is None else packs
    fired = fired_rules(request, packs)
    ids = tuple(rule.id for rule in fired)
    warnings = tuple(_reason(rule) for rule in fired if rule.effect == "warn")
    deny_reasons = tuple(_reason(rule) for rule in fired if rule.effect == "deny")
    if request.program is not None and not any(pack.is_program and pack.id == request.program for pack in packs):
        # Without its pack, nothing the program's agreement requires can be checked.
        ids, deny_reasons = (*ids, UNKNOWN_PROGRAM.rule), (*deny_reasons, UNKNOWN_PROGRAM)
    if deny_reasons:
        return Decision(DENY, rules=ids, reasons=deny_reasons, warnings=warnings)
    allows = [rule for rule in fired if rule.effect == "allow"]
    if not allows:
        return Decision(DENY, rules=(*ids, DEFAULT_DENY.rule), reasons=(DEFAULT_DENY,), warnings=warnings)
    obligations: dict[str, Obligation] = {}
    for rule in fired:
        if rule.obligation is not None and rule.obligation.id not in obligations:
            obligations[rule.obligation.id] = Obligation(
                id=rule.obligation.id, text_en=rule.obligation.en, text_zh=rule.obligation.zh, rule=rule.id
            )
    reasons = tuple(_reason(rule) for rule in fired if rule.effect in ("allow", "obligation"))
    outcome = ALLOW_WITH_OBLIGATIONS if obligations else ALLOW
    return Decision(outcome, obligations=tuple(obligations.values()), rules=ids, reasons=reasons, warnings=warnings)


def _reason(rule: Rule) -> Reason:
    return Reason(
        rule=rule.id,
        en=rule.reason_en,
        zh=rule.reason_zh,
        citation=rule.citation,
        source_status=rule.source_status,
        confidence=rule.confidence,
    )
