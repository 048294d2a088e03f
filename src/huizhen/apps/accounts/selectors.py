"""Reading accounts: who is half-way through signing in, their devices, their roles.

A person who has given the right password but not yet a second factor is *pending*:
their id sits in the session, and they are not logged in. Nothing but the second
factor pages may act on a pending user.
"""

from __future__ import annotations

import time
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from huizhen.apps.accounts.models import Membership, User

PENDING_SESSION_KEY = "huizhen_pending_login"
# A password proves nothing for long: the second factor must follow within this time.
PENDING_MAX_AGE_SECONDS = 600


def pending_login(request: HttpRequest) -> dict[str, Any] | None:
    pending: dict[str, Any] | None = request.session.get(PENDING_SESSION_KEY)
    if not pending or time.time() - float(pending.get("at", 0)) > PENDING_MAX_AGE_SECONDS:
        return None
    return pending


def session_is_verified(request: HttpRequest) -> bool:
    """Signed in with password and second factor (``is_verified`` is added by django-otp's middleware)."""
    user: Any = getattr(request, "user", None)
    is_verified = getattr(user, "is_verified", None)
    return bool(user is not None and user.is_authenticated and is_verified is not None and is_verified())


def user_to_verify(request: HttpRequest) -> User | None:
    """The user whose second factor is asked for: pending, or signed in but unverified."""
    user: Any = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None if user.is_verified() else user
    pending = pending_login(request)
    if pending is None:
        return None
    return User.objects.filter(pk=pending["user_id"], is_active=True).first()


def is_locked_out(*, request: HttpRequest, user: User) -> bool:
    """Whether django-axes currently refuses this username from this address."""
    from axes.handlers.proxy import AxesProxyHandler

    locked: bool = AxesProxyHandler.is_locked(request, credentials={"username": user.get_username()})
    return locked


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_confirmed_totp_device(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("institution").order_by("institution__name", "role")


def users_with_memberships() -> QuerySet[User]:
    return User.objects.prefetch_related("memberships__institution").order_by("username")
