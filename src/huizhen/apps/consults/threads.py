"""The physician-to-physician thread of a case: post, relay, receive, translate — on either node.

A post is a :class:`~huizhen.apps.consults.models.Message` kept at the author's node as
written and relayed to the peer as a ``message.posted`` event. At a gateway the text is
de-identified *before* it leaves: the patient's registry identifiers are masked and the
rest goes through the text scrubber with the case's date shift (:func:`scrub_for_peer`),
so the hub only ever receives scrubbed text; the gateway keeps the original. Every relay
passes the policy engine (``action="message"``) and is audited. The receiving node
stores the message, asks for a translation into its readers' language (gateway: Chinese,
hub: English) and notifies the people on the case.

Answering the hub's request for more information is :func:`provide_information`: an
``INFO_RESPONSE`` message relayed as ``info.provided`` that also moves the gateway's copy
back to the state it was in before the question (kept in ``resume_state`` when the
question arrived, :mod:`huizhen.apps.consults.delivery`).

There is deliberately no channel to the patient: the thread, the notifications and the
e-mails go to physicians and coordinators with accounts, never to an address from the
registry (issue 4 item 7: the consultants advise the treating physician, not the patient).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from huizhen.apps.accounts import permissions
from huizhen.apps.accounts.models import Role, User
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import inbound, workflow
from huizhen.apps.consults.models import (
    Attachment,
    AttachmentKind,
    ConsultRequest,
    DeidStatus,
    Message,
    MessageKind,
    State,
)
from huizhen.apps.consults.notifications import notify
from huizhen.apps.consults.relay import EventRefused
from huizhen.apps.nodes.models import Peer
from huizhen.apps.translation.models import TranslationTask

MAX_BODY_CHARS = 20_000
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class ThreadError(ValueError):
    """A post that cannot be made as asked (empty, too long, wrong state); the message says why."""


# -- Node and language ------------------------------------------------------------------------


def node_role() -> str:
    return str(settings.HUIZHEN_ROLE)


def reader_language() -> str:
    """The language this node's readers get clinical text in: Chinese at a gateway, English at a hub."""
    return "zh" if node_role() == "gateway" else "en"


def language_of(text: str) -> str:
    """ "zh" when the text holds Chinese characters, else "en"."""
    return "zh" if _CJK.search(text) else "en"


def person_name(user: Any) -> str:
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


# -- De-identification before a text leaves the gateway ------------------------------------


def scrub_for_peer(*, consult: ConsultRequest, text: str) -> str:
    """``text`` as the peer may receive it: at a gateway masked and scrubbed, at a hub as written.

    The registry's own identifiers of the case's patient are masked first (a name written
    without any cue the scrubber knows is still this patient's name), then the scrubber
    replaces what it finds, shifting dates by the patient's shift so they agree with the
    summary the hub already has.
    """
    if node_role() != "gateway" or consult.patient is None:
        return text
    from huizhen.deid.text import ScrubContext, scrub

    patient = consult.patient
    lang = language_of(text)
    context = ScrubContext(date_shift_days=patient.date_shift_days)
    masked = text
    for value, kind in _known_identifiers(patient):
        pattern = re.compile(re.escape(value), flags=re.IGNORECASE)
        if pattern.search(masked):
            masked = pattern.sub(context.tag(kind, value, lang=lang), masked)
    return scrub(masked, lang="auto", context=context).text


def _known_identifiers(patient: Any) -> list[tuple[str, str]]:
    """The patient's registry identifiers with the scrubber's kind for each, longest first."""
    names = {
        patient.full_name,
        f"{patient.family_name}{patient.given_name}",
        f"{patient.given_name} {patient.family_name}",
        f"{patient.family_name} {patient.given_name}",
        patient.name_latin,
    }
    pairs = {(name.strip(), "NAME") for name in names if len(name.strip()) >= 2}
    pairs |= {(value.strip(), "RECORD_NUMBER") for value in (patient.mrn,) if value.strip()}
    pairs |= {(value.strip(), "ID_NUMBER") for value in (patient.national_id, patient.passport) if value.strip()}
    pairs |= {(value.strip(), "PHONE") for value in (patient.phone,) if value.strip()}
    pairs |= {(value.strip(), "EMAIL") for value in (patient.email,) if value.strip()}
    pairs |= {(value.strip(), "ADDRESS") for value in (patient.address,) if value.strip()}
    # Longest first, so a full name is masked before a shorter form inside it.
    return sorted(pairs, key=lambda pair: -len(pair[0]))


# -- Translation and notification --------------------------------------------------------------


def translation_subject(consult: ConsultRequest, message: Message) -> str:
    return f"{consult.reference}:message-{message.uid}"


def request_reader_translation(
    *, consult: ConsultRequest, text: str, language: str, subject: str, target: str | None = None
) -> Any:
    """Ask for ``text`` in ``target`` (default: this node's readers' language), once per subject.

    None when no translation is needed (empty text, or already in that language).
    """
    target = target or reader_language()
    if not text.strip() or language == target or language not in ("zh", "en"):
        return None
    existing = TranslationTask.objects.filter(subject=subject[:200], case_ref=consult.reference).first()
    if existing is not None:
        return existing
    from huizhen.apps.translation.services import request_translation

    return request_translation(
        text=text, source=language, target=target, subject=subject, case_ref=consult.reference, by=None
    )


def translation_of(consult: ConsultRequest, subject: str) -> TranslationTask | None:
    """The newest translation task of ``subject`` for this case, or None."""
    return TranslationTask.objects.filter(subject=subject[:200], case_ref=consult.reference).order_by("-pk").first()


def people_on_case(consult: ConsultRequest) -> list[Any]:
    """Who hears about the case at this node: the referring physician (gateway) or its hub clinicians.

    At a gateway with no referring physician account left, the institution's case
    coordinators; at a hub, the assigned specialists, else the coordinators.
    """
    if node_role() == "gateway":
        if consult.referring_physician is not None:
            return [consult.referring_physician]
        return list(User.objects.filter(memberships__role=Role.CASE_COORDINATOR, is_active=True).distinct())
    specialists = [a.specialist for a in consult.assignments.filter(released_at=None).select_related("specialist")]
    if specialists:
        return specialists
    return list(
        User.objects.filter(
            memberships__role__in=[Role.CASE_COORDINATOR, Role.PROGRAM_DIRECTOR], is_active=True
        ).distinct()
    )


# -- Payloads -------------------------------------------------------------------------------------


def message_payload(message: Message, *, body: str, attachments: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The ``message.posted`` payload of ``message`` with ``body`` (already scrubbed at a gateway)."""
    payload: dict[str, Any] = {
        "reference": message.request.reference,
        "uid": str(message.uid),
        "kind": message.kind,
        "author_name": message.author_name,
        "origin": message.origin,
        "language": message.language,
        "body": body,
        "created_at": message.created_at.isoformat(),
        "attachments": list(attachments),
    }
    if message.in_reply_to is not None:
        payload["in_reply_to"] = str(message.in_reply_to.uid)
    return payload


def _relay(*, consult: ConsultRequest, kind: str, payload: dict[str, Any], by: Any, http_request: Any) -> None:
    from huizhen.apps.consults import compliance, relay

    if consult.peer is None:
        raise ThreadError(_("This case has no peer node to send the message to."))
    compliance.require_allowed(
        consult=consult, actor=by, action="message", data_classes=["message"], http_request=http_request
    )
    relay.send_event(peer=consult.peer, kind=kind, payload=payload, request=http_request, consult=consult)


# -- Attachments -----------------------------------------------------------------------------------

#: A thread attachment travels inside its event, so it is kept small.
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 5
_HUB_KINDS = (AttachmentKind.TEXT, AttachmentKind.PDF, AttachmentKind.IMAGE)


@dataclass(frozen=True)
class ThreadFile:
    """A file attached to a post, as uploaded."""

    filename: str
    content: bytes
    content_type: str = ""


@dataclass(frozen=True)
class _Prepared:
    kind: str
    filename: str
    content_type: str
    original: bytes
    wire: dict[str, Any]


def _safe_filename(name: str) -> str:
    name = Path(str(name or "")).name.strip().replace("\x00", "")
    return (name or "attachment")[:200]


def _kind_of(file: ThreadFile) -> str:
    from huizhen.apps.registry.blobs import sniff

    sniffed = sniff(file.content[:160])
    if sniffed == "application/pdf":
        return AttachmentKind.PDF
    if sniffed in ("image/jpeg", "image/png"):
        return AttachmentKind.IMAGE
    if sniffed is not None:
        return AttachmentKind.OTHER
    return AttachmentKind.TEXT if _decoded(file.content) is not None else AttachmentKind.OTHER


def _decoded(content: bytes) -> str | None:
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def outgoing_attachments(*, consult: ConsultRequest, files: Sequence[ThreadFile]) -> list[_Prepared]:
    """Check the files of a post and give each its wire form; :class:`ThreadError` names what is refused."""
    if len(files) > MAX_ATTACHMENTS:
        raise ThreadError(_("At most %(count)d files per message.") % {"count": MAX_ATTACHMENTS})
    prepared: list[_Prepared] = []
    for file in files:
        name = _safe_filename(file.filename)
        if not file.content:
            raise ThreadError(_("The file %(name)s is empty.") % {"name": name})
        if len(file.content) > MAX_ATTACHMENT_BYTES:
            raise ThreadError(
                _("The file %(name)s is larger than %(mb)d MB.") % {"name": name, "mb": MAX_ATTACHMENT_BYTES >> 20}
            )
        kind = _kind_of(file)
        if node_role() == "gateway":
            if kind != AttachmentKind.TEXT:
                raise ThreadError(
                    _(
                        "%(name)s cannot be de-identified yet, so it cannot leave the hospital: "
                        "only text files can be attached to a message."
                    )
                    % {"name": name}
                )
            text = scrub_for_peer(consult=consult, text=_decoded(file.content) or "")
            wire = {
                "filename": name,
                "kind": kind,
                "content_type": "text/plain; charset=utf-8",
                "encoding": "text",
                "content": text,
            }
            content_type = "text/plain; charset=utf-8"
        else:
            if kind not in _HUB_KINDS:
                raise ThreadError(_("%(name)s: attach text, PDF or image files.") % {"name": name})
            types: dict[str, str] = {
                AttachmentKind.PDF: "application/pdf",
                AttachmentKind.TEXT: "text/plain; charset=utf-8",
            }
            content_type = types.get(kind, file.content_type or "application/octet-stream")
            wire = {
                "filename": name,
                "kind": kind,
                "content_type": content_type,
                "encoding": "base64",
                "content": base64.b64encode(file.content).decode("ascii"),
            }
        prepared.append(
            _Prepared(kind=kind, filename=name, content_type=content_type, original=file.content, wire=wire)
        )
    return prepared


def _keep_attachment(*, consult: ConsultRequest, message: Message, item: Any, content: bytes) -> Attachment:
    from huizhen.apps.registry.blobs import store_bytes

    stored = store_bytes(content, folder=f"thread/{consult.reference}", max_size=MAX_ATTACHMENT_BYTES)
    return Attachment.objects.create(
        request=consult,
        message=message,
        kind=item.kind,
        title=item.filename,
        filename=item.filename,
        content_type=item.content_type[:100],
        blob=stored.relative,
        size=stored.size,
        sha256=stored.sha256,
        deid_status=DeidStatus.INCLUDED if node_role() == "gateway" else DeidStatus.PENDING,
        deid_note="scrubbed text sent with the message" if node_role() == "gateway" else "",
    )


def _received_attachments(*, consult: ConsultRequest, message: Message, items: Any) -> int:
    """Keep the files that came with a peer's message; a gateway's may only be (scrubbed) text."""
    if not items:
        return 0
    if not isinstance(items, list) or len(items) > MAX_ATTACHMENTS:
        raise EventRefused("attachments must be a short list", retryable=False)
    for raw in items:
        if not isinstance(raw, dict):
            raise EventRefused("an attachment is an object", retryable=False)
        encoding, content = raw.get("encoding"), raw.get("content")
        if not isinstance(content, str):
            raise EventRefused("an attachment carries its content", retryable=False)
        if encoding == "text":
            data = content.encode("utf-8")
            kind: str = AttachmentKind.TEXT
        elif encoding == "base64" and node_role() == "gateway":
            # Only a hub sends binary files: a gateway's files are scrubbed text.
            try:
                data = base64.b64decode(content, validate=True)
            except ValueError as error:
                raise EventRefused("an attachment is not valid base64", retryable=False) from error
            kind = str(raw.get("kind") or AttachmentKind.OTHER)
            if kind not in _HUB_KINDS:
                kind = AttachmentKind.OTHER
        else:
            raise EventRefused(f"attachment encoding {encoding!r} is not accepted here", retryable=False)
        if not data or len(data) > MAX_ATTACHMENT_BYTES:
            raise EventRefused("an attachment is empty or too large", retryable=False)
        name = _safe_filename(str(raw.get("filename") or "attachment"))
        content_type = str(raw.get("content_type") or "application/octet-stream")
        item = _Prepared(kind=kind, filename=name, content_type=content_type, original=data, wire={})
        _keep_attachment(consult=consult, message=message, item=item, content=data)
    return len(items)


# -- Posting ---------------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ThreadError(_("Write a message first."))
    if len(body) > MAX_BODY_CHARS:
        raise ThreadError(_("A message is at most %(count)d characters.") % {"count": MAX_BODY_CHARS})
    return body


def post_message(
    *,
    consult: ConsultRequest,
    by: Any,
    body: str,
    kind: str = MessageKind.QUESTION,
    in_reply_to: Message | None = None,
    attachments: Sequence[ThreadFile] = (),
    http_request: Any = None,
) -> Message:
    """Add a post to the case's thread and relay it (scrubbed at a gateway) to the peer; audited.

    ``attachments`` travel inside the event (:func:`outgoing_attachments`): from a gateway
    only text files, scrubbed like the message (no safe de-identifier exists yet for PDFs
    and images, so they are refused with that reason); from a hub also PDFs and images.
    The author's node keeps the files as uploaded.
    """
    if not permissions.can_post_message(by, consult):
        raise permissions.deny(user=by, action="consult.message", target=consult.reference, request=http_request)
    if kind not in (MessageKind.QUESTION, MessageKind.ANSWER, MessageKind.NOTE):
        raise ThreadError(_("This kind of message cannot be posted here."))
    if consult.state in (State.DRAFT, State.SUBMITTING, State.SUBMISSION_FAILED):
        raise ThreadError(_("The thread opens once the case has reached the consulting centre."))
    if in_reply_to is not None and in_reply_to.request_id != consult.pk:
        raise ThreadError(_("A reply must answer a message of the same case."))
    return _create_and_relay(
        consult=consult,
        by=by,
        body=_clean_body(body),
        kind=kind,
        in_reply_to=in_reply_to,
        attachments=attachments,
        event_kind="message.posted",
        http_request=http_request,
    )


def provide_information(*, consult: ConsultRequest, by: Any, body: str, http_request: Any = None) -> Message:
    """The referring side answers the hub's request for information; the case resumes where it was.

    Gateway only. The answer is an ``INFO_RESPONSE`` message relayed as ``info.provided``;
    the gateway's copy moves back from INFO_REQUESTED to the state stored when the
    question arrived (the hub does the same on its side when the event arrives).
    """
    if node_role() != "gateway" or not permissions.can_post_message(by, consult):
        raise permissions.deny(user=by, action="consult.provide_info", target=consult.reference, request=http_request)
    if consult.state != State.INFO_REQUESTED:
        raise ThreadError(_("The consulting centre has not asked for more information."))
    body = _clean_body(body)
    question = consult.messages.filter(kind=MessageKind.INFO_REQUEST).order_by("-created_at", "-id").first()
    resume = consult.resume_state or State.SUBMITTED
    with transaction.atomic():
        message = _create_and_relay(
            consult=consult,
            by=by,
            body=body,
            kind=MessageKind.INFO_RESPONSE,
            in_reply_to=question,
            attachments=(),
            event_kind="info.provided",
            http_request=http_request,
        )
        workflow.transition(
            consult,
            resume,
            actor=by,
            detail={"message": str(message.uid)},
            http_request=http_request,
            resume_state="",
        )
    return message


def _create_and_relay(
    *,
    consult: ConsultRequest,
    by: Any,
    body: str,
    kind: str,
    in_reply_to: Message | None,
    attachments: Sequence[ThreadFile],
    event_kind: str,
    http_request: Any,
) -> Message:
    prepared = outgoing_attachments(consult=consult, files=attachments)
    with transaction.atomic():
        message = Message.objects.create(
            request=consult,
            kind=kind,
            in_reply_to=in_reply_to,
            origin=node_role(),
            author=by,
            author_name=person_name(by),
            body=body,
            language=language_of(body),
        )
        for item in prepared:
            _keep_attachment(consult=consult, message=message, item=item, content=item.original)
        outgoing = scrub_for_peer(consult=consult, text=body)
        payload = message_payload(message, body=outgoing, attachments=[item.wire for item in prepared])
        if event_kind == "info.provided":
            payload = {"reference": consult.reference, "message": payload}
        _relay(consult=consult, kind=event_kind, payload=payload, by=by, http_request=http_request)
        Message.objects.filter(pk=message.pk).update(relayed_at=timezone.now())
        record_event(
            action="consult.message_posted",
            actor=by,
            target=consult.reference,
            peer=consult.peer.name if consult.peer else "",
            detail={
                "message": str(message.uid),
                "kind": kind,
                "event": event_kind,
                "chars": len(body),
                "scrubbed": outgoing != body,
                "attachments": len(prepared),
            },
            request=http_request,
        )
    message.refresh_from_db()
    return message


# -- Receiving ----------------------------------------------------------------------------------------


def case_for_event(*, peer: Peer, reference: str) -> ConsultRequest:
    """The case an event from ``peer`` names; only the node the case is exchanged with may change it."""
    consult = ConsultRequest.objects.filter(reference=str(reference or "")).select_related("peer").first()
    if consult is None:
        # Possibly ahead of the case itself: the peer retries.
        raise EventRefused(f"no case {reference!r} here")
    if consult.peer_id != peer.pk:
        raise EventRefused(f"case {reference} is not exchanged with {peer.name}", retryable=False)
    return consult


def store_received_message(*, consult: ConsultRequest, peer: Peer, data: dict[str, Any]) -> Message:
    """Keep a message the peer relayed (idempotent by its uid) and ask for its translation."""
    uid = str(data.get("uid") or "")
    body = str(data.get("body") or "").strip()
    kind = str(data.get("kind") or MessageKind.QUESTION)
    if not uid or not body:
        raise EventRefused("a message needs a uid and a body", retryable=False)
    if kind not in MessageKind.values:
        raise EventRefused(f"unknown message kind {kind!r}", retryable=False)
    existing = Message.objects.filter(uid=uid).first()
    if existing is not None:
        if existing.request_id != consult.pk:
            raise EventRefused(f"message {uid} belongs to another case", retryable=False)
        return existing
    reply_uid = data.get("in_reply_to")
    in_reply_to = Message.objects.filter(uid=reply_uid, request=consult).first() if reply_uid else None
    language = str(data.get("language") or language_of(body))
    if language not in ("zh", "en"):
        language = language_of(body)
    try:
        message = Message.objects.create(
            uid=uid,
            request=consult,
            kind=kind,
            in_reply_to=in_reply_to,
            origin=str(data.get("origin") or ("hub" if node_role() == "gateway" else "gateway"))[:8],
            author_name=str(data.get("author_name") or "")[:200],
            body=body[:MAX_BODY_CHARS],
            language=language,
            relayed_at=timezone.now(),
        )
    except Exception as error:  # a malformed uid
        raise EventRefused(f"message cannot be stored: {error}", retryable=False) from error
    _received_attachments(consult=consult, message=message, items=data.get("attachments"))
    created = _parse_time(data.get("created_at"))
    if created is not None:
        # The thread is ordered by when the author wrote, not when the relay arrived.
        Message.objects.filter(pk=message.pk).update(created_at=created)
        message.created_at = created
    request_reader_translation(
        consult=consult, text=message.body, language=message.language, subject=translation_subject(consult, message)
    )
    record_event(
        action="consult.message_received",
        peer=peer.name,
        target=consult.reference,
        detail={"message": uid, "kind": kind, "chars": len(message.body)},
    )
    return message


@inbound.handles("message.posted")
def on_message_posted(*, peer: Peer, payload: dict[str, Any], event_id: str) -> None:
    consult = case_for_event(peer=peer, reference=payload.get("reference", ""))
    message = store_received_message(consult=consult, peer=peer, data=payload)
    notify(
        users=people_on_case(consult),
        request=consult,
        verb="message",
        text=_("New message on case %(reference)s from %(author)s.")
        % {"reference": consult.reference, "author": message.author_name or _("the other side")},
    )


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


# -- Reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThreadEntry:
    """One message as a reader sees it: the text as stored here and its translation, if any."""

    message: Message
    translation: TranslationTask | None

    @property
    def translation_text(self) -> str:
        return self.translation.translation_text if self.translation is not None else ""

    @property
    def provenance(self) -> Any:
        return self.translation.provenance if self.translation is not None else None


def thread_of(consult: ConsultRequest) -> list[ThreadEntry]:
    """The case's messages, oldest first, each with its translation into this node's readers' language."""
    messages = list(
        consult.messages.select_related("in_reply_to").prefetch_related("attachments").order_by("created_at", "id")
    )
    subjects = {translation_subject(consult, m): m for m in messages}
    tasks: dict[str, TranslationTask] = {}
    for task in TranslationTask.objects.filter(case_ref=consult.reference, subject__in=list(subjects)).order_by("pk"):
        tasks[task.subject] = task
    return [ThreadEntry(message=m, translation=tasks.get(translation_subject(consult, m))) for m in messages]


def open_question(consult: ConsultRequest) -> Message | None:
    """The hub's unanswered request for information, while the case waits for it."""
    if consult.state != State.INFO_REQUESTED:
        return None
    return consult.messages.filter(kind=MessageKind.INFO_REQUEST).order_by("-created_at", "-id").first()


def mark_notifications_read(*, user: Any, ids: Sequence[str | int] | None = None) -> int:
    """Mark the user's own notifications read (the given ids, or all); returns how many changed."""
    from huizhen.apps.consults.models import Notification

    unread = Notification.objects.filter(user=user, read_at=None)
    if ids:
        unread = unread.filter(pk__in=[int(i) for i in ids if str(i).isdigit()])
    return unread.update(read_at=timezone.now())
