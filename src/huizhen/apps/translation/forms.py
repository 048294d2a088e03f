"""Forms of the translation pages: requesting a translation, editing it, returning it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huizhen.apps.translation.models import Language
from huizhen.apps.translation.services import MAX_TEXT_CHARS


class RequestForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, help_text=_("For example: Referral letter"))
    case_ref = forms.CharField(label=_("Case reference"), max_length=128, required=False)
    source_lang = forms.ChoiceField(label=_("From"), choices=Language.choices, initial=Language.CHINESE)
    target_lang = forms.ChoiceField(label=_("To"), choices=Language.choices, initial=Language.ENGLISH)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}), max_length=MAX_TEXT_CHARS)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("source_lang") and data.get("source_lang") == data.get("target_lang"):
            self.add_error("target_lang", _("The target language must differ from the source language."))
        return data


class EditForm(forms.Form):
    text = forms.CharField(
        label=_("Translation"), widget=forms.Textarea(attrs={"rows": 16}), max_length=MAX_TEXT_CHARS, strip=True
    )


class RejectForm(forms.Form):
    comment = forms.CharField(
        label=_("What needs to change"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
