"""Home page of a node (who it is, which peers it can reach) and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from huizhen.apps.accounts.forms import LanguageForm
from huizhen.apps.accounts.selectors import session_is_verified
from huizhen.apps.accounts.services import set_preferred_language


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Remember the chosen language in a cookie and, for a signed-in user, in their profile."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("portal:home")
    response = HttpResponseRedirect(next_url)
    form = LanguageForm(request.POST)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if session_is_verified(request):
            set_preferred_language(user=request.user, language=language)  # type: ignore[arg-type]
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 86400)
    return response
