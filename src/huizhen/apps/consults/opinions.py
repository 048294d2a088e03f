"""The specialist's structured opinion: draft, optional co-signature, signature, delivery, addendum.

An opinion is advice to the referring physician, never an order: its fields are the
agreement with the submitted diagnosis, the consultant's coded diagnosis, recommended
workup, a treatment recommendation (regimen, rationale, guideline references — no
prescription or order, which the policy pack forbids a foreign consultant, CN-TM-05),
clinical-trial considerations and comments. An assigned specialist writes the draft;
another specialist or the program director may co-sign (never the author); an assigned
specialist signs. Signing fixes the signer's name and time and the SHA-256 of the
canonical content (:func:`opinion_content_hash`, the same function the gateway uses to
verify what it receives), moves the case IN_REVIEW → SIGNED, asks the policy engine
(``action="message"``, data class ``opinion``) and relays ``opinion.signed``. When the
outbox reports that event SENT (the gateway answered 200), the case moves SIGNED →
DELIVERED as SYSTEM (:func:`on_event_sent`). A signed opinion never changes (the model
refuses, and so do these services with :class:`OpinionLocked`); :func:`write_addendum`
starts version n+1, which is signed and relayed the same way.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import compliance, selectors, workflow
from huizhen.apps.consults.models import (
    Agreement,
    ConsultRequest,
    Opinion,
    OpinionStatus,
    OutboundEvent,
    State,
)
from huizhen.apps.consults.notifications import notify
from huizhen.apps.consults.triage import display_name, ensure_allowed

#: The keys of the signed content, exactly as the gateway recomputes them.
CANONICAL_KEYS = (
    "agreement",
    "consultant_diagnosis",
    "workup",
    "treatment",
    "trials",
    "comments",
    "addendum_reason",
    "language",
    "version",
    "reference",
    "signer_name",
    "signed_at",
)
#: The fields a specialist edits.
EDITABLE_FIELDS = ("agreement", "consultant_diagnosis", "workup", "treatment", "trials", "comments", "language")
TREATMENT_KEYS = frozenset({"regimen", "rationale", "guidelines"})
DIAGNOSIS_SYSTEMS = frozenset({"icd10", "icdo3"})
#: Outputs a consultant may not produce (policy pack CN-TM-05); named so the refusal can say why.
FORBIDDEN_OUTPUTS = frozenset({"prescription", "prescriptions", "order", "orders", "dose", "dosing"})


class OpinionError(ValueError):
    """The opinion input is not acceptable; the message says what to fix. Nothing was saved."""


class OpinionLocked(OpinionError):
    """The opinion is signed (or awaiting co-signature) and cannot be changed."""


def opinion_content_hash(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a signed opinion's content (the ``CANONICAL_KEYS``)."""
    canonical = {key: content.get(key) for key in CANONICAL_KEYS}
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signed_at_text(moment: Any) -> str:
    """How a signature time is written in the signed content: ISO 8601 in UTC, whole seconds."""
    return str(moment.astimezone(UTC).replace(microsecond=0).isoformat())


def canonical_content(opinion: Opinion) -> dict[str, Any]:
    return {
        "agreement": opinion.agreement,
        "consultant_diagnosis": opinion.consultant_diagnosis,
        "workup": opinion.workup,
        "treatment": opinion.treatment,
        "trials": opinion.trials,
        "comments": opinion.comments,
        "addendum_reason": opinion.addendum_reason,
        "language": opinion.language,
        "version": opinion.version,
        "reference": opinion.request.reference,
        "signer_name": opinion.signer_name,
        "signed_at": signed_at_text(opinion.signed_at) if opinion.signed_at else None,
    }


def signed_payload(opinion: Opinion) -> dict[str, Any]:
    """The ``opinion.signed`` event payload (the canonical content plus names and hash)."""
    payload = canonical_content(opinion)
    payload.update(
        {
            "author_name": opinion.author_name,
            "cosigner_name": opinion.cosigner_name,
            "content_hash": opinion.content_hash,
        }
    )
    if opinion.supersedes_id is not None:
        payload["supersedes_version"] = opinion.supersedes.version if opinion.supersedes else None
    return payload


# -- validation --------------------------------------------------------------------------


def clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The editable fields of ``data``, checked and normalised; :class:`OpinionError` otherwise."""
    forbidden = FORBIDDEN_OUTPUTS & {str(key).lower() for key in data}
    if forbidden:
        raise OpinionError(_("An opinion advises the treating physician; it cannot contain prescriptions or orders."))
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise OpinionError(_("Unknown opinion fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    cleaned: dict[str, Any] = {}
    if "agreement" in data:
        agreement = data["agreement"] or ""
        if agreement and agreement not in Agreement.values:
            raise OpinionError(_("Choose the agreement from the list."))
        cleaned["agreement"] = agreement
    if "consultant_diagnosis" in data:
        cleaned["consultant_diagnosis"] = _clean_diagnoses(data["consultant_diagnosis"])
    if "treatment" in data:
        cleaned["treatment"] = _clean_treatment(data["treatment"])
    for name in ("workup", "trials", "comments"):
        if name in data:
            value = data[name]
            if value is not None and not isinstance(value, str):
                raise OpinionError(_("%(field)s must be text.") % {"field": name})
            cleaned[name] = (value or "").strip()
    if "language" in data:
        if data["language"] not in ("en", "zh"):
            raise OpinionError(_("The opinion's language is English (en) or Chinese (zh)."))
        cleaned["language"] = data["language"]
    return cleaned


def _clean_diagnoses(value: Any) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise OpinionError(_("The consultant's diagnosis is a list of coded diagnoses."))
    result: list[dict[str, str]] = []
    for item in value:
        if not isinstance(item, dict):
            raise OpinionError(_("Each diagnosis has a system, a code and a text."))
        system = str(item.get("system", "")).strip().lower().replace("-", "")
        code = str(item.get("code", "")).strip()
        text = str(item.get("text", "") or "").strip()
        if not code and not text:
            continue
        if system not in DIAGNOSIS_SYSTEMS or not code:
            raise OpinionError(_("Code each diagnosis with ICD-10 or ICD-O-3."))
        result.append({"system": system, "code": code, "text": text})
    return result


def _clean_treatment(value: Any) -> dict[str, Any]:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise OpinionError(_("The treatment recommendation has a regimen, a rationale and guideline references."))
    keys = {str(key).lower() for key in value}
    if keys & FORBIDDEN_OUTPUTS:
        raise OpinionError(_("An opinion advises the treating physician; it cannot contain prescriptions or orders."))
    if keys - TREATMENT_KEYS:
        raise OpinionError(_("The treatment recommendation has only a regimen, a rationale and guideline references."))
    guidelines = value.get("guidelines") or []
    if isinstance(guidelines, str):
        guidelines = [line.strip() for line in guidelines.splitlines()]
    if not isinstance(guidelines, list):
        raise OpinionError(_("Guideline references are a list."))
    return {
        "regimen": str(value.get("regimen") or "").strip(),
        "rationale": str(value.get("rationale") or "").strip(),
        "guidelines": [str(line).strip() for line in guidelines if str(line).strip()],
    }


# -- permissions -------------------------------------------------------------------------


def _require(allowed: bool, *, by: Any, action: str, consult: ConsultRequest, http_request: Any) -> None:
    if not allowed:
        raise permissions.deny(user=by, action=action, target=consult.reference, request=http_request)


def _refuse_if_locked(opinion: Opinion) -> None:
    if opinion.status == OpinionStatus.SIGNED:
        raise OpinionLocked(_("This opinion is signed and cannot be changed; write an addendum instead."))
    if opinion.status == OpinionStatus.AWAITING_COSIGN:
        raise OpinionLocked(_("This opinion is awaiting co-signature and cannot be changed now."))


# -- services ----------------------------------------------------------------------------


def open_draft(consult: ConsultRequest) -> Opinion | None:
    return consult.opinions.exclude(status=OpinionStatus.SIGNED).order_by("-version").first()


def create_draft(
    *, consult: ConsultRequest, by: Any, fields: dict[str, Any] | None = None, http_request: Any = None
) -> Opinion:
    """Start the case's opinion (version 1); an assigned specialist only, while the case is in review."""
    _require(
        permissions.can_write_opinion(by, consult),
        by=by,
        action="opinion.draft",
        consult=consult,
        http_request=http_request,
    )
    if consult.state != State.IN_REVIEW:
        raise OpinionError(_("An opinion is written while the case is in review."))
    if consult.opinions.exists():
        raise OpinionError(_("This case already has an opinion; edit it or write an addendum."))
    cleaned = clean_fields(fields or {})
    with transaction.atomic():
        opinion = Opinion.objects.create(
            request=consult, version=1, author=by, author_name=display_name(by), status=OpinionStatus.DRAFT, **cleaned
        )
        record_event(
            action="opinion.drafted",
            actor=by,
            target=consult.reference,
            detail={"version": 1},
            request=http_request,
        )
    return opinion


def update_draft(*, opinion: Opinion, by: Any, fields: dict[str, Any], http_request: Any = None) -> Opinion:
    """Change a draft; refused (:class:`OpinionLocked`) once it is signed or awaiting co-signature."""
    consult = opinion.request
    _require(
        permissions.can_write_opinion(by, consult),
        by=by,
        action="opinion.update",
        consult=consult,
        http_request=http_request,
    )
    _refuse_if_locked(opinion)
    cleaned = clean_fields(fields)
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(opinion, name, value)
        opinion.save()
        record_event(
            action="opinion.updated",
            actor=by,
            target=consult.reference,
            detail={"version": opinion.version, "fields": sorted(cleaned)},
            request=http_request,
        )
    return opinion


def save_draft(*, consult: ConsultRequest, by: Any, fields: dict[str, Any], http_request: Any = None) -> Opinion:
    """Create the draft or update the open one (what the opinion form does)."""
    draft = open_draft(consult)
    if draft is None:
        return create_draft(consult=consult, by=by, fields=fields, http_request=http_request)
    return update_draft(opinion=draft, by=by, fields=fields, http_request=http_request)


def _require_complete(opinion: Opinion) -> None:
    missing: list[str] = []
    if not opinion.agreement:
        missing.append(str(_("agreement with the submitted diagnosis")))
    if not (opinion.workup or (opinion.treatment or {}).get("regimen") or opinion.comments):
        missing.append(str(_("a recommendation (workup, treatment or comments)")))
    if opinion.version > 1 and not opinion.addendum_reason:
        missing.append(str(_("the reason for the addendum")))
    if missing:
        raise OpinionError(_("Before signing, add: %(missing)s.") % {"missing": "; ".join(missing)})


def submit_for_cosignature(*, opinion: Opinion, by: Any, http_request: Any = None) -> Opinion:
    """Ask another specialist or the program director to co-sign; the draft is frozen meanwhile."""
    consult = opinion.request
    _require(
        permissions.can_write_opinion(by, consult),
        by=by,
        action="opinion.submit_cosign",
        consult=consult,
        http_request=http_request,
    )
    _refuse_if_locked(opinion)
    _require_complete(opinion)
    with transaction.atomic():
        opinion.status = OpinionStatus.AWAITING_COSIGN
        opinion.save()
        record_event(
            action="opinion.cosign_requested",
            actor=by,
            target=consult.reference,
            detail={"version": opinion.version},
            request=http_request,
        )
        others = [user for user in selectors.assigned_specialists(consult) if user.pk != opinion.author_id]
        notify(
            users=others or selectors.hub_coordinators(),
            request=consult,
            verb="cosign_requested",
            text=_("The opinion on case %(reference)s awaits co-signature.") % {"reference": consult.reference},
        )
    return opinion


def cosign(*, opinion: Opinion, by: Any, http_request: Any = None) -> Opinion:
    """Co-sign an opinion awaiting co-signature: another specialist or the program director, never the author."""
    consult = opinion.request
    _require(
        permissions.can_cosign_opinion(by, opinion),
        by=by,
        action="opinion.cosign",
        consult=consult,
        http_request=http_request,
    )
    if opinion.status != OpinionStatus.AWAITING_COSIGN or opinion.cosigned_at is not None:
        raise OpinionError(_("This opinion is not awaiting co-signature."))
    with transaction.atomic():
        opinion.cosigner = by
        opinion.cosigner_name = display_name(by)
        opinion.cosigned_at = timezone.now()
        opinion.save()
        record_event(
            action="opinion.cosigned",
            actor=by,
            target=consult.reference,
            detail={"version": opinion.version},
            request=http_request,
        )
        notify(
            users=selectors.assigned_specialists(consult),
            request=consult,
            verb="cosigned",
            text=_("The opinion on case %(reference)s was co-signed.") % {"reference": consult.reference},
        )
    return opinion


def sign(*, opinion: Opinion, by: Any, http_request: Any = None) -> Opinion:
    """Sign: name, time and content hash fixed; the case SIGNED; ``opinion.signed`` relayed."""
    consult = opinion.request
    _require(
        permissions.can_write_opinion(by, consult),
        by=by,
        action="opinion.sign",
        consult=consult,
        http_request=http_request,
    )
    if opinion.status == OpinionStatus.SIGNED:
        raise OpinionLocked(_("This opinion is already signed."))
    if opinion.status == OpinionStatus.AWAITING_COSIGN and opinion.cosigned_at is None:
        raise OpinionError(_("This opinion awaits co-signature; it can be signed once co-signed."))
    _require_complete(opinion)
    first = opinion.version == 1
    if first:
        ensure_allowed(consult, State.SIGNED, actor=by, http_request=http_request)
    elif consult.state not in (State.SIGNED, State.DELIVERED, State.CLOSED):
        raise OpinionError(_("An addendum is signed after the first opinion."))
    # Asked before anything is written, so a refusal leaves the draft as it was.
    compliance.require_allowed(
        consult=consult, actor=by, action="message", data_classes=["opinion"], http_request=http_request
    )
    now = timezone.now().replace(microsecond=0)
    with transaction.atomic():
        opinion.signer_name = display_name(by)
        opinion.signed_at = now
        opinion.status = OpinionStatus.SIGNED
        opinion.content_hash = opinion_content_hash(canonical_content(opinion))
        opinion.save()
        record_event(
            action="opinion.signed",
            actor=by,
            target=consult.reference,
            detail={"version": opinion.version, "content_hash": opinion.content_hash},
            request=http_request,
        )
        if first:
            workflow.transition(consult, State.SIGNED, actor=by, http_request=http_request, signed_at=now)
        _relay_opinion(opinion, http_request=http_request)
        notify(
            users=[*selectors.hub_coordinators(), *selectors.assigned_specialists(consult)],
            request=consult,
            verb="opinion_signed",
            text=_("The opinion (version %(version)d) on case %(reference)s was signed.")
            % {"version": opinion.version, "reference": consult.reference},
        )
    return opinion


def _relay_opinion(opinion: Opinion, *, http_request: Any = None) -> OutboundEvent | None:
    consult = opinion.request
    if consult.peer is None:
        return None
    from huizhen.apps.consults import relay  # B's outbox; imported late so this module loads without it

    event: OutboundEvent = relay.send_event(
        peer=consult.peer,
        kind="opinion.signed",
        payload=signed_payload(opinion),
        request=http_request,
        consult=consult,
    )
    return event


def write_addendum(*, opinion: Opinion, by: Any, reason: str, http_request: Any = None) -> Opinion:
    """Start version n+1 of a signed opinion: its content copied, ``supersedes`` set, the reason kept."""
    consult = opinion.request
    _require(
        permissions.can_write_opinion(by, consult),
        by=by,
        action="opinion.addendum",
        consult=consult,
        http_request=http_request,
    )
    reason = (reason or "").strip()
    if not reason:
        raise OpinionError(_("Give the reason for the addendum."))
    if opinion.status != OpinionStatus.SIGNED:
        raise OpinionError(_("An addendum amends a signed opinion; this one is still a draft."))
    if open_draft(consult) is not None:
        raise OpinionError(_("An addendum is already being written for this case."))
    with transaction.atomic():
        version = (consult.opinions.aggregate(top=Max("version"))["top"] or 0) + 1
        addendum = Opinion.objects.create(
            request=consult,
            version=version,
            supersedes=opinion,
            status=OpinionStatus.DRAFT,
            agreement=opinion.agreement,
            consultant_diagnosis=opinion.consultant_diagnosis,
            workup=opinion.workup,
            treatment=opinion.treatment,
            trials=opinion.trials,
            comments=opinion.comments,
            language=opinion.language,
            addendum_reason=reason,
            author=by,
            author_name=display_name(by),
        )
        record_event(
            action="opinion.addendum_started",
            actor=by,
            target=consult.reference,
            detail={"version": version, "supersedes": opinion.version},
            request=http_request,
        )
    return addendum


def mark_delivered(*, consult: ConsultRequest) -> bool:
    """SIGNED → DELIVERED (actor SYSTEM) once the gateway has the opinion; False if not SIGNED."""
    if consult.state != State.SIGNED:
        return False
    workflow.transition(consult, State.DELIVERED, actor=workflow.SYSTEM, delivered_at=timezone.now())
    notify(
        users=[*selectors.hub_coordinators(), *selectors.assigned_specialists(consult)],
        request=consult,
        verb="opinion_delivered",
        text=_("The opinion on case %(reference)s was delivered to the referring physician.")
        % {"reference": consult.reference},
    )
    return True


def on_event_sent(event: OutboundEvent) -> None:
    """Called when the outbox marks an event SENT: a delivered ``opinion.signed`` delivers the case."""
    if event.kind != "opinion.signed" or event.request_id is None:
        return
    consult = ConsultRequest.objects.filter(pk=event.request_id).first()
    if consult is not None:
        mark_delivered(consult=consult)


@receiver(post_save, sender=OutboundEvent, dispatch_uid="consults.opinions.delivered")
def _outbound_event_saved(sender: Any, instance: OutboundEvent, **kwargs: Any) -> None:
    # The gateway's 200 is the acknowledgement; the outbox records it by saving SENT.
    if instance.status == OutboundEvent.Status.SENT and instance.kind == "opinion.signed":
        on_event_sent(instance)
