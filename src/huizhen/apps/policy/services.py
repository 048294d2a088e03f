"""Asking the policy engine on this node: every decision stored and audited; recording exports.

:func:`evaluate_policy` is the one call the case pipeline, messaging, record views and
the /policy/ page make. It fills in the export volume from the register when the
caller did not state it, asks :func:`huizhen.policy.evaluate`, keeps a
:class:`~huizhen.apps.policy.models.PolicyDecisionRecord` and writes a
``policy.decision`` audit entry in the same transaction, so no decision exists
without its audit trail (CN-TM-09, US-HIPAA-09). Rules live in the engine's packs and
nowhere here. :func:`record_export` adds an individual to the export register once per
year, which the volume thresholds read (2024 CAC Provisions Arts. 7-8), and marks US
persons with the time of their latest export for the DOJ Data Security Program's
rolling 12-month count (28 CFR 202.205-206, 202.256).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from huizhen.apps.audit.services import record_event
from huizhen.apps.policy import selectors
from huizhen.apps.policy.models import DataCategory, ExportRegisterEntry, PolicyDecisionRecord
from huizhen.policy import Decision, PolicyRequest, RequestError, evaluate, parse_request
from huizhen.policy.vocabulary import GENETIC_INFORMATION_CLASSES, nation

#: Data classes that are genetic or 'omic data (HGR Regs Art. 2; 28 CFR 202.224).
OMIC_CLASSES = GENETIC_INFORMATION_CLASSES | {"biospecimen"}

#: Categories whose individuals together make up "sensitive personal information" for the
#: volume the engine compares against thresholds: health data is always sensitive under
#: PIPL Art. 28, and an 'omic export is also a health-data export of that person.
SENSITIVE_CATEGORIES = (DataCategory.SENSITIVE, DataCategory.HEALTH, DataCategory.OMIC)

#: Categories counted together for ``volume.us_persons_12m``: the DOJ's personal health data
#: (28 CFR 202.241) and human 'omic data (202.224). One number serves both thresholds, so it
#: is their union: "combined data" meets the lowest threshold of the categories it holds
#: (202.205, as cross_border_rules.md US-DSP-02 reads it), and a threshold is never missed
#: because the count was split.
DSP_CATEGORIES = (DataCategory.HEALTH, DataCategory.OMIC)

_REGISTER_KEY_SALT = "huizhen.apps.policy.export_register"


def evaluate_policy(*, request: Mapping[str, Any], actor: Any, case_ref: str = "", request_obj: Any = None) -> Decision:
    """Evaluate ``request`` with the shipped rule packs, store the decision and audit it.

    For an export whose request does not say how many individuals were already exported
    this year, the number is read from the export register: the distinct individuals
    whose sensitive personal information (health and 'omic data alike) went from the
    subject's country to the destination this calendar year. The request carries one
    number while China counts all sensitive data and the DOJ counts per category, so the
    register hands the engine the union, the larger figure: a threshold is never missed
    because the count was split. For an export of a US person, the DOJ Data Security
    Program's rolling 12-month count of US persons is filled the same way (see
    :func:`with_register_volume`). A request without an origin or destination country
    is left as it is, and the engine counts the missing fact against it.

    Raises :class:`huizhen.policy.RequestError` for a request the engine cannot read
    (unknown fields, roles, classes...); that refusal is audited too, without the
    offending values, which may be exactly the identified data the schema keeps out.
    """
    try:
        policy_request = with_register_volume(parse_request(request))
    except RequestError as exc:
        record_event(
            action="policy.request_refused",
            actor=actor,
            target=case_ref or "policy",
            detail={"case_ref": case_ref, "problems": len(exc.problems)},
            outcome="denied",
            request=request_obj,
        )
        raise
    packs = selectors.rule_packs()
    decision = evaluate(policy_request, packs=packs)
    result = decision.to_dict()
    with transaction.atomic():
        record = PolicyDecisionRecord.objects.create(
            action=policy_request.action,
            purpose=policy_request.purpose or "",
            case_ref=case_ref[:128],
            actor=_actor_name(actor)[:150],
            # The parsed request, not the caller's mapping: only schema fields survive parsing.
            request=policy_request.to_dict(),
            decision=decision.decision,
            rules=list(decision.rules),
            obligations=result["obligations"],
            reasons=result["reasons"],
            warnings=result["warnings"],
            pack_versions=selectors.pack_versions(packs),
        )
        record_event(
            action="policy.decision",
            actor=actor,
            target=case_ref or "policy",
            detail={
                "decision": decision.decision,
                "rules": list(decision.rules),
                "case_ref": case_ref,
                "record": record.pk,
                "warnings": sorted({warning.rule for warning in decision.warnings}),
            },
            outcome="denied" if decision.decision == "deny" else "ok",
            request=request_obj,
        )
    return decision


def with_register_volume(request: PolicyRequest, *, now: datetime | None = None) -> PolicyRequest:
    """``request`` with the export volumes the register knows filled in, for an export.

    Both numbers count individuals *already exported before this request*, so the export
    asked about is not in them (a pack rule that refuses the (N + 1)th individual fires at
    ``gte N``):

    * ``volume.individuals_exported_this_year``: distinct individuals whose sensitive
      personal information went from the subject's country to the destination since
      1 January (see :func:`evaluate_policy`);
    * ``volume.us_persons_12m``, only when the subject is a US person
      (``subject.us_person`` true): distinct US persons whose health or 'omic data this
      node sent to the destination, from any origin, whose latest export there lies
      within the last 365 days (28 CFR 202.205: "at any point in the preceding 12
      months"). For anyone else the DOJ count does not apply and stays absent.

    A stated number is kept as stated; only an absent one is filled. ``now`` fixes the
    clock for the rolling window (tests); it defaults to the current time.
    """
    if request.action != "export":
        return request
    destination = nation(request.destination_country) or nation(request.recipient.country)
    if not destination:
        return request
    volume = request.volume
    if volume.individuals_exported_this_year is None:
        origin = nation(request.subject.country) or nation(request.actor.country)
        if origin:
            volume = replace(
                volume,
                individuals_exported_this_year=selectors.individuals_exported_in(
                    year=timezone.localdate().year,
                    origin=origin,
                    destination=destination,
                    categories=SENSITIVE_CATEGORIES,
                ),
            )
    if volume.us_persons_12m is None and request.subject.us_person is True:
        volume = replace(
            volume,
            us_persons_12m=selectors.us_persons_exported_within(
                destination=destination, categories=DSP_CATEGORIES, now=now
            ),
        )
    return request if volume == request.volume else replace(request, volume=volume)


def export_category(data_classes: list[str] | tuple[str, ...]) -> str:
    """The register category for an export of these data classes: 'omic if any is genetic, else health."""
    return DataCategory.OMIC if OMIC_CLASSES.intersection(data_classes) else DataCategory.HEALTH


def subject_key(pseudonym: str) -> str:
    """Keyed hash of a patient's pseudonym, so the register can tell individuals apart and nothing more."""
    return salted_hmac(_REGISTER_KEY_SALT, pseudonym, algorithm="sha256").hexdigest()


def record_export(
    *,
    origin: str,
    destination: str,
    category: str,
    subject_pseudonym: str,
    us_person: bool,
    when: datetime | None = None,
) -> ExportRegisterEntry:
    """Count one individual's export from ``origin`` to ``destination``; again in the same year, the count stays.

    ``subject_pseudonym`` is the case's random pseudonym (US-HIPAA-07), never a Resident
    ID or MRN; only its keyed hash is kept (see ExportRegisterEntry). ``us_person`` says
    whether the subject is a US person (28 CFR 202.256), the request's
    ``subject.us_person``; it has no default, since a forgotten flag would quietly
    under-count the DOJ register. A repeat export moves the row's ``last_exported_at``
    forward (never back) and can mark the subject a US person, never unmark one.
    """
    if category not in DataCategory.values:
        raise ValueError(f"unknown export register category {category!r}; expected one of {DataCategory.values}")
    if not subject_pseudonym:
        raise ValueError("an export register entry needs the subject's pseudonym")
    origin_code, destination_code = _country_code(origin), _country_code(destination)
    if not origin_code or not destination_code:
        raise ValueError("an export register entry needs an origin and a destination country")
    at = when or timezone.now()
    year = timezone.localtime(at).year if timezone.is_aware(at) else at.year
    entry, created = ExportRegisterEntry.objects.get_or_create(
        year=year,
        origin_country=origin_code,
        destination_country=destination_code,
        data_category=category,
        subject_key=subject_key(subject_pseudonym),
        defaults={"at": at, "last_exported_at": at, "us_person": us_person},
    )
    if created:
        record_event(
            action="policy.export_registered",
            target=f"register/{year}/{origin_code}/{destination_code}/{category}",
            detail={
                "year": year,
                "origin": origin_code,
                "destination": destination_code,
                "category": category,
                "us_person": us_person,
            },
        )
        return entry
    # Conditional updates rather than read-modify-write: two exports of one subject at
    # once can only move the time forward and the flag to true, whichever lands last.
    rows = ExportRegisterEntry.objects.filter(pk=entry.pk)
    rows.filter(last_exported_at__lt=at).update(last_exported_at=at)
    if us_person:
        rows.filter(us_person=False).update(us_person=True)
    entry.refresh_from_db(fields=["last_exported_at", "us_person"])
    return entry


def _country_code(value: Any) -> str:
    # Register lines are per country; a US state code (US-CA) counts for its country.
    if not isinstance(value, str) or not value.strip():
        return ""
    return value.strip().split("-")[0].upper()


def _actor_name(actor: Any) -> str:
    if isinstance(actor, str):
        return actor
    if actor is not None and getattr(actor, "is_authenticated", False):
        return str(actor.get_username())
    return ""
