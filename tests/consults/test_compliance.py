"""The policy engine at the consultation's boundaries: export at the gateway, views at the hub."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults import compliance
from huizhen.apps.consults.models import ConsultRequest
from huizhen.apps.registry.models import ConsentKind
from huizhen.policy import Decision
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.consults.factories import ConsultRequestFactory, HubConsultRequestFactory, PartnerAgreementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    settings.HUIZHEN_COUNTRY = "CN"


@pytest.fixture
def hub(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "hub"
    settings.HUIZHEN_COUNTRY = "US"


def _export(consult: ConsultRequest) -> Decision:
    return compliance.require_allowed(consult=consult, actor=consult.referring_physician, action="export")


def test_a_lawful_case_may_be_exported(gateway: None) -> None:
    consult = ConsultRequestFactory()

    decision = _export(consult)

    assert decision.decision in ("allow", "allow_with_obligations")


def test_export_without_cross_border_consent_is_denied(gateway: None) -> None:
    consult = ConsultRequestFactory()
    consult.patient.consents.filter(kind=ConsentKind.CROSS_BORDER).delete()

    with pytest.raises(compliance.PolicyDenied) as refused:
        _export(consult)

    assert "CN-XB-01b" in {reason.rule for reason in refused.value.reasons}


def test_export_with_cross_border_consent_to_another_country_is_denied(gateway: None) -> None:
    consult = ConsultRequestFactory()
    consult.patient.consents.filter(kind=ConsentKind.CROSS_BORDER).update(destination_country="SG")

    with pytest.raises(compliance.PolicyDenied):
        _export(consult)


def test_export_after_the_consent_was_withdrawn_is_denied(gateway: None) -> None:
    consult = ConsultRequestFactory()
    consult.patient.consents.filter(kind=ConsentKind.CONSULTATION).update(withdrawn_at=timezone.now())

    with pytest.raises(compliance.PolicyDenied) as refused:
        _export(consult)

    assert "CN-TM-03" in {reason.rule for reason in refused.value.reasons}


def test_export_without_a_filed_standard_contract_is_denied(gateway: None) -> None:
    consult = ConsultRequestFactory()
    consult.peer.agreement.standard_contract = False
    consult.peer.agreement.save()

    with pytest.raises(compliance.PolicyDenied) as refused:
        _export(consult)

    assert "CN-XB-01a" in {reason.rule for reason in refused.value.reasons}


def test_a_refusal_gives_its_reasons_in_chinese_too(gateway: None) -> None:
    consult = ConsultRequestFactory(consents=False)

    with pytest.raises(compliance.PolicyDenied) as refused:
        _export(consult)

    assert any("同意" in line for line in refused.value.reason_lines("zh-hans"))


def test_every_decision_is_audited_against_the_case(gateway: None) -> None:
    consult = ConsultRequestFactory()

    _export(consult)

    assert AuditEntry.objects.filter(action="policy.decision", target=consult.reference).exists()


def test_export_facts_carry_no_identifier(gateway: None) -> None:
    consult = ConsultRequestFactory()

    facts = compliance.export_facts_for(consult)

    text = repr(facts)
    patient = consult.patient
    for identifier in (patient.family_name, patient.given_name, patient.mrn, patient.national_id, patient.phone):
        assert identifier not in text
    assert facts["consent"]["cross_border"] is True
    assert facts["subject"]["country"] == "CN"


def _hub_case() -> ConsultRequest:
    consult = HubConsultRequestFactory(
        export_facts={
            "subject": {"country": "CN", "us_person": False, "age": 61},
            "consent": {"cross_border": True, "telemedicine": True},
            "volume": {"individuals_exported_this_year": 3},
        }
    )
    PartnerAgreementFactory(peer=consult.peer, country="CN")
    return consult


def test_a_specialist_may_view_the_de_identified_case_at_the_hub(hub: None) -> None:
    consult = _hub_case()
    specialist = MembershipFactory(role=Role.CONSULTING_SPECIALIST).user

    decision = compliance.require_allowed(consult=consult, actor=specialist, action="view")

    assert decision.decision in ("allow", "allow_with_obligations")


def test_a_coordinator_may_view_the_de_identified_case_at_the_hub(hub: None) -> None:
    consult = _hub_case()
    coordinator = MembershipFactory(role=Role.CASE_COORDINATOR).user

    decision = compliance.require_allowed(consult=consult, actor=coordinator, action="view")

    assert decision.decision in ("allow", "allow_with_obligations")


def test_a_hub_view_of_a_case_sent_without_consent_facts_is_denied(hub: None) -> None:
    consult = HubConsultRequestFactory(export_facts={})
    specialist = MembershipFactory(role=Role.CONSULTING_SPECIALIST).user

    with pytest.raises(compliance.PolicyDenied):
        compliance.require_allowed(consult=consult, actor=specialist, action="view")


def test_a_user_without_a_case_role_is_denied(hub: None) -> None:
    consult = _hub_case()

    with pytest.raises(compliance.PolicyDenied):
        compliance.require_allowed(consult=consult, actor=UserFactory(), action="view")
