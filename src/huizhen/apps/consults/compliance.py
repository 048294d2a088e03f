"""The policy engine asked at every boundary a consultation crosses: export, view, message.

:func:`policy_facts` turns a case and the person acting on it into the policy engine's
request (schema: docs/engines/policy.md): the subject's country, US-person status and
age, the patient's active consents, the legal basis recorded in the
:class:`~huizhen.apps.consults.models.PartnerAgreement` with the peer, where the data
goes, and this node's role. At a gateway the facts come from the registry patient; at
a hub, which holds no patient, they come from ``export_facts``, the facts the gateway
established when it exported the case (sent in the ``case.submitted`` package).
:func:`require_allowed` evaluates (stored and audited by
:func:`huizhen.apps.policy.services.evaluate_policy`) and raises :class:`PolicyDenied`
with the engine's reasons, in English and Chinese, when the answer is deny. Unknown
facts stay unknown: the engine counts them against the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from huizhen.apps.accounts.models import Role
from huizhen.apps.consults.models import ConsultRequest, PartnerAgreement
from huizhen.apps.policy.services import evaluate_policy, with_register_volume
from huizhen.policy import Decision, RequestError, parse_request
from huizhen.policy.decision import Reason

#: What a consultation package is made of (the engine's data classes).
CASE_DATA_CLASSES: tuple[str, ...] = ("clinical_summary", "document", "imaging")

#: How the package leaving a gateway is de-identified: identifiers replaced by the
#: pseudonym whose key stays at the gateway, text scrubbed, dates shifted (PIPL Art. 73(3)).
PACKAGE_DEID_STANDARD = "pseudonymised"

# Which of a user's roles speaks for them to the engine, most specific first, per node.
_GATEWAY_ROLE_ORDER = (Role.REFERRING_PHYSICIAN, Role.CASE_COORDINATOR, Role.PRIVACY_OFFICER, Role.PROGRAM_DIRECTOR)
_HUB_ROLE_ORDER = (Role.CONSULTING_SPECIALIST, Role.CASE_COORDINATOR, Role.PROGRAM_DIRECTOR, Role.PRIVACY_OFFICER)


class PolicyDenied(Exception):
    """The policy engine refused the action; ``reasons`` say why, in English and Chinese."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        self.reasons: tuple[Reason, ...] = decision.reasons
        super().__init__("; ".join(f"{reason.rule}: {reason.en}" for reason in decision.reasons) or "denied")

    def reason_lines(self, language: str = "en") -> list[str]:
        """One line per reason in ``language`` ("zh…" for Chinese), with the rule id."""
        chinese = language.startswith("zh")
        return [f"{reason.rule}: {reason.zh if chinese else reason.en}" for reason in self.reasons]


def policy_actor_role(actor: Any) -> str | None:
    """The engine role that speaks for ``actor`` on this node (``None`` for nobody)."""
    if isinstance(actor, str) or actor is None or not getattr(actor, "is_authenticated", False):
        return None
    roles = set(actor.memberships.values_list("role", flat=True))
    order = _HUB_ROLE_ORDER if settings.HUIZHEN_ROLE == "hub" else _GATEWAY_ROLE_ORDER
    return next((str(role) for role in order if role in roles), None)


def policy_facts(
    *,
    consult: ConsultRequest,
    actor: Any,
    action: str,
    recipient_role: str | None = None,
    data_classes: Iterable[str] = CASE_DATA_CLASSES,
    actor_role: str | None = None,
    purpose: str = "treatment",
) -> dict[str, Any]:
    """The policy engine's request for ``actor`` doing ``action`` on ``consult`` at this node.

    ``actor`` is a user (their most specific role on this node is used unless
    ``actor_role`` names one) or a string for a task acting for nobody in particular,
    in which case ``actor_role`` must be given. At a gateway an export or message is
    de-identified data going to the peer's country; a view is of the identified record
    at home. At a hub every view and message is of the de-identified copy.
    """
    node = str(settings.HUIZHEN_ROLE)
    here = str(getattr(settings, "HUIZHEN_COUNTRY", "") or "") or None
    agreement = _agreement(consult)
    role = actor_role or policy_actor_role(actor)
    request: dict[str, Any] = {
        "action": action,
        "purpose": purpose,
        "actor": {"role": role, "country": here} if role else {"country": here},
        "node": node,
        "case_ref": consult.reference,
    }
    if node == "gateway":
        request |= _gateway_facts(consult=consult, action=action, agreement=agreement)
        identified = action == "view"
    else:
        request |= _hub_facts(consult=consult, agreement=agreement)
        identified = False
    data: dict[str, Any] = {"classes": list(data_classes), "identified": identified}
    if not identified:
        data["deid_standard"] = PACKAGE_DEID_STANDARD
    request["data"] = data
    if action in ("export", "message"):
        request["recipient"] = _drop_none(
            {
                "role": recipient_role or _default_recipient_role(node),
                "country": agreement.country if agreement and node == "gateway" else None,
                "licensed_in": list(agreement.licensed_in) if agreement and agreement.licensed_in else None,
            }
        )
        if node == "gateway" and agreement is not None:
            request["destination_country"] = agreement.country
        elif node == "hub":
            request["destination_country"] = _hub_destination(consult, agreement)
            request["recipient"]["country"] = request["destination_country"]
    if node == "gateway" and action == "message":
        # Only exports get their volume from the register inside evaluate_policy; a
        # message about an exported case crosses the same border with the same count.
        # Read once the destination is known: the register counts per destination.
        volume = _register_volume(request)
        if volume:
            request["volume"] = volume
    return _drop_none(request)


def require_allowed(
    *,
    consult: ConsultRequest,
    actor: Any,
    action: str,
    data_classes: Iterable[str] = CASE_DATA_CLASSES,
    http_request: Any = None,
    recipient_role: str | None = None,
    actor_role: str | None = None,
    purpose: str = "treatment",
) -> Decision:
    """Ask the engine (stored and audited); return the decision, or raise :class:`PolicyDenied` on deny."""
    request = policy_facts(
        consult=consult,
        actor=actor,
        action=action,
        recipient_role=recipient_role,
        data_classes=data_classes,
        actor_role=actor_role,
        purpose=purpose,
    )
    try:
        decision = evaluate_policy(request=request, actor=actor, case_ref=consult.reference, request_obj=http_request)
    except RequestError as exc:
        # The engine could not read the request (no case role, an unknown place...):
        # evaluate_policy audited it; to the caller it is a refusal like any other.
        raise PolicyDenied(_unreadable(exc)) from exc
    if decision.decision == "deny":
        raise PolicyDenied(decision)
    return decision


def _unreadable(exc: RequestError) -> Decision:
    return Decision(
        decision="deny",
        rules=("REQUEST-INCOMPLETE",),
        reasons=(
            Reason(
                rule="REQUEST-INCOMPLETE",
                en="The policy facts for this action are incomplete (for example, the user holds no role on a case).",
                zh="此操作的合规事实不完整（例如用户在病例中没有角色）。",
                citation="",
                source_status="",
                confidence="",
            ),
        ),
    )


def export_facts_for(consult: ConsultRequest) -> dict[str, Any]:
    """What the gateway tells the hub about the subject and consents, for the hub's own checks.

    No identifier: the subject's country, whether a US person, age (capped at 90, as
    HIPAA Safe Harbor allows), which consents are on record, and the export count.
    """
    agreement = _agreement(consult)
    facts = _gateway_facts(consult=consult, action="export", agreement=agreement)
    subject = dict(facts.get("subject", {}))
    volume: dict[str, Any] = {}
    if agreement is not None:
        volume = _register_volume(
            facts
            | {"action": "export", "destination_country": agreement.country, "actor": {"role": "referring_physician"}}
        )
    if isinstance(subject.get("age"), int):
        subject["age"] = min(subject["age"], 90)
    return _drop_none({"subject": subject, "consent": facts.get("consent", {}), "volume": volume})


def _register_volume(request: dict[str, Any]) -> dict[str, Any]:
    """The export register's counts for this subject's country and destination (see with_register_volume)."""
    try:
        parsed = with_register_volume(parse_request(_drop_none(request | {"action": "export"})))
    except RequestError:
        return {}
    return _drop_none(
        {
            "individuals_exported_this_year": parsed.volume.individuals_exported_this_year,
            "us_persons_12m": parsed.volume.us_persons_12m,
        }
    )


def _agreement(consult: ConsultRequest) -> PartnerAgreement | None:
    if consult.peer_id is None:
        return None
    return PartnerAgreement.objects.filter(peer_id=consult.peer_id).first()


def _legal_basis(agreement: PartnerAgreement | None) -> dict[str, Any]:
    if agreement is None:
        return {}
    return {
        "standard_contract": agreement.standard_contract,
        "impact_assessment": agreement.impact_assessment,
        "security_assessment": agreement.security_assessment,
        "hipaa_authorization": agreement.hipaa_authorization,
        "dsp_security_program": agreement.dsp_security_program,
    }


def _gateway_facts(*, consult: ConsultRequest, action: str, agreement: PartnerAgreement | None) -> dict[str, Any]:
    facts: dict[str, Any] = {"legal_basis": _legal_basis(agreement)}
    patient = consult.patient
    if patient is None:
        return facts
    facts["subject"] = {
        "country": patient.country,
        "us_person": patient.us_person,
        "age": patient.age_on(timezone.localdate()),
    }
    destination = agreement.country.split("-")[0].upper() if agreement else None
    consents = list(patient.consents.filter(withdrawn_at=None))
    kinds = {consent.kind for consent in consents}
    cross_border = any(
        consent.kind == "cross_border" and destination and consent.destination_country.upper() == destination
        for consent in consents
    )
    consent: dict[str, Any] = {
        # Unknown (absent), never False: an absent consent is "not on record", which the
        # rules already count against the request.
        "cross_border": True if cross_border else None,
        "telemedicine": True if "consultation" in kinds else None,
        "sensitive_separate": True if "sensitive" in kinds else None,
    }
    if any(consent.signed_by_guardian for consent in consents):
        consent["guardian"] = True
    facts["consent"] = consent
    return facts


def _hub_facts(*, consult: ConsultRequest, agreement: PartnerAgreement | None) -> dict[str, Any]:
    stored = consult.export_facts or {}
    facts: dict[str, Any] = {"legal_basis": _legal_basis(agreement)}
    if isinstance(stored.get("subject"), dict):
        facts["subject"] = {k: v for k, v in stored["subject"].items() if k in ("country", "us_person", "age")}
    if isinstance(stored.get("consent"), dict):
        facts["consent"] = {
            k: v
            for k, v in stored["consent"].items()
            if k in ("cross_border", "telemedicine", "sensitive_separate", "third_party_separate", "guardian")
        }
    if isinstance(stored.get("volume"), dict):
        facts["volume"] = {
            k: v for k, v in stored["volume"].items() if k in ("individuals_exported_this_year", "us_persons_12m")
        }
    return facts


def _hub_destination(consult: ConsultRequest, agreement: PartnerAgreement | None) -> str | None:
    # A hub's message goes back to the gateway, in the patient's country.
    subject = (consult.export_facts or {}).get("subject") or {}
    country = subject.get("country") if isinstance(subject, dict) else None
    return country or (agreement.country if agreement else None)


def _default_recipient_role(node: str) -> str:
    return "consulting_specialist" if node == "gateway" else "referring_physician"


def _drop_none(mapping: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, dict):
            value = _drop_none(value)
        if value is None:
            continue
        cleaned[key] = value
    return cleaned


def require_hub_view(*, consult: ConsultRequest, actor: Any, http_request: Any = None) -> None:
    """At a hub, showing any part of a case (thread, files, opinion) is a policy ``view``; a gateway shows its own."""
    if settings.HUIZHEN_ROLE == "hub":
        require_allowed(
            consult=consult, actor=actor, action="view", data_classes=CASE_DATA_CLASSES, http_request=http_request
        )
