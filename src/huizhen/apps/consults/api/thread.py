"""JSON API ``/api/threads/``: the thread, the delivered opinion, its PDF, the outcome and notifications.

The same services and permission checks as the pages (:mod:`huizhen.apps.consults.views.thread`),
for a browser session that passed its second factor (:data:`huizhen.site.api_auth.verified_session`,
CSRF on unsafe methods). A refusal is 403 (audited by :func:`permissions.deny`), a policy
refusal 403 with the rules' reasons, a wrong input 400, a step the case no longer allows
409, an unknown case 404.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import compliance, delivery, outcomes, threads, workflow
from huizhen.apps.consults.models import ConsultRequest, Message, Notification
from huizhen.apps.consults.report import bilingual_opinion, render_opinion_pdf
from huizhen.apps.consults.views.thread import load_case
from huizhen.apps.translation.pdf import FontMissing
from huizhen.site.api_auth import verified_session

router = Router(tags=["consults"], auth=verified_session)


class FileIn(Schema):
    filename: str
    content_base64: str
    content_type: str = ""


class MessageIn(Schema):
    body: str
    kind: str = "question"
    in_reply_to: str | None = None
    attachments: list[FileIn] = []


class FileOut(Schema):
    id: int
    filename: str
    kind: str
    size: int
    url: str


class InformationIn(Schema):
    body: str


class OutcomeIn(Schema):
    adoption: str
    reason: str = ""
    patient_status: str = ""


class ReadIn(Schema):
    ids: list[int] = []


class MessageOut(Schema):
    uid: str
    kind: str
    origin: str
    author_name: str
    language: str
    body: str
    created_at: datetime
    in_reply_to: str | None
    translation: str | None
    translation_language: str | None
    provenance: dict[str, Any] | None
    verified: bool | None
    attachments: list[FileOut]


class OutcomeOut(Schema):
    adoption: str
    reason: str
    patient_status: str
    recorded_at: datetime


class NotificationOut(Schema):
    id: int
    verb: str
    text: str
    reference: str | None
    created_at: datetime
    read: bool


def _shown_case(request: HttpRequest, reference: str, action: str) -> ConsultRequest:
    """The case, when the user may see it and (at a hub) the policy engine allows the view."""
    consult = _case(request, reference, action)
    try:
        compliance.require_hub_view(consult=consult, actor=request.user, http_request=request)
    except compliance.PolicyDenied as exc:
        raise _policy(exc) from exc
    return consult


def _case(request: HttpRequest, reference: str, action: str) -> ConsultRequest:
    try:
        return load_case(request, reference, action)
    except PermissionDenied as exc:
        raise HttpError(403, "not allowed") from exc


def _policy(exc: compliance.PolicyDenied) -> HttpError:
    return HttpError(403, "; ".join(exc.reason_lines(get_language() or "en")) or "denied by policy")


def _message_out(entry: threads.ThreadEntry) -> MessageOut:
    message = entry.message
    task = entry.translation
    provenance = entry.provenance
    return MessageOut(
        uid=str(message.uid),
        kind=message.kind,
        origin=message.origin,
        author_name=message.author_name,
        language=message.language,
        body=message.body,
        created_at=message.created_at,
        in_reply_to=str(message.in_reply_to.uid) if message.in_reply_to is not None else None,
        translation=entry.translation_text or None,
        translation_language=task.target_lang if task is not None else None,
        provenance=provenance.to_dict() if provenance is not None else None,
        verified=task.is_verified if task is not None else None,
        attachments=[
            FileOut(
                id=file.pk,
                filename=file.filename,
                kind=file.kind,
                size=file.size,
                url=reverse("consults:message_attachment", args=[message.request.reference, file.pk]),
            )
            for file in message.attachments.all()
        ],
    )


@router.get("{reference}/messages", response=list[MessageOut])
def list_messages(request: HttpRequest, reference: str) -> list[MessageOut]:
    consult = _shown_case(request, reference, "consults.thread")
    record_event(
        action="record.viewed",
        actor=request.user,
        target=consult.reference,
        detail={"form": "thread_api"},
        request=request,
    )
    return [_message_out(entry) for entry in threads.thread_of(consult)]


@router.post("{reference}/messages", response={201: MessageOut})
def post_message(request: HttpRequest, reference: str, data: MessageIn) -> Status[MessageOut]:
    consult = _case(request, reference, "consults.message")
    in_reply_to = None
    if data.in_reply_to:
        in_reply_to = Message.objects.filter(uid=data.in_reply_to, request=consult).first()
        if in_reply_to is None:
            raise HttpError(400, "in_reply_to names no message of this case")
    try:
        files = [
            threads.ThreadFile(
                filename=item.filename,
                content=base64.b64decode(item.content_base64, validate=True),
                content_type=item.content_type,
            )
            for item in data.attachments
        ]
    except ValueError as exc:
        raise HttpError(400, "an attachment is not valid base64") from exc
    try:
        message = threads.post_message(
            consult=consult,
            by=request.user,
            body=data.body,
            kind=data.kind,
            in_reply_to=in_reply_to,
            attachments=files,
            http_request=request,
        )
    except PermissionDenied as exc:
        raise HttpError(403, "not allowed") from exc
    except threads.ThreadError as exc:
        raise HttpError(400, str(exc)) from exc
    except compliance.PolicyDenied as exc:
        raise _policy(exc) from exc
    return Status(201, _message_out(threads.ThreadEntry(message=message, translation=None)))


@router.post("{reference}/information", response={201: MessageOut})
def provide_information(request: HttpRequest, reference: str, data: InformationIn) -> Status[MessageOut]:
    consult = _case(request, reference, "consults.provide_info")
    try:
        message = threads.provide_information(consult=consult, by=request.user, body=data.body, http_request=request)
    except PermissionDenied as exc:
        raise HttpError(403, "not allowed") from exc
    except threads.ThreadError as exc:
        raise HttpError(400, str(exc)) from exc
    except workflow.TransitionRefused as exc:
        raise HttpError(409, str(exc)) from exc
    except compliance.PolicyDenied as exc:
        raise _policy(exc) from exc
    return Status(201, _message_out(threads.ThreadEntry(message=message, translation=None)))


@router.get("{reference}/opinions", response=list[dict[str, Any]])
def opinions(request: HttpRequest, reference: str) -> list[dict[str, Any]]:
    """Every signed version, newest first, each part in English and Chinese with its provenance."""
    consult = _shown_case(request, reference, "consults.opinion")
    record_event(
        action="record.viewed",
        actor=request.user,
        target=consult.reference,
        detail={"form": "opinion_api"},
        request=request,
    )
    return [bilingual_opinion(consult, opinion).as_dict() for opinion in delivery.signed_opinions(consult)]


@router.get("{reference}/opinion.pdf")
def opinion_pdf(request: HttpRequest, reference: str, version: int | None = None) -> HttpResponse:
    consult = _shown_case(request, reference, "consults.opinion_pdf")
    signed = delivery.signed_opinions(consult)
    opinion = next((o for o in signed if o.version == version), None) if version else (signed[0] if signed else None)
    if opinion is None:
        raise HttpError(404, "no signed opinion")
    try:
        document = render_opinion_pdf(consult=consult, opinion=opinion)
    except FontMissing as exc:
        raise HttpError(503, str(exc)) from exc
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


def _outcome_out(outcome: Any) -> OutcomeOut:
    return OutcomeOut(
        adoption=outcome.adoption,
        reason=outcome.reason,
        patient_status=outcome.patient_status,
        recorded_at=outcome.recorded_at,
    )


@router.get("{reference}/outcome", response={200: OutcomeOut, 404: dict[str, str]})
def get_outcome(request: HttpRequest, reference: str) -> Any:
    consult = _case(request, reference, "consults.outcome")
    outcome = outcomes.latest_outcome(consult)
    if outcome is None:
        return Status(404, {"detail": "no outcome recorded"})
    return Status(200, _outcome_out(outcome))


@router.post("{reference}/outcome", response={201: OutcomeOut})
def record_outcome(request: HttpRequest, reference: str, data: OutcomeIn) -> Status[OutcomeOut]:
    consult = _case(request, reference, "consults.record_outcome")
    try:
        outcome = outcomes.record_outcome(
            consult=consult,
            by=request.user,
            adoption=data.adoption,
            reason=data.reason,
            patient_status=data.patient_status,
            http_request=request,
        )
    except PermissionDenied as exc:
        raise HttpError(403, "not allowed") from exc
    except outcomes.OutcomeError as exc:
        raise HttpError(400, str(exc)) from exc
    except workflow.TransitionRefused as exc:
        raise HttpError(409, str(exc)) from exc
    except compliance.PolicyDenied as exc:
        raise _policy(exc) from exc
    return Status(201, _outcome_out(outcome))


@router.get("notifications", response=list[NotificationOut])
def notifications(request: HttpRequest, unread: bool = False) -> list[NotificationOut]:
    notes = Notification.objects.filter(user_id=int(request.user.pk or 0)).select_related("request")
    if unread:
        notes = notes.filter(read_at=None)
    return [
        NotificationOut(
            id=note.pk,
            verb=note.verb,
            text=note.text,
            reference=note.request.reference if note.request is not None else None,
            created_at=note.created_at,
            read=note.read_at is not None,
        )
        for note in notes.order_by("-created_at")[:100]
    ]


@router.post("notifications/read", response=dict[str, int])
def notifications_read(request: HttpRequest, data: ReadIn) -> dict[str, int]:
    return {"marked": threads.mark_notifications_read(user=request.user, ids=list(data.ids) or None)}
