"""Transfer progress pages: the partial polled by the case pages, and the list of a node's transfers.

``GET /cases/<reference>/transfer/`` renders ``consults/transfer_progress.html`` for a
user who may view the case (:func:`huizhen.apps.accounts.permissions.can_view_case`;
otherwise 403, audited); the gateway's case page and the hub's workspace poll it.
``GET /cases/transfers/`` lists this node's recent transfers, running ones first: at a
hub the incoming ones (coordination roles only), which is where a transfer can be
followed before its case exists (the case is created once every file has arrived); at a
gateway the outgoing ones of the reader's cases (all of them for a coordinator). With
``?rows=1`` it renders only the table, which htmx polls every 2 s while one is running.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from huizhen.apps.accounts import permissions
from huizhen.apps.accounts.models import Role
from huizhen.apps.consults.models import CaseTransfer, ConsultRequest
from huizhen.apps.consults.templatetags.consult_transfer import figures, progress_context

#: How many transfers the list shows.
LIST_LIMIT = 50

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


@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    at_hub = settings.HUIZHEN_ROLE == "hub"
    if not (permissions.can_triage(user) if at_hub else permissions.can_view_case_list(user)):
        raise permissions.deny(user=user, action="consults.transfers", target="transfers", request=request)
    if at_hub:
        rows = CaseTransfer.objects.filter(direction=CaseTransfer.Direction.INCOMING)
    else:
        rows = CaseTransfer.objects.filter(direction=CaseTransfer.Direction.OUTGOING)
        if Role.CASE_COORDINATOR not in user.roles():
            rows = rows.filter(request__referring_physician=user)
    ordered = sorted(
        rows.select_related("peer").order_by("-updated_at")[:LIST_LIMIT],
        key=lambda row: row.state != CaseTransfer.TransferState.RUNNING,
    )
    context = {
        "transfers": [figures(row) for row in ordered],
        "any_running": any(row.state == CaseTransfer.TransferState.RUNNING for row in ordered),
        "incoming": at_hub,
    }
    template = "consults/transfer_rows.html" if request.GET.get("rows") else "consults/transfer_list.html"
    return render(request, template, context)


urlpatterns: list[URLPattern] = [
    path("transfers/", transfer_list, name="transfers"),
    re_path(rf"^{REFERENCE}/transfer/$", transfer_progress, name="transfer_progress"),
]
