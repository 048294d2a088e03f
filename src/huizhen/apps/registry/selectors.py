"""Reads of the gateway's patient registry: search by record number or name, consents in force.

Search matches a medical record number exactly or by prefix, and a name (Chinese or
Latin letters) by substring, so a clinician finds 李建国 by 李, 建国, Li or MRN.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from huizhen.apps.registry.models import Consent, Patient

SEARCH_LIMIT = 100


def search_patients(*, query: str = "") -> QuerySet[Patient]:
    """Patients matching ``query`` (MRN, pseudonym or name); all when empty, newest first."""
    patients = Patient.objects.all()
    query = query.strip()
    if query:
        condition = (
            Q(mrn__istartswith=query)
            | Q(pseudonym__iexact=query)
            | Q(family_name__icontains=query)
            | Q(given_name__icontains=query)
            | Q(name_latin__icontains=query)
        )
        # 李建国 typed as one word: family name + given name.
        if not query.isascii() and len(query) >= 2:
            condition |= Q(family_name=query[0], given_name__startswith=query[1:])
        patients = patients.filter(condition)
    return patients.order_by("-created_at", "-id")


def patient_by_id(patient_id: int) -> Patient | None:
    return Patient.objects.filter(pk=patient_id).first()


def patient_by_mrn(mrn: str) -> Patient | None:
    return Patient.objects.filter(mrn=mrn).first()


def consents_of(patient: Patient) -> QuerySet[Consent]:
    return patient.consents.all()


def active_consents(patient: Patient) -> QuerySet[Consent]:
    return patient.consents.filter(withdrawn_at=None)


def consent_by_id(*, patient: Patient, consent_id: int) -> Consent | None:
    return patient.consents.filter(pk=consent_id).first()
