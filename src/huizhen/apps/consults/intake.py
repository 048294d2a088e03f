"""The hub's intake of cases from gateways: ``case.submitted`` and ``info.provided`` events.

:func:`on_case_submitted` turns the de-identified package a gateway sent into the hub's
copy of the case: a :class:`~huizhen.apps.consults.models.ConsultRequest` in SUBMITTED,
linked to the sending gateway and to no patient, with attachments made from the files
the gateway uploaded before the event (:class:`~huizhen.apps.consults.models.ReceivedBlob`).
If a referenced file has not arrived the event is refused as retryable (409) and nothing
is created, so a case is never half there; a case already received under the same
reference is left as it is (a resubmission after a failed attempt is idempotent). The
free text is sent for translation and the hub's coordinators are told.
:func:`on_info_provided` adds the referring physician's answer to the thread and returns
the case to the state it was in before the question.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import inbound
from huizhen.apps.consults.models import (
    Attachment,
    AttachmentKind,
    ConsultRequest,
    DeidStatus,
    MessageKind,
    Program,
    ReceivedBlob,
    State,
    Subspecialty,
    Urgency,
)
from huizhen.apps.consults.notifications import notify
from huizhen.apps.consults.relay import EventRefused
from huizhen.apps.consults.translations import request_case_translations
from huizhen.apps.nodes.models import Peer

_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# De-identified DICOM is named from its new UIDs: <study>/<series>/<instance>.dcm.
_DICOM_PATH = re.compile(r"^[0-9.]{1,64}/[0-9.]{1,64}/[0-9.]{1,64}\.dcm$")
_POLICY_KEYS = ("subject", "consent", "volume")


def _text(payload: dict[str, Any], key: str, limit: int) -> str:
    value = payload.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise EventRefused(f"{key} must be text", retryable=False)
    return value[:limit]


def _choice(payload: dict[str, Any], key: str, choices: list[str], default: str, *, blank: bool = False) -> str:
    value = payload.get(key) or default
    if blank and value == "":
        return ""
    if value not in choices:
        raise EventRefused(f"unknown {key} {value!r}", retryable=False)
    return str(value)


def _received(sha256: Any) -> ReceivedBlob:
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise EventRefused(f"bad file hash {sha256!r}", retryable=False)
    blob = ReceivedBlob.objects.filter(sha256=sha256).first()
    if blob is None or not (Path(settings.HUIZHEN_BLOB_DIR) / blob.blob).is_file():
        # The gateway uploads files before the event; it will send the file and retry.
        raise EventRefused(f"file {sha256} has not arrived")
    return blob


def _checked_attachments(entries: Any) -> list[tuple[dict[str, Any], list[tuple[str, ReceivedBlob]]]]:
    """Every attachment with its received files, or refuse the event before anything is created."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise EventRefused("attachments must be a list", retryable=False)
    checked: list[tuple[dict[str, Any], list[tuple[str, ReceivedBlob]]]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise EventRefused("an attachment must be an object", retryable=False)
        kind = entry.get("kind")
        if kind not in AttachmentKind.values:
            raise EventRefused(f"unknown attachment kind {kind!r}", retryable=False)
        files = entry.get("files")
        if kind == AttachmentKind.DICOM:
            if not isinstance(files, list) or not files:
                raise EventRefused("a DICOM attachment lists its files", retryable=False)
            parts: list[tuple[str, ReceivedBlob]] = []
            for item in files:
                path = item.get("path") if isinstance(item, dict) else None
                if not isinstance(path, str) or not _DICOM_PATH.match(path):
                    raise EventRefused(f"bad DICOM file path {path!r}", retryable=False)
                parts.append((path, _received(item.get("sha256"))))
            checked.append((entry, parts))
        else:
            checked.append((entry, [("", _received(entry.get("sha256")))]))
    return checked


def _study_directory(reference: str, sha256: str, parts: list[tuple[str, ReceivedBlob]]) -> str:
    """Lay the instances of one study out as <study>/<series>/<instance>.dcm; return its relative path."""
    relative = f"consults/{reference}/{sha256}"
    root = Path(settings.HUIZHEN_BLOB_DIR) / relative
    for path, blob in parts:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            continue
        source = Path(settings.HUIZHEN_BLOB_DIR) / blob.blob
        temporary = target.with_name(f".{target.name}.part")
        temporary.unlink(missing_ok=True)
        try:
            os.link(source, temporary)
        except OSError:
            shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    return relative


def _parse_time(value: Any) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, UTC)


def _policy_facts(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    return {key: value[key] for key in _POLICY_KEYS if isinstance(value.get(key), dict)}


@inbound.handles("case.submitted")
def on_case_submitted(*, peer: Peer, payload: dict[str, Any], event_id: str) -> None:
    """Create the hub's de-identified copy of a case sent by gateway ``peer``."""
    if settings.HUIZHEN_ROLE != "hub":
        raise EventRefused("only a hub receives cases", retryable=False)
    reference = payload.get("reference")
    if not isinstance(reference, str) or not _REFERENCE.match(reference):
        raise EventRefused("the case needs a reference", retryable=False)
    existing = ConsultRequest.objects.filter(reference=reference).first()
    if existing is not None:
        if existing.peer_id != peer.pk:
            raise EventRefused(f"case {reference} came from another gateway", retryable=False)
        return  # a resubmission: the hub already has it and changes nothing
    summary = payload.get("summary") or {}
    if not isinstance(summary, dict):
        raise EventRefused("summary must be an object", retryable=False)
    attachments = _checked_attachments(payload.get("attachments"))
    language = _text(payload, "language", 8) or "zh"
    with transaction.atomic():
        consult = ConsultRequest.objects.create(
            reference=reference,
            patient=None,
            peer=peer,
            referring_physician=None,
            referring_physician_name=_text(payload, "referring_physician_name", 200),
            referring_institution=_text(payload, "referring_institution", 200),
            patient_pseudonym=_text(payload, "pseudonym", 32),
            program=_choice(payload, "program", Program.values, Program.SECOND_OPINION),
            urgency=_choice(payload, "urgency", Urgency.values, Urgency.ROUTINE),
            subspecialty=_choice(payload, "subspecialty", Subspecialty.values, "", blank=True),
            question=_text(payload, "question", 20_000),
            language=language if language in ("zh", "en") else "zh",
            summary=summary,
            state=State.SUBMITTED,
            submitted_at=_parse_time(payload.get("submitted_at")),
            export_facts=_policy_facts(payload.get("export_facts")),
        )
        for entry, parts in attachments:
            sha256 = str(entry.get("sha256") or parts[0][1].sha256)
            if entry["kind"] == AttachmentKind.DICOM:
                if not _SHA256.match(sha256):
                    raise EventRefused("bad study hash", retryable=False)
                blob = _study_directory(reference, sha256, parts)
                size = sum(part.size for _path, part in parts)
            else:
                blob, size = parts[0][1].blob, parts[0][1].size
            Attachment.objects.create(
                request=consult,
                kind=entry["kind"],
                title=_text(entry, "title", 300),
                filename=_text(entry, "filename", 255) or sha256[:12],
                content_type=_text(entry, "content_type", 100),
                blob=blob,
                size=size,
                sha256=sha256,
                deid_status=DeidStatus.INCLUDED,
            )
        record_event(
            action="consults.case_received",
            peer=peer.name,
            target=reference,
            detail={"event": event_id, "attachments": len(attachments)},
        )
        request_case_translations(consult=consult, by=None)
        notify(
            users=_hub_coordinators(),
            request=consult,
            verb="case_received",
            text=_("A new case %(reference)s arrived from %(gateway)s.")
            % {"reference": reference, "gateway": peer.name},
        )


@inbound.handles("info.provided")
def on_info_provided(*, peer: Peer, payload: dict[str, Any], event_id: str) -> None:
    """The referring physician's answer: into the thread, and the case back where it was."""
    from huizhen.apps.consults.threads import case_for_event, store_received_message
    from huizhen.apps.consults.triage import resume_after_information

    if settings.HUIZHEN_ROLE != "hub":
        raise EventRefused("only a hub receives answers to its questions", retryable=False)
    consult = case_for_event(peer=peer, reference=str(payload.get("reference") or ""))
    message = payload.get("message")
    if not isinstance(message, dict):
        raise EventRefused("the answer needs its message", retryable=False)
    message = {**message, "kind": MessageKind.INFO_RESPONSE, "reference": consult.reference}
    with transaction.atomic():
        store_received_message(consult=consult, peer=peer, data=message)
        if consult.state == State.INFO_REQUESTED:
            resume_after_information(consult=consult)


def _hub_coordinators() -> list[Any]:
    from huizhen.apps.consults.selectors import hub_coordinators

    return list(hub_coordinators())
