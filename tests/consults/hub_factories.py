"""Factories for the hub's people: specialists with a profile, coordinators, the program director."""

from __future__ import annotations

from typing import Any

import factory

from huizhen.apps.accounts.models import Role
from huizhen.apps.consults.models import Assignment, SpecialistProfile
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.consults.factories import HubConsultRequestFactory


class SpecialistProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialistProfile

    user = factory.SubFactory(UserFactory)
    subspecialties = factory.LazyFunction(lambda: ["lymphoma"])
    languages = factory.LazyFunction(lambda: ["en"])


def hub_user(role: str = Role.CONSULTING_SPECIALIST, **user_fields: Any) -> Any:
    """A user holding ``role`` at the consulting centre."""
    return MembershipFactory(role=role, **{f"user__{key}": value for key, value in user_fields.items()}).user


def specialist(*, subspecialties: list[str] | None = None, languages: list[str] | None = None, **fields: Any) -> Any:
    """A consulting specialist with a profile (lymphoma, English by default)."""
    user = hub_user(Role.CONSULTING_SPECIALIST, **fields)
    SpecialistProfileFactory(user=user, subspecialties=subspecialties or ["lymphoma"], languages=languages or ["en"])
    return user


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    request = factory.LazyFunction(lambda: hub_case(state="in_review"))
    specialist = factory.LazyFunction(specialist)
    lead = True
    assigned_by = factory.LazyFunction(lambda: hub_user(Role.CASE_COORDINATOR))


def export_facts() -> dict[str, Any]:
    """What a gateway's package tells the hub for its policy checks (as intake stores it)."""
    return {
        "subject": {"country": "CN", "us_person": False, "age": 61},
        "consent": {"cross_border": True, "telemedicine": True},
        "volume": {"individuals_exported_this_year": 3},
    }


def hub_case(**fields: Any) -> Any:
    """A received case as intake leaves it: de-identified, with the gateway's policy facts and agreement."""
    from tests.consults.factories import PartnerAgreementFactory

    consult = HubConsultRequestFactory(**{"export_facts": export_facts(), **fields})
    if consult.peer is not None and not hasattr(consult.peer, "agreement"):
        PartnerAgreementFactory(peer=consult.peer, country="CN")
    return consult


def sign_in_as(client: Any, user: Any) -> None:
    """Sign an existing ``user`` in through the real password and TOTP pages."""
    from django.urls import reverse

    from tests.accounts.factories import PASSWORD, TOTPDeviceFactory, current_code

    device = TOTPDeviceFactory(user=user)
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    response = client.post(reverse("accounts:otp"), {"code": current_code(device)})
    assert response.status_code == 302, "sign-in did not complete"
