"""Forms of the hub's pages: triage (question, decline reason), assignment, the opinion and its addendum.

The opinion form has exactly the fields of an opinion — agreement, coded diagnoses,
workup, treatment recommendation (regimen, rationale, guideline references), trials and
comments. It deliberately has no field for a prescription or an order: the consultant
advises the treating physician and never orders (policy pack CN-TM-05).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from huizhen.apps.consults.models import Agreement, Opinion

DIAGNOSIS_ROWS = 3
_SYSTEMS = [("icd10", "ICD-10"), ("icdo3", "ICD-O-3")]


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Question for the referring physician"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining (the referring physician reads it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class AddendumForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the addendum"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class OpinionForm(forms.Form):
    agreement = forms.ChoiceField(
        label=_("Agreement with the submitted diagnosis"),
        choices=[("", "—"), *Agreement.choices],
        required=False,
    )
    workup = forms.CharField(
        label=_("Recommended further workup"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    regimen = forms.CharField(label=_("Recommended regimen"), max_length=300, required=False)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    guidelines = forms.CharField(
        label=_("Guideline references (one per line)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    trials = forms.CharField(
        label=_("Clinical-trial considerations"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    comments = forms.CharField(label=_("Comments"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=[("en", "English"), ("zh", "中文")], initial="en")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(DIAGNOSIS_ROWS):
            self.fields[f"dx{row}_system"] = forms.ChoiceField(
                label=_("Code system"),
                choices=_SYSTEMS,
                required=False,
                initial="icd10",
                widget=forms.Select(attrs={"aria-label": _("Code system")}),
            )
            self.fields[f"dx{row}_code"] = forms.CharField(
                label=_("Code"),
                max_length=20,
                required=False,
                widget=forms.TextInput(attrs={"aria-label": _("Code"), "placeholder": "C83.3 / 9680/3", "size": 12}),
            )
            self.fields[f"dx{row}_text"] = forms.CharField(
                label=_("Diagnosis"),
                max_length=300,
                required=False,
                widget=forms.TextInput(attrs={"aria-label": _("Diagnosis"), "size": 50}),
            )

    @property
    def diagnosis_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"dx{row}_system"], self[f"dx{row}_code"], self[f"dx{row}_text"]) for row in range(DIAGNOSIS_ROWS)
        ]

    def opinion_fields(self) -> dict[str, Any]:
        """The cleaned form as the fields :mod:`huizhen.apps.consults.opinions` takes."""
        data = self.cleaned_data
        diagnoses = [
            {"system": data[f"dx{row}_system"], "code": data[f"dx{row}_code"], "text": data[f"dx{row}_text"]}
            for row in range(DIAGNOSIS_ROWS)
            if data.get(f"dx{row}_code") or data.get(f"dx{row}_text")
        ]
        return {
            "agreement": data["agreement"],
            "consultant_diagnosis": diagnoses,
            "workup": data["workup"],
            "treatment": {
                "regimen": data["regimen"],
                "rationale": data["rationale"],
                "guidelines": [line.strip() for line in data["guidelines"].splitlines() if line.strip()],
            },
            "trials": data["trials"],
            "comments": data["comments"],
            "language": data["language"],
        }

    @classmethod
    def initial_for(cls, opinion: Opinion | None) -> dict[str, Any]:
        if opinion is None:
            return {"language": "en"}
        treatment = opinion.treatment or {}
        initial: dict[str, Any] = {
            "agreement": opinion.agreement,
            "workup": opinion.workup,
            "regimen": treatment.get("regimen", ""),
            "rationale": treatment.get("rationale", ""),
            "guidelines": "\n".join(treatment.get("guidelines") or []),
            "trials": opinion.trials,
            "comments": opinion.comments,
            "language": opinion.language,
        }
        for row, diagnosis in enumerate((opinion.consultant_diagnosis or [])[:DIAGNOSIS_ROWS]):
            initial[f"dx{row}_system"] = diagnosis.get("system", "icd10")
            initial[f"dx{row}_code"] = diagnosis.get("code", "")
            initial[f"dx{row}_text"] = diagnosis.get("text", "")
        return initial
