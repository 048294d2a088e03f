"""The gateway's identified patient registry and the patient's consents.

Only a gateway holds rows here: the names, record numbers and national IDs of the
referring hospital's patients, and the random pseudonym and date shift that stand for
them in everything that leaves the hospital. The link pseudonym ↔ patient is this
table and it never leaves the gateway (issue 4 item 3). A hub has the same schema and
no rows; its services refuse to create any (see :mod:`huizhen.apps.registry.services`).

Consent to cross-border transfer is its own record kind, never implied by consent to
treatment or to the consultation (PIPL Art. 39, cross_border_rules.md CN-PIPL-05).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Patient(models.Model):
    # Identified fields: they exist only at the gateway.
    family_name = models.CharField(_("family name"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    name_latin = models.CharField(_("name in Latin letters"), max_length=200, blank=True)
    mrn = models.CharField(_("medical record number"), max_length=64, unique=True)
    national_id = models.CharField(_("national ID number"), max_length=64, blank=True)
    passport = models.CharField(_("passport number"), max_length=64, blank=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # ISO 3166-1 alpha-2 or 3166-2 (e.g. CN-HB): the policy engine's subject.country.
    country = models.CharField(_("country of residence"), max_length=6, default="CN")
    us_person = models.BooleanField(
        _("US person"), default=False, help_text=_("US citizen or permanent resident (28 CFR 202.256).")
    )
    # What stands for the patient outside the gateway.
    pseudonym = models.CharField(_("pseudonym"), max_length=32, unique=True, editable=False)
    date_shift_days = models.IntegerField(_("date shift (days)"), editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.mrn})"

    @property
    def full_name(self) -> str:
        # Chinese order (family name first, no space) when the name is in Han characters.
        if self.family_name and not self.family_name.isascii():
            return f"{self.family_name}{self.given_name}"
        return f"{self.given_name} {self.family_name}".strip()

    def age_on(self, day: object) -> int:
        from datetime import date

        assert isinstance(day, date)
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class ConsentKind(models.TextChoices):
    CONSULTATION = "consultation", _("Remote consultation (telemedicine)")
    CROSS_BORDER = "cross_border", _("Cross-border transfer of personal information")
    SENSITIVE = "sensitive", _("Processing of sensitive personal information")
    RESEARCH = "research", _("Research use")
    TEACHING = "teaching", _("Teaching use")


class Consent(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("kind"), max_length=32, choices=ConsentKind.choices)
    scope = models.TextField(_("scope"), blank=True, help_text=_("What the patient agreed to, in the form's words."))
    # Where the data may go, for cross-border consent (ISO 3166-1 alpha-2).
    destination_country = models.CharField(_("destination country"), max_length=2, blank=True)
    signed_on = models.DateField(_("signed on"))
    signed_by_guardian = models.BooleanField(_("signed by a guardian"), default=False)
    # Relative path of the scanned signed form under the node's blob directory.
    form_blob = models.CharField(_("scanned form"), max_length=300, blank=True)
    form_sha256 = models.CharField(max_length=64, blank=True)
    form_filename = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="cross_border") | ~Q(destination_country=""),
                name="consent_cross_border_names_destination",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.signed_on}"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None
