"""Writes to the gateway's patient registry: patients, their consents and the scanned signed forms.

Only a gateway keeps identified patients; every service here refuses on a hub
(:class:`NotAGateway`) whoever calls it, so not even an import from the command line
can put a name into a hub's database. A new patient gets a random pseudonym
(``PT-`` + 8 base-32 characters) and a random date shift of 30–180 days either way,
both from :mod:`secrets` so neither can be guessed from the other or from the order of
registration. Every write is audited with the pseudonym as target, never the name.
A consent's scanned form is stored atomically (:mod:`huizhen.apps.registry.blobs`) and
kept with its SHA-256 so a changed file is noticed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from base64 import b32encode
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from huizhen.apps.audit.services import record_event
from huizhen.apps.registry import blobs
from huizhen.apps.registry.models import Consent, ConsentKind, Patient

#: Largest scanned consent form accepted.
CONSENT_FORM_MAX_BYTES = 20 * 1024 * 1024
CONSENT_FORM_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

#: Fields a user may set on a patient (pseudonym and date shift are the registry's own).
PATIENT_FIELDS = (
    "family_name",
    "given_name",
    "name_latin",
    "mrn",
    "national_id",
    "passport",
    "birth_date",
    "sex",
    "phone",
    "email",
    "address",
    "country",
    "us_person",
)


class NotAGateway(Exception):
    """The identified registry exists only at a gateway."""


class RegistryError(ValueError):
    """A registry write that cannot be done as asked (the message says why)."""


def require_gateway() -> None:
    if settings.HUIZHEN_ROLE != "gateway":
        raise NotAGateway(_("Patients are kept only at a hospital gateway."))


def new_pseudonym() -> str:
    """A random, unused pseudonym such as ``PT-7F3K2QXA``."""
    while True:
        candidate = "PT-" + b32encode(secrets.token_bytes(5)).decode("ascii")
        if not Patient.objects.filter(pseudonym=candidate).exists():
            return candidate


def new_date_shift() -> int:
    """A random shift in [-180, -30] ∪ [30, 180] days: never small enough to leave dates recognisable."""
    magnitude = 30 + secrets.randbelow(151)
    return magnitude if secrets.randbelow(2) else -magnitude


def create_patient(*, by: Any, request: Any = None, **fields: Any) -> Patient:
    """Register a patient with a fresh pseudonym and date shift; audited ``registry.patient_created``."""
    require_gateway()
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown patient fields: {sorted(unknown)}")
    if Patient.objects.filter(mrn=fields.get("mrn", "")).exists():
        raise RegistryError(_("A patient with this medical record number is already registered."))
    with transaction.atomic():
        patient = Patient(
            **fields,
            pseudonym=new_pseudonym(),
            date_shift_days=new_date_shift(),
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        patient.full_clean()
        patient.save()
        record_event(action="registry.patient_created", actor=by, target=patient.pseudonym, request=request)
    return patient


def update_patient(*, patient: Patient, by: Any, request: Any = None, **fields: Any) -> Patient:
    """Change a patient's identified fields; audited ``registry.patient_updated`` with the field names."""
    require_gateway()
    unknown = set(fields) - set(PATIENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown patient fields: {sorted(unknown)}")
    changed = sorted(name for name, value in fields.items() if getattr(patient, name) != value)
    if "mrn" in changed and Patient.objects.filter(mrn=fields["mrn"]).exclude(pk=patient.pk).exists():
        raise RegistryError(_("A patient with this medical record number is already registered."))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(patient, name, value)
        patient.full_clean()
        patient.save()
        # The names of the fields, never their values: the audit log is not a second registry.
        record_event(
            action="registry.patient_updated",
            actor=by,
            target=patient.pseudonym,
            detail={"fields": changed},
            request=request,
        )
    return patient


def record_patient_view(*, patient: Patient, by: Any, request: Any = None) -> None:
    record_event(action="registry.patient_viewed", actor=by, target=patient.pseudonym, request=request)


def _store_form(form: UploadedFile) -> tuple[blobs.StoredBlob, str]:
    head = form.read(132)
    form.seek(0)
    content_type = blobs.sniff(head)
    if content_type not in CONSENT_FORM_TYPES:
        raise blobs.UploadRefused(_("The scanned form must be a PDF, JPEG or PNG file."))
    stored = blobs.store_chunks(
        form.chunks(), folder="consents", suffix=CONSENT_FORM_TYPES[content_type], max_size=CONSENT_FORM_MAX_BYTES
    )
    return stored, content_type


def record_consent(
    *,
    patient: Patient,
    by: Any,
    kind: str,
    signed_on: dt.date,
    scope: str = "",
    destination_country: str = "",
    signed_by_guardian: bool = False,
    form: UploadedFile | None = None,
    request: Any = None,
) -> Consent:
    """Record a signed consent and its scanned form; audited ``registry.consent_recorded``.

    Cross-border consent must name its destination; it is never implied by another kind.
    A refused form (:class:`blobs.UploadRefused`) leaves nothing behind.
    """
    require_gateway()
    if kind not in ConsentKind.values:
        raise RegistryError(_("Unknown kind of consent."))
    destination_country = destination_country.strip().upper()
    if kind == ConsentKind.CROSS_BORDER and len(destination_country) != 2:
        raise RegistryError(_("Consent to cross-border transfer must name the destination country."))
    if kind != ConsentKind.CROSS_BORDER:
        destination_country = ""
    stored: blobs.StoredBlob | None = None
    if form is not None:
        stored, _content_type = _store_form(form)
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                patient=patient,
                kind=kind,
                scope=scope,
                destination_country=destination_country,
                signed_on=signed_on,
                signed_by_guardian=signed_by_guardian,
                form_blob=stored.relative if stored else "",
                form_sha256=stored.sha256 if stored else "",
                form_filename=(form.name or "")[:200] if form is not None else "",
                recorded_by=by if getattr(by, "is_authenticated", False) else None,
            )
            record_event(
                action="registry.consent_recorded",
                actor=by,
                target=patient.pseudonym,
                detail={"consent": consent.pk, "kind": kind, "destination": destination_country, "form": bool(stored)},
                request=request,
            )
    except BaseException:
        # The row was not written: the form must not outlive it.
        if stored is not None:
            blobs.remove(stored.relative)
        raise
    return consent


def withdraw_consent(*, consent: Consent, by: Any, request: Any = None) -> Consent:
    """Mark a consent withdrawn (kept for the record); withdrawing twice changes nothing."""
    require_gateway()
    with transaction.atomic():
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.withdrawn_at is None:
            locked.withdrawn_at = timezone.now()
            locked.save(update_fields=["withdrawn_at"])
            record_event(
                action="registry.consent_withdrawn",
                actor=by,
                target=locked.patient.pseudonym,
                detail={"consent": locked.pk, "kind": locked.kind},
                request=request,
            )
    consent.withdrawn_at = locked.withdrawn_at
    return consent


def record_consent_form_view(*, consent: Consent, by: Any, request: Any = None) -> None:
    record_event(
        action="registry.consent_form_viewed",
        actor=by,
        target=consent.patient.pseudonym,
        detail={"consent": consent.pk},
        request=request,
    )
