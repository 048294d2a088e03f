"""The audit log page for privacy officers and administrators, and its "Verify chain" button.

Looking at the log is itself an audited act (``record.viewed``, target ``audit_log``).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from huizhen.apps.accounts import permissions
from huizhen.apps.audit import selectors, services

ENTRIES_PER_PAGE = 50


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_audit_log(request.user):
        raise permissions.deny(user=request.user, action="audit.view_log", target="audit_log", request=request)
    action = request.GET.get("action", "").strip()
    page_number = request.GET.get("page", "1")
    # Recorded before the query, so the page a reviewer sees already shows their own look.
    services.record_event(
        action="record.viewed",
        actor=request.user,
        target="audit_log",
        detail={"filter_action": action, "page": page_number[:16]},
        request=request,
    )
    page = Paginator(selectors.entries_newest_first(action=action), ENTRIES_PER_PAGE).get_page(page_number)
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "action": action,
            "actions": selectors.recorded_actions(),
            "verification": selectors.latest_verification(),
        },
    )


@require_POST
def verify_chain(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_audit_log(request.user):
        raise permissions.deny(user=request.user, action="audit.verify_chain", target="audit_log", request=request)
    verification = services.record_chain_verification()
    return render(request, "audit/_verification.html", {"verification": verification})
