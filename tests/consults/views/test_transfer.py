"""The transfer progress partial on the gateway's case page and the hub's workspace, and its polling URL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from huizhen.apps.accounts.models import Role
from huizhen.apps.consults.models import CaseTransfer, ConsultRequest
from tests.accounts.factories import MembershipFactory, sign_in
from tests.consults.factories import ConsultRequestFactory, ReferringHospitalFactory
from tests.consults.hub_factories import hub_case

pytestmark = pytest.mark.django_db

MIB = 2**20


def _transfer(consult: ConsultRequest, direction: str, **fields: Any) -> CaseTransfer:
    now = timezone.now()
    values: dict[str, Any] = {
        "request": consult,
        "reference": consult.reference,
        "peer": consult.peer,
        "direction": direction,
        "files": 3,
        "total_bytes": 100 * MIB,
        "sent_bytes": 25 * MIB,
        "rate_bps": 40e6,
        "state": CaseTransfer.TransferState.RUNNING,
        "started_at": now - timedelta(seconds=5),
        "updated_at": now,
        **fields,
    }
    return CaseTransfer.objects.create(**values)


@pytest.fixture
def physician(client: Client, settings: Any) -> Any:
    settings.HUIZHEN_ROLE = "gateway"
    user = sign_in(client, role=Role.REFERRING_PHYSICIAN)
    MembershipFactory(user=user, institution=ReferringHospitalFactory(), role=Role.REFERRING_PHYSICIAN)
    return user


@pytest.fixture
def coordinator(client: Client, settings: Any) -> Any:
    settings.HUIZHEN_ROLE = "hub"
    settings.HUIZHEN_COUNTRY = "US"
    return sign_in(client, role=Role.CASE_COORDINATOR)


def test_the_gateway_case_page_shows_a_running_transfer_with_percent_rate_and_time_left(
    client: Client, physician: Any
) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    _transfer(consult, CaseTransfer.Direction.OUTGOING)

    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()

    assert 'data-testid="case-transfer"' in page
    assert "25.0 %" in page
    assert "40.00 Mbit/s" in page
    assert ">16 s<" in page  # 75 MiB at 40 Mbit/s
    poll = reverse("consults:transfer_progress", args=[consult.reference])
    assert f'hx-get="{poll}"' in page
    assert 'hx-trigger="every 2s"' in page


def test_the_polled_partial_follows_the_transfer_and_stops_polling_when_done(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    row = _transfer(consult, CaseTransfer.Direction.OUTGOING)
    poll = reverse("consults:transfer_progress", args=[consult.reference])
    assert "25.0 %" in client.get(poll).content.decode()

    CaseTransfer.objects.filter(pk=row.pk).update(
        sent_bytes=100 * MIB, state=CaseTransfer.TransferState.DONE, finished_at=timezone.now()
    )
    partial = client.get(poll).content.decode()

    assert "100.0 %" in partial
    assert 'data-state="done"' in partial
    assert "hx-trigger" not in partial


def test_a_case_whose_files_never_travelled_shows_no_transfer(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory(referring_physician=physician)
    page = client.get(reverse("consults:case", args=[consult.reference])).content.decode()
    assert "case-transfer" not in page


def test_another_physician_cannot_poll_a_cases_transfer(client: Client, physician: Any) -> None:
    consult = ConsultRequestFactory()
    _transfer(consult, CaseTransfer.Direction.OUTGOING)
    response = client.get(reverse("consults:transfer_progress", args=[consult.reference]))
    assert response.status_code == 403


def test_the_hub_workspace_shows_the_incoming_transfer(client: Client, coordinator: Any) -> None:
    consult = hub_case()
    _transfer(
        consult,
        CaseTransfer.Direction.INCOMING,
        sent_bytes=100 * MIB,
        state=CaseTransfer.TransferState.DONE,
        finished_at=timezone.now(),
    )

    page = client.get(reverse("consults:workspace", args=[consult.reference])).content.decode()

    assert 'data-testid="case-transfer"' in page
    assert "100.0 %" in page
    assert "40.00 Mbit/s" in page


def test_the_hub_partial_polls_a_running_incoming_transfer(client: Client, coordinator: Any) -> None:
    consult = hub_case()
    _transfer(consult, CaseTransfer.Direction.INCOMING, sent_bytes=50 * MIB)

    partial = client.get(reverse("consults:transfer_progress", args=[consult.reference])).content.decode()

    assert "50.0 %" in partial
    assert 'hx-trigger="every 2s"' in partial
    assert ">10 s<" in partial  # 50 MiB at 40 Mbit/s


def test_the_hub_lists_incoming_transfers_before_their_case_exists(client: Client, coordinator: Any) -> None:
    from tests.nodes.factories import PeerFactory

    peer = PeerFactory(name="Wuhan gateway")
    now = timezone.now()
    CaseTransfer.objects.create(
        reference="HZ-T000777",
        peer=peer,
        direction=CaseTransfer.Direction.INCOMING,
        files=12,
        total_bytes=400 * MIB,
        sent_bytes=100 * MIB,
        rate_bps=42e6,
        started_at=now,
        updated_at=now,
    )

    page = client.get(reverse("consults:transfers")).content.decode()
    rows = client.get(reverse("consults:transfers") + "?rows=1").content.decode()

    assert "HZ-T000777" in page
    assert "Wuhan gateway" in page
    assert "25.0 %" in page
    assert "42.00 Mbit/s" in page
    assert ">60 s<" in page  # 300 MiB at 42 Mbit/s
    assert 'hx-trigger="every 2s"' in rows
    assert "<html" not in rows


def test_a_specialist_cannot_list_the_hubs_transfers(client: Client, settings: Any) -> None:
    settings.HUIZHEN_ROLE = "hub"
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    assert client.get(reverse("consults:transfers")).status_code == 403


def test_a_physician_lists_only_the_transfers_of_their_own_cases(client: Client, physician: Any) -> None:
    mine = ConsultRequestFactory(referring_physician=physician)
    other = ConsultRequestFactory()
    _transfer(mine, CaseTransfer.Direction.OUTGOING)
    _transfer(other, CaseTransfer.Direction.OUTGOING)

    page = client.get(reverse("consults:transfers")).content.decode()

    assert mine.reference in page
    assert other.reference not in page
