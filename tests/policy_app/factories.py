"""Policy requests, decision records and export register entries for the policy app's tests."""

from __future__ import annotations

import copy
from typing import Any

import factory
from django.utils import timezone

from huizhen.apps.policy.models import DataCategory, ExportRegisterEntry, Outcome, PolicyDecisionRecord

#: A pseudonymised imaging export from a Chinese hospital to a US center for treatment,
#: with every legal basis and consent in place: the program's everyday request.
EXPORT_REQUEST: dict[str, Any] = {
    "action": "export",
    "purpose": "treatment",
    "actor": {"role": "referring_physician", "country": "CN", "licensed_in": ["CN"]},
    "recipient": {"role": "consulting_specialist", "country": "US"},
    "subject": {"country": "CN", "us_person": False},
    "data": {"classes": ["clinical_summary", "imaging"], "identified": False, "deid_standard": "ps3.15-basic"},
    "consent": {"cross_border": True, "telemedicine": True},
    "legal_basis": {"standard_contract": True, "impact_assessment": True, "security_assessment": False},
    "volume": {"individuals_exported_this_year": 12},
    "destination_country": "US",
}


def export_request(**overrides: Any) -> dict[str, Any]:
    """:data:`EXPORT_REQUEST` with top-level fields replaced; ``volume=None`` drops the volume."""
    request = copy.deepcopy(EXPORT_REQUEST)
    for key, value in overrides.items():
        if value is None:
            request.pop(key, None)
        else:
            request[key] = value
    return request


def raw_sequence_export() -> dict[str, Any]:
    """Raw sequencing data leaving China: human genetic resource information, refused by default."""
    return export_request(
        data={"classes": ["genetic_raw_sequence"], "identified": False, "deid_standard": "pseudonymised"}
    )


def us_person_export_to_china(**overrides: Any) -> dict[str, Any]:
    """A US consultant sends a US person's case back to the treating team in China, US-person count not stated.

    The DOJ Data Security Program applies (28 CFR 202.256: a US person; 202.601: China),
    so the register's rolling 12-month count of US persons decides US-DSP-02 to -04.
    """
    request: dict[str, Any] = {
        "action": "export",
        "purpose": "treatment",
        "actor": {"role": "consulting_specialist", "country": "US", "licensed_in": ["US-MA"]},
        "recipient": {"role": "referring_physician", "country": "CN"},
        "subject": {"country": "CN", "us_person": True},
        "data": {"classes": ["clinical_summary"], "identified": False, "deid_standard": "pseudonymised"},
        "destination_country": "CN",
    }
    request.update(overrides)
    return request


class PolicyDecisionRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyDecisionRecord

    action = "export"
    purpose = "treatment"
    case_ref = factory.Sequence(lambda n: f"HZ-{n:04d}")
    actor = "dr.li"
    request = factory.LazyFunction(export_request)
    decision = Outcome.ALLOW
    rules = factory.LazyFunction(list)


class ExportRegisterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportRegisterEntry

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    origin_country = "CN"
    destination_country = "US"
    data_category = DataCategory.HEALTH
    subject_key = factory.Sequence(lambda n: f"{n:064x}")
    us_person = False
    last_exported_at = factory.LazyFunction(timezone.now)


def fill_register(individuals: int, **fields: Any) -> None:
    """``individuals`` distinct people in one register line, written in one statement."""
    ExportRegisterEntry.objects.bulk_create(
        ExportRegisterEntryFactory.build_batch(individuals, **fields), batch_size=2000
    )
