"""``huizhen seed_demo_cases``: three ready-to-submit demo cases at the gateway, once; the hub's side."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pydicom
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from huizhen.apps.accounts.models import User
from huizhen.apps.accounts.services import seed_demo
from huizhen.apps.consults.demo_cases import DEMO_CASES, DemoCase, load_bundle
from huizhen.apps.consults.models import (
    AttachmentKind,
    ConsultRequest,
    PartnerAgreement,
    SpecialistProfile,
    State,
)
from huizhen.apps.consults.summary import missing_items
from huizhen.apps.nodes.models import Peer
from huizhen.apps.registry.fhir import import_bundle
from huizhen.apps.registry.models import ConsentKind
from tests.nodes.factories import PeerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(settings: Any) -> Peer:
    """A demo gateway with its users and the hub as its one peer; returns the hub peer."""
    settings.HUIZHEN_ROLE = "gateway"
    seed_demo(node_role="gateway")
    hub: Peer = PeerFactory(name="Demo hub", role=Peer.Role.HUB)
    return hub


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo_cases", stdout=out)
    return out.getvalue()


def test_seeding_twice_creates_the_three_cases_once(gateway: Peer) -> None:
    _seed()
    second = _seed()
    assert ConsultRequest.objects.count() == 3
    assert "created" not in second


def test_the_seeded_cases_are_drafts_of_the_demo_referring_physician_addressed_to_the_hub(gateway: Peer) -> None:
    _seed()
    for consult in ConsultRequest.objects.all():
        assert consult.state == State.DRAFT
        assert consult.referring_physician is not None
        assert consult.referring_physician.username == "dr.li"
        assert consult.peer == gateway


def test_the_seeded_cases_are_complete_enough_to_submit(gateway: Peer) -> None:
    _seed()
    for consult in ConsultRequest.objects.all():
        assert missing_items(consult) == [], consult.reference


def test_the_seeded_cases_cover_lymphoma_leukemia_and_myeloma_in_chinese(gateway: Peer) -> None:
    _seed()
    codes = {consult.summary["diagnoses"][0]["icd10"] for consult in ConsultRequest.objects.all()}
    assert codes == {"C83.3", "C92.0", "C90.0"}
    assert all("请问" in consult.question for consult in ConsultRequest.objects.all())


def test_each_patient_has_a_separate_cross_border_consent_to_the_hubs_country(gateway: Peer) -> None:
    _seed()
    for consult in ConsultRequest.objects.all():
        assert consult.patient is not None
        cross_border = consult.patient.consents.get(kind=ConsentKind.CROSS_BORDER)
        assert cross_border.destination_country == "US"
        assert consult.patient.consents.filter(kind=ConsentKind.CONSULTATION).exists()


def test_the_lymphoma_case_carries_a_pet_ct_series_that_names_the_patient(gateway: Peer) -> None:
    _seed()
    consult = ConsultRequest.objects.get(summary__diagnoses__0__icd10="C83.3")
    (study,) = consult.attachments.filter(kind=AttachmentKind.DICOM)
    files = sorted((Path(django_settings.HUIZHEN_BLOB_DIR) / study.blob).rglob("*.dcm"))
    assert len(files) == 12
    header = pydicom.dcmread(files[0], stop_before_pixels=True)
    assert consult.patient is not None
    assert header.PatientID == consult.patient.mrn
    assert "陈^志明" in str(header.PatientName)


def test_the_gateway_records_its_agreement_with_the_hub(gateway: Peer) -> None:
    _seed()
    agreement = PartnerAgreement.objects.get(peer=gateway)
    assert agreement.country == "US"
    assert agreement.standard_contract


def test_seeding_needs_the_demo_users(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    PeerFactory(role=Peer.Role.HUB)
    with pytest.raises(CommandError, match="seed_demo"):
        _seed()


def test_the_hub_seeds_the_specialist_profile_and_its_agreement_with_the_gateway_once() -> None:
    seed_demo(node_role="hub")
    gateway_peer = PeerFactory(name="Demo gateway")
    _seed()
    _seed()
    profile = SpecialistProfile.objects.get(user__username="dr.miller")
    assert "lymphoma" in profile.subspecialties
    assert PartnerAgreement.objects.get(peer=gateway_peer).country == "CN"
    assert not ConsultRequest.objects.exists()


@pytest.mark.parametrize("case", DEMO_CASES, ids=lambda case: case.bundle)
def test_each_demo_bundle_imports_with_nothing_skipped_or_refused(settings: Any, case: DemoCase) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    seed_demo(node_role="gateway")
    consult = import_bundle(data=load_bundle(case.bundle), by=User.objects.get(username="dr.li"))
    assert consult.import_notes == []
    assert consult.attachments.count() >= 5
