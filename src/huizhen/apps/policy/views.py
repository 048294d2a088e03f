"""The /policy/ page: rule packs, recent decisions, the export register, and a "try a request" form.

Looking at the page is audited (``record.viewed``, target ``policy``). The form hands the
JSON to :func:`huizhen.apps.policy.services.evaluate_policy` like any other caller, so a
tried request is recorded and audited as a decision for case "manual".
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.policy import presentation, selectors, services
from huizhen.apps.policy.models import Outcome
from huizhen.policy import Decision, RequestError

RECENT_DECISIONS = 50
TRY_CASE_REF = "manual"


@require_GET
def policy_page(request: HttpRequest) -> HttpResponse:
    if not permissions.can_view_policy(request.user):
        raise permissions.deny(user=request.user, action="policy.view", target="policy", request=request)
    decision = request.GET.get("decision", "").strip()
    if decision not in Outcome.values:
        decision = ""
    record_event(
        action="record.viewed",
        actor=request.user,
        target="policy",
        detail={"filter_decision": decision},
        request=request,
    )
    return render(request, "policy/page.html", _page_context(request, decision=decision))


@require_POST
def try_request(request: HttpRequest) -> HttpResponse:
    if not permissions.can_try_policy(request.user):
        raise permissions.deny(user=request.user, action="policy.try", target="policy", request=request)
    text = request.POST.get("request", "")
    decision, errors = _try(request, text)
    tried = presentation.decision_view(decision) if decision else None
    result = {"tried": tried, "errors": errors, "request_text": text}
    status = 400 if errors else 200
    if request.headers.get("HX-Request"):
        return render(request, "policy/_try_result.html", result, status=status)
    return render(request, "policy/page.html", {**_page_context(request, decision=""), **result}, status=status)


def _try(request: HttpRequest, text: str) -> tuple[Decision | None, list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [_("This is not valid JSON: %(error)s") % {"error": exc}]
    if not isinstance(data, dict):
        return None, [_("A request is one JSON object.")]
    try:
        decision = services.evaluate_policy(
            request=data, actor=request.user, case_ref=TRY_CASE_REF, request_obj=request
        )
    except RequestError as exc:
        return None, presentation.request_problems(exc)
    return decision, []


def _page_context(request: HttpRequest, *, decision: str) -> dict[str, Any]:
    language = get_language() or "en"
    return {
        "packs": presentation.pack_views(selectors.rule_packs(), language=language),
        "decisions": selectors.decisions_newest_first(decision=decision)[:RECENT_DECISIONS],
        "decision_filter": decision,
        "outcomes": Outcome.choices,
        "register": selectors.register_lines(),
        "dsp_register": selectors.dsp_lines(),
        "warning_percent": int(selectors.WARNING_SHARE * 100),
        "can_try": permissions.can_try_policy(request.user),
        "request_text": presentation.EXAMPLE_REQUEST,
    }
