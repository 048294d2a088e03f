"""The hub's intake: a gateway's package becomes the hub's de-identified case; answers resume triage."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from huizhen.apps.accounts.models import Role
from huizhen.apps.consults import translations
from huizhen.apps.consults.intake import on_case_submitted, on_info_provided
from huizhen.apps.consults.models import (
    ConsultRequest,
    DeidStatus,
    Message,
    MessageKind,
    Notification,
    ReceivedBlob,
    State,
)
from huizhen.apps.consults.relay import EventRefused
from huizhen.apps.nodes.models import Peer
from tests.accounts.factories import MembershipFactory
from tests.consults.factories import HubConsultRequestFactory
from tests.nodes.factories import PeerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway_peer() -> Peer:
    return PeerFactory(role=Peer.Role.GATEWAY)


def _received(peer: Peer, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()
    relative = f"received/{digest[:2]}/{digest}"
    path = Path(django_settings.HUIZHEN_BLOB_DIR) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    ReceivedBlob.objects.create(sha256=digest, peer=peer, size=len(content), blob=relative)
    return digest


def _payload(reference: str = "HZ-I000001", **extra: Any) -> dict[str, Any]:
    return {
        "reference": reference,
        "pseudonym": "PT-INTAKE01",
        "program": "second_opinion",
        "urgency": "urgent",
        "subspecialty": "lymphoma",
        "language": "zh",
        "question": "[姓名-1]R-CHOP后部分缓解，下一步？",
        "summary": {"pathology": "弥漫大B细胞淋巴瘤", "diagnoses": [{"text": "弥漫大B细胞淋巴瘤", "icd10": "C83.3"}]},
        "referring_physician_name": "Wei Zhang",
        "referring_institution": "Wuhan Union Hospital",
        "attachments": [],
        "submitted_at": "2026-11-25T10:00:00+00:00",
        "export_facts": {"subject": {"country": "CN", "us_person": False}, "consent": {"cross_border": True}},
        **extra,
    }


def _submit(peer: Peer, payload: dict[str, Any]) -> ConsultRequest:
    on_case_submitted(peer=peer, payload=payload, event_id=str(uuid.uuid4()))
    return ConsultRequest.objects.get(reference=payload["reference"])


def test_a_received_case_waits_for_triage_with_no_patient(gateway_peer: Peer) -> None:
    consult = _submit(gateway_peer, _payload())

    assert consult.state == State.SUBMITTED
    assert consult.patient is None
    assert consult.patient_pseudonym == "PT-INTAKE01"
    assert consult.urgency == "urgent"
    assert consult.export_facts["consent"] == {"cross_border": True}


def test_a_text_report_becomes_an_attachment_of_the_hub_case(gateway_peer: Peer) -> None:
    digest = _received(gateway_peer, "病理报告：[姓名-1]".encode())
    payload = _payload(attachments=[{"sha256": digest, "kind": "text", "filename": "report-1.txt", "title": "病理"}])

    attachment = _submit(gateway_peer, payload).attachments.get()

    assert attachment.sha256 == digest
    assert attachment.deid_status == DeidStatus.INCLUDED
    assert (Path(django_settings.HUIZHEN_BLOB_DIR) / attachment.blob).read_text() == "病理报告：[姓名-1]"


def test_a_dicom_study_is_laid_out_by_its_new_uids(gateway_peer: Peer) -> None:
    files = []
    for number in (1, 2):
        digest = _received(gateway_peer, f"instance {number}".encode())
        files.append({"sha256": digest, "path": f"2.25.1/2.25.2/2.25.{number}.dcm", "size": 10})
    study = {"sha256": "a" * 64, "kind": "dicom", "filename": "study-1", "files": files}

    attachment = _submit(gateway_peer, _payload(attachments=[study])).attachments.get()

    root = Path(django_settings.HUIZHEN_BLOB_DIR) / attachment.blob
    assert sorted(p.name for p in root.rglob("*.dcm")) == ["2.25.1.dcm", "2.25.2.dcm"]


def test_a_case_whose_file_has_not_arrived_is_refused_for_a_retry(gateway_peer: Peer) -> None:
    payload = _payload(attachments=[{"sha256": "b" * 64, "kind": "text", "filename": "x.txt"}])

    with pytest.raises(EventRefused) as refused:
        on_case_submitted(peer=gateway_peer, payload=payload, event_id=str(uuid.uuid4()))

    assert refused.value.retryable is True
    assert not ConsultRequest.objects.exists()


def test_a_dicom_path_that_could_escape_the_study_is_refused(gateway_peer: Peer) -> None:
    digest = _received(gateway_peer, b"instance")
    study = {"sha256": "c" * 64, "kind": "dicom", "files": [{"sha256": digest, "path": "../../etc/passwd"}]}

    with pytest.raises(EventRefused) as refused:
        on_case_submitted(peer=gateway_peer, payload=_payload(attachments=[study]), event_id=str(uuid.uuid4()))

    assert refused.value.retryable is False


def test_an_unknown_program_is_refused_as_wrong(gateway_peer: Peer) -> None:
    with pytest.raises(EventRefused) as refused:
        on_case_submitted(peer=gateway_peer, payload=_payload(program="tourism"), event_id=str(uuid.uuid4()))

    assert refused.value.retryable is False


def test_submitting_the_same_reference_again_changes_nothing(gateway_peer: Peer) -> None:
    _submit(gateway_peer, _payload())

    again = _submit(gateway_peer, _payload(question="changed"))

    assert again.question == "[姓名-1]R-CHOP后部分缓解，下一步？"
    assert ConsultRequest.objects.count() == 1


def test_another_gateway_cannot_take_over_a_reference(gateway_peer: Peer) -> None:
    _submit(gateway_peer, _payload())

    with pytest.raises(EventRefused):
        on_case_submitted(peer=PeerFactory(role=Peer.Role.GATEWAY), payload=_payload(), event_id=str(uuid.uuid4()))


def test_the_hubs_coordinators_are_told_of_a_new_case(gateway_peer: Peer) -> None:
    coordinator = MembershipFactory(role=Role.CASE_COORDINATOR).user
    specialist = MembershipFactory(role=Role.CONSULTING_SPECIALIST).user

    consult = _submit(gateway_peer, _payload())

    assert Notification.objects.filter(user=coordinator, request=consult).exists()
    assert not Notification.objects.filter(user=specialist).exists()


def test_the_free_text_of_a_chinese_case_is_sent_for_translation_into_english(gateway_peer: Peer) -> None:
    consult = _submit(gateway_peer, _payload())

    found = translations.translations_for(consult)

    assert {"question", "summary.pathology", "summary.diagnoses.0.text"} <= set(found)
    assert found["question"].target_lang == "en"
    assert found["question"].subject == f"{consult.reference}:question"


def test_translations_are_requested_once_per_field(gateway_peer: Peer) -> None:
    consult = _submit(gateway_peer, _payload())

    assert translations.request_case_translations(consult=consult) == []


def test_an_answer_to_a_question_resumes_the_case_where_it_was(gateway_peer: Peer) -> None:
    consult = HubConsultRequestFactory(peer=gateway_peer, state=State.INFO_REQUESTED, resume_state=State.ACCEPTED)
    message = {"uid": str(uuid.uuid4()), "body": "PET-CT已补充。", "language": "zh", "origin": "gateway"}

    on_info_provided(
        peer=gateway_peer, payload={"reference": consult.reference, "message": message}, event_id=str(uuid.uuid4())
    )

    consult.refresh_from_db()
    assert consult.state == State.ACCEPTED
    assert Message.objects.get(request=consult).kind == MessageKind.INFO_RESPONSE


def test_an_answer_from_another_gateway_is_refused(gateway_peer: Peer) -> None:
    consult = HubConsultRequestFactory(peer=gateway_peer, state=State.INFO_REQUESTED)
    message = {"uid": str(uuid.uuid4()), "body": "x"}

    with pytest.raises(EventRefused):
        on_info_provided(
            peer=PeerFactory(role=Peer.Role.GATEWAY),
            payload={"reference": consult.reference, "message": message},
            event_id=str(uuid.uuid4()),
        )
