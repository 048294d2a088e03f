"""The /patients/ pages of a gateway: search, register and edit patients, record and withdraw consents.

Views parse, ask :mod:`huizhen.apps.accounts.permissions`, call one service and render.
Only a gateway's clinicians and coordinators reach them (a hub answers 403 and audits
the attempt). Opening a patient or a scanned consent form is audited; writes are
audited by the services.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huizhen.apps.accounts import permissions
from huizhen.apps.audit.services import record_event
from huizhen.apps.registry import blobs, selectors, services
from huizhen.apps.registry.forms import ConsentForm, PatientForm, PatientSearchForm
from huizhen.apps.registry.models import Consent, Patient


def _require_registry(request: HttpRequest, action: str, target: str = "patients") -> None:
    if not permissions.can_manage_patients(request.user):
        raise permissions.deny(user=request.user, action=action, target=target, request=request)


def _patient(request: HttpRequest, patient_id: int, action: str) -> Patient:
    _require_registry(request, action, f"patient:{patient_id}")
    patient = selectors.patient_by_id(patient_id)
    if patient is None:
        raise Http404(_("No such patient."))
    return patient


@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    _require_registry(request, "registry.list")
    search = PatientSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    patients = selectors.search_patients(query=query)[: selectors.SEARCH_LIMIT]
    # A search by name or number is itself a look into the registry.
    record_event(
        action="registry.patients_listed", actor=request.user, target="patients", detail={"searched": bool(query)}
    )
    return render(request, "registry/patient_list.html", {"patients": patients, "search": search, "query": query})


@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    _require_registry(request, "registry.create")
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.create_patient(by=request.user, request=request, **_patient_fields(form))
        except (services.RegistryError, ValidationError) as error:
            form.add_error(None, _message(error))
        else:
            return redirect("registry:patient", patient_id=patient.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/patient_form.html", {"form": form, "patient": None}, status=status)


@require_GET
def patient_detail(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id, "registry.view")
    services.record_patient_view(patient=patient, by=request.user, request=request)
    return _render_detail(request, patient, ConsentForm())


@require_http_methods(["GET", "POST"])
def patient_edit(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id, "registry.edit")
    form = PatientForm(request.POST or None, instance=Patient.objects.get(pk=patient.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_patient(patient=patient, by=request.user, request=request, **_patient_fields(form))
        except (services.RegistryError, ValidationError) as error:
            form.add_error(None, _message(error))
        else:
            return redirect("registry:patient", patient_id=patient.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "registry/patient_form.html", {"form": form, "patient": patient}, status=status)


@require_POST
def consent_add(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id, "registry.consent")
    form = ConsentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_consent(
                patient=patient,
                by=request.user,
                kind=data["kind"],
                signed_on=data["signed_on"],
                scope=data["scope"],
                destination_country=data["destination_country"] or "",
                signed_by_guardian=data["signed_by_guardian"],
                form=data["form"],
                request=request,
            )
        except blobs.UploadRefused as refused:
            form.add_error("form", str(refused))
        except services.RegistryError as error:
            form.add_error(None, str(error))
        else:
            return redirect("registry:patient", patient_id=patient.pk)
    return _render_detail(request, patient, form, status=400)


@require_POST
def consent_withdraw(request: HttpRequest, patient_id: int, consent_id: int) -> HttpResponse:
    patient = _patient(request, patient_id, "registry.consent_withdraw")
    consent = selectors.consent_by_id(patient=patient, consent_id=consent_id)
    if consent is None:
        raise Http404(_("No such consent."))
    services.withdraw_consent(consent=consent, by=request.user, request=request)
    return redirect("registry:patient", patient_id=patient.pk)


@require_GET
def consent_form(request: HttpRequest, patient_id: int, consent_id: int) -> FileResponse:
    patient = _patient(request, patient_id, "registry.consent_form")
    consent: Consent | None = selectors.consent_by_id(patient=patient, consent_id=consent_id)
    if consent is None or not consent.form_blob:
        raise Http404(_("No scanned form for this consent."))
    path = blobs.blob_path(consent.form_blob)
    if not path.is_file():
        raise Http404(_("The scanned form is missing from storage."))
    services.record_consent_form_view(consent=consent, by=request.user, request=request)
    return FileResponse(path.open("rb"), filename=consent.form_filename or path.name)


def _render_detail(
    request: HttpRequest, patient: Patient, consent_form: ConsentForm, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "patient": patient,
        "consents": selectors.consents_of(patient),
        "consent_form": consent_form,
        "cases": patient.consult_requests.all(),
        "can_create_case": permissions.can_create_case(request.user),
    }
    return render(request, "registry/patient_detail.html", context, status=status)


def _patient_fields(form: PatientForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.PATIENT_FIELDS if name in form.cleaned_data}


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return str(error)
