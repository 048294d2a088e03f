"""The hub's consultation API at ``/api/hub/``: the same services as the hub's /cases/ pages.

Session + TOTP + CSRF (:data:`huizhen.site.api_auth.verified_session`) on every
operation; hub only (a gateway answers 404). Handlers parse, call one service of
:mod:`~huizhen.apps.consults.triage`, :mod:`~huizhen.apps.consults.assignment` or
:mod:`~huizhen.apps.consults.opinions`, and answer with an explicit schema. A refusal
is 403 (audited by :func:`permissions.deny`), a policy denial 403 with the engine's
reasons, a move the state machine does not allow now 409, bad input 400 (or 422 for an
unknown field, such as a prescription in an opinion); nothing is changed then.

- ``GET /queue`` intake, awaiting assignment, open cases (coordinators) and mine
- ``GET /{reference}`` the de-identified case (policy-checked ``view``, audited)
- ``POST /{reference}/accept`` · ``/request-info`` ``{question}`` · ``/decline`` ``{reason}``
- ``GET /{reference}/suggestions`` · ``POST /{reference}/assign`` ``{specialists, lead}``
- ``POST /{reference}/opinion`` create or update the draft · ``POST /{reference}/opinion/{version}/``
  ``cosign-request`` · ``cosign`` · ``sign`` · ``addendum`` ``{reason}``
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import assignment, compliance, deadlines, opinions, selectors, triage, workflow
from huizhen.apps.consults.models import ConsultRequest, Opinion
from huizhen.site.api_auth import verified_session

router = Router(tags=["hub"], auth=verified_session)


class CaseOut(Schema):
    reference: str
    state: str
    pseudonym: str
    program: str
    urgency: str
    subspecialty: str
    language: str
    referring_institution: str
    submitted_at: dt.datetime | None
    accepted_at: dt.datetime | None
    due_at: dt.datetime | None
    paused: bool
    overdue: bool


class QueueOut(Schema):
    intake: list[CaseOut]
    awaiting_assignment: list[CaseOut]
    open: list[CaseOut]
    mine: list[CaseOut]


class AssignmentOut(Schema):
    specialist: str
    name: str
    lead: bool
    assigned_at: dt.datetime


class OpinionOut(Schema):
    version: int
    status: str
    supersedes_version: int | None
    agreement: str
    consultant_diagnosis: list[dict[str, Any]]
    workup: str
    treatment: dict[str, Any]
    trials: str
    comments: str
    addendum_reason: str
    language: str
    author_name: str
    cosigner_name: str
    signer_name: str
    signed_at: dt.datetime | None
    content_hash: str


class MessageOut(Schema):
    uid: str
    kind: str
    author_name: str
    body: str
    language: str
    created_at: dt.datetime


class CaseDetailOut(CaseOut):
    question: str
    referring_physician_name: str
    summary: dict[str, Any]
    attachments: list[dict[str, Any]]
    assignments: list[AssignmentOut]
    opinions: list[OpinionOut]
    information: list[MessageOut]
    next_states: list[str]


class SuggestionOut(Schema):
    specialist: str
    name: str
    score: int
    open_cases: int
    reasons: list[str]


class QuestionIn(Schema):
    question: str
    language: str = "en"


class ReasonIn(Schema):
    reason: str


class AssignIn(Schema):
    specialists: list[str]
    lead: str


class OpinionIn(Schema):
    # An unknown field (a prescription, an order) is refused, not silently dropped.
    model_config = ConfigDict(extra="forbid")

    agreement: str | None = None
    consultant_diagnosis: list[dict[str, Any]] | None = None
    workup: str | None = None
    treatment: dict[str, Any] | None = None
    trials: str | None = None
    comments: str | None = None
    language: str | None = None


# -- helpers -----------------------------------------------------------------------------


def _hub_only() -> None:
    if settings.HUIZHEN_ROLE != "hub":
        raise HttpError(404, "the hub API exists only at a consulting hub")


def _deny(request: HttpRequest, allowed: bool, action: str, target: str) -> None:
    if not allowed:
        permissions.deny(user=request.user, action=action, target=target, request=request)
        raise HttpError(403, "not allowed")


def _case(request: HttpRequest, reference: str, action: str) -> ConsultRequest:
    _hub_only()
    consult = selectors.case_by_reference(reference)
    if consult is None:
        _deny(request, permissions.can_view_case_list(request.user), action, reference)
        raise HttpError(404, "no such case")
    _deny(request, permissions.can_view_case(request.user, consult), action, reference)
    return consult


def _run(step: Any) -> Any:
    """Run a service step; its refusals become HTTP errors (the service audited them)."""
    try:
        return step()
    except PermissionDenied as exc:
        raise HttpError(403, "not allowed") from exc
    except compliance.PolicyDenied as exc:
        raise HttpError(403, "; ".join(exc.reason_lines("en")) or "denied by policy") from exc
    except workflow.TransitionRefused as exc:
        raise HttpError(409, f"the case is {exc.source}; this step is not possible now") from exc
    except (triage.TriageError, opinions.OpinionError, assignment.AssignmentError) as exc:
        raise HttpError(400, str(exc)) from exc


def _case_out(consult: ConsultRequest) -> dict[str, Any]:
    overdue = getattr(consult, "overdue", None)
    return {
        "reference": consult.reference,
        "state": consult.state,
        "pseudonym": consult.patient_pseudonym,
        "program": consult.program,
        "urgency": consult.urgency,
        "subspecialty": consult.subspecialty,
        "language": consult.language,
        "referring_institution": consult.referring_institution,
        "submitted_at": consult.submitted_at,
        "accepted_at": consult.accepted_at,
        "due_at": consult.due_at,
        "paused": consult.paused_at is not None,
        "overdue": overdue if overdue is not None else deadlines.is_overdue(consult),
    }


def _opinion_out(opinion: Opinion) -> dict[str, Any]:
    return {
        "version": opinion.version,
        "status": opinion.status,
        "supersedes_version": opinion.supersedes.version if opinion.supersedes else None,
        "agreement": opinion.agreement,
        "consultant_diagnosis": opinion.consultant_diagnosis,
        "workup": opinion.workup,
        "treatment": opinion.treatment,
        "trials": opinion.trials,
        "comments": opinion.comments,
        "addendum_reason": opinion.addendum_reason,
        "language": opinion.language,
        "author_name": opinion.author_name,
        "cosigner_name": opinion.cosigner_name,
        "signer_name": opinion.signer_name,
        "signed_at": opinion.signed_at,
        "content_hash": opinion.content_hash,
    }


def _detail_out(consult: ConsultRequest, user: Any) -> dict[str, Any]:
    return {
        **_case_out(consult),
        "question": consult.question,
        "referring_physician_name": consult.referring_physician_name,
        "summary": consult.summary,
        "attachments": [
            {"id": a.pk, "kind": a.kind, "title": a.title, "filename": a.filename, "size": a.size, "sha256": a.sha256}
            for a in consult.attachments.filter(message=None)
        ],
        "assignments": [
            {
                "specialist": a.specialist.username,
                "name": a.specialist.get_full_name() or a.specialist.username,
                "lead": a.lead,
                "assigned_at": a.assigned_at,
            }
            for a in selectors.active_assignments(consult)
        ],
        "opinions": [_opinion_out(o) for o in selectors.opinions_of(consult)],
        "information": [
            {
                "uid": str(m.uid),
                "kind": m.kind,
                "author_name": m.author_name,
                "body": m.body,
                "language": m.language,
                "created_at": m.created_at,
            }
            for m in selectors.information_requests(consult)
        ],
        "next_states": workflow.next_states(consult, user),
    }


def _opinion(consult: ConsultRequest, version: int) -> Opinion:
    opinion = consult.opinions.filter(version=version).select_related("request", "supersedes").first()
    if opinion is None:
        raise HttpError(404, "no such opinion version")
    return opinion


# -- queue and case ----------------------------------------------------------------------


@router.get("/queue", response=QueueOut)
def queue(request: HttpRequest) -> dict[str, Any]:
    _hub_only()
    _deny(request, permissions.can_view_case_list(request.user), "consults.intake", "cases")
    coordinator = permissions.can_triage(request.user)
    record_event(action="consults.listed", actor=request.user, target="cases", detail={"api": "queue"}, request=request)
    return {
        "intake": [_case_out(c) for c in selectors.intake_queue()] if coordinator else [],
        "awaiting_assignment": [_case_out(c) for c in selectors.awaiting_assignment()] if coordinator else [],
        "open": [_case_out(c) for c in selectors.open_cases()] if coordinator else [],
        "mine": [_case_out(c) for c in selectors.my_assignments(user=request.user)],
    }


@router.get("/{reference}", response=CaseDetailOut)
def case(request: HttpRequest, reference: str) -> dict[str, Any]:
    consult = _case(request, reference, "consult.view")
    _run(
        lambda: compliance.require_allowed(
            consult=consult,
            actor=request.user,
            action="view",
            data_classes=compliance.CASE_DATA_CLASSES,
            http_request=request,
        )
    )
    record_event(
        action="record.viewed", actor=request.user, target=consult.reference, detail={"api": "case"}, request=request
    )
    return _detail_out(consult, request.user)


# -- triage ------------------------------------------------------------------------------


@router.post("/{reference}/accept", response=CaseOut)
def accept(request: HttpRequest, reference: str) -> dict[str, Any]:
    consult = _case(request, reference, "consult.accept")
    _run(lambda: triage.accept(consult=consult, by=request.user, http_request=request))
    return _case_out(consult)


@router.post("/{reference}/request-info", response=MessageOut)
def request_info(request: HttpRequest, reference: str, body: QuestionIn) -> dict[str, Any]:
    consult = _case(request, reference, "consult.request_info")
    message = _run(
        lambda: triage.request_information(
            consult=consult, by=request.user, question=body.question, language=body.language, http_request=request
        )
    )
    return {
        "uid": str(message.uid),
        "kind": message.kind,
        "author_name": message.author_name,
        "body": message.body,
        "language": message.language,
        "created_at": message.created_at,
    }


@router.post("/{reference}/decline", response=CaseOut)
def decline(request: HttpRequest, reference: str, body: ReasonIn) -> dict[str, Any]:
    consult = _case(request, reference, "consult.decline")
    _run(lambda: triage.decline(consult=consult, by=request.user, reason=body.reason, http_request=request))
    return _case_out(consult)


# -- assignment --------------------------------------------------------------------------


@router.get("/{reference}/suggestions", response=list[SuggestionOut])
def suggestions(request: HttpRequest, reference: str) -> list[dict[str, Any]]:
    consult = _case(request, reference, "consult.assign")
    _deny(request, permissions.can_assign(request.user), "consult.assign", reference)
    return [
        {
            "specialist": s.specialist.username,
            "name": s.name,
            "score": s.score,
            "open_cases": s.open_cases,
            "reasons": s.reasons,
        }
        for s in assignment.suggest_specialists(consult)
    ]


@router.post("/{reference}/assign", response=list[AssignmentOut])
def assign(request: HttpRequest, reference: str, body: AssignIn) -> list[dict[str, Any]]:
    consult = _case(request, reference, "consult.assign")
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=[*body.specialists, body.lead])
    }
    unknown = sorted({*body.specialists, body.lead} - set(users))
    if unknown:
        raise HttpError(400, f"no such user: {', '.join(unknown)}")
    _run(
        lambda: assignment.assign(
            consult=consult,
            specialists=[users[name] for name in body.specialists],
            lead=users[body.lead],
            by=request.user,
            http_request=request,
        )
    )
    return [
        {
            "specialist": a.specialist.username,
            "name": a.specialist.get_full_name() or a.specialist.username,
            "lead": a.lead,
            "assigned_at": a.assigned_at,
        }
        for a in selectors.active_assignments(consult)
    ]


# -- opinion -----------------------------------------------------------------------------


@router.post("/{reference}/opinion", response=OpinionOut)
def opinion_save(request: HttpRequest, reference: str, body: OpinionIn) -> dict[str, Any]:
    """Create the draft or update the open one with the fields given."""
    consult = _case(request, reference, "opinion.update")
    fields = body.model_dump(exclude_unset=True)
    draft = _run(lambda: opinions.save_draft(consult=consult, by=request.user, fields=fields, http_request=request))
    return _opinion_out(draft)


@router.post("/{reference}/opinion/{version}/cosign-request", response=OpinionOut)
def opinion_request_cosign(request: HttpRequest, reference: str, version: int) -> dict[str, Any]:
    consult = _case(request, reference, "opinion.submit_cosign")
    opinion = _opinion(consult, version)
    _run(lambda: opinions.submit_for_cosignature(opinion=opinion, by=request.user, http_request=request))
    return _opinion_out(opinion)


@router.post("/{reference}/opinion/{version}/cosign", response=OpinionOut)
def opinion_cosign(request: HttpRequest, reference: str, version: int) -> dict[str, Any]:
    _hub_only()
    consult = selectors.case_by_reference(reference)
    if consult is None:
        raise HttpError(404, "no such case")
    opinion = _opinion(consult, version)
    _run(lambda: opinions.cosign(opinion=opinion, by=request.user, http_request=request))
    return _opinion_out(opinion)


@router.post("/{reference}/opinion/{version}/sign", response=OpinionOut)
def opinion_sign(request: HttpRequest, reference: str, version: int) -> dict[str, Any]:
    consult = _case(request, reference, "opinion.sign")
    opinion = _opinion(consult, version)
    _run(lambda: opinions.sign(opinion=opinion, by=request.user, http_request=request))
    return _opinion_out(opinion)


@router.post("/{reference}/opinion/{version}/addendum", response=OpinionOut)
def opinion_addendum(request: HttpRequest, reference: str, version: int, body: ReasonIn) -> dict[str, Any]:
    consult = _case(request, reference, "opinion.addendum")
    opinion = _opinion(consult, version)
    addendum = _run(
        lambda: opinions.write_addendum(opinion=opinion, by=request.user, reason=body.reason, http_request=request)
    )
    return _opinion_out(addendum)
