"""The submission pipeline: a gateway case checked, de-identified, packaged and sent to the hub.

:func:`start_submission` (called by :func:`huizhen.apps.consults.authoring.submit_request`
once the case is SUBMITTING) and :func:`retry_submission` (after a failure) enqueue
:func:`huizhen.apps.consults.tasks.submit_case` after the transaction commits. The task
runs :func:`run_submission`: completeness re-checked → policy (``export``; a refusal
fails the case with the engine's reasons) → packaging (:mod:`huizhen.apps.consults.packaging`)
→ de-identified files sent through the transfer engine
(:mod:`huizhen.apps.consults.transfers`: signed chunks, resumable) → the ``case.submitted`` event delivered
in the same task with the same signed call, so the outcome is known → SUBMITTED (actor
SYSTEM), the export counted once in the register, the physician told. A transfer
failure leaves the case SUBMISSION_FAILED with the reason, ready to retry; the hub
creates its copy only when the event arrives after every file, so nothing is ever
half-submitted, and submitting again with the same reference is idempotent at the hub.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import compliance, workflow
from huizhen.apps.consults.models import (
    AttachmentKind,
    ConsultRequest,
    OutboundEvent,
    PartnerAgreement,
    State,
)
from huizhen.apps.consults.notifications import notify
from huizhen.apps.policy.services import export_category, record_export

logger = logging.getLogger(__name__)

EVENT_KIND = "case.submitted"


class SubmissionFailed(Exception):
    """One step of the pipeline stopped the submission; ``reason`` is shown to the physician."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def start_submission(*, consult: ConsultRequest, by: Any, http_request: Any = None) -> ConsultRequest:
    """Start sending ``consult``: moved to SUBMITTING if needed, the pipeline enqueued after commit."""
    consult.refresh_from_db()
    if consult.state in (State.DRAFT, State.SUBMISSION_FAILED):
        workflow.transition(consult, State.SUBMITTING, actor=by, http_request=http_request, last_error="")
    if consult.state != State.SUBMITTING:
        return consult  # already on its way or beyond: nothing to start
    _enqueue(consult, by)
    return consult


def retry_submission(*, consult: ConsultRequest, by: Any, http_request: Any = None) -> ConsultRequest:
    """After a failure: back to SUBMITTING (the state machine checks who may) and the pipeline again."""
    consult.refresh_from_db()
    if consult.state == State.SUBMITTING:
        return consult
    workflow.transition(consult, State.SUBMITTING, actor=by, http_request=http_request, last_error="")
    _enqueue(consult, by)
    return consult


def _enqueue(consult: ConsultRequest, by: Any) -> None:
    from huizhen.apps.consults.tasks import submit_case

    reference = consult.reference
    by_id = getattr(by, "pk", None)
    transaction.on_commit(lambda: submit_case.enqueue(reference=reference, by_id=by_id))


#: A case SUBMITTING longer than this lost its pipeline (a worker stopped mid-way).
STALLED_AFTER = timedelta(hours=1)


def resume_stalled_submissions(*, older_than: timedelta = STALLED_AFTER) -> list[str]:
    """Enqueue the pipeline again for cases stuck in SUBMITTING; their references.

    Safe to repeat: files go by hash and the hub keeps one case per reference, so a
    pipeline that did reach the hub before its worker stopped simply completes.
    """
    cutoff = timezone.now() - older_than
    stalled = list(ConsultRequest.objects.filter(state=State.SUBMITTING, updated_at__lt=cutoff, patient__isnull=False))
    for consult in stalled:
        record_event(action="consults.submission_resumed", target=consult.reference, detail={})
        _enqueue(consult, consult.referring_physician)
    return [consult.reference for consult in stalled]


def data_classes_of(consult: ConsultRequest) -> list[str]:
    """What the package may hold, as the policy engine's data classes."""
    classes = ["clinical_summary"]
    kinds = set(consult.attachments.filter(message=None).values_list("kind", flat=True))
    if AttachmentKind.TEXT in kinds:
        classes.append("document")
    if AttachmentKind.DICOM in kinds:
        classes.append("imaging")
    return classes


def run_submission(*, reference: str, by_id: int | None = None) -> str:
    """The pipeline for one SUBMITTING case; returns the state it ends in."""
    consult = ConsultRequest.objects.select_related("patient", "peer", "referring_physician").get(reference=reference)
    if consult.state != State.SUBMITTING:
        return str(consult.state)
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    actor = by or consult.referring_physician
    try:
        _check_complete(consult)
        classes = data_classes_of(consult)
        _check_policy(consult, actor, classes)
        _send(consult)
    except SubmissionFailed as exc:
        _fail(consult, exc.reason)
        return State.SUBMISSION_FAILED
    except Exception:
        # Never leave the case stuck in SUBMITTING: fail it (retryable) and keep the trace in the log.
        logger.exception("submission of %s failed unexpectedly", reference)
        _fail(consult, _("The submission failed because of an internal error; retry, or ask the administrator."))
        return State.SUBMISSION_FAILED
    with transaction.atomic():
        workflow.transition(
            consult,
            State.SUBMITTED,
            actor=workflow.SYSTEM,
            submitted_at=consult.submitted_at or timezone.now(),
            last_error="",
        )
        _count_export(consult, classes)
        excluded = consult.attachments.filter(message=None, deid_status="excluded").count()
        text = _("Case %(reference)s was sent to the consulting centre.") % {"reference": reference}
        if excluded:
            text += " " + _("%(count)d attachment(s) could not be de-identified and were left out.") % {
                "count": excluded
            }
        notify(users=[consult.referring_physician], request=consult, verb="submitted", text=text)
    return State.SUBMITTED


def _check_complete(consult: ConsultRequest) -> None:
    from huizhen.apps.consults.summary import missing_items

    missing = missing_items(consult)
    if missing:
        raise SubmissionFailed(_("The request is incomplete:") + " " + "; ".join(str(item) for item in missing))
    if consult.peer is None:
        raise SubmissionFailed(_("No consulting centre is chosen."))


def _check_policy(consult: ConsultRequest, actor: Any, classes: list[str]) -> None:
    try:
        compliance.require_allowed(consult=consult, actor=actor, action="export", data_classes=classes)
    except compliance.PolicyDenied as refused:
        lines = refused.reason_lines("en") + refused.reason_lines("zh")
        raise SubmissionFailed(_("The compliance check refused the transfer:") + "\n" + "\n".join(lines)) from refused


def _send(consult: ConsultRequest) -> None:
    from huizhen.apps.consults import packaging, relay

    assert consult.peer is not None
    try:
        package = packaging.build_package(consult=consult)
    except (OSError, ValueError) as exc:
        logger.exception("packaging %s failed", consult.reference)
        raise SubmissionFailed(_("The case could not be de-identified: %(error)s") % {"error": exc}) from exc
    try:
        _send_files(consult, package.blobs)
        event = _outbound_event(consult, package.payload)
        relay.deliver(event)
    except relay.LeakBlocked as exc:
        raise SubmissionFailed(
            _("Sending was stopped: the package still held the patient's %(kinds)s.") % {"kinds": ", ".join(exc.kinds)}
        ) from exc
    except relay.DeliveryFailed as exc:
        raise SubmissionFailed(
            _("The transfer to the consulting centre failed: %(error)s") % {"error": exc.reason}
        ) from exc


def _send_files(consult: ConsultRequest, blobs: dict[str, Any]) -> None:
    """The package's files through the transfer engine (resumable: a retry sends only what the hub lacks)."""
    from huizhen.apps.consults import relay, transfers
    from huizhen.transfer import TransferError

    assert consult.peer is not None
    try:
        transfers.send_case_files(consult=consult, blobs=blobs)
    except TransferError as exc:
        reason = str(exc)
        if reason.startswith("receiver unreachable"):
            reason = f"{consult.peer.name} could not be reached ({reason})"
        raise relay.DeliveryFailed(reason) from exc


def _outbound_event(consult: ConsultRequest, payload: dict[str, Any]) -> OutboundEvent:
    """This attempt's event: the unsent one of an earlier attempt refreshed, or a new one (leak-guarded)."""
    from huizhen.apps.consults import relay

    assert consult.peer is not None
    relay.guard_payload(payload=payload, consult=consult, kind=EVENT_KIND)
    earlier = (
        OutboundEvent.objects.filter(request=consult, kind=EVENT_KIND)
        .exclude(status=OutboundEvent.Status.SENT)
        .order_by("-created_at")
        .first()
    )
    if earlier is not None:
        earlier.payload = payload
        earlier.save(update_fields=["payload"])
        return earlier
    return relay.record_outbound(peer=consult.peer, kind=EVENT_KIND, payload=payload, consult=consult)


def _fail(consult: ConsultRequest, reason: str) -> None:
    with transaction.atomic():
        workflow.transition(
            consult, State.SUBMISSION_FAILED, actor=workflow.SYSTEM, detail={"reason": reason[:300]}, last_error=reason
        )
        notify(
            users=[consult.referring_physician],
            request=consult,
            verb="submission_failed",
            text=_("Case %(reference)s could not be sent; open it to see why and retry.")
            % {"reference": consult.reference},
        )


def _count_export(consult: ConsultRequest, classes: list[str]) -> None:
    patient = consult.patient
    if patient is None or consult.peer_id is None:
        return
    agreement = PartnerAgreement.objects.filter(peer_id=consult.peer_id).first()
    if agreement is None:
        return
    record_export(
        origin=patient.country,
        destination=agreement.country,
        category=export_category(classes),
        subject_pseudonym=patient.pseudonym,
        us_person=patient.us_person,
    )
    record_event(
        action="consults.case_exported",
        target=consult.reference,
        peer=consult.peer.name if consult.peer else "",
        detail={"classes": classes},
    )
