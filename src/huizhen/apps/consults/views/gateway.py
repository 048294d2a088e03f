"""The gateway's /cases/ pages: my cases, a new request, editing it, attachments, import, submit, the case.

Views parse, ask :mod:`huizhen.apps.accounts.permissions`, call one service of
:mod:`huizhen.apps.consults.authoring` (or the FHIR import) and render. An incomplete
request is not submitted: the edit page lists what is missing. The case page shows the
summary with every coded field in both languages, the attachments with what
de-identification made of them, the state history from the audit log, and the
delivery, thread and outcome partials of the delivery side. At a hub these pages
hand over to the hub's own pages (or refuse, audited).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, re_path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huizhen.apps.accounts import permissions
from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import authoring, deadlines, workflow
from huizhen.apps.consults.models import Attachment, ConsultRequest, State
from huizhen.apps.consults.request_forms import (
    ROWSETS,
    AttachmentForm,
    BundleForm,
    NewCaseForm,
    RequestForm,
    SummaryForm,
    summary_from_forms,
    summary_initial,
)
from huizhen.apps.consults.summary import SummaryInvalid, missing_items, render_summary
from huizhen.apps.registry import blobs
from huizhen.apps.registry.fhir import BundleRejected, import_bundle

#: Names the hub's pages may carry; a hub's /cases/ hands over to the first that exists.
HUB_LIST_VIEWS = ("consults:hub_queue", "consults:queue", "consults:intake")
HUB_CASE_VIEWS = ("consults:hub_case", "consults:workspace")
BUNDLE_MAX_BYTES = 100 * 1024 * 1024


def _at_hub() -> bool:
    return workflow.node_role() == workflow.HUB


def _hub_page(names: tuple[str, ...], *args: Any) -> HttpResponse | None:
    for name in names:
        try:
            return redirect(reverse(name, args=args))
        except NoReverseMatch:
            continue
    return None


def _require(request: HttpRequest, allowed: bool, action: str, target: str) -> None:
    if not allowed:
        raise permissions.deny(user=request.user, action=action, target=target, request=request)


def _case(request: HttpRequest, reference: str, action: str) -> ConsultRequest:
    consult = (
        ConsultRequest.objects.select_related("patient", "peer", "referring_physician")
        .filter(reference=reference)
        .first()
    )
    if consult is None:
        _require(request, permissions.can_view_case_list(request.user), action, reference)
        raise Http404(_("No such case."))
    _require(request, permissions.can_view_case(request.user, consult), action, reference)
    return consult


def gateway_cases(*, user: Any) -> QuerySet[ConsultRequest]:
    """The cases a gateway user follows: a physician's own, all of them for a coordinator."""
    cases = ConsultRequest.objects.filter(patient__isnull=False).select_related("patient", "peer")
    if Role.CASE_COORDINATOR not in user.roles():
        cases = cases.filter(referring_physician=user)
    return cases.order_by("-updated_at")


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    if _at_hub():
        handed = _hub_page(HUB_LIST_VIEWS)
        if handed is not None and permissions.can_view_case_list(request.user):
            return handed
        raise permissions.deny(user=request.user, action="consults.list", target="cases", request=request)
    _require(request, permissions.can_view_case_list(request.user), "consults.list", "cases")
    cases = list(gateway_cases(user=request.user)[:500])
    for consult in cases:
        consult.overdue = deadlines.is_overdue(consult)  # type: ignore[attr-defined]
    cases.sort(key=lambda c: not c.overdue)  # type: ignore[attr-defined]
    record_event(action="consults.listed", actor=request.user, target="cases", request=request)
    context = {"cases": cases, "can_create": permissions.can_create_case(request.user)}
    return render(request, "consults/gateway_list.html", context)


@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    _require(request, permissions.can_create_case(request.user), "consults.create", "cases")
    initial = {"patient": request.GET.get("patient")} if request.GET.get("patient") else {}
    form = NewCaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            consult = authoring.create_draft(
                patient=form.cleaned_data["patient"],
                by=request.user,
                peer=form.cleaned_data["hub"],
                program=form.cleaned_data["program"],
                request=request,
            )
        except authoring.AuthoringError as error:
            form.add_error(None, str(error))
        else:
            return redirect("consults:edit", reference=consult.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "consults/gateway_new.html", {"form": form}, status=status)


def _edit_forms(consult: ConsultRequest, data: Any = None) -> tuple[RequestForm, SummaryForm, dict[str, Any]]:
    summary = consult.summary or {}
    request_form = RequestForm(
        data,
        initial={
            "hub": consult.peer_id,
            "program": consult.program,
            "urgency": consult.urgency,
            "subspecialty": consult.subspecialty,
            "language": consult.language,
            "question": consult.question,
        },
    )
    summary_form = SummaryForm(data, initial=summary_initial(summary))
    rowsets = {
        key: formset(data, prefix=prefix, initial=list(summary.get(key) or []))
        for key, (formset, prefix) in ROWSETS.items()
    }
    return request_form, summary_form, rowsets


@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, reference: str) -> HttpResponse:
    consult = _case(request, reference, "consults.edit")
    _require(request, permissions.can_edit_case(request.user, consult), "consults.edit", reference)
    request_form, summary_form, rowsets = _edit_forms(consult, request.POST if request.method == "POST" else None)
    problems: list[str] = []
    if request.method == "POST":
        valid = request_form.is_valid() & summary_form.is_valid()
        valid = all([formset.is_valid() for formset in rowsets.values()]) and valid
        if valid:
            data = request_form.cleaned_data
            try:
                authoring.update_request(
                    consult=consult,
                    by=request.user,
                    request=request,
                    program=data["program"],
                    urgency=data["urgency"],
                    subspecialty=data["subspecialty"],
                    language=data["language"],
                    question=data["question"],
                    summary=summary_from_forms(summary_form, rowsets),
                )
                if data["hub"] is not None and data["hub"] != consult.peer:
                    authoring.choose_hub(consult=consult, by=request.user, peer=data["hub"], request=request)
            except SummaryInvalid as invalid:
                problems = invalid.problems
            except (authoring.AuthoringError, authoring.NotEditable) as error:
                problems = [str(error)]
            else:
                if "submit" in request.POST:
                    return _submit(request, consult)
                return redirect("consults:edit", reference=consult.reference)
    context = _edit_context(consult, request_form, summary_form, rowsets, problems=problems)
    return render(request, "consults/gateway_edit.html", context, status=400 if request.method == "POST" else 200)


def _edit_context(
    consult: ConsultRequest,
    request_form: RequestForm,
    summary_form: SummaryForm,
    rowsets: dict[str, Any],
    *,
    problems: list[str] | None = None,
    missing: list[str] | None = None,
    attachment_form: AttachmentForm | None = None,
) -> dict[str, Any]:
    return {
        "consult": consult,
        "patient": consult.patient,
        "request_form": request_form,
        "summary_form": summary_form,
        "rowsets": rowsets,
        "problems": problems or [],
        "missing": missing if missing is not None else missing_items(consult),
        "attachments": consult.attachments.filter(message__isnull=True),
        "attachment_form": attachment_form or AttachmentForm(),
    }


@require_POST
def attachment_add(request: HttpRequest, reference: str) -> HttpResponse:
    consult = _case(request, reference, "consults.attachment_add")
    _require(request, permissions.can_edit_case(request.user, consult), "consults.attachment_add", reference)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            authoring.add_attachment(
                consult=consult,
                by=request.user,
                upload=upload,
                filename=upload.name or "attachment",
                title=form.cleaned_data["title"],
                request=request,
            )
        except blobs.UploadRefused as refused:
            form.add_error("file", str(refused))
        except authoring.NotEditable as error:
            form.add_error(None, str(error))
        else:
            return redirect("consults:edit", reference=consult.reference)
    request_form, summary_form, rowsets = _edit_forms(consult)
    context = _edit_context(consult, request_form, summary_form, rowsets, attachment_form=form)
    return render(request, "consults/gateway_edit.html", context, status=400)


@require_POST
def attachment_remove(request: HttpRequest, reference: str, attachment_id: str) -> HttpResponse:
    consult = _case(request, reference, "consults.attachment_remove")
    _require(request, permissions.can_edit_case(request.user, consult), "consults.attachment_remove", reference)
    attachment = Attachment.objects.filter(request=consult, pk=attachment_id).first()
    if attachment is None:
        raise Http404(_("No such attachment."))
    authoring.remove_attachment(attachment=attachment, by=request.user, request=request)
    return redirect("consults:edit", reference=consult.reference)


@require_POST
def case_submit(request: HttpRequest, reference: str) -> HttpResponse:
    consult = _case(request, reference, "consults.submit")
    return _submit(request, consult)


def _submit(request: HttpRequest, consult: ConsultRequest) -> HttpResponse:
    _require(request, permissions.can_submit_case(request.user, consult), "consults.submit", consult.reference)
    try:
        authoring.submit_request(consult=consult, by=request.user, http_request=request)
    except authoring.IncompleteRequest as incomplete:
        request_form, summary_form, rowsets = _edit_forms(consult)
        context = _edit_context(consult, request_form, summary_form, rowsets, missing=incomplete.missing)
        context["submit_refused"] = True
        return render(request, "consults/gateway_edit.html", context, status=400)
    except workflow.TransitionRefused as refused:
        raise permissions.deny(
            user=request.user, action="consults.submit", target=consult.reference, request=request
        ) from refused
    return redirect("consults:case", reference=consult.reference)


@require_GET
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    if _at_hub():
        handed = _hub_page(HUB_CASE_VIEWS, reference)
        if handed is not None:
            return handed
    consult = _case(request, reference, "consults.view")
    record_event(action="consults.case_viewed", actor=request.user, target=consult.reference, request=request)
    history = [
        {
            "at": entry.at,
            "actor": entry.actor,
            "detail": {
                **entry.detail,
                "from": _state_label(entry.detail.get("from")),
                "to": _state_label(entry.detail.get("to")),
            },
        }
        for entry in AuditEntry.objects.filter(
            target=consult.reference, action="consult.transition", outcome="ok"
        ).order_by("seq")
    ]
    context = {
        "consult": consult,
        "patient": consult.patient,
        "summary": render_summary(consult.summary),
        "attachments": consult.attachments.filter(message__isnull=True),
        "history": history,
        "can_edit": permissions.can_edit_case(request.user, consult),
        "can_submit": permissions.can_submit_case(request.user, consult) and consult.state in authoring.EDITABLE_STATES,
        "missing": missing_items(consult) if consult.state in authoring.EDITABLE_STATES else [],
    }
    return render(request, "consults/gateway_case.html", context)


def _state_label(value: Any) -> str:
    return str(State(value).label) if value in State.values else str(value or "")


@require_http_methods(["GET", "POST"])
def case_import(request: HttpRequest) -> HttpResponse:
    _require(request, permissions.can_create_case(request.user), "consults.import", "cases")
    form = BundleForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["bundle"]
        if upload.size > BUNDLE_MAX_BYTES:
            problems = [_("The bundle is larger than the limit of %(limit)s MB.") % {"limit": BUNDLE_MAX_BYTES >> 20}]
        else:
            try:
                consult = import_bundle(data=upload.read(), by=request.user, peer=form.cleaned_data["hub"])
            except BundleRejected as rejected:
                problems = rejected.problems
            else:
                # What was skipped or refused (unknown resources, external links) is shown once.
                for note in getattr(consult, "import_notes", []):
                    messages.info(request, note)
                return redirect("consults:edit", reference=consult.reference)
    status = 400 if request.method == "POST" else 200
    return render(request, "consults/gateway_import.html", {"form": form, "problems": problems}, status=status)


#: A case reference as minted by :func:`authoring.new_reference` (``HZ-2026-7F3K2Q``); the
#: pattern keeps the hub's own /cases/<word>/ pages reachable after these.
REFERENCE = r"(?P<reference>HZ-[A-Za-z0-9-]{1,29})"

urlpatterns: list[URLPattern] = [
    path("", case_list, name="list"),
    path("new/", case_new, name="new"),
    path("import/", case_import, name="import"),
    re_path(rf"^{REFERENCE}/$", case_detail, name="case"),
    re_path(rf"^{REFERENCE}/edit/$", case_edit, name="edit"),
    re_path(rf"^{REFERENCE}/submit/$", case_submit, name="submit"),
    re_path(rf"^{REFERENCE}/attachments/$", attachment_add, name="attachment_add"),
    re_path(
        rf"^{REFERENCE}/attachments/(?P<attachment_id>[0-9]+)/remove/$",
        attachment_remove,
        name="attachment_remove",
    ),
]
