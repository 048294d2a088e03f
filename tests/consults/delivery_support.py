"""Shared setup for the delivery, thread, outcome and report tests: node roles and hub events.

``signed_opinion_payload`` builds an ``opinion.signed`` payload exactly as the hub's
:func:`huizhen.apps.consults.opinions.signed_payload` shapes it, hashed with the hub's own
:func:`~huizhen.apps.consults.opinions.opinion_content_hash`.
"""

from __future__ import annotations

from typing import Any

import pytest

from huizhen.apps.consults.models import ConsultRequest, State
from huizhen.apps.consults.opinions import opinion_content_hash
from huizhen.apps.policy.services import record_export
from tests.consults.factories import ConsultRequestFactory, HubConsultRequestFactory, PartnerAgreementFactory

HUB_EXPORT_FACTS = {
    "subject": {"country": "CN", "us_person": False, "age": 61},
    "consent": {"cross_border": True, "telemedicine": True},
    "volume": {"individuals_exported_this_year": 3},
}


@pytest.fixture
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    settings.HUIZHEN_COUNTRY = "CN"


@pytest.fixture
def hub(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "hub"
    settings.HUIZHEN_COUNTRY = "US"


def gateway_case(state: str = State.IN_REVIEW, **fields: Any) -> ConsultRequest:
    """The gateway's identified case, submitted (counted in the export register) and now at ``state``."""
    consult: ConsultRequest = ConsultRequestFactory(state=state, **fields)
    for category in ("sensitive", "health"):
        record_export(
            origin="CN",
            destination="US",
            category=category,
            subject_pseudonym=consult.patient.pseudonym,
            us_person=False,
        )
    return consult


def hub_case(state: str = State.IN_REVIEW, **fields: Any) -> ConsultRequest:
    """The hub's de-identified copy with the policy facts the gateway sent and a partner agreement."""
    consult: ConsultRequest = HubConsultRequestFactory(state=state, export_facts=HUB_EXPORT_FACTS, **fields)
    PartnerAgreementFactory(peer=consult.peer, country="CN")
    return consult


def signed_opinion_payload(consult: ConsultRequest, *, version: int = 1, **changes: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        "agreement": "major_discordance",
        "consultant_diagnosis": [
            {"system": "icd10", "code": "C83.3", "text": "Diffuse large B-cell lymphoma"},
            {"system": "icdo3", "code": "9680/3", "text": "DLBCL, NOS"},
        ],
        "workup": "Repeat PET-CT and a biopsy of the residual mass.",
        "treatment": {
            "regimen": "R-CHOP",
            "rationale": "Residual disease after first line; consider CAR-T if the biopsy confirms relapse.",
            "guidelines": ["NCCN B-cell lymphomas v2.2026"],
        },
        "trials": "Eligible for CAR-T trials in second line.",
        "comments": "Happy to discuss by video.",
        "addendum_reason": "" if version == 1 else "The biopsy result changed the recommendation.",
        "language": "en",
        "version": version,
        "reference": consult.reference,
        "signer_name": "Sarah Miller",
        "signed_at": "2026-11-20T08:30:00+00:00",
    }
    content.update(changes)
    payload = dict(content)
    payload.update(
        {
            "author_name": "Sarah Miller",
            "cosigner_name": "",
            "content_hash": opinion_content_hash(content),
        }
    )
    if version > 1:
        payload["supersedes_version"] = version - 1
    return payload
