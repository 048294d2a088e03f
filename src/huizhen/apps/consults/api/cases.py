"""The gateway's consultation API at ``/api/cases/``: the same services as the /cases/ and /patients/ pages.

Session + TOTP + CSRF (:data:`huizhen.site.api_auth.verified_session`) on every
operation. Handlers parse, ask :mod:`huizhen.apps.accounts.permissions`, call one
service and answer with an explicit schema. Refusals are 403 (audited by
:func:`permissions.deny`); bad input is 400 with ``problems`` (or ``missing`` for an
incomplete request), and nothing is changed.

- ``GET /`` my cases · ``POST /`` a new draft · ``GET|PATCH /{reference}`` read, edit
- ``POST /import`` a FHIR R4 Bundle (multipart ``bundle``) → patient + draft
- ``POST /{reference}/attachments`` (multipart ``file``) · ``POST /{reference}/submit``
- ``GET|POST /patients/`` search, register · ``GET /patients/{id}`` ·
  ``POST /patients/{id}/consents`` (multipart, optional ``form``) ·
  ``POST /patients/{id}/consents/{consent_id}/withdraw``
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.responses import Status

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.consults import authoring, workflow
from huizhen.apps.consults.models import ConsultRequest
from huizhen.apps.consults.summary import SummaryInvalid, missing_items
from huizhen.apps.consults.views.gateway import BUNDLE_MAX_BYTES, gateway_cases
from huizhen.apps.nodes.models import Peer
from huizhen.apps.registry import blobs, selectors, services
from huizhen.apps.registry.fhir import BundleRejected, import_bundle
from huizhen.apps.registry.models import Consent, Patient
from huizhen.site.api_auth import verified_session

router = Router(tags=["consults"], auth=verified_session)


class Problems(Schema):
    problems: list[str]


class Missing(Schema):
    missing: list[str]


class AttachmentOut(Schema):
    id: int
    kind: str
    title: str
    filename: str
    size: int
    sha256: str
    deid_status: str


class CaseOut(Schema):
    reference: str
    state: str
    patient_id: int | None
    pseudonym: str
    hub: str | None
    program: str
    urgency: str
    subspecialty: str
    language: str
    question: str
    due_at: dt.datetime | None
    updated_at: dt.datetime


class CaseDetailOut(CaseOut):
    summary: dict[str, Any]
    attachments: list[AttachmentOut]
    missing: list[str]
    next_states: list[str]


class CaseIn(Schema):
    patient_id: int
    hub: str | None = None
    program: str = "second_opinion"
    urgency: str = "routine"
    subspecialty: str = ""
    question: str = ""
    language: str = "zh"
    summary: dict[str, Any] | None = None


class CasePatch(Schema):
    hub: str | None = None
    program: str | None = None
    urgency: str | None = None
    subspecialty: str | None = None
    question: str | None = None
    language: str | None = None
    summary: dict[str, Any] | None = None


class ImportOut(CaseOut):
    notes: list[str]


class ConsentOut(Schema):
    id: int
    kind: str
    destination_country: str
    signed_on: dt.date
    signed_by_guardian: bool
    has_form: bool
    form_sha256: str
    withdrawn_at: dt.datetime | None


class PatientOut(Schema):
    id: int
    family_name: str
    given_name: str
    name_latin: str
    mrn: str
    national_id: str
    birth_date: dt.date
    sex: str
    country: str
    us_person: bool
    pseudonym: str


class PatientDetailOut(PatientOut):
    phone: str
    email: str
    address: str
    passport: str
    consents: list[ConsentOut]
    cases: list[str]


class PatientIn(Schema):
    family_name: str
    given_name: str = ""
    name_latin: str = ""
    mrn: str
    national_id: str = ""
    passport: str = ""
    birth_date: dt.date
    sex: str = "unknown"
    phone: str = ""
    email: str = ""
    address: str = ""
    country: str = "CN"
    us_person: bool = False


def _deny(request: HttpRequest, allowed: bool, action: str, target: str) -> None:
    if not allowed:
        permissions.deny(user=request.user, action=action, target=target, request=request)
        raise HttpError(403, "not allowed")


def _case(request: HttpRequest, reference: str, action: str) -> ConsultRequest:
    consult = ConsultRequest.objects.select_related("patient", "peer").filter(reference=reference).first()
    if consult is None:
        _deny(request, permissions.can_view_case_list(request.user), action, reference)
        raise HttpError(404, "no such case")
    _deny(request, permissions.can_view_case(request.user, consult), action, reference)
    return consult


def _hub(name: str | None) -> Peer | None:
    if not name:
        return None
    peer = Peer.objects.filter(name=name).first()
    if peer is None:
        raise HttpError(400, f"no peer named {name!r}")
    return peer


def _case_out(consult: ConsultRequest) -> dict[str, Any]:
    return {
        "reference": consult.reference,
        "state": consult.state,
        "patient_id": consult.patient_id,
        "pseudonym": consult.patient.pseudonym if consult.patient else consult.patient_pseudonym,
        "hub": consult.peer.name if consult.peer else None,
        "program": consult.program,
        "urgency": consult.urgency,
        "subspecialty": consult.subspecialty,
        "language": consult.language,
        "question": consult.question,
        "due_at": consult.due_at,
        "updated_at": consult.updated_at,
    }


def _detail_out(consult: ConsultRequest, user: Any) -> dict[str, Any]:
    editable = consult.state in authoring.EDITABLE_STATES
    return {
        **_case_out(consult),
        "summary": consult.summary,
        "attachments": list(consult.attachments.filter(message__isnull=True)),
        "missing": missing_items(consult) if editable else [],
        "next_states": workflow.next_states(consult, user),
    }


# -- Patients (registered before /{reference} so that "patients" is not read as a reference) --


def _patient(request: HttpRequest, patient_id: int, action: str) -> Patient:
    _deny(request, permissions.can_manage_patients(request.user), action, f"patient:{patient_id}")
    patient = selectors.patient_by_id(patient_id)
    if patient is None:
        raise HttpError(404, "no such patient")
    return patient


def _patient_detail(patient: Patient) -> dict[str, Any]:
    return {
        **{name: getattr(patient, name) for name in PatientDetailOut.model_fields if hasattr(patient, name)},
        "id": patient.pk,
        "consents": [
            {
                "id": c.pk,
                "kind": c.kind,
                "destination_country": c.destination_country,
                "signed_on": c.signed_on,
                "signed_by_guardian": c.signed_by_guardian,
                "has_form": bool(c.form_blob),
                "form_sha256": c.form_sha256,
                "withdrawn_at": c.withdrawn_at,
            }
            for c in selectors.consents_of(patient)
        ],
        "cases": [c.reference for c in patient.consult_requests.all()],
    }


@router.get("/patients/", response=list[PatientOut])
def list_patients(request: HttpRequest, q: str = "") -> list[Patient]:
    _deny(request, permissions.can_manage_patients(request.user), "registry.list", "patients")
    record_event(
        action="registry.patients_listed",
        actor=request.user,
        target="patients",
        detail={"searched": bool(q)},
        request=request,
    )
    return list(selectors.search_patients(query=q)[: selectors.SEARCH_LIMIT])


@router.post("/patients/", response={201: PatientDetailOut, 400: Problems})
def create_patient(request: HttpRequest, payload: PatientIn) -> Status[Any]:
    _deny(request, permissions.can_manage_patients(request.user), "registry.create", "patients")
    try:
        patient = services.create_patient(by=request.user, request=request, **payload.dict())
    except services.RegistryError as error:
        return Status(400, {"problems": [str(error)]})
    except ValidationError as error:
        return Status(400, {"problems": error.messages})
    return Status(201, _patient_detail(patient))


@router.get("/patients/{patient_id}", response=PatientDetailOut)
def get_patient(request: HttpRequest, patient_id: int) -> dict[str, Any]:
    patient = _patient(request, patient_id, "registry.view")
    services.record_patient_view(patient=patient, by=request.user, request=request)
    return _patient_detail(patient)


@router.post("/patients/{patient_id}/consents", response={201: ConsentOut, 400: Problems})
def record_consent(
    request: HttpRequest,
    patient_id: int,
    kind: Form[str],
    signed_on: Form[dt.date],
    destination_country: Form[str] = "",
    scope: Form[str] = "",
    signed_by_guardian: Form[bool] = False,
    form: UploadedFile | None = File(None),  # type: ignore[type-arg]  # noqa: B008 - ninja parameter marker
) -> Status[Any]:
    patient = _patient(request, patient_id, "registry.consent")
    try:
        consent = services.record_consent(
            patient=patient,
            by=request.user,
            kind=kind,
            signed_on=signed_on,
            destination_country=destination_country,
            scope=scope,
            signed_by_guardian=signed_by_guardian,
            form=form,
            request=request,
        )
    except (services.RegistryError, blobs.UploadRefused) as error:
        return Status(400, {"problems": [str(error)]})
    return Status(201, _consent_out(consent))


def _consent_out(consent: Consent) -> dict[str, Any]:
    return {
        "id": consent.pk,
        "kind": consent.kind,
        "destination_country": consent.destination_country,
        "signed_on": consent.signed_on,
        "signed_by_guardian": consent.signed_by_guardian,
        "has_form": bool(consent.form_blob),
        "form_sha256": consent.form_sha256,
        "withdrawn_at": consent.withdrawn_at,
    }


@router.post("/patients/{patient_id}/consents/{consent_id}/withdraw", response=ConsentOut)
def withdraw_consent(request: HttpRequest, patient_id: int, consent_id: int) -> dict[str, Any]:
    patient = _patient(request, patient_id, "registry.consent_withdraw")
    consent = selectors.consent_by_id(patient=patient, consent_id=consent_id)
    if consent is None:
        raise HttpError(404, "no such consent")
    return _consent_out(services.withdraw_consent(consent=consent, by=request.user, request=request))


# -- Cases --------------------------------------------------------------------------------


@router.get("/", response=list[CaseOut])
def list_cases(request: HttpRequest) -> list[dict[str, Any]]:
    _deny(request, permissions.can_view_case_list(request.user), "consults.list", "cases")
    if workflow.node_role() != workflow.GATEWAY:
        raise HttpError(404, "the hub's cases are at /api/hub/")
    record_event(action="consults.listed", actor=request.user, target="cases", request=request)
    return [_case_out(consult) for consult in gateway_cases(user=request.user)[:500]]


@router.post("/", response={201: CaseDetailOut, 400: Problems})
def create_case(request: HttpRequest, payload: CaseIn) -> Status[Any]:
    _deny(request, permissions.can_create_case(request.user), "consults.create", "cases")
    patient = selectors.patient_by_id(payload.patient_id)
    if patient is None:
        return Status(400, {"problems": [f"no patient {payload.patient_id}"]})
    try:
        consult = authoring.create_draft(
            patient=patient,
            by=request.user,
            peer=_hub(payload.hub),
            program=payload.program,
            urgency=payload.urgency,
            subspecialty=payload.subspecialty,
            question=payload.question,
            language=payload.language,
            summary=payload.summary,
            request=request,
        )
    except SummaryInvalid as invalid:
        return Status(400, {"problems": invalid.problems})
    except authoring.AuthoringError as error:
        return Status(400, {"problems": [str(error)]})
    return Status(201, _detail_out(consult, request.user))


@router.post("/import", response={201: ImportOut, 400: Problems})
def import_case(request: HttpRequest, bundle: File[UploadedFile], hub: Form[str] = "") -> Status[Any]:
    _deny(request, permissions.can_create_case(request.user), "consults.import", "cases")
    if (bundle.size or 0) > BUNDLE_MAX_BYTES:
        return Status(400, {"problems": [f"the bundle is larger than {BUNDLE_MAX_BYTES >> 20} MB"]})
    try:
        consult = import_bundle(data=bundle.read(), by=request.user, peer=_hub(hub), request=request)
    except BundleRejected as rejected:
        return Status(400, {"problems": rejected.problems})
    return Status(201, {**_case_out(consult), "notes": getattr(consult, "import_notes", [])})


@router.get("/{reference}", response=CaseDetailOut)
def get_case(request: HttpRequest, reference: str) -> dict[str, Any]:
    consult = _case(request, reference, "consults.view")
    record_event(action="consults.case_viewed", actor=request.user, target=consult.reference, request=request)
    return _detail_out(consult, request.user)


@router.patch("/{reference}", response={200: CaseDetailOut, 400: Problems, 409: Problems})
def update_case(request: HttpRequest, reference: str, payload: CasePatch) -> Status[Any]:
    consult = _case(request, reference, "consults.edit")
    _deny(request, permissions.can_edit_case(request.user, consult), "consults.edit", reference)
    fields = payload.dict(exclude_unset=True)
    hub = fields.pop("hub", None)
    fields = {name: value for name, value in fields.items() if value is not None}
    try:
        peer = _hub(hub)
        if fields:
            authoring.update_request(consult=consult, by=request.user, request=request, **fields)
        if peer is not None:
            authoring.choose_hub(consult=consult, by=request.user, peer=peer, request=request)
    except SummaryInvalid as invalid:
        return Status(400, {"problems": invalid.problems})
    except authoring.AuthoringError as error:
        return Status(400, {"problems": [str(error)]})
    except authoring.NotEditable as error:
        return Status(409, {"problems": [str(error)]})
    consult.refresh_from_db()
    return Status(200, _detail_out(consult, request.user))


@router.post("/{reference}/attachments", response={201: AttachmentOut, 400: Problems, 409: Problems})
def add_attachment(
    request: HttpRequest, reference: str, file: File[UploadedFile], title: Form[str] = ""
) -> Status[Any]:
    consult = _case(request, reference, "consults.attachment_add")
    _deny(request, permissions.can_edit_case(request.user, consult), "consults.attachment_add", reference)
    try:
        attachment = authoring.add_attachment(
            consult=consult,
            by=request.user,
            upload=file,
            filename=file.name or "attachment",
            title=title,
            request=request,
        )
    except blobs.UploadRefused as refused:
        return Status(400, {"problems": [str(refused)]})
    except authoring.NotEditable as error:
        return Status(409, {"problems": [str(error)]})
    return Status(201, attachment)


@router.post("/{reference}/submit", response={200: CaseOut, 400: Missing})
def submit_case(request: HttpRequest, reference: str) -> Status[Any]:
    consult = _case(request, reference, "consults.submit")
    _deny(request, permissions.can_submit_case(request.user, consult), "consults.submit", reference)
    try:
        consult = authoring.submit_request(consult=consult, by=request.user, http_request=request)
    except authoring.IncompleteRequest as incomplete:
        return Status(400, {"missing": incomplete.missing})
    except workflow.TransitionRefused:
        permissions.deny(user=request.user, action="consults.submit", target=reference, request=request)
        raise HttpError(403, "not allowed") from None
    return Status(200, _case_out(consult))
