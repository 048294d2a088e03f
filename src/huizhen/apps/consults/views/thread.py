"""Pages for what follows a submission, on either node: the thread, the opinion PDF, the outcome, notifications.

Each view parses its form, asks :mod:`huizhen.apps.accounts.permissions` (refusals
through :func:`permissions.deny`, audited) and calls one service:
:func:`huizhen.apps.consults.threads.post_message`,
:func:`~huizhen.apps.consults.threads.provide_information`,
:func:`huizhen.apps.consults.outcomes.record_outcome` or
:func:`huizhen.apps.consults.report.render_opinion_pdf`. A post from htmx is answered
with the re-rendered thread panel; a plain form post goes back to the case page. A
policy refusal is a 403 page listing the rules' reasons; a refused step (empty text,
the case has moved on) re-renders the panel with the reason (400/409). Downloading
the opinion PDF or a thread file is audited as ``record.viewed``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, re_path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import compliance, delivery, outcomes, threads, workflow
from huizhen.apps.consults.models import Attachment, ConsultRequest, Notification
from huizhen.apps.consults.report import render_opinion_pdf
from huizhen.apps.registry.blobs import blob_path
from huizhen.apps.translation.pdf import FontMissing

REFERENCE = r"(?P<reference>HZ-[A-Za-z0-9-]{1,29})"
NOTIFICATIONS_SHOWN = 100


def load_case(request: HttpRequest, reference: str, action: str) -> ConsultRequest:
    """The case ``reference`` if the user may see it; 404 for an unknown one, audited 403 otherwise."""
    consult = (
        ConsultRequest.objects.select_related("patient", "peer", "referring_physician")
        .filter(reference=reference)
        .first()
    )
    if consult is None:
        if not permissions.can_view_case_list(request.user):
            raise permissions.deny(user=request.user, action=action, target=reference, request=request)
        raise Http404(_("No such case."))
    if not permissions.can_view_case(request.user, consult):
        raise permissions.deny(user=request.user, action=action, target=reference, request=request)
    return consult


def case_page(consult: ConsultRequest) -> str:
    """Where the case is read on this node: the hub's workspace or the gateway's case page."""
    if str(settings.HUIZHEN_ROLE) == "hub":
        return reverse("consults:workspace", args=[consult.reference])
    return reverse("consults:case", args=[consult.reference])


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _thread_response(
    request: HttpRequest, consult: ConsultRequest, *, error: str = "", body: str = "", status: int = 200
) -> HttpResponse:
    if _is_htmx(request):
        html = render_to_string(
            "consults/_thread.html",
            {"consult": consult, "thread_error": error, "thread_body": body},
            request=request,
        )
        return HttpResponse(html, status=status)
    if error:
        messages.error(request, error)
    return redirect(f"{case_page(consult)}#thread")


def _hub_view_refused(request: HttpRequest, consult: ConsultRequest) -> HttpResponse | None:
    try:
        compliance.require_hub_view(consult=consult, actor=request.user, http_request=request)
    except compliance.PolicyDenied as exc:
        return _policy_denied(request, consult, exc)
    return None


def _policy_denied(request: HttpRequest, consult: ConsultRequest, exc: compliance.PolicyDenied) -> HttpResponse:
    context = {"consult": consult, "reasons": exc.reason_lines(get_language() or "en")}
    return render(request, "consults/thread_policy_denied.html", context, status=403)


@require_POST
def message_post(request: HttpRequest, reference: str) -> HttpResponse:
    consult = load_case(request, reference, "consults.message")
    body = request.POST.get("body", "")
    try:
        files = uploaded_files(request)
        threads.post_message(consult=consult, by=request.user, body=body, attachments=files, http_request=request)
    except threads.ThreadError as exc:
        return _thread_response(request, consult, error=str(exc), body=body, status=400)
    except compliance.PolicyDenied as exc:
        return _policy_denied(request, consult, exc)
    return _thread_response(request, consult)


def uploaded_files(request: HttpRequest) -> list[threads.ThreadFile]:
    """The files of a post, read only when within the size limit (else :class:`threads.ThreadError`)."""
    files: list[threads.ThreadFile] = []
    for upload in request.FILES.getlist("attachments"):
        if upload.size is None or upload.size > threads.MAX_ATTACHMENT_BYTES:
            raise threads.ThreadError(
                _("The file %(name)s is larger than %(mb)d MB.")
                % {"name": upload.name, "mb": threads.MAX_ATTACHMENT_BYTES >> 20}
            )
        files.append(
            threads.ThreadFile(
                filename=upload.name or "attachment", content=upload.read(), content_type=upload.content_type or ""
            )
        )
    return files


@require_GET
def message_attachment(request: HttpRequest, reference: str, attachment_id: str) -> HttpResponseBase:
    consult = load_case(request, reference, "consults.thread_file")
    if (refused := _hub_view_refused(request, consult)) is not None:
        return refused
    attachment = Attachment.objects.filter(request=consult, message__isnull=False, pk=attachment_id).first()
    if attachment is None:
        raise Http404(_("No such file."))
    path = blob_path(attachment.blob)
    if not path.is_file():
        raise Http404(_("The file is missing."))
    record_event(
        action="record.viewed",
        actor=request.user,
        target=consult.reference,
        detail={"form": "thread_file", "attachment": attachment.pk},
        request=request,
    )
    response = FileResponse(path.open("rb"), as_attachment=True, filename=attachment.filename)
    response["Content-Type"] = attachment.content_type or "application/octet-stream"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def provide_info(request: HttpRequest, reference: str) -> HttpResponse:
    consult = load_case(request, reference, "consults.provide_info")
    body = request.POST.get("body", "")
    try:
        threads.provide_information(consult=consult, by=request.user, body=body, http_request=request)
    except threads.ThreadError as exc:
        return _thread_response(request, consult, error=str(exc), body=body, status=400)
    except workflow.TransitionRefused:
        consult.refresh_from_db()
        return _thread_response(
            request, consult, error=_("The case has moved on; the information was not sent."), status=409
        )
    except compliance.PolicyDenied as exc:
        return _policy_denied(request, consult, exc)
    if _is_htmx(request):
        # The case's state changed too: reload the whole page.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = case_page(consult)
        return response
    return redirect(f"{case_page(consult)}#thread")


@require_GET
def opinion_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    consult = load_case(request, reference, "consults.opinion_pdf")
    if (refused := _hub_view_refused(request, consult)) is not None:
        return refused
    opinions = delivery.signed_opinions(consult)
    wanted = request.GET.get("version", "")
    opinion = next((o for o in opinions if str(o.version) == wanted), None) if wanted else None
    if opinion is None and not wanted and opinions:
        opinion = opinions[0]
    if opinion is None:
        raise Http404(_("There is no signed opinion for this case yet."))
    try:
        document = render_opinion_pdf(consult=consult, opinion=opinion)
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    record_event(
        action="record.viewed",
        actor=request.user,
        target=consult.reference,
        detail={"form": "opinion_pdf", "version": opinion.version, "identified": consult.patient_id is not None},
        request=request,
    )
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{consult.reference}-opinion-v{opinion.version}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def outcome_record(request: HttpRequest, reference: str) -> HttpResponse:
    consult = load_case(request, reference, "consults.record_outcome")
    try:
        outcomes.record_outcome(
            consult=consult,
            by=request.user,
            adoption=request.POST.get("adoption", ""),
            reason=request.POST.get("reason", ""),
            patient_status=request.POST.get("patient_status", ""),
            http_request=request,
        )
    except outcomes.OutcomeError as exc:
        messages.error(request, str(exc))
        return redirect(f"{case_page(consult)}#outcome")
    except compliance.PolicyDenied as exc:
        return _policy_denied(request, consult, exc)
    messages.success(request, _("The outcome was recorded and shared with the consulting centre."))
    return redirect(f"{case_page(consult)}#outcome")


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_authenticated", False):
        raise permissions.deny(
            user=request.user, action="consults.notifications", target="notifications", request=request
        )
    notes = list(
        Notification.objects.filter(user_id=int(request.user.pk or 0))
        .select_related("request")
        .order_by("-created_at")[:NOTIFICATIONS_SHOWN]
    )
    return render(request, "consults/notifications_list.html", {"notifications": notes})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_authenticated", False):
        raise permissions.deny(
            user=request.user, action="consults.notifications", target="notifications", request=request
        )
    threads.mark_notifications_read(user=request.user, ids=request.POST.getlist("id"))
    return redirect("consults:notifications")


urlpatterns: list[URLPattern] = [
    path("notifications/", notifications, name="notifications"),
    path("notifications/read/", notifications_read, name="notifications_read"),
    re_path(rf"^{REFERENCE}/messages/$", message_post, name="message_post"),
    re_path(rf"^{REFERENCE}/messages/files/(?P<attachment_id>[0-9]+)/$", message_attachment, name="message_attachment"),
    re_path(rf"^{REFERENCE}/information/$", provide_info, name="provide_info"),
    re_path(rf"^{REFERENCE}/opinion\.pdf$", opinion_pdf, name="opinion_pdf"),
    re_path(rf"^{REFERENCE}/outcome/$", outcome_record, name="outcome_record"),
]
