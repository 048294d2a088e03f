"""Request-wide account rules: the user's language, and no page without a second factor.

:class:`UserLanguageMiddleware` runs after ``LocaleMiddleware`` (which chose a language
from the cookie or ``Accept-Language``) and overrides it with the signed-in user's
preference. :class:`SecondFactorRequiredMiddleware` is the one place that enforces
"every page needs a verified (password + TOTP) session": views need no decorator,
and a page added by any app is protected by default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

# Reachable without a verified session. The API authenticates peers by HTTP signature.
EXEMPT_PREFIXES: tuple[str, ...] = (
    "/static/",
    "/api/",
    "/.well-known/",
    "/healthz",
    "/favicon.ico",
    "/language/",
    "/accounts/login/",
    "/accounts/otp/",
    "/accounts/enroll/",
    "/accounts/logout/",
)


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "language", ""):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """Send anyone without a verified session to sign in (anonymous) or to the code step."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        verified = user is not None and user.is_authenticated and user.is_verified()
        if verified or request.path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        if user is not None and user.is_authenticated:
            target = reverse("accounts:otp")
        else:
            target = f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            # htmx would swap the sign-in page into a fragment; make it load the whole page.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
