"""The administrator's form to register a peer by URL and fingerprint."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from huizhen.httpsig import keys


class PeerRegistrationForm(forms.Form):
    base_url = forms.URLField(
        label=_("Peer URL"), max_length=300, help_text=_("For example https://hub.example.org"), assume_scheme="https"
    )
    fingerprint = forms.CharField(
        label=_("Fingerprint"),
        max_length=200,
        help_text=_("SHA256:… as shown by “huizhen node show” on the peer; confirm it with its administrator."),
    )
    name = forms.CharField(label=_("Display name (optional)"), max_length=200, required=False)

    def clean_fingerprint(self) -> str:
        try:
            return keys.normalize_fingerprint(self.cleaned_data["fingerprint"])
        except keys.KeyFormatError as exc:
            raise forms.ValidationError(_("A fingerprint is SHA256: followed by 64 hexadecimal digits.")) from exc
