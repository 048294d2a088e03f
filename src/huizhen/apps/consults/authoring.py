"""Writing a consultation request at the gateway: the draft, its summary, attachments, and submitting it.

The referring physician creates a draft for a registry patient, fills in the program,
urgency, subspecialty, question and structured summary
(:mod:`huizhen.apps.consults.summary`), attaches documents, chooses the consulting hub
and submits. A draft is editable while it is a draft (or after a failed submission);
every change is audited under the case reference. Attachments are typed by their first
bytes — PDF, JPEG/PNG, DICOM (one file, or a ZIP of a study unpacked to a directory of
instances) and UTF-8 text — size-limited, hashed and written atomically
(:mod:`huizhen.apps.registry.blobs`). :func:`submit_request` is the one entry to the
submission pipeline: it refuses an incomplete request with the list of what is missing,
moves the case to SUBMITTING through the state machine and hands it to
:func:`huizhen.apps.consults.submission.start_submission`. Submitting a case that is
already on its way is a no-op, so a double click or a retried API call sends it once.
"""

from __future__ import annotations

import secrets
import shutil
import zipfile
from base64 import b32encode
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huizhen.apps.accounts.models import Institution, Role
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import workflow
from huizhen.apps.consults.models import (
    Attachment,
    AttachmentKind,
    ConsultRequest,
    Program,
    State,
    Subspecialty,
    Urgency,
)
from huizhen.apps.consults.summary import clean_summary, missing_items
from huizhen.apps.nodes.models import Peer
from huizhen.apps.registry import blobs
from huizhen.apps.registry.models import Patient

#: Largest single attachment (PDF, image, text, one DICOM file).
ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024
#: Largest ZIP of a DICOM study, and the most its instances may add up to once unpacked.
DICOM_ZIP_MAX_BYTES = 500 * 1024 * 1024
DICOM_UNPACKED_MAX_BYTES = 2 * 1024 * 1024 * 1024
DICOM_MAX_INSTANCES = 5000
TEXT_MAX_BYTES = 5 * 1024 * 1024

#: States in which the request is still the physician's to change.
EDITABLE_STATES = frozenset({State.DRAFT, State.SUBMISSION_FAILED})
#: Fields :func:`update_request` sets.
EDITABLE_FIELDS = ("program", "urgency", "subspecialty", "question", "language", "summary")
LANGUAGES = ("zh", "en")


class NotEditable(Exception):
    """The request has left the physician's hands (submitted); it can no longer be changed."""


class AuthoringError(ValueError):
    """A value the request cannot take (the message says which and why)."""


class IncompleteRequest(Exception):
    """The request misses what :func:`~huizhen.apps.consults.summary.missing_items` lists."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("; ".join(missing))
        self.missing = missing


def _require_gateway() -> None:
    if settings.HUIZHEN_ROLE != "gateway":
        raise AuthoringError(_("Consultation requests are written at a hospital gateway."))


def _require_editable(consult: ConsultRequest) -> None:
    if consult.state not in EDITABLE_STATES:
        raise NotEditable(
            _("Case %(reference)s has been submitted and can no longer be changed.") % {"reference": consult.reference}
        )


def new_reference() -> str:
    """A fresh case reference such as ``HZ-2026-7F3K2Q``: the year and six random base-32 characters."""
    year = timezone.now().year
    while True:
        candidate = f"HZ-{year}-{b32encode(secrets.token_bytes(5)).decode('ascii')[:6]}"
        if not ConsultRequest.objects.filter(reference=candidate).exists():
            return candidate


def referring_institution_of(user: Any) -> Institution | None:
    """The referring hospital where ``user`` is a referring physician (a hospital before any other institution)."""
    if not getattr(user, "is_authenticated", False):
        return None
    memberships = list(user.memberships.filter(role=Role.REFERRING_PHYSICIAN).select_related("institution"))
    memberships.sort(key=lambda m: m.institution.kind != Institution.Kind.REFERRING_HOSPITAL)
    return memberships[0].institution if memberships else None


def _check_choices(fields: dict[str, Any]) -> None:
    checks = {
        "program": Program.values,
        "urgency": Urgency.values,
        "subspecialty": ["", *Subspecialty.values],
        "language": list(LANGUAGES),
    }
    for name, allowed in checks.items():
        if name in fields and fields[name] not in allowed:
            raise AuthoringError(
                _("%(field)s: %(value)s is not one of the choices.") % {"field": name, "value": fields[name]}
            )


def _check_hub(peer: Peer | None) -> None:
    if peer is not None and peer.role not in ("", Peer.Role.HUB):
        raise AuthoringError(_("%(peer)s is not a consulting hub.") % {"peer": peer.name})


def create_draft(
    *,
    patient: Patient,
    by: Any,
    peer: Peer | None = None,
    program: str = Program.SECOND_OPINION,
    urgency: str = Urgency.ROUTINE,
    subspecialty: str = "",
    question: str = "",
    language: str = "zh",
    summary: dict[str, Any] | None = None,
    request: Any = None,
) -> ConsultRequest:
    """A new draft request for ``patient`` written by ``by``; audited ``consult.draft_created``."""
    _require_gateway()
    _check_choices({"program": program, "urgency": urgency, "subspecialty": subspecialty, "language": language})
    _check_hub(peer)
    cleaned = clean_summary(summary or {})
    institution = referring_institution_of(by)
    with transaction.atomic():
        consult = ConsultRequest.objects.create(
            reference=new_reference(),
            patient=patient,
            peer=peer,
            referring_physician=by,
            referring_physician_name=(by.get_full_name() or by.get_username()) if by is not None else "",
            referring_institution=institution.name if institution is not None else "",
            program=program,
            urgency=urgency,
            subspecialty=subspecialty,
            question=question,
            language=language,
            summary=cleaned,
            state=State.DRAFT,
        )
        record_event(
            action="consult.draft_created",
            actor=by,
            target=consult.reference,
            detail={"patient": patient.pseudonym},
            request=request,
        )
    return consult


def update_request(*, consult: ConsultRequest, by: Any, request: Any = None, **fields: Any) -> ConsultRequest:
    """Change the draft's fields (``summary`` is validated; :class:`SummaryInvalid` lists problems)."""
    _require_gateway()
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown request fields: {sorted(unknown)}")
    _check_choices(fields)
    if "summary" in fields:
        fields["summary"] = clean_summary(fields["summary"])
    with transaction.atomic():
        locked = ConsultRequest.objects.select_for_update().get(pk=consult.pk)
        _require_editable(locked)
        changed = sorted(name for name, value in fields.items() if getattr(locked, name) != value)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        record_event(
            action="consult.updated", actor=by, target=locked.reference, detail={"fields": changed}, request=request
        )
    for name in (*fields, "updated_at"):
        setattr(consult, name, getattr(locked, name))
    return consult


def choose_hub(*, consult: ConsultRequest, by: Any, peer: Peer, request: Any = None) -> ConsultRequest:
    """Address the request to the consulting hub ``peer``; audited ``consult.hub_chosen``."""
    _require_gateway()
    _check_hub(peer)
    with transaction.atomic():
        locked = ConsultRequest.objects.select_for_update().get(pk=consult.pk)
        _require_editable(locked)
        locked.peer = peer
        locked.save(update_fields=["peer", "updated_at"])
        record_event(
            action="consult.hub_chosen", actor=by, target=locked.reference, detail={"peer": peer.name}, request=request
        )
    consult.peer = peer
    return consult


# -- Attachments ----------------------------------------------------------------------------


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        return error.start >= len(head) - 3
    return True


def _chunks(upload: Any) -> Iterable[bytes]:
    if isinstance(upload, bytes | bytearray):
        yield bytes(upload)
        return
    if hasattr(upload, "chunks"):
        yield from upload.chunks()
        return
    while chunk := upload.read(blobs.CHUNK):
        yield chunk


def _head(upload: Any, size: int = 4096) -> bytes:
    if isinstance(upload, bytes | bytearray):
        return bytes(upload[:size])
    head: bytes = upload.read(size)
    upload.seek(0)
    return head


def add_attachment(
    *,
    consult: ConsultRequest,
    by: Any,
    upload: Any,
    filename: str,
    title: str = "",
    request: Any = None,
) -> Attachment:
    """Store ``upload`` (bytes or a file) as an attachment of the draft; audited ``consult.attachment_added``.

    The kind is read from the content: PDF, JPEG/PNG, DICOM (a file or a ZIP of a
    study, unpacked), UTF-8 text. Anything else, an empty or oversized file, or a ZIP
    without DICOM instances is refused (:class:`blobs.UploadRefused`) and leaves no file.
    """
    _require_gateway()
    _require_editable(consult)
    filename = PurePosixPath(filename.replace("\\", "/")).name[:255] or "attachment"
    head = _head(upload)
    content_type = blobs.sniff(head)
    folder = f"attachments/{consult.reference}"
    if content_type == "application/zip":
        stored, directory, instances = _store_dicom_zip(upload, folder=folder)
        kind, blob, content_type = AttachmentKind.DICOM, directory, "application/zip"
    elif content_type == "application/dicom":
        stored = blobs.store_chunks(_chunks(upload), folder=folder, suffix=".dcm", max_size=ATTACHMENT_MAX_BYTES)
        blob = _single_instance_study(stored, folder=folder)
        kind, instances = AttachmentKind.DICOM, 1
    elif content_type == "application/pdf":
        stored = blobs.store_chunks(_chunks(upload), folder=folder, suffix=".pdf", max_size=ATTACHMENT_MAX_BYTES)
        kind, blob, instances = AttachmentKind.PDF, stored.relative, 0
    elif content_type in ("image/jpeg", "image/png"):
        suffix = ".jpg" if content_type == "image/jpeg" else ".png"
        stored = blobs.store_chunks(_chunks(upload), folder=folder, suffix=suffix, max_size=ATTACHMENT_MAX_BYTES)
        kind, blob, instances = AttachmentKind.IMAGE, stored.relative, 0
    elif _looks_like_text(head):
        stored = blobs.store_chunks(_chunks(upload), folder=folder, suffix=".txt", max_size=TEXT_MAX_BYTES)
        try:
            stored.path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            blobs.remove(stored.relative)
            raise blobs.UploadRefused(_("A text report must be UTF-8 text.")) from None
        kind, blob, content_type, instances = AttachmentKind.TEXT, stored.relative, "text/plain", 0
    else:
        raise blobs.UploadRefused(
            _("Attachments may be PDF, JPEG or PNG images, DICOM (a file or a ZIP of a study) or UTF-8 text.")
        )
    try:
        with transaction.atomic():
            locked = ConsultRequest.objects.select_for_update().get(pk=consult.pk)
            _require_editable(locked)
            attachment = Attachment.objects.create(
                request=locked,
                kind=kind,
                title=title[:300],
                filename=filename,
                content_type=content_type or "",
                blob=blob,
                size=stored.size,
                sha256=stored.sha256,
            )
            record_event(
                action="consult.attachment_added",
                actor=by,
                target=locked.reference,
                detail={"attachment": attachment.pk, "kind": kind, "size": stored.size, "instances": instances},
                request=request,
            )
    except BaseException:
        blobs.remove(blob)
        if blob != stored.relative:
            blobs.remove(stored.relative)
        raise
    return attachment


def _single_instance_study(stored: blobs.StoredBlob, *, folder: str) -> str:
    """A lone DICOM file becomes a study directory of one instance, like an unpacked ZIP."""
    building = blobs.temporary_directory(folder=folder)
    try:
        shutil.move(str(stored.path), building / "IM00001.dcm")
        return blobs.commit_directory(building, folder=folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        blobs.remove(stored.relative)
        raise


def _store_dicom_zip(upload: Any, *, folder: str) -> tuple[blobs.StoredBlob, str, int]:
    """Keep the ZIP (its hash identifies the upload) and unpack its DICOM instances to a directory."""
    stored = blobs.store_chunks(_chunks(upload), folder=folder, suffix=".zip", max_size=DICOM_ZIP_MAX_BYTES)
    building = blobs.temporary_directory(folder=folder)
    try:
        instances = _unpack_dicom(stored.path, building)
        directory = blobs.commit_directory(building, folder=folder)
    except zipfile.BadZipFile:
        shutil.rmtree(building, ignore_errors=True)
        blobs.remove(stored.relative)
        raise blobs.UploadRefused(_("The ZIP file is damaged.")) from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        blobs.remove(stored.relative)
        raise
    # The unpacked instances are what is de-identified; the ZIP itself is not kept.
    blobs.remove(stored.relative)
    return stored, directory, instances


def _unpack_dicom(archive: Path, target: Path) -> int:
    """Write each DICOM member of ``archive`` flat into ``target`` under a safe name; returns the count.

    Member names are never used as paths (no traversal); sizes are checked against the
    declared and the actual bytes so a ZIP bomb stops at the limit.
    """
    count = 0
    total = 0
    with zipfile.ZipFile(archive) as bundle:
        members = [info for info in bundle.infolist() if not info.is_dir()]
        if len(members) > DICOM_MAX_INSTANCES:
            raise blobs.UploadRefused(_("The ZIP holds more files than a study may have."))
        for info in members:
            total += info.file_size
            if total > DICOM_UNPACKED_MAX_BYTES:
                raise blobs.UploadRefused(_("The unpacked study is larger than the limit."))
            with bundle.open(info) as member:
                data = member.read(DICOM_UNPACKED_MAX_BYTES - total + info.file_size + 1)
            if len(data) != info.file_size:
                raise blobs.UploadRefused(_("The ZIP file is damaged."))
            if blobs.sniff(data[:132]) != "application/dicom":
                # DICOMDIR indexes, viewers and read-me files that come with a CD export.
                continue
            count += 1
            (target / f"IM{count:05d}.dcm").write_bytes(data)
    if count == 0:
        raise blobs.UploadRefused(_("The ZIP file holds no DICOM instances."))
    return count


def remove_attachment(*, attachment: Attachment, by: Any, request: Any = None) -> None:
    """Remove an attachment from a draft and delete its file; audited ``consult.attachment_removed``."""
    _require_gateway()
    consult = attachment.request
    with transaction.atomic():
        locked = ConsultRequest.objects.select_for_update().get(pk=consult.pk)
        _require_editable(locked)
        blob = attachment.blob
        attachment_id = attachment.pk
        attachment.delete()
        record_event(
            action="consult.attachment_removed",
            actor=by,
            target=locked.reference,
            detail={"attachment": attachment_id},
            request=request,
        )
        transaction.on_commit(lambda: blobs.remove(blob))


def attachment_bytes(attachment: Attachment) -> bytes:
    """The stored content of a single-file attachment (not a DICOM directory)."""
    return blobs.blob_path(attachment.blob).read_bytes()


# -- Submission -----------------------------------------------------------------------------

#: Once here the request is on its way or beyond: submitting again changes nothing.
ALREADY_SUBMITTED = frozenset(State.values) - {State.DRAFT, State.SUBMISSION_FAILED}


def submit_request(*, consult: ConsultRequest, by: Any, http_request: Any = None) -> ConsultRequest:
    """Check completeness, move the case to SUBMITTING and start the submission pipeline.

    Raises :class:`IncompleteRequest` with the missing items (nothing changes), or
    :class:`workflow.TransitionRefused` when ``by`` may not submit it. A case already
    submitting or submitted is returned as it is.
    """
    _require_gateway()
    consult.refresh_from_db()
    if consult.state in ALREADY_SUBMITTED:
        return consult
    missing = missing_items(consult)
    if missing:
        record_event(
            action="consult.submit_incomplete",
            actor=by,
            target=consult.reference,
            outcome="denied",
            detail={"missing": len(missing)},
            request=http_request,
        )
        raise IncompleteRequest(missing)
    start_submission = _pipeline()
    try:
        workflow.transition(consult, State.SUBMITTING, actor=by, http_request=http_request, last_error="")
    except workflow.TransitionRefused:
        # Someone (the same physician in another tab) was quicker: that submission stands.
        consult.refresh_from_db()
        if consult.state in ALREADY_SUBMITTED:
            return consult
        raise
    start_submission(consult=consult, by=by, http_request=http_request)
    consult.refresh_from_db()
    return consult


def _pipeline() -> Any:
    # Imported here: the pipeline (helper B's module) imports this one for the checks.
    from huizhen.apps.consults import submission

    start = getattr(submission, "start_submission", None)
    if start is None:
        raise RuntimeError("the submission pipeline (consults.submission.start_submission) is not installed")
    return start
