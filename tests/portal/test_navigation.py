"""The main navigation shows the consultation pages exactly to those who may open them."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from huizhen.apps.accounts.models import Role
from tests.accounts.factories import sign_in

pytestmark = pytest.mark.django_db


def _nav(client: Client) -> str:
    page = client.get(reverse("portal:home")).content.decode()
    match = re.search(r'<nav class="mainnav".*?</nav>', page, re.S)
    assert match, "no main navigation on the home page"
    return match.group(0)


@override_settings(HUIZHEN_ROLE="gateway")
def test_a_referring_physician_finds_consultations_and_patients_at_the_gateway(client: Client) -> None:
    sign_in(client, role=Role.REFERRING_PHYSICIAN)
    nav = _nav(client)
    assert 'href="/cases/"' in nav
    assert "Consultations" in nav
    assert 'href="/patients/"' in nav


def test_a_hub_specialist_finds_the_consult_queue_and_no_patient_registry(client: Client) -> None:
    sign_in(client, role=Role.CONSULTING_SPECIALIST)
    nav = _nav(client)
    assert "Consult queue" in nav
    assert 'href="/patients/"' not in nav


@override_settings(HUIZHEN_ROLE="gateway")
def test_a_translator_sees_neither_cases_nor_patients(client: Client) -> None:
    sign_in(client, role=Role.TRANSLATOR)
    nav = _nav(client)
    assert 'href="/cases/"' not in nav
    assert 'href="/patients/"' not in nav


def test_the_notifications_link_is_in_the_navigation(client: Client) -> None:
    sign_in(client, role=Role.CASE_COORDINATOR)
    assert 'data-testid="notifications-badge"' in _nav(client)


def test_a_hub_coordinator_can_reach_the_transfers_page_from_the_navigation(client: Client) -> None:
    sign_in(client, role=Role.CASE_COORDINATOR)
    assert f'href="{reverse("consults:transfers")}"' in _nav(client)
