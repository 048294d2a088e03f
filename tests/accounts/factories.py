"""Factories for institutions, users, roles and TOTP devices."""

from __future__ import annotations

from typing import Any

import factory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from huizhen.apps.accounts.models import Institution, Membership, Role, User

PASSWORD = "correct horse battery staple"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        django_get_or_create = ("name",)

    name = "Los Angeles Comprehensive Cancer Center"
    kind = Institution.Kind.CONSULTING_CENTER
    country = "US"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sarah"
    last_name = "Miller"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = Role.CONSULTING_SPECIALIST


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now for this device."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code no authenticator app would show now (neighbouring time steps are accepted too)."""
    accepted = {
        totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift) for drift in (-1, 0, 1)
    }
    return f"{next(n for n in range(10) if n not in accepted):06d}"


def sign_in(client: Any, *, role: str = Role.CONSULTING_SPECIALIST, **user_fields: Any) -> User:
    """Sign a new user with ``role`` in through the real password and TOTP pages; returns the user."""
    from django.urls import reverse

    membership = MembershipFactory(role=role, **{f"user__{key}": value for key, value in user_fields.items()})
    device = TOTPDeviceFactory(user=membership.user)
    client.post(reverse("accounts:login"), {"username": membership.user.username, "password": PASSWORD})
    response = client.post(reverse("accounts:otp"), {"code": current_code(device)})
    assert response.status_code == 302, "sign-in did not complete"
    return membership.user
