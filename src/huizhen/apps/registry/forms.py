"""Forms of the patient registry pages: a patient's identified fields and a signed consent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huizhen.apps.registry.models import ConsentKind, Patient
from huizhen.apps.registry.services import PATIENT_FIELDS


class PatientForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Patient
        fields = PATIENT_FIELDS
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "address": forms.TextInput(),
        }

    def validate_unique(self) -> None:
        # The service refuses a duplicate record number with its own message.
        return


class ConsentForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ConsentKind.choices)
    destination_country = forms.CharField(
        label=_("destination country"),
        max_length=2,
        required=False,
        help_text=_("For cross-border transfer: ISO 3166-1 alpha-2, e.g. US."),
    )
    scope = forms.CharField(label=_("scope"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    signed_on = forms.DateField(label=_("signed on"), widget=forms.DateInput(attrs={"type": "date"}))
    signed_by_guardian = forms.BooleanField(label=_("signed by a guardian"), required=False)
    form = forms.FileField(
        label=_("scanned signed form"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ConsentKind.CROSS_BORDER and not (data.get("destination_country") or "").strip():
            self.add_error("destination_country", _("Consent to cross-border transfer must name the destination."))
        return data


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=_("Search by record number or name"), required=False, max_length=100)
