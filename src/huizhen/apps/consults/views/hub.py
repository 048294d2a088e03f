"""The hub's consultation pages under ``/cases/``: intake queue, assignment, review workspace, opinion.

Hub only (a gateway answers 404). Views parse, ask :mod:`huizhen.apps.accounts.permissions`
(a refusal is :func:`permissions.deny`: a 403 and an audit entry), call one service of
:mod:`~huizhen.apps.consults.triage`, :mod:`~huizhen.apps.consults.assignment` or
:mod:`~huizhen.apps.consults.opinions`, and render. Opening a workspace asks the policy
engine (``action="view"``) and is audited (``record.viewed``); a denial renders the
engine's reasons with 403. A step the state machine refuses (someone was quicker)
answers 409 with the workspace and the reason; bad input answers 400 and keeps what was
typed. The gateway's ``consults:case`` view redirects here (``consults:workspace``) on a hub.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, re_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import assignment, compliance, deadlines, imaging, opinions, selectors, triage, workflow
from huizhen.apps.consults.hub_forms import AddendumForm, DeclineForm, OpinionForm, QuestionForm
from huizhen.apps.consults.models import AttachmentKind, ConsultRequest, Opinion, OpinionStatus, State
from huizhen.apps.consults.summary import render_summary

REFERENCE = r"(?P<reference>HZ-[A-Za-z0-9-]{1,29})"


# -- helpers -----------------------------------------------------------------------------


def _hub_only() -> None:
    if settings.HUIZHEN_ROLE != "hub":
        raise Http404(_("This page exists only at a consulting hub."))


def _require(request: HttpRequest, allowed: bool, action: str, target: str) -> None:
    if not allowed:
        raise permissions.deny(user=request.user, action=action, target=target, request=request)


def _case(request: HttpRequest, reference: str, action: str) -> ConsultRequest:
    _hub_only()
    consult = selectors.case_by_reference(reference)
    if consult is None:
        _require(request, permissions.can_view_case_list(request.user), action, reference)
        raise Http404(_("No such case."))
    _require(request, permissions.can_view_case(request.user, consult), action, reference)
    return consult


def _back(request: HttpRequest, consult: ConsultRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("consults:workspace", reference=consult.reference)


def _denied_by_policy(request: HttpRequest, consult: ConsultRequest, exc: compliance.PolicyDenied) -> HttpResponse:
    context = {"consult": consult, "reasons": exc.reason_lines(get_language() or "en")}
    return render(request, "consults/hub_policy_denied.html", context, status=403)


def _step(request: HttpRequest, consult: ConsultRequest, step: Any) -> HttpResponse:
    """Run a service step; its refusals become the workspace with the reason (409/400/403)."""
    try:
        step()
    except workflow.TransitionRefused as exc:
        return _workspace(request, consult.reference, error=_describe_refusal(exc), status=409)
    except (triage.TriageError, opinions.OpinionError, assignment.AssignmentError) as exc:
        return _workspace(request, consult.reference, error=str(exc), status=400)
    except compliance.PolicyDenied as exc:
        return _denied_by_policy(request, consult, exc)
    return _back(request, consult)


def _describe_refusal(exc: workflow.TransitionRefused) -> str:
    return _("The case is now “%(state)s”; this step is no longer possible.") % {
        "state": State(exc.source).label if exc.source in State.values else exc.source
    }


# -- queues ------------------------------------------------------------------------------


@require_GET
def intake(request: HttpRequest) -> HttpResponse:
    """The hub's queues: triage, assignment, every open case (coordinators) and my cases (specialists)."""
    _hub_only()
    _require(request, permissions.can_view_case_list(request.user), "consults.intake", "cases")
    coordinator = permissions.can_triage(request.user)
    context: dict[str, Any] = {
        "coordinator": coordinator,
        "intake": selectors.intake_queue() if coordinator else [],
        "to_assign": selectors.awaiting_assignment() if coordinator else [],
        "open_cases": selectors.open_cases() if coordinator else [],
        "mine": selectors.my_assignments(user=request.user),
        "question_form": QuestionForm(),
        "decline_form": DeclineForm(),
    }
    record_event(
        action="consults.listed", actor=request.user, target="cases", detail={"page": "intake"}, request=request
    )
    return render(request, "consults/hub_intake.html", context)


# -- triage ------------------------------------------------------------------------------


@require_POST
def accept(request: HttpRequest, reference: str) -> HttpResponse:
    consult = _case(request, reference, "consult.accept")
    return _step(request, consult, lambda: triage.accept(consult=consult, by=request.user, http_request=request))


@require_POST
def request_info(request: HttpRequest, reference: str) -> HttpResponse:
    consult = _case(request, reference, "consult.request_info")
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return _workspace(request, reference, question_form=form, status=400)
    return _step(
        request,
        consult,
        lambda: triage.request_information(
            consult=consult, by=request.user, question=form.cleaned_data["question"], http_request=request
        ),
    )


@require_POST
def decline(request: HttpRequest, reference: str) -> HttpResponse:
    consult = _case(request, reference, "consult.decline")
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _workspace(request, reference, decline_form=form, status=400)
    return _step(
        request,
        consult,
        lambda: triage.decline(
            consult=consult, by=request.user, reason=form.cleaned_data["reason"], http_request=request
        ),
    )


# -- assignment --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    """Suggestions with their reasons; the coordinator ticks specialists, picks the lead, confirms."""
    consult = _case(request, reference, "consult.assign")
    _require(request, permissions.can_assign(request.user), "consult.assign", reference)
    error = ""
    status = 200
    if request.method == "POST":
        users = {user.pk: user for user in selectors.hub_specialists()}
        chosen = [users[int(pk)] for pk in request.POST.getlist("specialists") if pk.isdigit() and int(pk) in users]
        lead_pk = request.POST.get("lead", "")
        lead = users.get(int(lead_pk)) if lead_pk.isdigit() else None
        try:
            assignment.assign(consult=consult, specialists=chosen, lead=lead, by=request.user, http_request=request)
        except assignment.AssignmentError as exc:
            error, status = str(exc), 400
        except workflow.TransitionRefused as exc:
            error, status = _describe_refusal(exc), 409
        else:
            return redirect("consults:workspace", reference=consult.reference)
    context = {
        "consult": consult,
        "suggestions": assignment.suggest_specialists(consult),
        "assigned": selectors.active_assignments(consult),
        "error": error,
    }
    return render(request, "consults/hub_assign.html", context, status=status)


@require_POST
def release(request: HttpRequest, reference: str, assignment_id: int) -> HttpResponse:
    consult = _case(request, reference, "consult.release")
    taken = consult.assignments.filter(pk=assignment_id).select_related("specialist", "request").first()
    if taken is None:
        raise Http404(_("No such assignment."))
    return _step(request, consult, lambda: assignment.release(assignment=taken, by=request.user, http_request=request))


# -- workspace ---------------------------------------------------------------------------


@require_GET
def workspace(request: HttpRequest, reference: str) -> HttpResponse:
    return _workspace(request, reference)


def _workspace(
    request: HttpRequest,
    reference: str,
    *,
    error: str = "",
    status: int = 200,
    question_form: QuestionForm | None = None,
    decline_form: DeclineForm | None = None,
    opinion_form: OpinionForm | None = None,
    addendum_form: AddendumForm | None = None,
) -> HttpResponse:
    consult = _case(request, reference, "consult.view")
    try:
        compliance.require_allowed(
            consult=consult,
            actor=request.user,
            action="view",
            data_classes=compliance.CASE_DATA_CLASSES,
            http_request=request,
        )
    except compliance.PolicyDenied as exc:
        return _denied_by_policy(request, consult, exc)
    record_event(
        action="record.viewed",
        actor=request.user,
        target=consult.reference,
        detail={"page": "workspace"},
        request=request,
    )
    user = request.user
    draft = opinions.open_draft(consult)
    consult.overdue = deadlines.is_overdue(consult)  # type: ignore[attr-defined]
    can_write = permissions.can_write_opinion(user, consult)
    context: dict[str, Any] = {
        "consult": consult,
        "user": user,
        "error": error,
        "summary": render_summary(consult.summary),
        "texts": _texts(consult),
        "documents": [a for a in consult.attachments.filter(message=None) if a.kind != AttachmentKind.DICOM],
        "studies": _studies(request, consult),
        "assigned": selectors.active_assignments(consult),
        "info_messages": list(selectors.information_requests(consult)),
        "signed": [o for o in selectors.opinions_of(consult) if o.status == OpinionStatus.SIGNED],
        "draft": draft,
        "can_triage": permissions.can_triage(user),
        "can_assign": permissions.can_assign(user) and consult.state in (State.ACCEPTED, State.IN_REVIEW),
        "can_write": can_write,
        "can_cosign": draft is not None
        and draft.status == OpinionStatus.AWAITING_COSIGN
        and draft.cosigned_at is None
        and permissions.can_cosign_opinion(user, draft),
        "next_states": workflow.next_states(consult, user),
        "question_form": question_form or QuestionForm(),
        "decline_form": decline_form or DeclineForm(),
        "opinion_form": opinion_form or OpinionForm(initial=OpinionForm.initial_for(draft)),
        "addendum_form": addendum_form or AddendumForm(),
        "can_start_opinion": can_write and consult.state == State.IN_REVIEW and not consult.opinions.exists(),
    }
    context["can_request_info"] = State.INFO_REQUESTED in context["next_states"] and (
        context["can_triage"] or can_write
    )
    return render(request, "consults/hub_workspace.html", context, status=status)


def _texts(consult: ConsultRequest) -> list[dict[str, Any]]:
    """Each free text beside its translation, with the provenance line the translation app writes."""
    from huizhen.apps.consults.translations import case_texts, translations_for
    from huizhen.apps.translation.provenance import machine_label, needs_verification_label, provenance_line

    tasks = translations_for(consult)
    rows: list[dict[str, Any]] = []
    for field_name, original in case_texts(consult).items():
        task = tasks.get(field_name)
        provenance = task.provenance if task is not None else None
        rows.append(
            {
                "field": field_name,
                "label": _field_label(field_name),
                "original": original,
                "translation": task.translation_text if task is not None else "",
                "task": task,
                "provenance_line": provenance_line(provenance) if task is not None else "",
                "machine_label": machine_label(provenance)
                if provenance is not None and needs_verification_label(provenance)
                else "",
            }
        )
    return rows


def _field_label(field_name: str) -> str:
    names = {
        "question": _("Clinical question"),
        "summary.pathology": _("Pathology"),
        "summary.ihc": _("Immunohistochemistry"),
        "summary.flow_cytometry": _("Flow cytometry"),
        "summary.cytogenetics": _("Cytogenetics"),
        "summary.molecular": _("Molecular findings"),
        "summary.history": _("History"),
        "summary.stage": _("Stage"),
    }
    if field_name in names:
        return str(names[field_name])
    if field_name.startswith("summary.diagnoses."):
        return _("Diagnosis (as written)")
    if field_name.startswith("attachment."):
        return _("Text report")
    return field_name


def _studies(request: HttpRequest, consult: ConsultRequest) -> list[dict[str, Any]]:
    """Each DICOM study with its series; the one chosen in the query shows a slice viewer."""
    chosen_attachment = request.GET.get("study", "")
    chosen_series = request.GET.get("series", "")
    try:
        chosen_index = int(request.GET.get("index", "0"))
    except ValueError:
        chosen_index = 0
    studies: list[dict[str, Any]] = []
    for attachment in consult.attachments.filter(kind=AttachmentKind.DICOM, message=None):
        try:
            series = imaging.list_series(attachment)
            problem = ""
        except imaging.ImagingError as exc:
            series, problem = [], str(exc)
        viewer = None
        if series:
            active = next((s for s in series if s.uid == chosen_series), series[0])
            chosen = str(attachment.pk) == chosen_attachment or (not chosen_attachment and not studies)
            if chosen:
                index = min(max(chosen_index, 0), active.count - 1)
                viewer = {
                    "series": active,
                    "index": index,
                    "previous": max(index - 1, 0),
                    "next": min(index + 1, active.count - 1),
                }
        studies.append({"attachment": attachment, "series": series, "problem": problem, "viewer": viewer})
    return studies


@require_GET
def dicom_slice(request: HttpRequest, reference: str, attachment_id: int) -> HttpResponse:
    """One slice (or ``size=thumb``) of a study as PNG; viewing is audited like the workspace."""
    consult = _case(request, reference, "consult.view_image")
    attachment = consult.attachments.filter(pk=attachment_id, kind=AttachmentKind.DICOM).first()
    if attachment is None:
        raise Http404(_("No such study."))
    try:
        compliance.require_allowed(
            consult=consult, actor=request.user, action="view", data_classes=["imaging"], http_request=request
        )
    except compliance.PolicyDenied as exc:
        return _denied_by_policy(request, consult, exc)
    series_uid = request.GET.get("series") or None
    try:
        index = int(request.GET.get("index", "0"))
    except ValueError:
        index = 0
    try:
        if request.GET.get("size") == "thumb":
            png = imaging.thumbnail(attachment, series_uid=series_uid)
        else:
            png = imaging.render_slice(attachment, series_uid=series_uid, index=index)
    except imaging.ImagingError as exc:
        return HttpResponse(str(exc), status=404, content_type="text/plain; charset=utf-8")
    record_event(
        action="record.viewed",
        actor=request.user,
        target=consult.reference,
        detail={"attachment": attachment.pk, "series": series_uid or "", "index": index},
        request=request,
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def document(request: HttpRequest, reference: str, attachment_id: int) -> HttpResponse | FileResponse:
    """A received (de-identified) document, shown inline; audited like the workspace."""
    consult = _case(request, reference, "consult.view_document")
    attachment = consult.attachments.filter(pk=attachment_id).exclude(kind=AttachmentKind.DICOM).first()
    if attachment is None:
        raise Http404(_("No such document."))
    try:
        compliance.require_allowed(
            consult=consult, actor=request.user, action="view", data_classes=["document"], http_request=request
        )
    except compliance.PolicyDenied as exc:
        return _denied_by_policy(request, consult, exc)
    root = Path(settings.HUIZHEN_BLOB_DIR).resolve()
    stored = (root / attachment.blob).resolve()
    if root not in stored.parents or not stored.is_file():
        raise Http404(_("The document's file is not here."))
    record_event(
        action="record.viewed",
        actor=request.user,
        target=consult.reference,
        detail={"attachment": attachment.pk},
        request=request,
    )
    response = FileResponse(stored.open("rb"), content_type=attachment.content_type or "application/octet-stream")
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- opinion -----------------------------------------------------------------------------


def _opinion(consult: ConsultRequest, version: int) -> Opinion:
    opinion = consult.opinions.filter(version=version).select_related("request", "supersedes").first()
    if opinion is None:
        raise Http404(_("No such opinion version."))
    return opinion


@require_POST
def opinion_edit(request: HttpRequest, reference: str) -> HttpResponse:
    """Save the draft (create it the first time); with ``sign`` or ``cosign_request`` in the form, go on."""
    consult = _case(request, reference, "opinion.update")
    form = OpinionForm(request.POST)
    if not form.is_valid():
        return _workspace(request, reference, opinion_form=form, status=400)

    def save_and_continue() -> None:
        draft = opinions.save_draft(
            consult=consult, by=request.user, fields=form.opinion_fields(), http_request=request
        )
        if "sign" in request.POST:
            opinions.sign(opinion=draft, by=request.user, http_request=request)
        elif "cosign_request" in request.POST:
            opinions.submit_for_cosignature(opinion=draft, by=request.user, http_request=request)

    try:
        save_and_continue()
    except opinions.OpinionError as exc:
        return _workspace(request, reference, opinion_form=form, error=str(exc), status=400)
    except workflow.TransitionRefused as exc:
        return _workspace(request, reference, opinion_form=form, error=_describe_refusal(exc), status=409)
    except compliance.PolicyDenied as exc:
        return _denied_by_policy(request, consult, exc)
    return redirect("consults:workspace", reference=consult.reference)


@require_POST
def opinion_sign(request: HttpRequest, reference: str, version: int) -> HttpResponse:
    consult = _case(request, reference, "opinion.sign")
    opinion = _opinion(consult, version)
    return _step(request, consult, lambda: opinions.sign(opinion=opinion, by=request.user, http_request=request))


@require_POST
def opinion_request_cosign(request: HttpRequest, reference: str, version: int) -> HttpResponse:
    consult = _case(request, reference, "opinion.submit_cosign")
    opinion = _opinion(consult, version)
    return _step(
        request,
        consult,
        lambda: opinions.submit_for_cosignature(opinion=opinion, by=request.user, http_request=request),
    )


@require_POST
def opinion_cosign(request: HttpRequest, reference: str, version: int) -> HttpResponse:
    # A program director who is not assigned may co-sign: the case check is the view check.
    _hub_only()
    consult = selectors.case_by_reference(reference)
    if consult is None:
        raise Http404(_("No such case."))
    opinion = _opinion(consult, version)
    _require(request, permissions.can_cosign_opinion(request.user, opinion), "opinion.cosign", reference)
    return _step(request, consult, lambda: opinions.cosign(opinion=opinion, by=request.user, http_request=request))


@require_POST
def addendum(request: HttpRequest, reference: str, version: int) -> HttpResponse:
    consult = _case(request, reference, "opinion.addendum")
    opinion = _opinion(consult, version)
    form = AddendumForm(request.POST)
    if not form.is_valid():
        return _workspace(request, reference, addendum_form=form, status=400)
    return _step(
        request,
        consult,
        lambda: opinions.write_addendum(
            opinion=opinion, by=request.user, reason=form.cleaned_data["reason"], http_request=request
        ),
    )


urlpatterns: list[URLPattern] = [
    path("intake/", intake, name="intake"),
    re_path(rf"^{REFERENCE}/review/$", workspace, name="workspace"),
    re_path(rf"^{REFERENCE}/accept/$", accept, name="accept"),
    re_path(rf"^{REFERENCE}/request-info/$", request_info, name="request_info"),
    re_path(rf"^{REFERENCE}/decline/$", decline, name="decline"),
    re_path(rf"^{REFERENCE}/assign/$", assign, name="assign"),
    re_path(rf"^{REFERENCE}/assign/(?P<assignment_id>[0-9]+)/release/$", release, name="release"),
    re_path(rf"^{REFERENCE}/opinion/$", opinion_edit, name="opinion_edit"),
    re_path(rf"^{REFERENCE}/opinion/(?P<version>[0-9]+)/sign/$", opinion_sign, name="opinion_sign"),
    re_path(
        rf"^{REFERENCE}/opinion/(?P<version>[0-9]+)/cosign-request/$",
        opinion_request_cosign,
        name="opinion_request_cosign",
    ),
    re_path(rf"^{REFERENCE}/opinion/(?P<version>[0-9]+)/cosign/$", opinion_cosign, name="opinion_cosign"),
    re_path(rf"^{REFERENCE}/opinion/(?P<version>[0-9]+)/addendum/$", addendum, name="addendum"),
    re_path(rf"^{REFERENCE}/documents/(?P<attachment_id>[0-9]+)/$", document, name="document"),
    re_path(rf"^{REFERENCE}/images/(?P<attachment_id>[0-9]+)/slice\.png$", dicom_slice, name="dicom_slice"),
]
