"""Forms of the gateway's request pages: the request's fields, the summary's repeated rows, uploads.

The structured summary is edited as a form for its single fields plus three formsets
of rows (diagnoses, treatment lines, labs); every save offers blank rows at the end of
each table, so adding a row needs no script. :func:`summary_from_forms` puts them back
into the JSON the schema in :mod:`huizhen.apps.consults.summary` validates.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huizhen.apps.consults.models import Program, Subspecialty, Urgency
from huizhen.apps.nodes.models import Peer
from huizhen.apps.registry.models import Patient

BLANK_ROWS = 2


class NewCaseForm(forms.Form):
    patient = forms.ModelChoiceField(label=_("Patient"), queryset=Patient.objects.all())
    hub = forms.ModelChoiceField(
        label=_("Consulting hub"), queryset=Peer.objects.filter(role=Peer.Role.HUB), required=False
    )
    program = forms.ChoiceField(label=_("program"), choices=Program.choices)


class RequestForm(forms.Form):
    hub = forms.ModelChoiceField(
        label=_("Consulting hub"), queryset=Peer.objects.filter(role=Peer.Role.HUB), required=False
    )
    program = forms.ChoiceField(label=_("program"), choices=Program.choices)
    urgency = forms.ChoiceField(label=_("urgency"), choices=Urgency.choices)
    subspecialty = forms.ChoiceField(
        label=_("subspecialty"), choices=[("", "—"), *Subspecialty.choices], required=False
    )
    language = forms.ChoiceField(label=_("language"), choices=[("zh", "中文"), ("en", "English")])
    question = forms.CharField(label=_("clinical question"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class SummaryForm(forms.Form):
    stage = forms.CharField(label=_("Stage"), required=False, max_length=200)
    ps_scale = forms.ChoiceField(
        label=_("Performance status scale"),
        choices=[("", "—"), ("ECOG", "ECOG"), ("KPS", "Karnofsky")],
        required=False,
    )
    ps_value = forms.IntegerField(label=_("Performance status"), required=False, min_value=0, max_value=100)
    pathology = forms.CharField(label=_("Pathology"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    ihc = forms.CharField(label=_("Immunohistochemistry"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    flow_cytometry = forms.CharField(
        label=_("Flow cytometry"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    cytogenetics = forms.CharField(label=_("Cytogenetics"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    molecular = forms.CharField(label=_("Molecular findings"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    history = forms.CharField(label=_("History"), widget=forms.Textarea(attrs={"rows": 6}), required=False)


_DATE = forms.DateInput(attrs={"type": "date"})


class DiagnosisRow(forms.Form):
    text = forms.CharField(label=_("Diagnosis"), required=False, max_length=500)
    icd10 = forms.CharField(label=_("ICD-10"), required=False, max_length=16)
    icdo3 = forms.CharField(label=_("ICD-O-3 morphology"), required=False, max_length=16)
    date = forms.DateField(label=_("Date"), required=False, widget=_DATE)


class TreatmentLineRow(forms.Form):
    line = forms.IntegerField(label=_("Line"), required=False, min_value=1, max_value=20)
    regimen = forms.CharField(label=_("Regimen"), required=False, max_length=200)
    start = forms.DateField(label=_("Start"), required=False, widget=_DATE)
    end = forms.DateField(label=_("End"), required=False, widget=_DATE)
    cycles = forms.IntegerField(label=_("Cycles"), required=False, min_value=0, max_value=100)
    response = forms.CharField(label=_("Response"), required=False, max_length=100)


class LabRow(forms.Form):
    name = forms.CharField(label=_("Test"), required=False, max_length=100)
    loinc = forms.CharField(label=_("LOINC"), required=False, max_length=16)
    value = forms.CharField(label=_("Value"), required=False, max_length=100)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=40)
    date = forms.DateField(label=_("Date"), required=False, widget=_DATE)


DiagnosisRows = forms.formset_factory(DiagnosisRow, extra=BLANK_ROWS, max_num=20)
TreatmentLineRows = forms.formset_factory(TreatmentLineRow, extra=BLANK_ROWS, max_num=30)
LabRows = forms.formset_factory(LabRow, extra=BLANK_ROWS, max_num=200)

ROWSETS: dict[str, tuple[Any, str]] = {
    "diagnoses": (DiagnosisRows, "dx"),
    "treatment_lines": (TreatmentLineRows, "tl"),
    "labs": (LabRows, "lab"),
}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG/PNG, DICOM (a file or a ZIP of a study), or text."))
    title = forms.CharField(label=_("Title"), required=False, max_length=300)


class BundleForm(forms.Form):
    bundle = forms.FileField(label=_("FHIR R4 Bundle (JSON)"))
    hub = forms.ModelChoiceField(
        label=_("Consulting hub"), queryset=Peer.objects.filter(role=Peer.Role.HUB), required=False
    )


def summary_initial(summary: dict[str, Any]) -> dict[str, Any]:
    """Initial values of :class:`SummaryForm` from a stored summary."""
    initial = {key: summary.get(key, "") for key in SummaryForm.base_fields if not key.startswith("ps_")}
    status = summary.get("performance_status") or {}
    initial["ps_scale"] = status.get("scale", "")
    initial["ps_value"] = status.get("value")
    return initial


def _clean_row(row: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for key, value in row.items():
        if key == "DELETE" or value in (None, ""):
            continue
        cleaned[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return cleaned


def summary_from_forms(summary_form: SummaryForm, rowsets: dict[str, Any]) -> dict[str, Any]:
    """The summary JSON from valid forms (blank rows dropped; the schema validates the rest)."""
    data = summary_form.cleaned_data
    summary: dict[str, Any] = {key: data.get(key, "") for key in SummaryForm.base_fields if not key.startswith("ps_")}
    if data.get("ps_scale") and data.get("ps_value") is not None:
        summary["performance_status"] = {"scale": data["ps_scale"], "value": data["ps_value"]}
    for key, formset in rowsets.items():
        rows = [_clean_row(form.cleaned_data) for form in formset.forms if form.cleaned_data]
        summary[key] = [row for row in rows if row]
    return summary
