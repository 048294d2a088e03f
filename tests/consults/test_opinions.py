"""The opinion: drafted by an assigned specialist, co-signed by someone else, signed with a hash, then immutable."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults import opinions
from huizhen.apps.consults.models import ImmutableOpinion, Opinion, OpinionStatus, OutboundEvent, State
from tests.consults.hub_factories import AssignmentFactory, hub_user, specialist

pytestmark = pytest.mark.django_db

CONTENT = {
    "agreement": "minor_discordance",
    "consultant_diagnosis": [{"system": "icd10", "code": "C83.3", "text": "DLBCL, non-GCB"}],
    "workup": "PET-CT after cycle 4; bone marrow biopsy.",
    "treatment": {
        "regimen": "Pola-R-CHP",
        "rationale": "IPI 3; POLARIX.",
        "guidelines": ["NCCN B-cell lymphomas v2.2026"],
    },
    "trials": "CD19 CAR-T second-line trial if relapse.",
    "comments": "Agree with the diagnosis; treatment intensification advised.",
}


@pytest.fixture
def assigned() -> Any:
    return AssignmentFactory()


@pytest.fixture
def draft(assigned: Any) -> Opinion:
    return opinions.create_draft(consult=assigned.request, by=assigned.specialist, fields=CONTENT)


def test_the_assigned_specialist_writes_a_draft(draft: Opinion, assigned: Any) -> None:
    assert (draft.version, draft.status, draft.author) == (1, OpinionStatus.DRAFT, assigned.specialist)
    assert draft.treatment["regimen"] == "Pola-R-CHP"


def test_an_unassigned_specialist_cannot_write_the_opinion_and_it_is_audited(assigned: Any) -> None:
    stranger = specialist()
    with pytest.raises(PermissionDenied):
        opinions.create_draft(consult=assigned.request, by=stranger, fields=CONTENT)
    assert not Opinion.objects.exists()
    denial = AuditEntry.objects.filter(action="permission.denied").latest("seq")
    assert (denial.actor, denial.detail["attempted"]) == (stranger.username, "opinion.draft")


def test_a_coordinator_cannot_write_the_opinion(assigned: Any) -> None:
    with pytest.raises(PermissionDenied):
        opinions.create_draft(consult=assigned.request, by=hub_user(Role.CASE_COORDINATOR), fields=CONTENT)


def test_an_opinion_cannot_carry_a_prescription(assigned: Any) -> None:
    with pytest.raises(opinions.OpinionError, match="prescriptions or orders"):
        opinions.create_draft(
            consult=assigned.request,
            by=assigned.specialist,
            fields={**CONTENT, "treatment": {"regimen": "R-CHOP", "prescription": "rituximab 375 mg/m2"}},
        )


def test_an_opinion_cannot_carry_an_order(assigned: Any) -> None:
    with pytest.raises(opinions.OpinionError):
        opinions.create_draft(consult=assigned.request, by=assigned.specialist, fields={**CONTENT, "order": "CT"})


def test_a_diagnosis_must_be_coded(assigned: Any) -> None:
    with pytest.raises(opinions.OpinionError, match="ICD"):
        opinions.create_draft(
            consult=assigned.request,
            by=assigned.specialist,
            fields={**CONTENT, "consultant_diagnosis": [{"system": "", "code": "", "text": "lymphoma"}]},
        )


def test_signing_fixes_the_signer_time_and_content_hash(draft: Opinion, assigned: Any) -> None:
    signed = opinions.sign(opinion=draft, by=assigned.specialist)
    assert signed.status == OpinionStatus.SIGNED
    assert signed.signer_name == "Sarah Miller"
    assert signed.signed_at is not None
    canonical = {
        **CONTENT,
        "addendum_reason": "",
        "language": "en",
        "version": 1,
        "reference": assigned.request.reference,
        "signer_name": "Sarah Miller",
        "signed_at": signed.signed_at.astimezone(dt.UTC).isoformat(),
    }
    expected = hashlib.sha256(
        json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    assert signed.content_hash == expected


def test_signing_moves_the_case_to_signed_and_relays_the_opinion(draft: Opinion, assigned: Any) -> None:
    opinions.sign(opinion=draft, by=assigned.specialist)
    consult = assigned.request
    consult.refresh_from_db()
    assert consult.state == State.SIGNED
    event = OutboundEvent.objects.get(request=consult, kind="opinion.signed")
    assert event.payload["content_hash"] == draft.content_hash
    assert opinions.opinion_content_hash(event.payload) == draft.content_hash


def test_a_signed_opinion_cannot_be_edited(draft: Opinion, assigned: Any) -> None:
    opinions.sign(opinion=draft, by=assigned.specialist)
    with pytest.raises(opinions.OpinionLocked, match="addendum"):
        opinions.update_draft(opinion=draft, by=assigned.specialist, fields={"comments": "changed"})
    draft.refresh_from_db()
    assert draft.comments == CONTENT["comments"]


def test_the_model_refuses_to_save_a_signed_opinion(draft: Opinion, assigned: Any) -> None:
    opinions.sign(opinion=draft, by=assigned.specialist)
    stored = Opinion.objects.get(pk=draft.pk)
    stored.comments = "tampered"
    with pytest.raises(ImmutableOpinion):
        stored.save()


def test_an_incomplete_opinion_cannot_be_signed(assigned: Any) -> None:
    empty = opinions.create_draft(consult=assigned.request, by=assigned.specialist, fields={})
    with pytest.raises(opinions.OpinionError, match="agreement"):
        opinions.sign(opinion=empty, by=assigned.specialist)


def test_the_author_cannot_cosign_their_own_opinion(draft: Opinion, assigned: Any) -> None:
    opinions.submit_for_cosignature(opinion=draft, by=assigned.specialist)
    with pytest.raises(PermissionDenied):
        opinions.cosign(opinion=draft, by=assigned.specialist)
    draft.refresh_from_db()
    assert draft.cosigned_at is None


def test_the_program_director_cosigns_and_then_the_author_signs(draft: Opinion, assigned: Any) -> None:
    director = hub_user(Role.PROGRAM_DIRECTOR, first_name="Ana", last_name="Ruiz")
    opinions.submit_for_cosignature(opinion=draft, by=assigned.specialist)
    opinions.cosign(opinion=draft, by=director)
    signed = opinions.sign(opinion=draft, by=assigned.specialist)
    assert (signed.cosigner, signed.cosigner_name) == (director, "Ana Ruiz")
    assert OutboundEvent.objects.get(kind="opinion.signed").payload["cosigner_name"] == "Ana Ruiz"


def test_an_opinion_awaiting_cosignature_cannot_be_signed_yet(draft: Opinion, assigned: Any) -> None:
    opinions.submit_for_cosignature(opinion=draft, by=assigned.specialist)
    with pytest.raises(opinions.OpinionError, match="co-sign"):
        opinions.sign(opinion=draft, by=assigned.specialist)


def test_an_addendum_is_a_new_version_that_supersedes_the_signed_one(draft: Opinion, assigned: Any) -> None:
    opinions.sign(opinion=draft, by=assigned.specialist)
    addendum = opinions.write_addendum(opinion=draft, by=assigned.specialist, reason="MYC FISH came back positive.")
    assert (addendum.version, addendum.supersedes, addendum.status) == (2, draft, OpinionStatus.DRAFT)
    assert addendum.treatment == draft.treatment
    opinions.update_draft(opinion=addendum, by=assigned.specialist, fields={"treatment": {"regimen": "DA-EPOCH-R"}})
    signed = opinions.sign(opinion=addendum, by=assigned.specialist)
    payload = OutboundEvent.objects.filter(kind="opinion.signed").latest("id").payload
    assert (payload["version"], payload["supersedes_version"]) == (2, 1)
    assert payload["addendum_reason"] == "MYC FISH came back positive."
    assert payload["content_hash"] == signed.content_hash


def test_an_addendum_needs_a_reason(draft: Opinion, assigned: Any) -> None:
    opinions.sign(opinion=draft, by=assigned.specialist)
    with pytest.raises(opinions.OpinionError):
        opinions.write_addendum(opinion=draft, by=assigned.specialist, reason="")


def test_the_case_is_delivered_when_the_gateway_acknowledges_the_opinion(draft: Opinion, assigned: Any) -> None:
    opinions.sign(opinion=draft, by=assigned.specialist)
    event = OutboundEvent.objects.get(kind="opinion.signed")
    event.status = OutboundEvent.Status.SENT
    event.sent_at = timezone.now()
    event.save()
    consult = assigned.request
    consult.refresh_from_db()
    assert consult.state == State.DELIVERED
    assert consult.delivered_at is not None


def test_a_failed_delivery_leaves_the_case_signed(draft: Opinion, assigned: Any) -> None:
    opinions.sign(opinion=draft, by=assigned.specialist)
    event = OutboundEvent.objects.get(kind="opinion.signed")
    event.status = OutboundEvent.Status.FAILED
    event.save()
    assigned.request.refresh_from_db()
    assert assigned.request.state == State.SIGNED
