"""Sign-in pages (password, TOTP code, first-time enrollment), sign-out, profile and user list.

Views parse the form, call one service and render; the rules live in
:mod:`huizhen.apps.accounts.services` and :mod:`huizhen.apps.accounts.permissions`.
"""

from __future__ import annotations

from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huizhen.apps.accounts import permissions, selectors, services
from huizhen.apps.accounts.forms import CodeForm, LanguageForm, PasswordStepForm
from huizhen.apps.accounts.models import User


def _locked_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/locked_out.html", status=429)


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("portal:home")


def _signed_in(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    response = HttpResponseRedirect(_safe_next(request, next_url))
    # The sign-in page after a later sign-out should speak the user's language too.
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax", max_age=365 * 86400)
    return response


def login_view(request: HttpRequest) -> HttpResponse:
    if selectors.session_is_verified(request):
        return redirect("portal:home")
    form = PasswordStepForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.method == "POST" and form.is_valid():
        user = services.check_password_step(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            next_url=next_url,
        )
        if user is not None:
            return redirect("accounts:otp" if selectors.has_confirmed_totp_device(user) else "accounts:enroll")
        form.add_error(None, _("The username or password is not correct."))
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=200)


def otp_view(request: HttpRequest) -> HttpResponse:
    user = selectors.user_to_verify(request)
    if user is None:
        return redirect("portal:home" if request.user.is_authenticated else "accounts:login")
    if not selectors.has_confirmed_totp_device(user):
        return redirect("accounts:enroll")
    if selectors.is_locked_out(request=request, user=user):
        return _locked_out(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        next_url = (selectors.pending_login(request) or {}).get("next", "")
        if services.verify_second_factor(request=request, user=user, token=form.cleaned_data["code"]):
            return _signed_in(request, user, next_url)
        form.add_error("code", _("This code is not valid. Wait for the next code and try again."))
    return render(request, "accounts/otp.html", {"form": form, "pending_user": user})


def _qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def enroll_view(request: HttpRequest) -> HttpResponse:
    user = selectors.user_to_verify(request)
    if user is None:
        return redirect("portal:home" if request.user.is_authenticated else "accounts:login")
    if selectors.has_confirmed_totp_device(user):
        # A second device may only be added by someone who has proven the first one.
        return redirect("accounts:otp")
    if selectors.is_locked_out(request=request, user=user):
        return _locked_out(request)
    device = services.start_enrollment(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        next_url = (selectors.pending_login(request) or {}).get("next", "")
        if services.confirm_enrollment(request=request, user=user, device=device, token=form.cleaned_data["code"]):
            # Stored as text now, shown on the next page: word it in the user's own language.
            with translation.override(user.language):
                messages.success(request, _("Two-factor sign-in is set up. Keep your authenticator app safe."))
            return _signed_in(request, user, next_url)
        form.add_error("code", _("This code is not valid. Check the time on your phone and try again."))
    secret = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "pending_user": user,
        # The SVG is generated here from our own data, never from user input.
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
    }
    return render(request, "accounts/enroll.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.log_out(request=request)
    return redirect("accounts:login")


def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # guaranteed by SecondFactorRequiredMiddleware
    form = LanguageForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        services.set_preferred_language(user=user, language=form.cleaned_data["language"])
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax", max_age=365 * 86400)
        return response
    context = {
        "form": form,
        "memberships": selectors.memberships_of(user),
        "totp_device": selectors.confirmed_totp_device(user),
    }
    return render(request, "accounts/profile.html", context)


def user_list_view(request: HttpRequest) -> HttpResponse:
    if not permissions.can_manage_users(request.user):
        raise permissions.deny(user=request.user, action="accounts.list_users", target="users", request=request)
    return render(request, "accounts/user_list.html", {"users": selectors.users_with_memberships()})
