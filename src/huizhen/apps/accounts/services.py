"""Signing in and out, TOTP enrollment, language preference and the demo accounts.

Sign-in is two steps. The password step (:func:`check_password_step`) goes through
``authenticate(request=...)`` so django-axes counts failures and locks a
username-and-address pair out; a right password only marks the session *pending*.
The second step (:func:`verify_second_factor` or :func:`confirm_enrollment`) checks a
TOTP code (RFC 6238) and only then logs the user in. A wrong code is reported to axes
as a failed login, so guessing codes locks the account out exactly like guessing
passwords, on top of django-otp's own per-device throttling. Every outcome is audited.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from huizhen.apps.accounts.models import Institution, Membership, Role, User
from huizhen.apps.accounts.selectors import (
    PENDING_SESSION_KEY,
    confirmed_totp_device,
    is_locked_out,
    pending_login,
)
from huizhen.apps.audit.services import record_event

DEVICE_NAME = "Authenticator app"
DEMO_PASSWORD = "huizhen-demo-2026"  # noqa: S105 - printed for demo users, never a real account


def _locked_out(request: HttpRequest) -> bool:
    return bool(getattr(request, "axes_locked_out", False))


def check_password_step(*, request: HttpRequest, username: str, password: str, next_url: str = "") -> User | None:
    """First factor. On success the session becomes pending; on failure the attempt is audited."""
    user: Any = auth.authenticate(request=request, username=username, password=password)
    if user is None:
        # A refusal during lockout is audited as auth.locked_out by the axes signal receiver.
        if not _locked_out(request):
            record_event(
                action="auth.login_failed",
                actor=username,
                detail={"step": "password"},
                outcome="denied",
                request=request,
            )
        return None
    request.session[PENDING_SESSION_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "at": time.time(),
        "next": next_url,
    }
    return user  # type: ignore[no-any-return]


def start_enrollment(*, user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first visit so the QR code stays the same on reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def _code_failed(*, request: HttpRequest, user: User, step: str) -> None:
    record_event(
        action="auth.login_failed", actor=user.get_username(), detail={"step": step}, outcome="denied", request=request
    )
    # Counted by axes like a wrong password (same username + address), so it can lock out.
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def _complete_login(*, request: HttpRequest, user: User, device: TOTPDevice) -> None:
    pending = pending_login(request) or {}
    if not request.user.is_authenticated:
        # django-otp's user_logged_in receiver marks the session verified with this device.
        user.otp_device = device  # type: ignore[attr-defined]
        auth.login(request, user, backend=pending.get("backend", "django.contrib.auth.backends.ModelBackend"))
    else:
        from django_otp import login as otp_login

        otp_login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)
    record_event(action="auth.login", actor=user, detail={"device": device.persistent_id}, request=request)


def verify_second_factor(*, request: HttpRequest, user: User, token: str) -> bool:
    device = confirmed_totp_device(user)
    if device is None or is_locked_out(request=request, user=user):
        return False
    if not device.verify_token(token.strip()):
        _code_failed(request=request, user=user, step="totp")
        return False
    _complete_login(request=request, user=user, device=device)
    return True


def confirm_enrollment(*, request: HttpRequest, user: User, device: TOTPDevice, token: str) -> bool:
    """Confirm a new device with its first code; that code also completes the sign-in."""
    if device.user_id != user.pk or device.confirmed or is_locked_out(request=request, user=user):
        return False
    if not device.verify_token(token.strip()):
        _code_failed(request=request, user=user, step="enrollment")
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_event(action="auth.otp_enrolled", actor=user, detail={"device": device.persistent_id}, request=request)
    _complete_login(request=request, user=user, device=device)
    return True


def log_out(*, request: HttpRequest) -> None:
    if request.user.is_authenticated:
        record_event(action="auth.logout", actor=request.user, request=request)
    auth.logout(request)


def set_preferred_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unsupported language: {language}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    first_name: str
    last_name: str
    language: str = "en"
    superuser: bool = False


@dataclass(frozen=True)
class SeededLogin:
    username: str
    role: str
    created: bool


DEMO_INSTITUTIONS: dict[str, dict[str, str]] = {
    "gateway": {
        "name": "Wuhan Union Hospital Cancer Center",
        "name_local": "武汉协和医院肿瘤中心",
        "kind": Institution.Kind.REFERRING_HOSPITAL,
        "country": "CN",
    },
    "hub": {
        "name": "Los Angeles Comprehensive Cancer Center",
        "name_local": "",
        "kind": Institution.Kind.CONSULTING_CENTER,
        "country": "US",
    },
}

DEMO_USERS: dict[str, list[DemoUser]] = {
    "gateway": [
        DemoUser("dr.li", Role.REFERRING_PHYSICIAN, "Na", "Li", language="zh-hans"),
        DemoUser("coord.wang", Role.CASE_COORDINATOR, "Fang", "Wang", language="zh-hans"),
        DemoUser("privacy.zhou", Role.PRIVACY_OFFICER, "Jie", "Zhou", language="zh-hans"),
        DemoUser("translator.huang", Role.TRANSLATOR, "Lei", "Huang", language="zh-hans"),
        DemoUser("admin.gw", Role.ADMIN, "Gateway", "Administrator", superuser=True),
    ],
    "hub": [
        DemoUser("dr.miller", Role.CONSULTING_SPECIALIST, "Sarah", "Miller"),
        DemoUser("coord.garcia", Role.CASE_COORDINATOR, "Maria", "Garcia"),
        DemoUser("director.chen", Role.PROGRAM_DIRECTOR, "David", "Chen"),
        DemoUser("translator.lin", Role.TRANSLATOR, "Grace", "Lin"),
        DemoUser("admin.hub", Role.ADMIN, "Hub", "Administrator", superuser=True),
    ],
}


@transaction.atomic
def seed_demo(*, node_role: str, password: str = DEMO_PASSWORD) -> list[SeededLogin]:
    """Create this node's demo institution and people; existing rows are left exactly as they are."""
    spec = DEMO_INSTITUTIONS[node_role]
    institution, _ = Institution.objects.get_or_create(name=spec["name"], defaults=spec)
    seeded: list[SeededLogin] = []
    for demo in DEMO_USERS[node_role]:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "language": demo.language,
                "is_staff": demo.superuser,
                "is_superuser": demo.superuser,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, institution=institution, role=demo.role)
        seeded.append(SeededLogin(username=demo.username, role=demo.role, created=created))
    return seeded
