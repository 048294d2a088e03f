"""The signed consultation endpoints over real HTTP: events applied once, refused with reasons; files by hash.

The live test server is registered as a peer of itself, so every call crosses a real
loopback socket, signed and verified both ways. Its role is set per test to the role
the sender would have.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings as django_settings

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults.models import ConsultRequest, InboundEvent, ReceivedBlob, State
from huizhen.apps.nodes.identity import node_identity
from huizhen.apps.nodes.models import Peer
from huizhen.apps.nodes.services import PeerCallError, add_peer, signed_request

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def self_peer(live_server: Any) -> Peer:
    peer = add_peer(base_url=live_server.url, fingerprint=node_identity().fingerprint, name="Self")
    peer.role = Peer.Role.GATEWAY  # it sends as a gateway to this hub
    peer.save()
    return peer


def _case_payload(reference: str = "HZ-N000001", attachments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "reference": reference,
        "pseudonym": "PT-ABCDEFGH",
        "program": "second_opinion",
        "urgency": "routine",
        "subspecialty": "lymphoma",
        "language": "en",
        "question": "Is the diagnosis right?",
        "summary": {"diagnoses": [{"text": "DLBCL", "icd10": "C83.3", "date": "2026-04-18"}]},
        "referring_physician_name": "Wei Zhang",
        "referring_institution": "Wuhan Union Hospital",
        "attachments": attachments or [],
        "submitted_at": "2026-11-25T10:00:00+00:00",
        "export_facts": {"subject": {"country": "CN", "us_person": False}},
    }


def _post_event(peer: Peer, kind: str, payload: dict[str, Any], event_id: str | None = None) -> httpx.Response:
    body = {
        "id": event_id or str(uuid.uuid4()),
        "kind": kind,
        "reference": payload.get("reference"),
        "payload": payload,
    }
    return signed_request(peer=peer, method="POST", path="/api/node/consults/events", json=body)


def _put_blob(peer: Peer, content: bytes, sha256: str | None = None) -> httpx.Response:
    digest = sha256 or hashlib.sha256(content).hexdigest()
    return signed_request(peer=peer, method="PUT", path=f"/api/node/consults/blobs/{digest}", content=content)


def test_an_unsigned_event_is_refused(live_server: Any) -> None:
    response = httpx.post(f"{live_server.url}/api/node/consults/events", json={"kind": "case.submitted"})

    assert response.status_code == 401


def test_a_case_from_a_gateway_arrives_at_the_hub_as_submitted(self_peer: Peer) -> None:
    response = _post_event(self_peer, "case.submitted", _case_payload())

    assert response.status_code == 200, response.text
    consult = ConsultRequest.objects.get(reference="HZ-N000001")
    assert consult.state == State.SUBMITTED
    assert consult.patient is None
    assert consult.peer == self_peer


def test_the_same_event_delivered_twice_is_applied_once(self_peer: Peer) -> None:
    event_id = str(uuid.uuid4())
    _post_event(self_peer, "case.submitted", _case_payload(), event_id)

    again = _post_event(self_peer, "case.submitted", _case_payload(), event_id)

    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert InboundEvent.objects.filter(uid=event_id).count() == 1
    assert ConsultRequest.objects.filter(reference="HZ-N000001").count() == 1


def test_an_unknown_kind_is_refused_as_a_bad_request(self_peer: Peer) -> None:
    response = _post_event(self_peer, "case.teleported", _case_payload())

    assert response.status_code == 400
    assert response.json()["error"] == "unknown_kind"


def test_a_hub_refuses_a_case_from_a_peer_that_is_not_a_gateway(self_peer: Peer) -> None:
    self_peer.role = Peer.Role.HUB
    self_peer.save()

    response = _post_event(self_peer, "case.submitted", _case_payload())

    assert response.status_code == 403
    assert not ConsultRequest.objects.filter(reference="HZ-N000001").exists()
    assert AuditEntry.objects.filter(action="consults.event_refused").exists()


def test_a_gateway_refuses_an_opinion_from_a_peer_that_is_not_a_hub(self_peer: Peer, settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    self_peer.role = Peer.Role.GATEWAY
    self_peer.save()

    response = _post_event(self_peer, "opinion.signed", {"reference": "HZ-N000001", "version": 1})

    assert response.status_code == 403


def test_a_case_whose_files_have_not_arrived_is_refused_and_not_recorded(self_peer: Peer) -> None:
    content = b"de-identified report"
    attachment = {"sha256": hashlib.sha256(content).hexdigest(), "kind": "text", "filename": "report-1.txt"}
    event_id = str(uuid.uuid4())

    response = _post_event(self_peer, "case.submitted", _case_payload(attachments=[attachment]), event_id)

    assert response.status_code == 409
    assert not ConsultRequest.objects.filter(reference="HZ-N000001").exists()
    assert not InboundEvent.objects.filter(uid=event_id).exists()


def test_a_refused_event_is_applied_when_retried_after_its_files_arrive(self_peer: Peer) -> None:
    content = b"de-identified report"
    attachment = {"sha256": hashlib.sha256(content).hexdigest(), "kind": "text", "filename": "report-1.txt"}
    event_id = str(uuid.uuid4())
    _post_event(self_peer, "case.submitted", _case_payload(attachments=[attachment]), event_id)

    _put_blob(self_peer, content)
    retried = _post_event(self_peer, "case.submitted", _case_payload(attachments=[attachment]), event_id)

    assert retried.status_code == 200
    consult = ConsultRequest.objects.get(reference="HZ-N000001")
    assert consult.attachments.get().sha256 == attachment["sha256"]


def test_a_file_is_stored_under_its_hash(self_peer: Peer) -> None:
    content = b"\x00DICM de-identified bytes"

    response = _put_blob(self_peer, content)

    assert response.status_code == 200
    blob = ReceivedBlob.objects.get(sha256=hashlib.sha256(content).hexdigest())
    assert (Path(django_settings.HUIZHEN_BLOB_DIR) / blob.blob).read_bytes() == content


def test_sending_the_same_file_twice_keeps_one_copy(self_peer: Peer) -> None:
    content = b"once"
    _put_blob(self_peer, content)

    again = _put_blob(self_peer, content)

    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert ReceivedBlob.objects.count() == 1


def test_a_file_that_does_not_match_its_hash_is_refused(self_peer: Peer) -> None:
    response = _put_blob(self_peer, b"tampered", sha256=hashlib.sha256(b"original").hexdigest())

    assert response.status_code == 422
    assert not ReceivedBlob.objects.exists()


def test_a_file_over_the_size_limit_is_refused(self_peer: Peer, settings: Any) -> None:
    settings.HUIZHEN_MAX_BLOB_BYTES = 10

    # Refused before the signature is read: an unsigned 413, which the sender cannot trust as an answer.
    with pytest.raises(PeerCallError):
        _put_blob(self_peer, b"x" * 11)

    assert not ReceivedBlob.objects.exists()


def test_a_file_alone_creates_no_case(self_peer: Peer) -> None:
    _put_blob(self_peer, b"a study instance")

    assert not ConsultRequest.objects.exists()


def test_an_event_larger_than_djangos_form_limit_is_accepted(self_peer: Peer) -> None:
    payload = _case_payload()
    payload["summary"]["history"] = "淋巴结肿大。" * 200_000  # about 3.6 MB of UTF-8

    response = _post_event(self_peer, "case.submitted", payload)

    assert response.status_code == 200, response.text
    assert ConsultRequest.objects.filter(reference="HZ-N000001").exists()


def test_an_event_over_the_event_limit_is_refused(self_peer: Peer, settings: Any) -> None:
    settings.HUIZHEN_MAX_EVENT_BYTES = 1000
    payload = _case_payload()
    payload["question"] = "x" * 2000

    with pytest.raises(PeerCallError):
        _post_event(self_peer, "case.submitted", payload)

    assert not ConsultRequest.objects.exists()
