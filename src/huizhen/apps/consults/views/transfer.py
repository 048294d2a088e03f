"""The transfer progress partial, polled by htmx from the gateway's case page and the hub's workspace.

``GET /cases/<reference>/transfer/`` renders ``consults/transfer_progress.html`` for a
user who may view the case (:func:`huizhen.apps.accounts.permissions.can_view_case`;
otherwise 403, audited). At a hub the case exists only once its files have arrived.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huizhen.apps.accounts import permissions
from huizhen.apps.consults.models import ConsultRequest
from huizhen.apps.consults.templatetags.consult_transfer import progress_context

REFERENCE = r"(?P<reference>HZ-[A-Za-z0-9-]{1,29})"


@require_GET
def transfer_progress(request: HttpRequest, reference: str) -> HttpResponse:
    consult = ConsultRequest.objects.filter(reference=reference).first()
    if consult is None:
        if not permissions.can_view_case_list(request.user):
            raise permissions.deny(user=request.user, action="consults.view", target=reference, request=request)
        raise Http404(_("No such case."))
    if not permissions.can_view_case(request.user, consult):
        raise permissions.deny(user=request.user, action="consults.view", target=reference, request=request)
    return render(request, "consults/transfer_progress.html", progress_context(consult))


urlpatterns: list[URLPattern] = [
    re_path(rf"^{REFERENCE}/transfer/$", transfer_progress, name="transfer_progress"),
]
