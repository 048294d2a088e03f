"""Institutions, users and the roles a user holds at an institution.

A role is always scoped to one institution: a hematologist may be a referring
physician at her hospital and nothing anywhere else. Authorisation decisions are made
in :mod:`huizhen.apps.accounts.permissions`, never in views.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Institution(models.Model):
    class Kind(models.TextChoices):
        REFERRING_HOSPITAL = "referring_hospital", _("Referring hospital")
        CONSULTING_CENTER = "consulting_center", _("Consulting center")

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_local = models.CharField(_("name in local language"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    country = models.CharField(_("country (ISO 3166-1 alpha-2)"), max_length=2)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    REFERRING_PHYSICIAN = "referring_physician", _("Referring physician")
    CASE_COORDINATOR = "case_coordinator", _("Case coordinator")
    CONSULTING_SPECIALIST = "consulting_specialist", _("Consulting specialist")
    PROGRAM_DIRECTOR = "program_director", _("Program director")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    ADMIN = "admin", _("Administrator")
    TRANSLATOR = "translator", _("Medical translator")


class User(AbstractUser):
    language = models.CharField(
        _("preferred language"), max_length=16, choices=[("en", "English"), ("zh-hans", "简体中文")], default="en"
    )

    def roles(self) -> set[str]:
        return set(self.memberships.values_list("role", flat=True))


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "institution", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.institution}"
