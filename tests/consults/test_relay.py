"""The outbox: events delivered signed over real HTTP, failures kept for retry, and the gateway's last guard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings

from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.consults import relay
from huizhen.apps.consults.models import ConsultRequest, OutboundEvent
from huizhen.apps.nodes.identity import node_identity
from huizhen.apps.nodes.models import Peer
from huizhen.apps.nodes.services import add_peer
from tests.consults.factories import ConsultRequestFactory, PatientFactory
from tests.nodes.factories import PeerFactory

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"
    settings.HUIZHEN_COUNTRY = "CN"


def _identified_case() -> ConsultRequest:
    patient = PatientFactory(
        family_name="欧阳",
        given_name="震华",
        name_latin="Zhenhua OUYANG",
        mrn="ZX-88231977",
        national_id="420102196503127719",
        phone="13976543210",
        email="ouyang.zhenhua@example.cn",
        birth_date=dt.date(1965, 3, 12),
    )
    return ConsultRequestFactory(patient=patient)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("MRN ZX-88231977", "medical record number"),
        ("病案号：ZX88231977", "medical record number"),
        ("患者欧阳震华", "name"),
        ("OUYANG^ZHENHUA", "name"),
        ("ID 420102 19650312 7719", "national ID"),
        ("call 139-7654-3210", "phone"),
        ("OUYANG.ZHENHUA@EXAMPLE.CN", "e-mail"),
        ("DOB 19650312", "birth date"),
        ("出生于1965年3月12日", "birth date"),
    ],
)
def test_the_gateway_refuses_to_send_a_payload_holding_the_patients_identifier(
    gateway: None, text: str, kind: str
) -> None:
    consult = _identified_case()
    payload = {"reference": consult.reference, "summary": {"history": f"note: {text}"}}

    with pytest.raises(relay.LeakBlocked) as blocked:
        relay.send_event(peer=consult.peer, kind="message.posted", payload=payload, consult=consult)

    assert kind in blocked.value.kinds
    assert not OutboundEvent.objects.exists()


@pytest.mark.django_db
def test_a_blocked_leak_is_audited_without_the_identifier(gateway: None) -> None:
    consult = _identified_case()

    with pytest.raises(relay.LeakBlocked):
        relay.send_event(
            peer=consult.peer, kind="case.submitted", payload={"reference": consult.reference, "q": "ZX-88231977"}
        )

    entry = AuditEntry.objects.get(action="consults.leak_blocked")
    assert entry.target == consult.reference
    assert "ZX-88231977" not in str(entry.detail)


@pytest.mark.django_db
def test_a_de_identified_payload_passes_the_guard(gateway: None) -> None:
    consult = _identified_case()
    payload = {"reference": consult.reference, "question": "[姓名-1]（病案号[病案号-1]）R-CHOP后部分缓解"}

    event = relay.record_outbound(peer=consult.peer, kind="message.posted", payload=payload, consult=consult)

    assert event.status == OutboundEvent.Status.PENDING


@pytest.fixture
def hub_self_peer(live_server: Any) -> Peer:
    """This hub registered as its own peer, sending as a gateway would."""
    peer = add_peer(base_url=live_server.url, fingerprint=node_identity().fingerprint, name="Self")
    peer.role = Peer.Role.GATEWAY
    peer.save()
    return peer


def _case_event(peer: Peer) -> OutboundEvent:
    payload = {"reference": "HZ-R000001", "pseudonym": "PT-RELAY001", "question": "Is it DLBCL?", "language": "en"}
    return relay.record_outbound(peer=peer, kind="case.submitted", payload=payload)


@pytest.mark.django_db(transaction=True)
def test_a_delivered_event_is_marked_sent(hub_self_peer: Peer) -> None:
    event = _case_event(hub_self_peer)

    relay.deliver(event)

    event.refresh_from_db()
    assert event.status == OutboundEvent.Status.SENT
    assert event.sent_at is not None
    assert ConsultRequest.objects.filter(reference="HZ-R000001").exists()


@pytest.mark.django_db(transaction=True)
def test_send_event_delivers_in_the_background_after_commit(hub_self_peer: Peer) -> None:
    with override_settings(TASKS=IMMEDIATE_TASKS):
        event = relay.send_event(
            peer=hub_self_peer, kind="case.submitted", payload={"reference": "HZ-R000002", "question": "?"}
        )

    event.refresh_from_db()
    assert event.status == OutboundEvent.Status.SENT


@pytest.mark.django_db
def test_an_unreachable_peer_leaves_the_event_failed_with_the_reason() -> None:
    peer = PeerFactory(base_url="http://127.0.0.1:9", role=Peer.Role.HUB)
    event = relay.record_outbound(peer=peer, kind="case.status", payload={"reference": "HZ-R000003"})

    with pytest.raises(relay.DeliveryFailed):
        relay.deliver(event, timeout=2)

    event.refresh_from_db()
    assert event.status == OutboundEvent.Status.FAILED
    assert "could not be reached" in event.last_error
    assert event.attempts == 1


@pytest.mark.django_db
def test_the_delivery_task_gives_up_after_the_last_attempt_and_says_so() -> None:
    peer = PeerFactory(base_url="http://127.0.0.1:9", role=Peer.Role.HUB)
    event = relay.record_outbound(peer=peer, kind="case.status", payload={"reference": "HZ-R000004"})

    with override_settings(TASKS=IMMEDIATE_TASKS):
        relay.deliver_outbound_event.enqueue(event_uid=str(event.uid), retry_attempt=relay.MAX_DELIVERY_ATTEMPTS)

    assert AuditEntry.objects.filter(action="consults.event_gave_up").exists()


@pytest.mark.django_db
def test_a_sent_event_is_not_sent_again() -> None:
    peer = PeerFactory(base_url="http://127.0.0.1:9", role=Peer.Role.HUB)
    event = relay.record_outbound(peer=peer, kind="case.status", payload={"reference": "HZ-R000005"})
    OutboundEvent.objects.filter(pk=event.pk).update(status=OutboundEvent.Status.SENT)

    with override_settings(TASKS=IMMEDIATE_TASKS):
        relay.deliver_outbound_event.enqueue(event_uid=str(event.uid))

    event.refresh_from_db()
    assert event.attempts == 0


def test_event_refused_says_whether_to_retry() -> None:
    assert relay.EventRefused("file not here yet").retryable is True
    assert relay.EventRefused("malformed", retryable=False).retryable is False


@pytest.mark.django_db
def test_hashes_and_dicom_paths_are_not_read_as_identifiers(gateway: None) -> None:
    consult = _identified_case()
    payload = {
        "reference": consult.reference,
        "attachments": [
            {"sha256": "19650312" + "0" * 56, "files": [{"path": "2.25.19650312/2.25.13976543210/2.25.7.dcm"}]}
        ],
    }

    event = relay.record_outbound(peer=consult.peer, kind="case.submitted", payload=payload, consult=consult)

    assert event.status == OutboundEvent.Status.PENDING
